/**
 * Kubernetes rollout detection: how long after the Deployment becomes Available (its rollout complete, as
 * `kubectl rollout status` judges it) does the step end?
 *
 * One Kubernetes API stand-in (testkit/kubernetes-standin) in this process; for each trial a new image is
 * rolled out and, on the same rollout, in the same run:
 * - Gantry: the built deploy-rolling bundle (platform kubernetes), from the moment the rollout is complete
 *   to the process's exit (its exit includes recording last-known-good — one merge patch of the
 *   Deployment's annotations — and writing outputs and summary), taken at the process's `exit` event as
 *   kubectl's is (the harness reads the runner files afterwards, outside the measure);
 * - kubectl: `kubectl rollout status deployment/web`, started as soon as the bundle has applied, from the
 *   same moment to its exit.
 * The moment of completion is taken in-process from the stand-in's store (checked every millisecond with
 * the same rule kubectl uses), so neither client's latency is in it.
 * Writes bench/results/kubernetes.md. Run: ./node_modules/.bin/node bench/kubernetes.bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { deploymentStatus } from '../shared/src/kubernetes/rollout-status.ts';
import { runBundle } from '../testkit/bundle-runner.ts';
import { startKubernetesStandIn } from '../testkit/kubernetes-standin/index.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRIALS = 11;

interface Trial {
  gantryMs: number;
  kubectlMs: number;
  /** Gantry printed "successfully rolled out" (the watch saw it). */
  seenMs: number;
  /** Gantry printed "Rollout COMPLETED" (last-known-good recorded). */
  recordedMs: number;
}

