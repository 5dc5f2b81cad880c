import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  ensureSystemPackages,
  installCommand,
  main,
  PACKAGE_LIST,
  parsePackageList,
  SystemPackagesError,
  systemHost,
  type PackageHost,
} from '../../testkit/system-packages.ts';

const LIST = `# comment
buildah          tests,demo  the image builder
mariadb-server   tests       a real MariaDB   # trailing comment
tar              demo        unpacks layers
`;

/** A machine as the tests describe it: which packages are installed, what runs, what apt-get does. */
function fakeHost(options: {
  installed?: Record<string, string>;
  platform?: string;
  root?: boolean;
  sudo?: boolean;
  commands?: string[];
  /** Versions apt-get installs (absent: apt-get "succeeds" but installs nothing). */
  apt?: Record<string, string>;
  aptFails?: boolean;
}): PackageHost & { runs: string[][] } {
  const installed = { ...options.installed };
  const commands = new Set(options.commands ?? ['dpkg-query', 'apt-get', 'sudo']);
  const runs: string[][] = [];
  return {
    runs,
    platform: options.platform ?? 'linux',
    isRoot: options.root ?? true,
    has: (command) => commands.has(command),
    passwordlessSudo: () => options.sudo === true,
    installedVersion: (name) => installed[name],
    run(argv) {
      runs.push(argv);
      if (options.aptFails === true) throw new Error('E: Unable to locate package buildah');
      if (argv.includes('install'))
        for (const [name, version] of Object.entries(options.apt ?? {}))
          if (argv.includes(name)) installed[name] = version;
    },
  };
}

function ensure(user: string, host: PackageHost): { lines: string[]; installed: string[] } {
  const lines: string[] = [];
  const installed = ensureSystemPackages(user, { host, list: LIST, print: (line) => lines.push(line) });
  return { lines, installed };
}

function stopOf(fn: () => unknown): SystemPackagesError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SystemPackagesError) return error;
    throw error;
  }
  throw new Error('expected a SystemPackagesError');
}

describe('the package list', () => {
  test('parses package, users and why; comments and blank lines are skipped', () => {
    expect(parsePackageList(LIST)).toEqual([
      { name: 'buildah', users: ['tests', 'demo'], why: 'the image builder' },
      { name: 'mariadb-server', users: ['tests'], why: 'a real MariaDB' },
      { name: 'tar', users: ['demo'], why: 'unpacks layers' },
    ]);
  });

  test('a line without a users column is refused, naming the line', () => {
    expect(() => parsePackageList('# x\nbuildah\n')).toThrow(
      /system-packages\.txt:2: expected "package {2}users {2}why"/,
    );
  });

  test(".ci/system-packages.txt is the one list: every line has users, and .ci's installer reads it", () => {
    const packages = parsePackageList(readFileSync(PACKAGE_LIST, 'utf8'));
    expect(packages.length).toBeGreaterThan(0);
    for (const part of packages) {
      expect(part.users.length, part.name).toBeGreaterThan(0);
      for (const user of part.users) expect(['tests', 'demo'], part.name).toContain(user);
      expect(part.why, part.name).not.toBe('');
    }
    expect(
      readFileSync(`${PACKAGE_LIST.replace(/system-packages\.txt$/, '')}install-system-packages.sh`, 'utf8'),
    ).toMatch(/system-packages\.txt/);
  });
});

