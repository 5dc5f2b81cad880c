// The Datadog provider against testkit's stand-in of Datadog's query API (named as a stand-in: no real
// Datadog here), driven by the provider's real HTTP client.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { presetCheck } from '../../../shared/src/analysis/checks.ts';
import { datadogProvider } from '../../../shared/src/analysis/datadog.ts';
import { evaluateInterval, newCheckState } from '../../../shared/src/analysis/engine.ts';
import { startDatadogStandin, type DatadogStandin } from '../../../testkit/datadog-standin.ts';

const API_KEY = 'dd-api-0123456789abcdef';
const APP_KEY = 'dd-app-fedcba9876543210';

describe('Datadog provider on the query API stand-in', () => {
  let standin: DatadogStandin;
  beforeAll(async () => {
    standin = await startDatadogStandin({
      apiKey: API_KEY,
      applicationKey: APP_KEY,
      series: (query, from, to) => {
        if (query.includes('color:green') && query.includes('errors'))
          return [
            [from * 1000, 19],
            [(from + 10) * 1000, null],
            [to * 1000, 21],
          ];
        if (query.includes('color:blue') && query.includes('errors')) return [[to * 1000, 0.5]];
        if (query.startsWith('avg:ecs.fargate.cpu.percent')) return [];
        return undefined;
      },
    });
  });
  afterAll(async () => {
    await standin.stop();
  });

  const context = {
    provider: 'datadog' as const,
    intervalMs: 60_000,
    sides: {
      canary: { selector: 'service:web,color:green' },
      baseline: { selector: 'service:web,color:blue' },
    },
  };

  test('latest takes the last non-null point; keys go in the headers, not the URL', async () => {
    const provider = datadogProvider({ url: standin.url, apiKey: API_KEY, applicationKey: APP_KEY });
    const check = presetCheck('error-rate', context);
    const now = Date.now();
    expect(await provider.latest(check.query.canary, now, 60_000)).toBe(21);
    expect(await provider.latest(check.query.baseline, now, 60_000)).toBe(0.5);
    const last = standin.requests.at(-1);
    expect(last).toMatchObject({
      authorized: true,
      to: Math.ceil(now / 1000),
      from: Math.floor((now - 60_000) / 1000),
    });
    expect(JSON.stringify(standin.requests)).not.toContain(API_KEY);
  });

  test('range keeps the points and drops nulls', async () => {
    const provider = datadogProvider({ url: standin.url, apiKey: API_KEY, applicationKey: APP_KEY });
    const points = await provider.range(presetCheck('error-rate', context).query.canary, {
      start: 1_000_000,
      end: 1_060_000,
      stepMs: 10_000,
    });
    expect(points).toEqual([
      { t: 1_000_000, v: 19 },
      { t: 1_060_000, v: 21 },
    ]);
  });

  test('an empty series is no data; a refused key and a bad query are clear errors without the keys', async () => {
    const provider = datadogProvider({ url: standin.url, apiKey: API_KEY, applicationKey: APP_KEY });
    expect(
      await provider.latest(presetCheck('cpu', context).query.canary, Date.now(), 60_000),
    ).toBeUndefined();
    const wrong = datadogProvider({ url: standin.url, apiKey: 'wrong-key-123', applicationKey: APP_KEY });
    await expect(wrong.latest('avg:x{*}', Date.now(), 60_000)).rejects.toThrow(
      'Datadog answered HTTP 403: the API or application key was refused',
    );
    await expect(provider.latest('sum:nope{*}', Date.now(), 60_000)).rejects.toThrow(
      /Datadog answered HTTP 400: .*Error parsing query: sum:nope/,
    );
  });

  test('the engine turns a provider error into a reported no-data interval', async () => {
    const wrong = datadogProvider({ url: standin.url, apiKey: API_KEY, applicationKey: 'nope-nope-nope' });
    const state = newCheckState(presetCheck('error-rate', context));
    const [result] = await evaluateInterval([state], { datadog: wrong }, Date.now(), 60_000, 1, '5%');
    expect(result?.outcome).toBe('nodata');
    expect(result?.error).toContain('403');
  });
});
