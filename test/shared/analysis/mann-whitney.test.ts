// Reference values computed independently with SciPy 1.14.1 (pip install scipy==1.14.1):
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)
import { describe, expect, test } from 'vitest';
import { judge, mannWhitneyU, median, normalSurvival } from '../../../shared/src/analysis/mann-whitney.ts';
import type { Check, Point } from '../../../shared/src/analysis/types.ts';

describe('mannWhitneyU against SciPy', () => {
  test.each([
    { x: [1, 2, 3, 4, 5], y: [6, 7, 8, 9, 10], u: 0, p: 0.012185780355344813 },
    {
      x: [0.21, 0.19, 0.22, 0.2, 0.25, 0.18],
      y: [0.01, 0.02, 0.015, 0.03, 0.02, 0.01],
      u: 36,
      p: 0.00492203567532315,
    },
    { x: [1, 2, 2, 3, 3, 3, 4], y: [2, 3, 3, 4, 4, 5, 5, 6], u: 11, p: 0.04988443697992588 },
    { x: [10, 12, 11, 13, 12, 10, 11], y: [10, 11, 12, 11, 13, 12, 10], u: 24.5, p: 1 },
    {
      x: [120, 130, 125, 300, 128, 131, 127, 126],
      y: [110, 115, 118, 121, 119, 117, 116, 120],
      u: 62.5,
      p: 0.0016162982798706125,
    },
  ])('U=$u p=$p', ({ x, y, u, p }) => {
    const result = mannWhitneyU(x, y);
    expect(result.u).toBe(u);
    expect(result.p).toBeCloseTo(p, 6);
  });

  test('the statistic is symmetric: U(x,y) + U(y,x) = n1·n2, same p', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    const y = [2, 7, 1, 8, 2, 8];
    const a = mannWhitneyU(x, y);
    const b = mannWhitneyU(y, x);
    expect(a.u + b.u).toBe(48);
    expect(a.p).toBeCloseTo(b.p, 12);
    expect(Math.sign(a.z)).toBe(-Math.sign(b.z));
  });

  test('identical constant samples: p = 1', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).p).toBe(1);
  });

  test('empty samples are refused', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });

  test('normalSurvival matches known quantiles', () => {
    expect(normalSurvival(1.959963984540054)).toBeCloseTo(0.025, 6);
    expect(normalSurvival(0)).toBeCloseTo(0.5, 7);
    expect(normalSurvival(-1.6448536269514722)).toBeCloseTo(0.95, 6);
  });

  test('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

const check = (name: string, badDirection: Check['badDirection'] = 'higher'): Check => ({
  name,
  provider: 'prometheus',
  query: { canary: 'q', baseline: 'q' },
  condition: { operator: '>', threshold: 2, relative: true },
  failingIntervals: 1,
  noData: 'inconclusive',
  badDirection,
});
const points = (values: number[]): Point[] => values.map((v, t) => ({ t, v }));

describe('judge (Kayenta-style score)', () => {
  test('a canary with a higher error rate is High and fails; the score counts passing metrics', () => {
    const samples = new Map([
      ['error-rate', { canary: points([21, 19, 22, 20, 25, 18]), baseline: points([1, 2, 1.5, 3, 2, 1]) }],
      [
        'latency',
        { canary: points([10, 12, 11, 13, 12, 10, 11]), baseline: points([10, 11, 12, 11, 13, 12, 10]) },
      ],
    ]);
    const result = judge([check('error-rate'), check('latency')], samples);
    expect(result.metrics.map((metric) => metric.classification)).toEqual(['High', 'Pass']);
    expect(result.score).toBe(50);
    expect(result.verdict).toBe('fail');
  });

  test('a significant drop in a "higher is bad" metric passes; in a "lower is bad" one it fails', () => {
    const samples = new Map([
      ['latency', { canary: points([1, 2, 3, 4, 5]), baseline: points([6, 7, 8, 9, 10]) }],
      ['throughput', { canary: points([1, 2, 3, 4, 5]), baseline: points([6, 7, 8, 9, 10]) }],
    ]);
    const result = judge([check('latency'), check('throughput', 'lower')], samples);
    expect(result.metrics.map((metric) => metric.classification)).toEqual(['Pass', 'Low']);
    expect(result.score).toBe(50);
  });

  test('thresholds: pass ≥ 95, marginal ≥ 75 (configurable); too few samples are NoData', () => {
    const same = { canary: points([1, 2, 3, 4]), baseline: points([1, 2, 3, 4]) };
    const high = { canary: points([20, 21, 22, 23, 24]), baseline: points([1, 2, 3, 4, 5]) };
    const checks = ['a', 'b', 'c', 'd'].map((name) => check(name));
    const samples = new Map([
      ['a', same],
      ['b', same],
      ['c', same],
      ['d', high],
    ]);
    expect(judge(checks, samples)).toMatchObject({ score: 75, verdict: 'marginal' });
    expect(judge(checks, samples, { marginal: 80 })).toMatchObject({ verdict: 'fail' });
    expect(judge(checks, samples, { pass: 70 })).toMatchObject({ verdict: 'pass' });
    const sparse = judge(
      [check('a')],
      new Map([['a', { canary: points([1, 2]), baseline: points([1, 2, 3]) }]]),
    );
    expect(sparse).toMatchObject({ score: 0, verdict: 'nodata' });
    expect(sparse.metrics[0]?.classification).toBe('NoData');
  });

  test('a significant but small change (within tolerance) passes', () => {
    const samples = new Map([
      [
        'latency',
        { canary: points([101, 102, 103, 104, 105, 106]), baseline: points([95, 96, 97, 98, 99, 100]) },
      ],
    ]);
    const result = judge([check('latency')], samples, { tolerance: 0.1 });
    expect(result.metrics[0]?.result?.p).toBeLessThan(0.05);
    expect(result.metrics[0]?.classification).toBe('Pass');
  });
});
