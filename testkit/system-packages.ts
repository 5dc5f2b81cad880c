/**
 * System parts provisioned by whoever needs them: reads `.ci/system-packages.txt` (`package  users  why`,
 * the list .ci/install-system-packages.sh installs too) and, for one user (`tests`, `demo`), installs the
 * missing packages through apt-get, printing one line per part: what is there and why it is needed. Where
 * it cannot install (not root and no passwordless sudo, no apt-get, another OS) it stops with a
 * SystemPackagesError (exit code 2) carrying the exact command to run — never a stack trace.
 *
 * `node testkit/system-packages.ts tests|demo` does the same from the command line (npm's `pretest`).
 * apt-get: https://manpages.debian.org/bookworm/apt/apt-get.8.en.html; dpkg-query's `${Status}` and
 * `${Version}`: https://manpages.debian.org/bookworm/dpkg/dpkg-query.1.en.html
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_LIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '.ci',
  'system-packages.txt',
);

/** One line of the list. */
export interface SystemPackage {
  /** The Debian package name. */
  name: string;
  /** Who needs it: `tests`, `demo`. */
  users: string[];
  /** Why, in words. */
  why: string;
}

/**
 * Parses the list: `#` starts a comment, blank lines are skipped, each other line is
 * `package  users  why` (users a comma list).
 * @throws Error naming the line when it has no users column
 */
