/** SARIF §3.27.23 suppressions, on real semgrep reports and the status rules of the spec. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { isSuppressed, suppressionInfo } from '../../../shared/src/sarif/suppressions.ts';
import type { Log, Result } from '../../../shared/src/sarif/types.ts';

describe('isSuppressed', () => {
  test('semgrep # nosemgrep → inSource (real semgrep 1.95.0 report)', () => {
    const log = JSON.parse(
      readFileSync(
        path.join(repoRoot, 'test/fixtures/security-scan/real/semgrep-1.95.0-planted.sarif'),
        'utf8',
      ),
    ) as Log;
    const results = log.runs[0]?.results ?? [];
    expect(results.map(isSuppressed)).toEqual([false, true]);
    expect(suppressionInfo(results[1] as Result)).toEqual([
      { kind: 'inSource', status: 'accepted', justification: '' },
    ]);
  });
  test.each<[Result['suppressions'], boolean]>([
    [[], false],
    [[{ kind: 'external', justification: 'baseline' }], true],
    [[{ kind: 'external', status: 'accepted' }], true],
    [[{ kind: 'inSource', status: 'underReview' }], false],
    [[{ kind: 'inSource', status: 'rejected' }], false],
    [[{ kind: 'inSource', status: 'rejected' }, { kind: 'external' }], true],
  ])('%j → %s', (suppressions, expected) => {
    expect(
      isSuppressed({ message: { text: 'x' }, ...(suppressions === undefined ? {} : { suppressions }) }),
    ).toBe(expected);
  });
});
