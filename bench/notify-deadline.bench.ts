/**
 * notify worst case (issue 14): every channel unreachable — Slack Web API, Slack webhook, PagerDuty and
 * GitHub are all black holes (they accept connections and never answer), with the default `timeout`
 * (60s) and real retry delays. Before channels went out concurrently under one timeout this took 370 s
 * (the figure: channels one after another, 4 × 30 s each); the wall time is now bounded by
 * `timeout`. Writes bench/results/notify-deadline.md.
 *
 *   ./node_modules/.bin/node bench/notify-deadline.bench.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundle } from '../testkit/bundle-runner.ts';
import { startBlackHole } from '../testkit/black-hole.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hole = await startBlackHole();
let run: Awaited<ReturnType<typeof runBundle>>;
try {
  run = await runBundle('notify', {
    inputs: {
      status: 'failure',
      environment: 'production',
      'slack-token': 'xoxb-0000-bench-token',
      'slack-channel': '#deploys',
      'slack-api-url': `${hole.url}/api/`,
      'slack-webhook': `${hole.url}/services/T000/B000/benchWebhookSecret`,
      'pagerduty-routing-key': 'bench0routing0key0000000000000000',
      'pagerduty-api-url': `${hole.url}/v2/enqueue`,
      'github-token': 'ghs_benchToken000000000000000000000',
    },
    env: { GITHUB_API_URL: hole.url },
    timeoutMs: 600_000,
  });
} finally {
  await hole.stop();
}
const seconds = run.durationMs / 1000;
console.log(
  `notify, every channel a black hole, default timeout: ${seconds.toFixed(1)} s, exit ${run.exitCode}, failed: ${run.outputs['failed']}`,
);
const text = [
  '## notify worst case: every channel unreachable (issue 14)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine, Node ${process.version}: \`node dist/notify/index.js\` with Slack (Web API and webhook), PagerDuty and GitHub (commit status, deployment) all pointed at a loopback black hole that accepts connections and never answers; default \`timeout\` (60s), real retry delays.`,
  '',
  '| | Wall time | Exit code | Channels reported failed |',
  '| --- | --- | --- | --- |',
  '| before (issue 14: channels one after another, 4 × 30 s each, no overall bound) | 370 s | 0 | all |',
  `| after (concurrent, one 60 s deadline) | ${seconds.toFixed(1)} s | ${run.exitCode} | ${run.outputs['failed'] ?? ''} |`,
  '',
].join('\n');
await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
await writeFile(path.join(root, 'bench', 'results', 'notify-deadline.md'), text);
