/**
 * `npm run demo -- --canary` (and `--canary --bad-release`): a canary release of hello-service on the
 * local world, judged on a real Prometheus.
 *
 * 1. moto stands for ECS and ELBv2: two colour services (web-blue running 1.0.0, web-green idle) behind two
 *    weighted target groups of one listener (100 % blue).
 * 2. Two real hello-service processes stand for the colours' tasks: blue 1.0.0 and green 1.1.0 (with
 *    --bad-release, green answers 20 % of its requests with 500). A small **load-balancer stand-in** sends
 *    100 requests a second, split between them by the listener's weights as read from moto — so the canary
 *    gets 5 % of the requests when the listener says 5 %.
 * 3. A real Prometheus (testkit/prometheus.ts) scrapes both every second.
 * 4. The built deploy-bluegreen bundle runs `strategy: canary` (5 → 25 → 100, each step held 8 s and judged
 *    every 2 s on error-rate and latency), then the notify bundle reports to the local PagerDuty receiver.
 * A good release ends green at 100 %; the bad one is stopped at 5 %: traffic 100 % blue, the canary scaled
 * to zero, a PagerDuty incident, exit 1. It also measures the time from the moment the canary's error ratio
 * (as Prometheus computes it) crosses 5 % to the moment the listener reads 100 % blue again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { runBundle } from '../../testkit/bundle-runner.ts';
import { listenerWeights, seedAlb, seedService, startMoto } from '../../testkit/moto.ts';
import { startHelloService } from '../../testkit/hello-service.ts';
import { startPrometheus, waitForTargets } from '../../testkit/prometheus.ts';
import { Receivers } from '../../testkit/receivers.ts';

/** What the canary demo found (for the benchmark and tests). */
export interface CanaryDemoResult {
  exitCode: number;
  /** Milliseconds from the canary's error ratio crossing 5 % to the listener reading 100 % stable; undefined when it did not happen. */
  crossingToStableMs?: number;
  /** The analysis interval used, in milliseconds. */
  intervalMs: number;
  outputs: Record<string, string>;
}

/**
 * The end of a canary demo, the same on ECS and Kubernetes: prints the analysis verdict, the PagerDuty events
 * the receivers got and, when both moments were seen, the time from the error ratio crossing 5 % to traffic
 * being 100 % stable; then the verdict line.
 * @param run.stableLabel how "100 % stable" reads on this platform (`traffic 100 % blue`, `HTTPRoute 100 % stable`)
 * @returns the demo's result: exit code 1 when the deploy step failed (the canary was rolled back)
 */
export function concludeCanaryDemo(run: {
  print: (line: string) => void;
  deploy: { exitCode: number; outputs: Record<string, string> };
  notify: { exitCode: number; log: string };
  receivers: { pagerDutyEvents: Record<string, unknown>[] };
  intervalMs: number;
  crossedAt: number | undefined;
  stableAt: number | undefined;
  stableLabel: string;
}): CanaryDemoResult {
  const { print, deploy, notify, receivers, intervalMs, crossedAt, stableAt } = run;
  const failed = deploy.exitCode !== 0;
  print(
    `Analysis: ${deploy.outputs['analysis-verdict'] ?? '?'}${deploy.outputs['analysis-report'] ? ` — ${deploy.outputs['analysis-report']}` : ''}`,
  );
  const incidents = receivers.pagerDutyEvents.map(
    (event) =>
      `${String(event['event_action'])}: ${String((event['payload'] as { summary?: unknown } | undefined)?.summary ?? '')}`,
  );
  print(
    `PagerDuty: ${incidents.length === 0 ? '(nothing)' : incidents.join('; ')}${notify.exitCode === 0 ? '' : ` (notify failed: ${notify.log.split('\n').at(-1) ?? ''})`}`,
  );
  const result: CanaryDemoResult = { exitCode: failed ? 1 : 0, intervalMs, outputs: deploy.outputs };
  if (crossedAt !== undefined && stableAt !== undefined) {
    result.crossingToStableMs = stableAt - crossedAt;
    print(
      `Measured: error ratio crossed 5 % → ${run.stableLabel} in ${result.crossingToStableMs} ms (target ≤ interval ${intervalMs} ms + 5 s)`,
    );
  }
  print(failed ? '✘ the canary was rolled back' : '✔ 1.1.0 serves all production traffic');
  return result;
}

/**
 * Watches the two moments the canary benchmark measures, every 100 ms: when the canary's error ratio
 * (`errorQuery`, a Prometheus instant query in percent) first reads above 5, and when the canary's weight,
 * having been above 0, is back at 0 (all traffic stable).
 * @param canaryWeight the canary's current traffic weight in percent, as the demo last read it
 * @returns the moments (Date.now() milliseconds, undefined until seen) and `stop()` to end the watch
 */
