/**
 * lint-gate's flow (actions/lint-gate/src/main.ts) in process with the runner's environment (testkit
 * runFlow): commands of the user's own in gcc format, a linter that cannot run, the coverage threshold, and
 * the SARIF file and summary it leaves. The built bundle is run by test/actions/lint-gate/lint-gate.bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFlow } from '../../../testkit/bundle-runner.ts';

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'gantry-lint-flow-'));
  await writeFile(path.join(workspace, 'app.sh'), 'echo hi\n');
  // lcov: 9 of 10 lines hit
  const lines = Array.from({ length: 10 }, (_, i) => `DA:${i + 1},${i === 0 ? 0 : 1}`).join('\n');
  await writeFile(
    path.join(workspace, 'lcov.info'),
    `TF:\nSF:app.sh\n${lines}\nLF:10\nLH:9\nend_of_record\n`,
  );
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

const findings = [
  'printf "app.sh:1:1: error: quote this [SC2086]\\n"',
  'printf "app.sh:2:3: warning: unused variable\\n"',
].join(' && ');
/** The linters input (YAML; JSON is YAML) for commands of the user's own in gcc format. */
const linters = (...commands: [string, string][]): string =>
  JSON.stringify(commands.map(([name, run]) => ({ name, run, format: 'gcc' })));

describe('lint-gate flow', () => {
  test('findings of a command of your own: counted, annotated, in SARIF; errors fail the gate', async () => {
    const sarif = path.join(workspace, 'out', 'lint.sarif');
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: { linters: linters(['mine', findings]), 'sarif-file': sarif },
    });
    expect(run.exitCode, run.log).toBe(1);
    expect(run.outputs).toMatchObject({ errors: '1', warnings: '1', passed: 'false', 'sarif-file': sarif });
    expect(run.outputs['failed-reason']).toMatch(/1 error/);
    expect(run.annotations.map((a) => [a.level, a.file, a.line])).toEqual([
      ['error', 'app.sh', 1],
      ['warning', 'app.sh', 2],
      ['error', undefined, undefined],
    ]);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as { runs: { results: { level: string }[] }[] };
    expect(log.runs.flatMap((r) => r.results.map((result) => result.level))).toEqual(['error', 'warning']);
    expect(run.summary).toContain('lint-gate: failed');
    expect(run.summary).toMatch(/<td>mine<\/td><td>1<\/td><td>1<\/td>/);
  });

  test('fail-on never with max-warnings 0 still fails on the warning; coverage below the threshold fails too', async () => {
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: {
        linters: linters(['mine', findings]),
        'fail-on': 'never',
        'max-warnings': '0',
        'coverage-file': 'lcov.info',
        'coverage-threshold': '95',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['coverage']).toBe('90.00');
    expect(run.outputs['failed-reason']).toMatch(/warning/);
    expect(run.outputs['failed-reason']).toMatch(/line coverage 90\.00 % is below the threshold of 95 %/);
    expect(run.summary).toContain('Line coverage: 90.00 % (threshold 95 %).');
  });

  test('a clean command and coverage at the threshold: the gate passes', async () => {
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: {
        linters: linters(['quiet', 'true']),
        'coverage-file': 'lcov.info',
        'coverage-threshold': '90',
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ errors: '0', warnings: '0', passed: 'true', coverage: '90.00' });
    expect(run.summary).toContain('Gate passed.');
  });

  test('a linter that cannot run fails the gate naming it; the others still report', async () => {
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: {
        linters: linters(['gone', 'no-such-linter-xyz --check'], ['mine', findings]),
        'fail-on': 'never',
      },
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['failed-reason']).toMatch(/gone/);
    expect(run.outputs['errors']).toBe('1');
    expect(run.summary).toMatch(/<td>gone<\/td>.*failed: gone: command not found \(exit 127\)/);
    expect(run.summary).toMatch(/<td>mine<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>ran<\/td>/);
  });
});