describe('ensureSystemPackages (decisions, on a fake machine)', () => {
  test('everything installed: one line per part with version and why, no apt-get call', () => {
    const host = fakeHost({ installed: { buildah: '1.28.2', 'mariadb-server': '1:10.11.6' } });
    const { lines, installed } = ensure('tests', host);
    expect(installed).toEqual([]);
    expect(host.runs).toEqual([]);
    expect(lines).toEqual([
      'system package buildah 1.28.2: present — the image builder',
      'system package mariadb-server 1:10.11.6: present — a real MariaDB',
    ]);
  });

  test('only what the user needs is looked at: tar is the demo’s, mariadb-server the tests’', () => {
    const host = fakeHost({ installed: { buildah: '1', 'mariadb-server': '1' }, apt: { tar: '1.34' } });
    expect(ensure('tests', host).lines.join('\n')).not.toMatch(/tar/);
    expect(host.runs).toEqual([]);
    const demo = ensure('demo', host);
    expect(demo.installed).toEqual(['tar']);
    expect(demo.lines.join('\n')).not.toMatch(/mariadb/);
    expect(host.runs.at(-1)?.at(-1)).toBe('tar');
  });

  test('missing as root: apt-get update, then one install of exactly the missing ones; a line each', () => {
    const host = fakeHost({ installed: { buildah: '1.28.2' }, apt: { 'mariadb-server': '1:10.11.6' } });
    const { lines, installed } = ensure('tests', host);
    expect(installed).toEqual(['mariadb-server']);
    expect(host.runs).toEqual([
      ['apt-get', 'update', '-qq'],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'mariadb-server'],
    ]);
    expect(lines).toEqual([
      'system package buildah 1.28.2: present — the image builder',
      'system package mariadb-server: missing, installing — a real MariaDB',
      'system package mariadb-server 1:10.11.6: installed now — a real MariaDB',
    ]);
  });

  test('missing, not root, passwordless sudo: apt-get through sudo -n', () => {
    const host = fakeHost({ root: false, sudo: true, apt: { buildah: '1', 'mariadb-server': '2' } });
    expect(ensure('tests', host).installed).toEqual(['buildah', 'mariadb-server']);
    expect(host.runs.map((argv) => argv.slice(0, 3))).toEqual([
      ['sudo', '-n', 'apt-get'],
      ['sudo', '-n', 'env'],
    ]);
  });

  test('missing, not root, no passwordless sudo: exit 2 with the exact command, no apt-get call', () => {
    const host = fakeHost({ root: false, sudo: false, installed: { buildah: '1' } });
    const stop = stopOf(() => ensure('tests', host));
    expect(stop.exitCode).toBe(2);
    expect(stop.command).toBe(
      'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server',
    );
    expect(stop.message).toContain(
      'The tests need Debian packages that are not installed: mariadb-server (a real MariaDB)',
    );
    expect(stop.message).toContain(`Run:\n  ${stop.command}`);
    expect(host.runs).toEqual([]);
  });

  test('no apt-get (another distribution) or another OS: exit 2 naming the packages and the Debian command', () => {
    for (const host of [
      fakeHost({ commands: ['dpkg-query'] }),
      fakeHost({ platform: 'darwin', commands: [] }),
    ]) {
      const stop = stopOf(() => ensure('demo', host));
      expect(stop.exitCode).toBe(2);
      expect(stop.message).toMatch(
        /^The demo needs these Debian packages: buildah, tar\. This machine \(\w+\) has no apt-get/,
      );
      expect(stop.command).toBe(
        'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y buildah tar',
      );
      expect(host.runs).toEqual([]);
    }
  });

  test('apt-get fails, or runs and the package is still not there: exit 2 with the command', () => {
    const failing = stopOf(() => ensure('tests', fakeHost({ aptFails: true })));
    expect(failing.message).toMatch(
      /apt-get could not install buildah, mariadb-server \(E: Unable to locate package buildah\)/,
    );
    expect(failing.command).toBe(installCommand(['buildah', 'mariadb-server'], true));
    const silent = stopOf(() => ensure('tests', fakeHost({ apt: { buildah: '1' } })));
    expect(silent.message).toMatch(/apt-get ran but mariadb-server is still not installed/);
  });

  test('main: exit 2 and the message on stderr, not a stack trace', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      expect(main(['demo'], { host: fakeHost({ platform: 'win32', commands: [] }), list: LIST })).toBe(2);
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).toMatch(/^The demo needs these Debian packages/);
    expect(written.join('')).not.toMatch(/\n\s+at /);
  });
});

describe('this machine (the packages are installed here)', () => {
  test('the real host: nothing to do, one present line per part, no apt-get call', () => {
    const runs: string[][] = [];
    const host: PackageHost = { ...systemHost, run: (argv) => runs.push(argv) };
    const lines: string[] = [];
    const wanted = parsePackageList(readFileSync(PACKAGE_LIST, 'utf8')).filter((p) =>
      p.users.includes('tests'),
    );
    expect(ensureSystemPackages('tests', { host, print: (line) => lines.push(line) })).toEqual([]);
    expect(runs).toEqual([]);
    expect(lines).toHaveLength(wanted.length);
    for (const [index, part] of wanted.entries())
      expect(lines[index]).toMatch(
        part.name === 'kubernetes-client' && systemHost.has('kubectl')
          ? /^system package kubernetes-client: not needed, kubectl is on PATH — /
          : new RegExp(`^system package ${part.name} \\S+: present — `),
      );
  });

  test('the command line as npm pretest runs it: exit 0, a line per part', () => {
    const run = spawnSync(process.execPath, ['testkit/system-packages.ts', 'tests'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^system package buildah \S+: present — /m);
  });
});