export function watchCanaryMoments(
  prometheusUrl: string,
  errorQuery: string,
  canaryWeight: () => number,
): { crossedAt: number | undefined; stableAt: number | undefined; stop(): void } {
  let sawCanary = false;
  const moments = {
    crossedAt: undefined as number | undefined,
    stableAt: undefined as number | undefined,
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    const now = Date.now();
    if (moments.crossedAt === undefined)
      fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(errorQuery)}`, {
        signal: AbortSignal.timeout(2_000),
      })
        .then(
          (response) => response.json() as Promise<{ data?: { result?: { value?: [number, string] }[] } }>,
        )
        .then((body) => {
          const value = Number(body.data?.result?.[0]?.value?.[1]);
          if (Number.isFinite(value) && value > 5 && moments.crossedAt === undefined) moments.crossedAt = now;
        })
        .catch(() => undefined);
    const weight = canaryWeight();
    if (weight > 0) sawCanary = true;
    if (sawCanary && weight === 0 && moments.stableAt === undefined) moments.stableAt = now;
  }, 100);
  return moments;
}

const ERROR_QUERY =
  '100 * (sum(rate(http_requests_total{job="hello",color="green",code=~"5.."}[2s])) or vector(0)) / sum(rate(http_requests_total{job="hello",color="green"}[2s]))';

/**
 * Runs the canary demo.
 * @param options.badRelease green answers 20 % errors
 * @param options.quiet print only the conclusion
 */
export async function runCanaryDemo(
  options: { badRelease?: boolean; quiet?: boolean } = {},
): Promise<CanaryDemoResult> {
  const print = (line: string): void => {
    if (options.quiet !== true) console.log(line);
  };
  const stops: (() => Promise<void>)[] = [];
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-canary-demo-'));
  const intervalMs = 2_000;
  try {
    print(
      '▶ starting the local world: moto (ECS, ELBv2), Prometheus, hello-service blue 1.0.0 and green 1.1.0',
    );
    const moto = await startMoto({ runningTasks: 2 });
    stops.push(() => moto.stop());
    const receivers = await new Receivers({ anyCredentials: true }).start();
    stops.push(() => receivers.stop());
    const blueArn = await seedService(moto, {
      cluster: 'production',
      service: 'web-blue',
      family: 'hello-service',
    });
    await moto.ecs.send(
      new CreateServiceCommand({
        cluster: 'production',
        serviceName: 'web-green',
        taskDefinition: blueArn,
        desiredCount: 2,
      }),
    );
    const alb = await seedAlb(moto, { blue: 100, green: 0 });
    const blue = await startHelloService({ APP_VERSION: '1.0.0' });
    stops.push(() => blue.stop());
    const green = await startHelloService({
      APP_VERSION: '1.1.0',
      ...(options.badRelease === true ? { APP_ERROR_RATE: '0.2' } : {}),
    });
    stops.push(() => green.stop());
    const prometheus = await startPrometheus({
      targets: [
        { address: blue.address, labels: { color: 'blue' } },
        { address: green.address, labels: { color: 'green' } },
      ],
    });
    stops.push(() => prometheus.stop());
    await waitForTargets(prometheus, 2);

    // The load-balancer stand-in: 100 requests a second split by the listener's weights, read from moto.
    let greenWeight = 0;
    let sent = 0;
    const weightsTimer = setInterval(() => {
      listenerWeights(moto, alb.listenerArn)
        .then((weights) => (greenWeight = weights.get(alb.green) ?? 0))
        .catch(() => undefined);
    }, 100);
    const trafficTimer = setInterval(() => {
      sent++;
      const target = (sent * 37) % 100 < greenWeight ? green : blue;
      fetch(`${target.url}/`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
    }, 10);
    stops.push(async () => {
      clearInterval(weightsTimer);
      clearInterval(trafficTimer);
    });

    // The benchmark's two moments: the error ratio crossing 5 % (Prometheus), all weight back on blue (moto).
    const moments = watchCanaryMoments(prometheus.url, ERROR_QUERY, () => greenWeight);
    stops.push(async () => moments.stop());

    print(
      `▶ releasing 1.1.0 as a canary${options.badRelease === true ? ' (a bad release: 20 % of its requests fail)' : ''}: 5 % → 25 % → 100 %, judged every 2 s on Prometheus`,
    );
    const env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '100ms', GANTRY_RETRY_DELAY_SCALE: '0.05' };
    const deploy = await runBundle('deploy-bluegreen', {
      inputs: {
        strategy: 'canary',
        cluster: 'production',
        image: 'registry.example/hello-service:1.1.0',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'metrics-provider': 'prometheus',
        'prometheus-url': prometheus.url,
        'metrics-selector': 'job="hello",color="{{color}}"',
        'analysis-checks': '- preset: error-rate\n  failing-intervals: 1\n- latency\n',
        'analysis-window': '8s',
        'analysis-interval': `${intervalMs / 1000}s`,
      },
      env,
      cwd: temp,
    });
    for (const line of deploy.log.split('\n'))
      if (/Weights now|\[\d+% #\d+\]|anomaly|Traffic back|scaled to 0|Canary promoted/.test(line))
        print(`  ${line.replace(/^::[a-z]+::/, '')}`);

    const failed = deploy.exitCode !== 0;
    const notify = await runBundle('notify', {
      inputs: {
        status: failed ? 'rolled-back' : 'success',
        environment: 'production',
        version: '1.1.0',
        message: failed
          ? `Canary stopped: ${deploy.outputs['analysis-report'] ?? ''}`
          : 'Canary promoted to 100 %',
        'pagerduty-routing-key': 'R0UT1NGKEYDEMO000000000000000000',
        'pagerduty-api-url': receivers.pagerDutyUrl,
        'commit-status': 'false',
        deployment: 'false',
      },
      env: { GITHUB_REPOSITORY: 'acme/hello-service', GITHUB_SHA: '0'.repeat(40), GITHUB_RUN_ID: '1' },
      cwd: temp,
    });
    const weights = await listenerWeights(moto, alb.listenerArn);
    const described = await moto.ecs.send(
      new DescribeServicesCommand({ cluster: 'production', services: ['web-green'] }),
    );
    print('');
    print(
      `Listener: blue ${weights.get(alb.blue) ?? 0}% / green ${weights.get(alb.green) ?? 0}%; web-green desired count ${described.services?.[0]?.desiredCount ?? '?'}`,
    );
    return concludeCanaryDemo({
      print,
      deploy,
      notify,
      receivers,
      intervalMs,
      crossedAt: moments.crossedAt,
      stableAt: moments.stableAt,
      stableLabel: 'traffic 100 % blue',
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}
