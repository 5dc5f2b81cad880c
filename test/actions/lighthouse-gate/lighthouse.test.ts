import { describe, expect, test } from 'vitest';
import { parseThresholds } from '../../../actions/lighthouse-gate/src/inputs.ts';
import { misses, reportName, findChrome } from '../../../actions/lighthouse-gate/src/lighthouse.ts';

describe('lighthouse-gate helpers', () => {
  test('misses lists scores under their threshold and unscored categories', () => {
    const thresholds = parseThresholds(
      new Map([
        ['performance', '80'],
        ['accessibility', '90'],
        ['seo', '50'],
      ]),
    );
    const result = { url: 'u', report: 'r', scores: { performance: 79, accessibility: 95 } };
    expect(misses(result, thresholds)).toEqual(['performance 79 < 80', 'seo not scored']);
    expect(
      misses({ ...result, scores: { performance: 80, accessibility: 90, seo: 50 } }, thresholds),
    ).toEqual([]);
  });
  test.each([
    ['https://staging.example.com/', 0, '1-staging-example-com'],
    ['http://127.0.0.1:8080/heavy.html?x=1', 1, '2-127-0-0-1-8080-heavy-html'],
  ])('reportName(%s) has no dots', (url, index, name) => expect(reportName(url, index)).toBe(name));
  test('thresholds refuse unknown categories and scores over 100', () => {
    expect(() => parseThresholds(new Map([['speed', '80']]))).toThrow(/speed/);
    expect(() => parseThresholds(new Map([['seo', '101']]))).toThrow(/seo/);
  });
  test('a chrome-path that does not exist is a configuration error', () =>
    expect(() => findChrome('/nonexistent/chrome')).toThrow(/does not exist/));
});
