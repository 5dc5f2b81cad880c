/**
 * Foundation benchmarks (issue 2): bundle cold start, bundle sizes, and smoke-test's concurrency against
 * the peer's way (a sequential curl loop, as url-health-check-style scripts do), measured in one run.
 * Writes bench/results/foundation.md.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundle } from '../testkit/bundle-runner.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 9;

function timeProcess(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code: code ?? 1 }));
  });
}

const dirSize = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? dirSize(full) : statSync(full).size);
  }, 0);

const manifest = JSON.parse(readFileSync(path.join(root, 'dist', 'manifest.json'), 'utf8')) as Record<
  string,
  { startup: string[]; reachable: string[] }
>;
const names = Object.keys(manifest).sort();
const baseEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' };

// 1. Cold start: every bundle failing fast on a missing required input (no INPUT_* at all).
const baseline: number[] = [];
for (let i = 0; i < RUNS; i++) baseline.push((await timeProcess(['-e', ''], baseEnv)).ms);
const cold: { name: string; ms: number; code: number }[] = [];
for (const name of names) {
  const times: number[] = [];
  let code = 0;
  for (let i = 0; i < RUNS; i++) {
    const result = await timeProcess([path.join(root, 'dist', name, 'index.js')], baseEnv);
    times.push(result.ms);
    code = result.code;
  }
  cold.push({ name, ms: median(times), code });
}

// 1b. The peer's cold start in the same run: amazon-ecs-deploy-task-definition's committed bundle (its dist/,
// from a git mirror brought by the search tool's fetch, extracted to a temp folder and deleted after; none of it
// is kept), failing fast on its missing required input, alternating with Gantry's deploy-rolling.
const PEER_REPO =
  process.env['GANTRY_PEER_ECS_DEPLOY_REPO'] ??
  '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo';
let peer: { version: string; ms: number; gantryMs: number; code: number } | undefined;
if (existsSync(PEER_REPO)) {
  const folder = mkdtempSync(path.join(tmpdir(), 'gantry-peer-'));
  try {
    // git archive piped into tar (the archive is megabytes: no buffering in this process)
    execFileSync(
      'sh',
      ['-c', 'git --git-dir "$1" archive HEAD dist package.json | tar -x -C "$2"', 'sh', PEER_REPO, folder],
      {
        stdio: 'ignore',
        timeout: 60_000,
      },
    );
    const version = (
      JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { version: string }
    ).version;
    const peerTimes: number[] = [];
    const gantryTimes: number[] = [];
    let code = 0;
    for (let i = 0; i < RUNS; i++) {
      const result = await timeProcess([path.join(folder, 'dist', 'index.js')], baseEnv);
      peerTimes.push(result.ms);
      code = result.code;
      gantryTimes.push(
        (await timeProcess([path.join(root, 'dist', 'deploy-rolling', 'index.js')], baseEnv)).ms,
      );
    }
    peer = { version, ms: median(peerTimes), gantryMs: median(gantryTimes), code };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// 2. Sizes: what each action loads at start and all it can reach (dist/manifest.json, from the build).
const bytes = (files: string[]): number =>
  files.reduce((sum, file) => sum + statSync(path.join(root, 'dist', file)).size, 0);
const sizes = names.map((name) => ({
  name,
  startup: bytes(manifest[name]?.startup ?? []),
  reachable: bytes(manifest[name]?.reachable ?? []),
}));
const total = dirSize(path.join(root, 'dist'));

// 3. smoke-test: 50 checks against endpoints that each take 200 ms, vs a sequential curl loop.
const server = createServer((_request, response) => setTimeout(() => response.end('ok'), 200));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const checks = Array.from({ length: 50 }, (_, i) => ({ name: `c${i}`, url: `${base}/c${i}` }));
const gantryRuns: number[] = [];
for (let i = 0; i < 3; i++) {
  const run = await runBundle('smoke-test', { inputs: { checks: JSON.stringify(checks) } });
  if (run.exitCode !== 0) throw new Error(`smoke-test failed in the benchmark:\n${run.log}`);
  gantryRuns.push(run.durationMs);
}
const curlRuns: number[] = [];
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  for (const check of checks) {
    // Asynchronous, so this process's own test server keeps answering while curl waits.
    await promisify(execFile)('curl', ['-fsS', '-o', '/dev/null', '--retry', '3', check.url]);
  }
  curlRuns.push(performance.now() - started);
}
server.close();

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const gantry = median(gantryRuns);
const curl = median(curlRuns);
const lines = [
  '## Foundation (issue 2)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}.`,
  '',
  `### Cold start: bundle failing fast on a missing required input (median of ${RUNS} runs)`,
  '',
  `Target ≤ 100 ms for every bundle. Reference: \`node -e ''\` alone takes ${median(baseline).toFixed(0)} ms here.`,
  peer === undefined
    ? `The peer (amazon-ecs-deploy-task-definition) was not measured: no mirror at ${PEER_REPO} (the search tool's \`fetch github:aws-actions/amazon-ecs-deploy-task-definition\` brings one; or set GANTRY_PEER_ECS_DEPLOY_REPO to a git directory).`
    : `Peer, same run, alternating: amazon-ecs-deploy-task-definition ${peer.version} (its committed dist/, failing fast on its missing input, exit ${peer.code}) ${peer.ms.toFixed(0)} ms median; Gantry deploy-rolling ${peer.gantryMs.toFixed(0)} ms: ratio Gantry / peer ${(peer.gantryMs / peer.ms).toFixed(2)}.`,
  '',
  '| Bundle | Median wall time | Exit code | Within target |',
  '| --- | --- | --- | --- |',
  ...cold.map((c) => `| ${c.name} | ${c.ms.toFixed(0)} ms | ${c.code} | ${c.ms <= 100 ? 'yes' : '**no**'} |`),
  '',
  '### Bundle sizes',
  '',
  `Targets: smoke-test ≤ 300 KB; no bundle over 1.5 MB; all ${names.length} ≤ 6 MB (the peers Gantry replaces total about 16 MB). KB and MB here are 1024 bytes and 1024 KB.`,
  'All actions are built as one ncc bundle with shared chunks (`dist/gantry/`); each action loads its entry and the chunks it needs.',
  '@kubernetes/client-node is narrowed at build time to the parts Gantry uses (`shared/stubs/kubernetes-client-node.ts`: three API groups, no exec/attach/port-forward/cp) and its lazily loaded undici to `Agent` + `fetch`; SOCKS proxies and refreshing legacy oidc/gcp/azure auth-provider tokens fail with an error naming them (`shared/stubs/`).',
  '"At start" is what a run loads before any lazy import (the fail-fast path); "reachable" adds every chunk its code can `import()` (SDKs, drivers).',
  '',
  '| Action | Loaded at start | Reachable (all code it can load) | Reachable ≤ 1.5 MB |',
  '| --- | --- | --- | --- |',
  ...sizes.map(
    (s) =>
      `| ${s.name} | ${kb(s.startup)} | ${kb(s.reachable)} | ${s.reachable <= 1.5 * 1024 * 1024 ? 'yes' : '**no**'} |`,
  ),
  `| **dist/ total** (all ${names.length}, licences included) | | **${kb(total)}** (${(total / 1024 / 1024).toFixed(2)} MB; ${total <= 6 * 1024 * 1024 ? 'within' : '**over**'} the 6 MB target) | |`,
  '',
  '### smoke-test: 50 checks against endpoints that each answer in 200 ms',
  '',
  'Target ≤ 1.5 s wall time. Peer: a sequential `curl` loop (the way url-health-check-style steps check URLs one at a time), same server, same run.',
  '',
  '| Way | Median of 3 (wall time) |',
  '| --- | --- |',
  `| Gantry smoke-test bundle (concurrency 10, whole process) | ${(gantry / 1000).toFixed(2)} s |`,
  `| sequential curl loop | ${(curl / 1000).toFixed(2)} s |`,
  `| ratio Gantry / peer | ${(gantry / curl).toFixed(2)}× |`,
  '',
];
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', 'foundation.md'), lines.join('\n'));
console.log(lines.join('\n'));
