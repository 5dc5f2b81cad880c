/**
 * The whole staging pipeline locally (`npm run demo`): wall time per job and per step of
 * gantry-deploy-ecs.yml run by the offline runner, over 3 good releases and 1 bad release, and Gantry's
 * own overhead — the pipeline's wall time less the builder (buildah build + push, from build-push's
 * metadata output), the database (the whole run-migrations step) and the service (the whole smoke-test
 * step). Writes bench/results/pipeline.md. Targets (issue 9): pipeline < 60 s, overhead < 10 s.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo, type DemoOptions, type DemoResult } from '../tools/demo/demo.ts';
import { median } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOOD_RUNS = 3;

function options(): DemoOptions {
  const result: DemoOptions = { print: () => undefined, quiet: true };
  const actions = process.env['GANTRY_DEMO_ACTIONS_FROM'];
  if (actions)
    result.actionSources = Object.fromEntries(
      actions.split(',').map((pair) => pair.split('=') as [string, string]),
    );
  if (process.env['GANTRY_DEMO_WORKFLOWS_FROM'])
    result.workflowsFrom = process.env['GANTRY_DEMO_WORKFLOWS_FROM'];
  return result;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Figures {
  pipelineMs: number;
  setupMs: number;
  totalMs: number;
  builderMs: number;
  databaseMs: number;
  serviceMs: number;
  overheadMs: number;
  steps: Map<string, number>;
}

function figures(result: DemoResult): Figures {
  const job = result.report.jobs.find((j) => j.id === 'deploy / deploy');
  const steps = new Map<string, number>();
  for (const step of job?.steps ?? []) if (step.outcome !== 'skipped') steps.set(step.name, step.durationMs);
  const build = job?.steps.find((step) => step.name === 'Build and push the image');
  const metadata = JSON.parse(build?.outputs['metadata'] ?? '{}') as {
    buildSeconds?: number;
    pushSeconds?: number;
  };
  const builderMs = ((metadata.buildSeconds ?? 0) + (metadata.pushSeconds ?? 0)) * 1000;
  const databaseMs = steps.get('Run the migrations (before the new code ships)') ?? 0;
  const serviceMs = steps.get('Smoke-test the new version') ?? 0;
  const pipelineMs = result.report.durationMs;
  return {
    pipelineMs,
    setupMs: result.setupMs,
    totalMs: result.durationMs,
    builderMs,
    databaseMs,
    serviceMs,
    overheadMs: pipelineMs - builderMs - databaseMs - serviceMs,
    steps,
  };
}

const good: Figures[] = [];
for (let i = 0; i < GOOD_RUNS; i++) {
  const result = await runDemo(options());
  if (result.exitCode !== 0) throw new Error(`good release run ${i + 1} failed`);
  good.push(figures(result));
  console.log(`good release ${i + 1}: pipeline ${s(good.at(-1)?.pipelineMs ?? 0)}`);
}
const badResult = await runDemo({ ...options(), badRelease: true });
if (badResult.exitCode !== 1) throw new Error('the bad release did not fail');
const bad = figures(badResult);
console.log(`bad release: pipeline ${s(bad.pipelineMs)}`);

const stepNames = [...new Set([...good.flatMap((f) => [...f.steps.keys()]), ...bad.steps.keys()])];
const rows = stepNames.map((name) => {
  const goodTimes = good.map((f) => f.steps.get(name)).filter((v): v is number => v !== undefined);
  const badTime = bad.steps.get(name);
  return `| ${name} | ${goodTimes.length > 0 ? s(median(goodTimes)) : '—'} | ${badTime !== undefined ? s(badTime) : '—'} |`;
});
const summaryRow = (label: string, pick: (f: Figures) => number): string =>
  `| ${label} | ${s(median(good.map(pick)))} (${good.map((f) => s(pick(f))).join(', ')}) | ${s(pick(bad))} |`;

const markdown = [
  '## The staging pipeline, locally (issue 9)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${os.cpus().length} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}.`,
  '`npm run demo`: `examples/hello-service/workflows/deploy-staging.yml` → `.github/workflows/gantry-deploy-ecs.yml`',
  'run by the offline runner with the built bundles; registry, PostgreSQL, moto, receivers and the service on loopback.',
  `Good release: median of ${GOOD_RUNS} runs (each run's value in brackets); bad release (smoke-test fails, rollback): one run.`,
  '',
  '| | good release | bad release |',
  '| --- | --- | --- |',
  summaryRow('**pipeline (job `deploy / deploy`)**', (f) => f.pipelineMs),
  summaryRow('builder (buildah build + push)', (f) => f.builderMs),
  summaryRow('database (run-migrations step)', (f) => f.databaseMs),
  summaryRow('service (smoke-test step)', (f) => f.serviceMs),
  summaryRow('**Gantry overhead** (the rest)', (f) => f.overheadMs),
  summaryRow('demo setup before the pipeline (local parts, 1.0.0 in staging)', (f) => f.setupMs),
  summaryRow('whole `npm run demo` (setup, pipeline, teardown)', (f) => f.totalMs),
  '',
  'Per step (job `deploy / deploy`, wall time as the runner reports it):',
  '',
  '| step | good release (median) | bad release |',
  '| --- | --- | --- |',
  ...rows,
  '',
  `Targets: pipeline under 60 s (${median(good.map((f) => f.pipelineMs)) < 60_000 ? 'met' : 'NOT met'}), Gantry overhead under 10 s (${median(good.map((f) => f.overheadMs)) < 10_000 ? 'met' : 'NOT met'}).`,
  'The bad release spends its time in smoke-test by design: it retries the failing health check until the',
  "demo's smoke-timeout (10 s) before rolling back. Overhead includes each bundle's Node start, the runner's",
  'expression evaluation and file commands, and the deploy/rollback actions against moto.',
  '',
].join('\n');
writeFileSync(path.join(here, 'results', 'pipeline.md'), markdown);
console.log(markdown);
process.exit(0);
