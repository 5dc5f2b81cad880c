// The CloudWatch provider against moto (PutMetricData, then GetMetricData through the provider's SDK
// client, built like every AWS client in Gantry from AWS_ENDPOINT_URL and AWS_REGION).
// moto evaluates MetricStat queries (Sum, Average…) but no percentile statistics (p95 answers HTTP 500)
// and no metric math beyond a bare id: the
// error-rate preset's `100 * FILL(errors, 0) / requests` is checked for its request shape in
// checks.test.ts, and here by its MetricStat parts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { presetCheck, type CheckContext } from '../../../shared/src/analysis/checks.ts';
import { cloudWatchProvider, createCloudWatchClient } from '../../../shared/src/analysis/cloudwatch.ts';
import { analyseStep, newCheckState } from '../../../shared/src/analysis/engine.ts';
import { startMoto, type Moto } from '../../../testkit/moto.ts';

const side = (color: string): Record<string, string> => ({
  cluster: 'prod',
  service: `web-${color}`,
  'target-group': `targetgroup/web-${color}/0123456789abcdef`,
  'load-balancer': 'app/web/fedcba9876543210',
});
const context: CheckContext = {
  provider: 'cloudwatch',
  intervalMs: 60_000,
  sides: { canary: side('green'), baseline: side('blue') },
};

describe('CloudWatch provider on moto', () => {
  let moto: Moto;
  let client: CloudWatchClient;
  const saved = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto({ runningTasks: 1 });
    Object.assign(process.env, moto.env);
    client = await createCloudWatchClient();
    const now = new Date(Date.now() - 5_000);
    const ecs = (service: string, metric: string, value: number): MetricDatum => ({
      MetricName: metric,
      Dimensions: [
        { Name: 'ClusterName', Value: 'prod' },
        { Name: 'ServiceName', Value: service },
      ],
      Timestamp: now,
      Value: value,
      Unit: 'Percent',
    });
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ECS',
        MetricData: [
          ecs('web-green', 'CPUUtilization', 96),
          ecs('web-green', 'CPUUtilization', 94),
          ecs('web-blue', 'CPUUtilization', 30),
          ecs('web-green', 'MemoryUtilization', 40),
        ],
      }),
    );
    const alb = (color: string, metric: string, values: number[]): MetricDatum => ({
      MetricName: metric,
      Dimensions: [
        { Name: 'TargetGroup', Value: `targetgroup/web-${color}/0123456789abcdef` },
        { Name: 'LoadBalancer', Value: 'app/web/fedcba9876543210' },
      ],
      Timestamp: now,
      Values: values,
      Unit: metric === 'TargetResponseTime' ? 'Seconds' : 'Count',
    });
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: [
          alb('green', 'TargetResponseTime', [0.1, 0.2, 0.3, 0.9]),
          alb('blue', 'TargetResponseTime', [0.1, 0.1, 0.2, 0.2]),
          alb('green', 'HTTPCode_Target_5XX_Count', [20]),
          alb('green', 'RequestCount', [100]),
        ],
      }),
    );
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    process.env = saved;
    await moto?.stop();
  });

  test('the cpu preset reads ECS CPUUtilization (Average) per service', async () => {
    const provider = cloudWatchProvider(client);
    const check = presetCheck('cpu', context);
    expect(await provider.latest(check.query.canary, Date.now(), 60_000)).toBe(95);
    expect(await provider.latest(check.query.baseline, Date.now(), 60_000)).toBe(30);
  });

  test('memory on a service without data is no data', async () => {
    const provider = cloudWatchProvider(client);
    const check = presetCheck('memory', context);
    expect(await provider.latest(check.query.canary, Date.now(), 60_000)).toBe(40);
    expect(await provider.latest(check.query.baseline, Date.now(), 60_000)).toBeUndefined();
  });

  test('the latency preset asks TargetResponseTime on each target group (Average here: moto computes no p95)', async () => {
    const provider = cloudWatchProvider(client);
    const check = presetCheck('latency', context);
    expect(check.query.canary).toContain('"Stat":"p95"');
    const average = (query: string): string => query.replace('"Stat":"p95"', '"Stat":"Average"');
    const green = await provider.latest(average(check.query.canary), Date.now(), 60_000);
    const blue = await provider.latest(average(check.query.baseline), Date.now(), 60_000);
    expect(green).toBeCloseTo(0.375, 6);
    expect(blue).toBeCloseTo(0.15, 6);
  });

  test('a MetricStat query written by the user (YAML) reads the ALB 5XX count', async () => {
    const provider = cloudWatchProvider(client);
    const query = `
- Id: errors
  MetricStat:
    Metric:
      Namespace: AWS/ApplicationELB
      MetricName: HTTPCode_Target_5XX_Count
      Dimensions:
        - { Name: TargetGroup, Value: targetgroup/web-green/0123456789abcdef }
        - { Name: LoadBalancer, Value: app/web/fedcba9876543210 }
    Period: 60
    Stat: Sum
`;
    expect(await provider.latest(query, Date.now(), 60_000)).toBe(20);
    const points = await provider.range(query, {
      start: Date.now() - 120_000,
      end: Date.now(),
      stepMs: 60_000,
    });
    expect(points.map((point) => point.v)).toEqual([20]);
  });

  test('analyseStep fails the cpu check (> 90 %) on green', async () => {
    const state = newCheckState({ ...presetCheck('cpu', context), failingIntervals: 1 });
    const result = await analyseStep({
      states: [state],
      providers: { cloudwatch: cloudWatchProvider(client) },
      step: '5%',
      windowMs: 1_000,
      intervalMs: 1_000,
      firstInterval: 1,
    });
    expect(result.failed).toHaveLength(1);
    expect(state.failedAt).toMatchObject({ canary: 95, limit: 90, outcome: 'fail' });
  });

  test('a query that is not a MetricDataQuery list is refused before any call', async () => {
    const provider = cloudWatchProvider(client);
    await expect(provider.latest('CPUUtilization', Date.now(), 60_000)).rejects.toThrow(
      /non-empty list of MetricDataQuery/,
    );
    await expect(provider.latest('- Id: x', Date.now(), 60_000)).rejects.toThrow(
      /needs a "MetricStat" or an "Expression"/,
    );
  });
});