const standIn = await startKubernetesStandIn({ namespaces: ['bench'], podStartDelayMs: 500 });
const workspace = mkdtempSync(path.join(tmpdir(), 'gantry-bench-k8s-'));
mkdirSync(path.join(workspace, 'k8s'));
writeFileSync(
  path.join(workspace, 'k8s', 'web.yaml'),
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.local/web:0
`,
);

function completedAt(): Promise<number> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const deployment = standIn.get('deployments', 'bench', 'web');
      if (deployment !== undefined && deploymentStatus(deployment).done) {
        clearInterval(timer);
        resolve(performance.now());
      }
    }, 1);
  });
}

function kubectlRolloutStatus(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        standIn.kubeconfigPath,
        '-n',
        'bench',
        'rollout',
        'status',
        'deployment/web',
        '--timeout=120s',
      ],
      { stdio: 'ignore' },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now()) : reject(new Error(`kubectl rollout status exited ${code}`)),
    );
  });
}

/**
 * GANTRY_BENCH_BASELINE: the path of another build of deploy-rolling's bundle (e.g. the previous release's
 * dist/ extracted with `git archive <commit> dist | tar -x -C /tmp/base`), run on alternate rollouts of the
 * same run, so a change is compared under the same load; GANTRY_BENCH_BASELINE_LABEL names it.
 */
const baseline = process.env['GANTRY_BENCH_BASELINE'] ?? '';
const baselineLabel = process.env['GANTRY_BENCH_BASELINE_LABEL'] || baseline;

async function trial(image: string, bundlePath = ''): Promise<Trial> {
  let kubectl: Promise<number> | undefined;
  let seen = 0;
  let recorded = 0;
  let done: Promise<number> | undefined;
  let gantryExit = 0;
  const run = await runBundle('deploy-rolling', {
    ...(bundlePath === '' ? {} : { bundlePath }),
    onExit: () => {
      gantryExit = performance.now();
    },
    cwd: workspace,
    inputs: {
      platform: 'kubernetes',
      manifests: 'k8s/',
      images: `web=${image}`,
      namespace: 'bench',
      kubeconfig: standIn.kubeconfig,
      timeout: '2m',
    },
    env: { RUNNER_TEMP: workspace },
    onStdout: (chunk) => {
      if (seen === 0 && chunk.includes('successfully rolled out')) seen = performance.now();
      if (recorded === 0 && chunk.includes('Rollout COMPLETED in')) recorded = performance.now();
      if (kubectl === undefined && chunk.includes('Deployment/web in bench: applied')) {
        done = completedAt();
        kubectl = kubectlRolloutStatus();
      }
    },
  });
  if (run.exitCode !== 0 || kubectl === undefined || done === undefined)
    throw new Error(`deploy-rolling failed:\n${run.log}`);
  const [kubectlExit, available] = await Promise.all([kubectl, done]);
  if (process.env['GANTRY_BENCH_DEBUG'] === '1')
    console.log(
      `  seen +${(seen - available).toFixed(0)} ms, recorded +${(recorded - available).toFixed(0)} ms, exit +${(gantryExit - available).toFixed(0)} ms`,
    );
  return {
    gantryMs: gantryExit - available,
    kubectlMs: kubectlExit - available,
    seenMs: seen - available,
    recordedMs: recorded - available,
  };
}

const trials: Trial[] = [];
const baselineTrials: Trial[] = [];
const load = loadavg()[0] ?? 0;
try {
  await trial('registry.local/web:0'); // the first release creates the Deployment; not measured
  for (let i = 1; i <= TRIALS; i++) {
    const result = await trial(`registry.local/web:${i}`);
    trials.push(result);
    console.log(
      `trial ${i}: gantry ${result.gantryMs.toFixed(0)} ms, kubectl ${result.kubectlMs.toFixed(0)} ms`,
    );
    if (baseline !== '') {
      const base = await trial(`registry.local/web:${i}-baseline`, baseline);
      baselineTrials.push(base);
      console.log(`  baseline: ${base.gantryMs.toFixed(0)} ms, kubectl ${base.kubectlMs.toFixed(0)} ms`);
    }
  }
} finally {
  await standIn.stop();
  rmSync(workspace, { recursive: true, force: true });
}

const gantry = median(trials.map((t) => t.gantryMs));
const kubectl = median(trials.map((t) => t.kubectlMs));
const ratio = gantry / kubectl;
const markdown = await format(
  [
    '## Kubernetes rollout detection (issue 15)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, load average ${load.toFixed(1)} when the run began: the machine is shared, so figures move from run to run), Node ${process.version}, kubectl 1.32, against the Kubernetes API stand-in; ${TRIALS} rollouts of a 3-replica Deployment, both clients on each rollout.`,
    '',
    "Detection latency: from the moment the Deployment's rollout is complete (`kubectl rollout status` semantics, read from the stand-in's store) to the exit of the step (Gantry: the deploy-rolling bundle, which also records last-known-good and writes its outputs and summary) or of `kubectl rollout status`. Target: ratio ≤ 1.0.",
    '',
    '| | Median | Min | Max |',
    '| --- | --- | --- | --- |',
    `| Gantry deploy-rolling (watch) | ${gantry.toFixed(0)} ms | ${Math.min(...trials.map((t) => t.gantryMs)).toFixed(0)} ms | ${Math.max(...trials.map((t) => t.gantryMs)).toFixed(0)} ms |`,
    `| kubectl rollout status | ${kubectl.toFixed(0)} ms | ${Math.min(...trials.map((t) => t.kubectlMs)).toFixed(0)} ms | ${Math.max(...trials.map((t) => t.kubectlMs)).toFixed(0)} ms |`,
    '',
    `Ratio Gantry / kubectl (medians): **${ratio.toFixed(2)}** (${ratio <= 1 ? 'within' : 'over'} the target).`,
    '',
    `Where Gantry's time goes (medians from the same moment): the watch reports the completed rollout after ${median(trials.map((t) => t.seenMs)).toFixed(0)} ms (kubectl exits after ${kubectl.toFixed(0)} ms); recording last-known-good (one merge patch of the Deployment's annotations, built from the object the watch saw complete) ends at ${median(trials.map((t) => t.recordedMs)).toFixed(0)} ms; outputs, summary and process exit take the rest. Both measured at their process's exit event (Gantry's runner files are read afterwards).`,
    ...(baselineTrials.length === 0
      ? []
      : [
          '',
          `Baseline in the same run, on alternate rollouts (${baselineLabel}): Gantry ${median(baselineTrials.map((t) => t.gantryMs)).toFixed(0)} ms median (recording ended at ${median(baselineTrials.map((t) => t.recordedMs)).toFixed(0)} ms), kubectl ${median(baselineTrials.map((t) => t.kubectlMs)).toFixed(0)} ms: ratio ${(median(baselineTrials.map((t) => t.gantryMs)) / median(baselineTrials.map((t) => t.kubectlMs))).toFixed(2)}.`,
        ]),
    '',
  ].join('\n'),
  { ...(await resolveConfig(path.join(root, 'bench', 'results.md'))), parser: 'markdown' },
);
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', 'kubernetes.md'), markdown);
console.log(markdown);
