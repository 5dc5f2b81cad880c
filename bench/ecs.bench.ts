/**
 * ECS rollout detection: how long after the service becomes stable does the step end?
 *
 * A scripted ECS endpoint on loopback (testkit/scripted-ecs.ts) plays a rolling deployment
 * that completes a known time after UpdateService. Measured in the same run, for each of several rollout
 * lengths:
 * - Gantry: the built deploy-rolling bundle (default settings: ~2 s adaptive polling), from the moment of
 *   stability to the process's exit;
 * - the peer's way of waiting (aws-actions/amazon-ecs-deploy-task-definition): UpdateService, then the
 *   SDK's own `waitUntilServicesStable` with the peer's settings — minDelay 15 s, the SDK's default
 *   maxDelay (120 s), maxWaitTime = the timeout (15 min) — from the moment of stability to the waiter's
 *   return.
 * Also: DescribeServices calls per minute of rollout for Gantry (budget ≤ 40).
 * Writes bench/results/ecs.md. Run: ./node_modules/.bin/node bench/ecs.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { ECSClient, UpdateServiceCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { runBundle } from '../testkit/bundle-runner.ts';
import { startScriptedEcs } from '../testkit/scripted-ecs.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Rollout lengths: seconds from UpdateService to stable. */
const ROLLOUTS_S = [5, 20, 40];
const TIMEOUT_S = 900;

interface Measure {
  rolloutS: number;
  gantryMs: number;
  gantryCalls: number;
  gantryCallsPerMinute: number;
  peerMs: number;
  peerCalls: number;
}

async function gantry(
  rolloutS: number,
): Promise<Pick<Measure, 'gantryMs' | 'gantryCalls' | 'gantryCallsPerMinute'>> {
  const ecs = await startScriptedEcs({ stableAfterUpdateMs: rolloutS * 1000 });
  try {
    const run = await runBundle('deploy-rolling', {
      inputs: { cluster: 'bench', service: 'web', image: 'registry.example/web:2', timeout: `${TIMEOUT_S}s` },
      env: {
        AWS_ENDPOINT_URL: ecs.endpoint,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_REGION: 'us-east-1',
      },
      timeoutMs: (TIMEOUT_S + 60) * 1000,
    });
    const exited = performance.now();
    if (run.exitCode !== 0 || ecs.stableAt === undefined)
      throw new Error(`deploy-rolling failed:\n${run.log}`);
    const update = ecs.calls.find((call) => call.operation === 'UpdateService');
    const watched = ecs.calls.filter(
      (call) => call.operation === 'DescribeServices' && call.at >= (update?.at ?? 0),
    );
    const minutes = (exited - (update?.at ?? exited)) / 60_000;
    return {
      gantryMs: exited - ecs.stableAt,
      gantryCalls: watched.length,
      gantryCallsPerMinute: watched.length / minutes,
    };
  } finally {
    await ecs.close();
  }
}

async function peer(rolloutS: number): Promise<Pick<Measure, 'peerMs' | 'peerCalls'>> {
  const ecs = await startScriptedEcs({ stableAfterUpdateMs: rolloutS * 1000 });
  const client = new ECSClient({
    region: 'us-east-1',
    endpoint: ecs.endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    await client.send(
      new UpdateServiceCommand({
        cluster: 'bench',
        service: 'web',
        taskDefinition: 'web:2',
        forceNewDeployment: false,
      }),
    );
    const result = await waitUntilServicesStable(
      { client, minDelay: 15, maxWaitTime: TIMEOUT_S },
      { cluster: 'bench', services: ['web'] },
    );
    const done = performance.now();
    if (result.state !== 'SUCCESS' || ecs.stableAt === undefined)
      throw new Error(`waiter ended ${result.state}`);
    return {
      peerMs: done - ecs.stableAt,
      peerCalls: ecs.calls.filter((call) => call.operation === 'DescribeServices').length,
    };
  } finally {
    client.destroy();
    await ecs.close();
  }
}

const measures: Measure[] = await Promise.all(
  ROLLOUTS_S.map(async (rolloutS) => {
    const [g, p] = await Promise.all([gantry(rolloutS), peer(rolloutS)]);
    return { rolloutS, ...g, ...p };
  }),
);

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const gantryMean = mean(measures.map((m) => m.gantryMs));
const peerMean = mean(measures.map((m) => m.peerMs));
const worstCalls = Math.max(...measures.map((m) => m.gantryCallsPerMinute));
const lines = [
  '## ECS rollouts: deploy-rolling vs the peer (issue 5)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}.`,
  'A scripted ECS endpoint on loopback (`testkit/scripted-ecs.ts`) reports the service stable a known',
  'time after UpdateService. Gantry = the built `deploy-rolling` bundle with default settings, timed from that moment',
  "to the process's exit. Peer = aws-actions/amazon-ecs-deploy-task-definition's way of waiting: the SDK's",
  '`waitUntilServicesStable` with minDelay 15 s, the default maxDelay (120 s), maxWaitTime = timeout (15 min), timed',
  'from that moment to its return. Both run side by side in the same run, one endpoint each.',
  '',
  '| rollout length | Gantry detection latency | peer detection latency | ratio | Gantry DescribeServices (per minute of rollout) | peer DescribeServices |',
  '| --- | --- | --- | --- | --- | --- |',
  ...measures.map(
    (m) =>
      `| ${m.rolloutS} s | ${s(m.gantryMs)} | ${s(m.peerMs)} | ${(m.gantryMs / m.peerMs).toFixed(3)}× | ${m.gantryCalls} (${m.gantryCallsPerMinute.toFixed(1)}/min) | ${m.peerCalls} |`,
  ),
  `| **mean** | **${s(gantryMean)}** | **${s(peerMean)}** | **${(gantryMean / peerMean).toFixed(3)}×** | worst ${worstCalls.toFixed(1)}/min | |`,
  '',
  `Targets: Gantry ≤ 3 s (${measures.every((m) => m.gantryMs <= 3000) ? 'met' : 'NOT met'}), ≤ 0.25× the peer (${gantryMean / peerMean <= 0.25 ? 'met' : 'NOT met'} on the mean), ` +
    `≤ 40 DescribeServices per minute of rollout (${worstCalls <= 40 ? 'met' : 'NOT met'}).`,
  "The peer's figure is random (its waiter's delays are jittered between 15 s and 15 s × 2^attempt); one sample per length.",
  "Gantry's latency includes the bundle's own exit (tagging the revision, writing the summary).",
  '',
];
// Written as Prettier formats it, so `npm run format:check` stays green after a bench run.
const file = path.join(root, 'bench', 'results', 'ecs.md');
const markdown = await format(lines.join('\n'), { ...(await resolveConfig(file)), parser: 'markdown' });
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, markdown);
console.log(markdown);
