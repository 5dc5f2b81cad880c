/** Duplicate results merged by tool, rule, location and secret digest. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { trufflehogToSarif } from '../../../actions/security-scan/src/converters/trufflehog.ts';
import { dedupeResults } from '../../../shared/src/sarif/dedupe.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const dir = path.join(repoRoot, 'test/fixtures/security-scan/real');

describe('dedupeResults', () => {
  test('TruffleHog: one secret at one place reported 4 times is one result', () => {
    const { log } = trufflehogToSarif(
      readFileSync(path.join(dir, 'constructed-trufflehog-duplicates.jsonl'), 'utf8'),
    );
    expect(log.runs[0]?.results).toHaveLength(7);
    expect(dedupeResults([log])).toBe(4);
    expect(
      log.runs[0]?.results?.map((r) => [r.ruleId, r.locations?.[0]?.physicalLocation?.artifactLocation?.uri]),
    ).toEqual([
      ['trufflehog/Github', 'app/deploy.env'],
      ['trufflehog/AWS', 'infra/main.tf'],
      ['trufflehog/AWS', 'app/settings.py'],
    ]);
  });
  test('the same report read twice merges across logs; distinct results stay', () => {
    const read = (): Log =>
      JSON.parse(readFileSync(path.join(dir, 'semgrep-0.87.0-juice-shop.sarif'), 'utf8')) as Log;
    const once = read();
    expect(dedupeResults([once])).toBe(0);
    expect(dedupeResults([read(), read()])).toBe(89);
  });
});
