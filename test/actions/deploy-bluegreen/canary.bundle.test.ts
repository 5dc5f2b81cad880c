/**
 * The built deploy-bluegreen bundle, strategy canary, against moto (ECS, ELBv2) and a real Prometheus
 * (testkit/prometheus.ts) scraping two real hello-service processes standing for the colours' tasks:
 * blue (stable, healthy) and green (the canary). moto's ALB does not route traffic, so the test sends
 * requests to both colours itself; what is judged is what Prometheus scraped from them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { listenerWeights, seedAlb, seedService, startMoto, type Moto } from '../../../testkit/moto.ts';
import { startHelloService, traffic, type HelloService } from '../../../testkit/hello-service.ts';
import { startPrometheus, waitForTargets, type RunningPrometheus } from '../../../testkit/prometheus.ts';

describe('deploy-bluegreen canary bundle (moto + real Prometheus)', () => {
  let moto: Moto;
  let env: Record<string, string>;
  beforeAll(async () => {
    moto = await startMoto({ runningTasks: 2 });
    env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '50ms', GANTRY_RETRY_DELAY_SCALE: '0.01' };
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  async function world(
    errorRate: string,
  ): Promise<{ prometheus: RunningPrometheus; stop: () => Promise<void> }> {
    const blue: HelloService = await startHelloService({ APP_VERSION: '1.0.0' });
    const green: HelloService = await startHelloService({ APP_VERSION: '1.1.0', APP_ERROR_RATE: errorRate });
    const prometheus = await startPrometheus({
      targets: [
        { address: blue.address, labels: { color: 'blue' } },
        { address: green.address, labels: { color: 'green' } },
      ],
    });
    const stopTraffic = traffic([blue, green], 10);
    await waitForTargets(prometheus, 2);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return {
      prometheus,
      stop: async () => {
        stopTraffic();
        await prometheus.stop();
        await Promise.all([blue.stop(), green.stop()]);
      },
    };
  }

  async function seedColours(cluster: string): Promise<void> {
    const blueArn = await seedService(moto, { cluster, service: 'web-blue', family: `${cluster}-web` });
    await moto.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web-green',
        taskDefinition: blueArn,
        desiredCount: 2,
      }),
    );
  }

  const inputs = (
    cluster: string,
    alb: { listenerArn: string; blue: string; green: string },
    url: string,
  ) => ({
    strategy: 'canary',
    cluster,
    image: 'registry.example/web:2',
    'listener-arn': alb.listenerArn,
    'blue-service': 'web-blue',
    'green-service': 'web-green',
    'blue-target-group-arn': alb.blue,
    'green-target-group-arn': alb.green,
    'metrics-provider': 'prometheus',
    'prometheus-url': url,
    'metrics-selector': 'job="hello",color="{{color}}"',
    'analysis-checks': '- preset: error-rate\n  failing-intervals: 2\n- latency\n- cpu\n- memory\n',
    'analysis-window': '4s',
    'analysis-interval': '1s',
  });

  test('a healthy canary goes 5 → 25 → 100 with every check judged', async () => {
    const { prometheus, stop } = await world('0');
    try {
      await seedColours('canary-ok');
      const alb = await seedAlb(moto, { blue: 100, green: 0 });
      const run = await runBundle('deploy-bluegreen', {
        inputs: inputs('canary-ok', alb, prometheus.url),
        env,
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.outputs['active-color']).toBe('green');
      expect(run.outputs['analysis-verdict']).toBe('pass');
      expect(run.outputs['analysis-failed-check']).toBe('');
      const weights = await listenerWeights(moto, alb.listenerArn);
      expect(weights.get(alb.green)).toBe(100);
      for (const step of ['blue 95% / green 5%', 'blue 75% / green 25%', 'blue 0% / green 100%'])
        expect(run.summary).toContain(step);
      expect(run.summary).toContain('xychart-beta');
      expect(run.log).toMatch(/\[5% #1\] error-rate: canary 0%, limit 5% → pass/);
      expect(run.log).toMatch(/cpu: canary –, limit 90% → nodata/);
    } finally {
      await stop();
    }
  }, 90_000);

  test('a canary answering 20 % errors is stopped at 5 %: traffic 100 % blue, green scaled to 0, the check named', async () => {
    const { prometheus, stop } = await world('0.2');
    try {
      await seedColours('canary-bad');
      const alb = await seedAlb(moto, { blue: 100, green: 0 });
      const run = await runBundle('deploy-bluegreen', {
        inputs: inputs('canary-bad', alb, prometheus.url),
        env,
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.outputs['analysis-verdict']).toBe('fail');
      expect(run.outputs['analysis-failed-check']).toBe('error-rate');
      expect(run.outputs['analysis-failed-step']).toBe('5%');
      expect(run.outputs['analysis-report']).toMatch(
        /^error-rate > 5 failed at 5% \(intervals 1–2\): canary \d+(\.\d+)?%, \d+(\.\d+)?% \(limit 5%\)$/,
      );
      expect(run.annotations[0]?.message).toMatch(
        /Canary deployment failed: traffic shift failed: anomaly at 5%: error-rate > 5 failed/,
      );
      const weights = await listenerWeights(moto, alb.listenerArn);
      expect(weights.get(alb.blue)).toBe(100);
      expect(weights.get(alb.green)).toBe(0);
      const described = await moto.ecs.send(
        new DescribeServicesCommand({ cluster: 'canary-bad', services: ['web-green'] }),
      );
      expect(described.services?.[0]?.desiredCount).toBe(0);
      expect(run.summary).not.toContain('blue 75% / green 25%');
      expect(run.summary).toMatch(/FAIL: error-rate &gt; 5 failed at 5%/);
      expect(run.log).toMatch(/Traffic back on blue \d+ ms after the failing interval was evaluated/);
    } finally {
      await stop();
    }
  }, 90_000);

  test('pause-at 5 leaves traffic split; action promote finishes it, judged; a second promote finds nothing paused', async () => {
    const { prometheus, stop } = await world('0');
    try {
      await seedColours('canary-pause');
      const alb = await seedAlb(moto, { blue: 100, green: 0 });
      const paused = await runBundle('deploy-bluegreen', {
        inputs: { ...inputs('canary-pause', alb, prometheus.url), 'pause-at': '5' },
        env,
      });
      expect(paused.exitCode, paused.log).toBe(0);
      expect(paused.outputs['paused']).toBe('true');
      expect(paused.outputs['active-color']).toBe('blue');
      expect((await listenerWeights(moto, alb.listenerArn)).get(alb.green)).toBe(5);
      expect(paused.annotations.map((annotation) => annotation.message).join('\n')).toMatch(
        /Canary paused at 5%/,
      );

      const promoted = await runBundle('deploy-bluegreen', {
        inputs: { ...inputs('canary-pause', alb, prometheus.url), action: 'promote' },
        env,
      });
      expect(promoted.exitCode, promoted.log).toBe(0);
      expect(promoted.outputs['active-color']).toBe('green');
      expect(promoted.outputs['analysis-verdict']).toBe('pass');
      expect(promoted.log).toMatch(/\[25% #\d+\] error-rate: canary 0%/);
      expect((await listenerWeights(moto, alb.listenerArn)).get(alb.green)).toBe(100);

      const again = await runBundle('deploy-bluegreen', {
        inputs: { ...inputs('canary-pause', alb, prometheus.url), action: 'promote' },
        env,
      });
      expect(again.exitCode).toBe(1);
      expect(again.annotations[0]?.message).toMatch(/There is no paused canary/);
    } finally {
      await stop();
    }
  }, 120_000);

  test('action abort puts a paused canary back to 0 % and scales it to zero', async () => {
    const { prometheus, stop } = await world('0');
    try {
      await seedColours('canary-abort');
      const alb = await seedAlb(moto, { blue: 100, green: 0 });
      const paused = await runBundle('deploy-bluegreen', {
        inputs: { ...inputs('canary-abort', alb, prometheus.url), 'pause-at': '25' },
        env,
      });
      expect(paused.exitCode, paused.log).toBe(0);
      expect((await listenerWeights(moto, alb.listenerArn)).get(alb.green)).toBe(25);
      const aborted = await runBundle('deploy-bluegreen', {
        inputs: { ...inputs('canary-abort', alb, prometheus.url), action: 'abort' },
        env,
      });
      expect(aborted.exitCode, aborted.log).toBe(0);
      expect(aborted.outputs['active-color']).toBe('blue');
      const weights = await listenerWeights(moto, alb.listenerArn);
      expect([weights.get(alb.blue), weights.get(alb.green)]).toEqual([100, 0]);
      const described = await moto.ecs.send(
        new DescribeServicesCommand({ cluster: 'canary-abort', services: ['web-green'] }),
      );
      expect(described.services?.[0]?.desiredCount).toBe(0);
    } finally {
      await stop();
    }
  }, 120_000);

  test('bad analysis input fails before any change', async () => {
    const run = await runBundle('deploy-bluegreen', {
      inputs: {
        ...inputs(
          'canary-none',
          {
            listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2',
            blue: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/1',
            green: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/g/1',
          },
          'http://127.0.0.1:9',
        ),
        'analysis-checks': '- name: q\n  query: up\n  condition: "about 5"\n',
      },
      env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(
      /Input 'analysis-checks': item 1 \(line 3\): "about 5" is not a condition/,
    );
  }, 30_000);
});
