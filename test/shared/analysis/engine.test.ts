import { describe, expect, test } from 'vitest';
import {
  analyseStep,
  evaluateSeries,
  newCheckState,
  verdictOf,
} from '../../../shared/src/analysis/engine.ts';
import { parseCondition } from '../../../shared/src/analysis/condition.ts';
import { failureReason, mermaidChart, verdictRows } from '../../../shared/src/analysis/report.ts';
import type { Check, MetricProvider, NoData } from '../../../shared/src/analysis/types.ts';

const check = (condition: string, failingIntervals: number, noData: NoData = 'inconclusive'): Check => ({
  name: 'error-rate',
  provider: 'prometheus',
  query: { canary: 'canary', baseline: 'baseline' },
  condition: parseCondition(condition) ?? { operator: '>', threshold: NaN, relative: false },
  failingIntervals,
  noData,
  unit: '%',
});

// Recorded series, one value per one-minute interval (error rate in %; undefined = no sample returned).
const steady = [0.4, 0.6, 0.5, 0.3, 0.7, 0.5];
const badRelease = [0.5, 21.2, 19.8, 20.4, 22.0, 20.9];
const flapping = [6.1, 4.2, 7.3, 8.0, 3.9, 6.6, 7.7, 2.1, 9.9, 5.2];
const scrapeGaps = [6.2, undefined, 7.1, 8.4, undefined, undefined];

describe('engine on recorded series', () => {
  test('steady canary under the threshold passes', () => {
    const state = evaluateSeries(check('> 5', 3), steady);
    expect(verdictOf(state)).toBe('pass');
    expect(state.results.every((result) => result.outcome === 'pass')).toBe(true);
  });

  test('a bad release fails at the third consecutive failing interval, not before', () => {
    const state = evaluateSeries(check('> 5', 3), badRelease);
    expect(verdictOf(state)).toBe('fail');
    expect(state.failedAt?.interval).toBe(4);
    expect(state.results.map((result) => result.consecutive)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(failureReason(state)).toBe(
      'error-rate > 5 failed at replay (intervals 2–4): canary 21.2%, 19.8%, 20.4% (limit 5%)',
    );
  });

  test('flapping data never 3 in a row passes with N=3, fails with N=2', () => {
    expect(verdictOf(evaluateSeries(check('> 5', 3), flapping))).toBe('pass');
    const strict = evaluateSeries(check('> 5', 2), flapping);
    expect(verdictOf(strict)).toBe('fail');
    expect(strict.failedAt?.interval).toBe(4);
  });

  test('missing data: inconclusive intervals neither count nor reset; pass resets; fail counts', () => {
    const inconclusive = evaluateSeries(check('> 5', 3, 'inconclusive'), scrapeGaps);
    expect(inconclusive.results.map((result) => result.outcome)).toEqual([
      'fail',
      'nodata',
      'fail',
      'fail',
      'nodata',
      'nodata',
    ]);
    expect(inconclusive.failedAt?.interval).toBe(4);

    const asPass = evaluateSeries(check('> 5', 3, 'pass'), scrapeGaps);
    expect(verdictOf(asPass)).toBe('pass');
    expect(asPass.results.map((result) => result.consecutive)).toEqual([1, 0, 1, 2, 0, 0]);

    const asFail = evaluateSeries(check('> 5', 3, 'fail'), scrapeGaps);
    expect(asFail.failedAt?.interval).toBe(3);
  });

  test('no data at all is inconclusive (or fails with no-data: fail)', () => {
    const empty = [undefined, undefined, undefined];
    expect(verdictOf(evaluateSeries(check('> 5', 1), empty))).toBe('inconclusive');
    expect(verdictOf(evaluateSeries(check('> 5', 3, 'fail'), empty))).toBe('fail');
    expect(verdictOf(newCheckState(check('> 5', 1)))).toBe('inconclusive');
  });

  test('NaN and Infinity (a ratio with no requests) are no data', () => {
    const state = evaluateSeries(check('> 5', 1), [NaN, Infinity, 1]);
    expect(state.results.map((result) => result.outcome)).toEqual(['nodata', 'nodata', 'pass']);
  });

  test('relative condition: > 2x baseline follows the baseline; a missing baseline is no data', () => {
    const latency = check('> 2x baseline', 2);
    const canary = [0.12, 0.25, 0.31, 0.33, 0.2];
    const baseline = [0.1, 0.11, 0.12, undefined, 0.1];
    const state = evaluateSeries(latency, canary, baseline);
    expect(state.results.map((result) => result.limit)).toEqual([0.2, 0.22, 0.24, undefined, 0.2]);
    expect(state.results.map((result) => result.outcome)).toEqual(['pass', 'fail', 'fail', 'nodata', 'pass']);
    expect(state.failedAt?.interval).toBe(3);
    expect(failureReason(state)).toContain('baseline 0.11%, 0.12%');
  });

  test('lower-is-bad conditions', () => {
    const state = evaluateSeries(check('< 90', 2), [99, 95, 80, 70]);
    expect(state.failedAt?.interval).toBe(4);
  });
});

describe('report', () => {
  test('the Mermaid chart has one x label per interval and canary / baseline / limit lines', () => {
    const state = evaluateSeries(check('> 2x baseline', 2), [1, 5, undefined], [1, 2, 2], '5%');
    const chart = mermaidChart(state);
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "error-rate: canary, baseline, limit (1 without data)"',
      '  x-axis ["5% #1", "5% #2", "5% #3"]',
      '  y-axis "%"',
      '  line [1, 5, 0]',
      '  line [1, 2, 2]',
      '  line [2, 4, 4]',
      '```',
    ]);
    expect(mermaidChart(newCheckState(check('> 1', 1)))).toBe('');
  });

  test('a unit with quotes or newlines cannot break out of the chart', () => {
    const state = evaluateSeries({ ...check('> 1', 1), unit: 'a"\n```' }, [2]);
    expect(mermaidChart(state)).toContain('y-axis "a  ```"');
    expect(
      mermaidChart(state)
        .split('\n')
        .filter((line) => line === '```'),
    ).toHaveLength(1);
  });

  test('verdict rows', () => {
    const rows = verdictRows([evaluateSeries(check('> 5', 3), badRelease)]);
    expect(rows[0]?.[0]).toBe('error-rate');
    expect(rows[0]?.[1]).toBe('> 5 for 3 intervals');
    expect(rows[0]?.[2]).toMatch(/^FAIL: error-rate > 5 failed at replay/);
    expect(rows[0]?.[3]).toBe('6 (5 failing, 0 without data)');
  });
});