export function parsePackageList(text: string): SystemPackage[] {
  const packages: SystemPackage[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const match = /^(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (match === null) throw new Error(`${PACKAGE_LIST}:${index + 1}: expected "package  users  why"`);
    const [, name = '', users = '', why = ''] = match;
    packages.push({ name, users: users.split(',').filter((user) => user !== ''), why });
  }
  return packages;
}

/** What the machine offers; the real one asks the system, tests pass a fake. */
export interface PackageHost {
  /** `process.platform`. */
  platform: string;
  /** Whether this process runs as root (uid 0). */
  isRoot: boolean;
  /** Whether `command` is on PATH. */
  has(command: string): boolean;
  /** Whether `sudo -n true` succeeds (sudo without a password prompt). */
  passwordlessSudo(): boolean;
  /** The installed version of a package, or undefined when it is not installed. */
  installedVersion(name: string): string | undefined;
  /** Runs a command with its output shown; throws when it exits non-zero. */
  run(argv: string[]): void;
}

/** Stops the caller: exit code 2 and the command a person can run instead. */
export class SystemPackagesError extends Error {
  readonly exitCode = 2;
  /** The exact command to run. */
  readonly command: string;
  constructor(message: string, command: string) {
    super(message);
    this.name = 'SystemPackagesError';
    this.command = command;
  }
}

/** The install command as a person would type it (`sudo` unless root). */
export function installCommand(names: string[], root: boolean): string {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y ${names.join(' ')}`;
}

/**
 * Packages whose command may come from elsewhere: kubectl from the machine image or GitHub's runners (1.32)
 * is newer than Debian's kubernetes-client (1.20), and installing that package over it would clash.
 * .ci/install-system-packages.sh skips it the same way.
 */
const PROVIDED_BY_COMMAND: Record<string, string> = { 'kubernetes-client': 'kubectl' };

/** "The demo needs" / "The tests need": the user as the subject of a sentence. */
function needs(user: string): string {
  return user.endsWith('s') ? `The ${user} need` : `The ${user} needs`;
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** This machine. */
export const systemHost: PackageHost = {
  platform: process.platform,
  isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  has: onPath,
  passwordlessSudo() {
    try {
      execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  },
  installedVersion(name) {
    try {
      const out = execFileSync('dpkg-query', ['-W', '-f', '${Status}\t${Version}', name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [status = '', version = ''] = out.split('\t');
      return status.endsWith('install ok installed') ? version : undefined;
    } catch {
      return undefined;
    }
  },
  run(argv) {
    const [command = '', ...args] = argv;
    execFileSync(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 15 * 60_000,
    });
  },
};

export interface EnsureOptions {
  host?: PackageHost;
  /** One line per part (default: stdout). */
  print?: (line: string) => void;
  /** The list's text (default: .ci/system-packages.txt). */
  list?: string;
  /** Only these packages of the list (a local part's), whoever the list says uses them. */
  packages?: string[];
}

/**
 * Makes sure the Debian packages `user` needs are installed, installing the missing ones with apt-get
 * (as root, or through passwordless sudo). Prints one line per package: present (with its version) or
 * installed now, and why it is needed.
 * @param user `tests` or `demo` (the list's users column); with `options.packages`, a name for messages
 * @returns the packages that were installed now ([] when nothing was missing: no apt-get call at all)
 * @throws SystemPackagesError (exitCode 2) with the command to run when they cannot be installed here
 */
export function ensureSystemPackages(user: string, options: EnsureOptions = {}): string[] {
  const host = options.host ?? systemHost;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const wanted = parsePackageList(options.list ?? readFileSync(PACKAGE_LIST, 'utf8')).filter((p) =>
    options.packages === undefined ? p.users.includes(user) : options.packages.includes(p.name),
  );
  if (wanted.length === 0) return [];
  const names = wanted.map((p) => p.name);
  if (host.platform !== 'linux' || !host.has('dpkg-query') || !host.has('apt-get')) {
    throw new SystemPackagesError(
      `${needs(user)} these Debian packages: ${names.join(', ')}. This machine (${host.platform}) has no ` +
        `apt-get; run the ${user} on Debian or Ubuntu (as GitHub's ubuntu runners are), where ` +
        `they install themselves, or install the packages there with:\n  ${installCommand(names, false)}`,
      installCommand(names, false),
    );
  }
  const missing: SystemPackage[] = [];
  for (const part of wanted) {
    const command = PROVIDED_BY_COMMAND[part.name];
    if (command !== undefined && host.has(command)) {
      print(`system package ${part.name}: not needed, ${command} is on PATH — ${part.why}`);
      continue;
    }
    const version = host.installedVersion(part.name);
    if (version === undefined) missing.push(part);
    else print(`system package ${part.name} ${version}: present — ${part.why}`);
  }
  if (missing.length === 0) return [];
  const missingNames = missing.map((p) => p.name);
  const sudo = host.isRoot ? [] : host.has('sudo') && host.passwordlessSudo() ? ['sudo', '-n'] : undefined;
  const command = installCommand(missingNames, host.isRoot);
  if (sudo === undefined) {
    throw new SystemPackagesError(
      `${needs(user)} Debian packages that are not installed: ${missing.map((p) => `${p.name} (${p.why})`).join('; ')}.\n` +
        `Installing them needs root, and this is not root and has no passwordless sudo. Run:\n  ${command}`,
      command,
    );
  }
  for (const part of missing) print(`system package ${part.name}: missing, installing — ${part.why}`);
  try {
    host.run([...sudo, 'apt-get', 'update', '-qq']);
    host.run([
      ...sudo,
      'env',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
      '-qq',
      ...missingNames,
    ]);
  } catch (error) {
    throw new SystemPackagesError(
      `apt-get could not install ${missingNames.join(', ')} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Run:\n  ${command}`,
      command,
    );
  }
  for (const part of missing) {
    const version = host.installedVersion(part.name);
    if (version === undefined)
      throw new SystemPackagesError(
        `apt-get ran but ${part.name} is still not installed. Run:\n  ${command}`,
        command,
      );
    print(`system package ${part.name} ${version}: installed now — ${part.why}`);
  }
  return missingNames;
}

/**
 * The command line: `node testkit/system-packages.ts <user>`; exit 0 when everything is there, 2 with the
 * command to run when it cannot be installed here.
 */
export function main(argv: string[], options: EnsureOptions = {}): number {
  const user = argv[0] ?? 'tests';
  try {
    ensureSystemPackages(user, options);
    return 0;
  } catch (error) {
    if (error instanceof SystemPackagesError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`system packages: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
