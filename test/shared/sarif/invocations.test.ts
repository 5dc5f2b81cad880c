/** Failed runs from SARIF invocations (real semgrep rule-parse-error report; executionSuccessful false). */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { failedRuns } from '../../../shared/src/sarif/invocations.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const real = (file: string): Log =>
  JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/security-scan/real', file), 'utf8')) as Log;

describe('failedRuns', () => {
  test('an error notification fails the run even with executionSuccessful true', () => {
    expect(failedRuns(real('semgrep-1.95.0-rule-parse-error.sarif'))).toEqual([
      {
        tool: 'Semgrep OSS',
        message:
          'Rule parse error in rule broken-pattern: Invalid pattern for Python: Stdlib.Parsing.Parse_error ----- pattern ----- foo( ----- end pattern -----',
      },
    ]);
  });
  test('warnings only (real juice-shop semgrep report, 23 warnings) do not fail it', () => {
    expect(failedRuns(real('semgrep-0.87.0-juice-shop.sarif'))).toEqual([]);
  });
  test('executionSuccessful false without a message', () => {
    const log: Log = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'x' } }, invocations: [{ executionSuccessful: false }], results: [] }],
    };
    expect(failedRuns(log)).toEqual([{ tool: 'x', message: 'the tool reports executionSuccessful: false' }]);
  });
  test('a clean run passes', () => {
    expect(failedRuns(real('semgrep-1.95.0-clean.sarif'))).toEqual([]);
  });
});
