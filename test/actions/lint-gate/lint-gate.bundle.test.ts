/** The lint-gate bundle run as the runner runs it, on fixture projects with real linters. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const project = path.join(repoRoot, 'test/fixtures/lint-gate/project');
const clean = path.join(repoRoot, 'test/fixtures/lint-gate/clean');

describe('lint-gate bundle', () => {
  test('bad input fails fast naming the input', async () => {
    const run = await runBundle('lint-gate', { cwd: clean, inputs: { linters: '- eslnt' } });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /Input 'linters': entry 1: "eslnt" is not a preset/);
  });

  test('all presets on a project with known problems: counts, annotations, summary, SARIF, failed gate', async () => {
    const temp = await mkdtemp(path.join(tmpdir(), 'gantry-lint-gate-bundle-'));
    const sarifFile = path.join(temp, 'lint.sarif');
    try {
      const run = await runBundle('lint-gate', {
        cwd: project,
        inputs: {
          linters: '- eslint\n- prettier\n- tsc\n- shellcheck\n- yamllint\n- actionlint\n',
          'coverage-file': 'coverage/lcov.info',
          'sarif-file': sarifFile,
        },
        // Output files must land in the workspace or RUNNER_TEMP (issue 14).
        env: { RUNNER_TEMP: temp },
      });
      assert.equal(run.exitCode, 1, run.log);
      assert.deepEqual(run.outputs, {
        errors: '5',
        warnings: '5',
        notes: '1',
        coverage: '75.00',
        passed: 'false',
        'failed-reason': '5 errors; line coverage 75.00 % is below the threshold of 80 %',
        'sarif-file': sarifFile,
      });
      assert.match(run.log, /lint-gate failed: 5 errors; line coverage 75\.00 %/);
      const annotations = run.annotations.filter((a) => a.title !== undefined);
      assert.deepEqual(
        annotations.map((a) => [a.level, a.title, a.file, a.line]),
        [
          ['error', 'actionlint actionlint/expression (high)', '.github/workflows/ci.yml', 8],
          ['error', 'actionlint actionlint/syntax-check (high)', '.github/workflows/ci.yml', 12],
          ['error', 'eslint no-unused-vars (high)', 'src/app.js', 3],
          ['error', 'tsc TS2322 (high)', 'src/types.mts', 2],
          ['error', 'prettier prettier/format (high)', 'src/ugly.js', undefined],
          ['warning', 'yamllint yamllint/document-start (medium)', '.github/workflows/ci.yml', 1],
          ['warning', 'yamllint yamllint/truthy (medium)', '.github/workflows/ci.yml', 2],
          ['warning', 'shellcheck SC2034 (medium)', 'scripts/deploy.sh', 3],
          ['warning', 'eslint no-console (medium)', 'src/app.js', 6],
          ['warning', 'eslint security/detect-eval-with-expression (medium)', 'src/app.js', 7],
          ['notice', 'shellcheck SC2086 (low)', 'scripts/deploy.sh', 5],
        ],
      );
      assert.match(run.summary, /lint-gate: failed/);
      assert.match(run.summary, /<td>eslint<\/td><td>1<\/td><td>2<\/td><td>0<\/td><td>ran<\/td>/);
      assert.match(run.summary, /Findings \(11\)/);
      assert.match(run.summary, /Line coverage: 75\.00 % \(threshold 80 %\)/);
      const log = JSON.parse(await readFile(sarifFile, 'utf8')) as Log;
      assert.deepEqual(sarifSchemaErrors(log), []);
      assert.deepEqual(
        log.runs.map((r) => [r.automationDetails?.id, r.results?.length]),
        [
          ['lint-gate/eslint/', 3],
          ['lint-gate/prettier/', 1],
          ['lint-gate/tsc/', 1],
          ['lint-gate/shellcheck/', 2],
          ['lint-gate/yamllint/', 2],
          ['lint-gate/actionlint/', 2],
        ],
      );
      assert.equal(
        log.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
        'src/app.js',
      );
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });

  test('at most 10 annotations per level, most severe first; the summary lists all; fail-on never passes', async () => {
    const lines = [
      ...Array.from({ length: 15 }, (_, i) => `src/gen.c:${i + 1}:1: error: problem ${i + 1}`),
      ...Array.from({ length: 12 }, (_, i) => `src/gen.c:${i + 100}:1: warning: smell ${i + 1}`),
    ];
    const run = await runBundle('lint-gate', {
      cwd: clean,
      inputs: {
        linters: `- name: many\n  format: gcc\n  run: |\n    printf '${lines.join('\\n')}\\n'\n`,
        'fail-on': 'never',
        'max-warnings': '20',
      },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['errors'], '15');
    assert.equal(run.outputs['warnings'], '12');
    assert.equal(run.outputs['passed'], 'true');
    const annotations = run.annotations.filter((a) => a.title !== undefined);
    assert.equal(annotations.filter((a) => a.level === 'error').length, 10);
    assert.equal(annotations.filter((a) => a.level === 'warning').length, 10);
    assert.equal(annotations[0]?.message, 'problem 1');
    assert.match(run.summary, /Findings \(27\)/);
    assert.match(run.summary, /problem 15/);
    assert.match(run.summary, /smell 12/);
  });

  test('a clean project with coverage above the threshold passes (Istanbul summary)', async () => {
    const run = await runBundle('lint-gate', {
      // The workspace holds both projects: a coverage-file outside the workspace is refused (issue 14).
      cwd: clean,
      env: { GITHUB_WORKSPACE: path.dirname(clean) },
      inputs: {
        linters: 'eslint, prettier',
        'working-directory': path.basename(clean),
        'coverage-file': '../project/coverage/coverage-summary.json',
        'fail-on': 'warning',
        'max-warnings': '0',
      },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['passed'], 'true');
    assert.equal(run.outputs['coverage'], '85.50');
    assert.equal(run.outputs['errors'], '0');
    assert.equal(run.annotations.length, 0);
  });

  test('working-directory: linters run there, paths are reported from the repository root', async () => {
    const run = await runBundle('lint-gate', {
      cwd: path.dirname(project),
      inputs: { linters: 'shellcheck', 'working-directory': 'project', 'fail-on': 'never' },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual(
      run.annotations.map((a) => [a.level, a.file, a.line]),
      [
        ['warning', 'project/scripts/deploy.sh', 3],
        ['notice', 'project/scripts/deploy.sh', 5],
      ],
    );
  });

  test('a missing tool fails the gate with how to install it', async () => {
    const run = await runBundle('lint-gate', {
      cwd: clean,
      inputs: { linters: 'hadolint' },
      env: { PATH: '/usr/bin:/bin' },
    });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.log,
      /hadolint is not installed \(looked in node_modules\/\.bin and PATH\): install the hadolint binary/,
    );
    assert.equal(run.outputs['passed'], 'false');
  });
});
