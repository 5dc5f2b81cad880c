// The Prometheus provider against a real Prometheus (Debian's package, testkit/prometheus.ts) scraping two
// real hello-service processes every second: blue (healthy) and green (APP_ERROR_RATE=0.2).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { presetCheck, type CheckContext } from '../../../shared/src/analysis/checks.ts';
import { analyseStep, newCheckState } from '../../../shared/src/analysis/engine.ts';
import { judge } from '../../../shared/src/analysis/mann-whitney.ts';
import { prometheusProvider } from '../../../shared/src/analysis/prometheus.ts';
import { startHelloService, traffic, type HelloService } from '../../../testkit/hello-service.ts';
import { startPrometheus, waitForTargets, type RunningPrometheus } from '../../../testkit/prometheus.ts';

const side = (color: string): Record<string, string> => ({ selector: `job="hello",color="${color}"`, color });
const context: CheckContext = {
  provider: 'prometheus',
  intervalMs: 5_000,
  sides: { canary: side('green'), baseline: side('blue') },
};

describe('Prometheus provider on a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let services: HelloService[];
  let stopTraffic: () => void;
  beforeAll(async () => {
    services = [
      await startHelloService({ APP_VERSION: '1.0.0' }),
      await startHelloService({ APP_VERSION: '1.1.0', APP_ERROR_RATE: '0.2' }),
    ];
    prometheus = await startPrometheus({
      targets: [
        { address: services[0]!.address, labels: { color: 'blue' } },
        { address: services[1]!.address, labels: { color: 'green' } },
      ],
    });
    stopTraffic = traffic(services, 10);
    await waitForTargets(prometheus, 2);
    // rate() over 5 s needs a few scrapes of moving counters.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
  }, 60_000);
  afterAll(async () => {
    stopTraffic?.();
    await prometheus?.stop();
    await Promise.all((services ?? []).map((service) => service.stop()));
  });

  test('instant query: the error-rate preset sees ~20 % on green and 0 % on blue', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    const check = presetCheck('error-rate', context);
    const green = await provider.latest(check.query.canary, Date.now(), 5_000);
    const blue = await provider.latest(check.query.baseline, Date.now(), 5_000);
    expect(green).toBeGreaterThan(15);
    expect(green).toBeLessThan(25);
    expect(blue).toBe(0);
  });

  test('p95 latency from the histogram (histogram_quantile) has a value on both sides', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    const check = presetCheck('latency', context);
    const green = await provider.latest(check.query.canary, Date.now(), 5_000);
    expect(green).toBeGreaterThan(0);
    expect(green).toBeLessThanOrEqual(10);
  });

  test('cAdvisor metrics are absent here: cpu is no data, not 0', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    expect(
      await provider.latest(presetCheck('cpu', context).query.canary, Date.now(), 5_000),
    ).toBeUndefined();
  });

  test('range query returns one point per step, and the judge finds green High', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    const check = presetCheck('error-rate', context);
    const end = Date.now();
    const range = { start: end - 4_000, end, stepMs: 1_000 };
    const canary = await provider.range(check.query.canary, range);
    const baseline = await provider.range(check.query.baseline, range);
    expect(canary.length).toBeGreaterThanOrEqual(4);
    expect(canary[1]!.t - canary[0]!.t).toBe(1_000);
    const result = judge([check], new Map([['error-rate', { canary, baseline }]]));
    expect(result.metrics[0]?.classification).toBe('High');
    expect(result.verdict).toBe('fail');
  });

  test('a bad query is reported with Prometheus own error', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    await expect(provider.latest('sum(rate(http_requests_total[5s]', Date.now(), 5_000)).rejects.toThrow(
      /Prometheus rejected the query \(bad_data\)/,
    );
  });

  test('analyseStep fails the error-rate check on green within its consecutive intervals', async () => {
    const provider = prometheusProvider({ url: prometheus.url });
    const state = newCheckState({ ...presetCheck('error-rate', context), failingIntervals: 2 });
    const result = await analyseStep({
      states: [state],
      providers: { prometheus: provider },
      step: '5%',
      windowMs: 10_000,
      intervalMs: 1_000,
      firstInterval: 1,
    });
    expect(result.failed).toHaveLength(1);
    expect(result.intervals).toBe(2);
    expect(state.failedAt?.canary).toBeGreaterThan(5);
  }, 20_000);
});