describe('analyseStep with a recorded provider', () => {
  const recorded = (values: (number | undefined | Error)[]): MetricProvider & { calls: string[] } => {
    const calls: string[] = [];
    let index = 0;
    return {
      name: 'prometheus',
      calls,
      async latest(query) {
        calls.push(query);
        const value = values[Math.min(index++, values.length - 1)];
        if (value instanceof Error) throw value;
        return value;
      },
      async range() {
        return [];
      },
    };
  };
  const clock = (): { now: () => number; sleep: (ms: number) => Promise<void> } => {
    let time = 1_000_000;
    return { now: () => time, sleep: async (ms) => void (time += ms) };
  };

  test('stops at the interval in which a check fails', async () => {
    const provider = recorded([1, 9, 9, 9, 9, 9]);
    const states = [newCheckState(check('> 5', 2))];
    const analysis = await analyseStep({
      states,
      providers: { prometheus: provider },
      step: '5%',
      windowMs: 300_000,
      intervalMs: 60_000,
      firstInterval: 1,
      ...clock(),
    });
    expect(analysis.intervals).toBe(3);
    expect(analysis.failed).toHaveLength(1);
    expect(provider.calls).toEqual(['canary', 'canary', 'canary']);
  });

  test('holds the whole window when healthy; a provider error is no data, reported', async () => {
    const provider = recorded([1, new Error('Prometheus answered HTTP 503'), 2, 1, 1]);
    const states = [newCheckState(check('> 5', 1))];
    const seen: string[] = [];
    const analysis = await analyseStep({
      states,
      providers: { prometheus: provider },
      step: '25%',
      windowMs: 300_000,
      intervalMs: 60_000,
      firstInterval: 4,
      onInterval: (results) => seen.push(...results.map((result) => `${result.interval}:${result.outcome}`)),
      ...clock(),
    });
    expect(analysis).toMatchObject({ failed: [], intervals: 5 });
    expect(seen).toEqual(['4:pass', '5:nodata', '6:pass', '7:pass', '8:pass']);
    expect(states[0]?.results[1]?.error).toBe('Prometheus answered HTTP 503');
  });

  test('relative checks query the baseline too; a failure in an earlier step does not stop a later one', async () => {
    const provider = recorded([3, 1]);
    const states = [newCheckState(check('> 2x baseline', 1))];
    await analyseStep({
      states,
      providers: { prometheus: provider },
      step: '5%',
      windowMs: 60_000,
      intervalMs: 60_000,
      firstInterval: 1,
      ...clock(),
    });
    expect(provider.calls).toEqual(['canary', 'baseline']);
    expect(states[0]?.failedAt?.step).toBe('5%');
  });
});
