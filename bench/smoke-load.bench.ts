/**
 * smoke-test load mode vs autocannon's own CLI on the same local endpoint (issue 17: "same p95 within 10 %,
 * Gantry's overhead reported"). Writes bench/results/smoke-load.md.
 *
 * Method, chosen so that the tail measures the endpoint and not this shared 2-core machine:
 * - The endpoint is a separate Node process on loopback that answers request i after 100 + (i mod 100) ms:
 *   a deterministic, evenly spread delay (any 1000 consecutive requests get each of 100…199 ms exactly 10
 *   times), waiting on a timer, not the CPU. Its programmed percentiles are known (p50 149, p90 189, p95
 *   194, p97.5 197, p99 199 ms), and on an even spread p95 lies in the CLI's [p90, p97.5] at the point
 *   linear interpolation gives. Delays of 100 ms and more keep a scheduling stall of a few ms on this shared
 *   machine a few per cent of a latency, not tens.
 * - 1000 requests at concurrency 20: about 130 req/s, so neither the server nor the load generator is
 *   CPU-bound and nothing queues (the server's CPU share and the machine's load average are reported). The
 *   processes are not pinned to cores: with other sessions on both cores, pinning would only stop the
 *   scheduler from moving them to the freer one.
 * - A warm-up run of each tool; then PAIRS pairs, the order alternating (CLI first, then Gantry first);
 *   medians over the pairs, with the spread (min–max) and every pair listed.
 * - The same figure both ways: autocannon's CLI (`--json`; its `-l` table prints the same keys) reports
 *   p0.001…p99.999 from a fixed list with no p95, so its p95 is bounded by its own p90 and p97.5
 *   (percentiles are monotone — a bound, not an estimate); the p95 target is met when Gantry's p95 is within
 *   10 % of every value in that bracket (0.9 × p97.5 ≤ p95 ≤ 1.1 × p90), and the interpolated point is shown
 *   too. p50 and p99 are reported by both and compared directly.
 * - Correctness on one run: an in-process autocannon run whose responses are also ranked the way Gantry ranks
 *   them (load.ts `percentile`); floor(Gantry's pX) must equal autocannon's histogram pX at every percentile
 *   autocannon reports (its HdrHistogram keeps whole milliseconds).
 * - Overhead: whole-process wall time of the smoke-test bundle minus that of the CLI process, split into the
 *   load phase (autocannon's own run, both ending on its 1 s sample tick) and what lies outside it (process
 *   start and module loading, Gantry's smoke check before the load, outputs and summary); the process
 *   starts are timed again after each pair, so they share its conditions.
 *
 *   ./node_modules/.bin/node bench/smoke-load.bench.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentile } from '../actions/smoke-test/src/load.ts';
import { runBundle } from '../testkit/bundle-runner.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliScript = path.join(root, 'node_modules', 'autocannon', 'autocannon.js');
const autocannonVersion = (
  JSON.parse(readFileSync(path.join(root, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const REQUESTS = 1_000;
const CONCURRENCY = 20;
const PAIRS = 9;
const DELAY_MIN = 100;
const DELAY_STEPS = 100;

const SERVER = `
const http = require('node:http');
let i = 0;
const server = http.createServer((req, res) => {
  const delay = ${DELAY_MIN} + (i++ % ${DELAY_STEPS});
  setTimeout(() => res.end('ok'), delay);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** The endpoint's programmed delays for one window of REQUESTS requests, sorted. */
const programmed = Array.from({ length: REQUESTS }, (_, i) => DELAY_MIN + (i % DELAY_STEPS)).sort(
  (a, b) => a - b,
);

interface Server {
  url: string;
  /** CPU time the server process has used so far, milliseconds (utime + stime from /proc). */
  cpuMs(): number;
  stop(): void;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const cpuMs = (): number => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // after "pid (comm) ", field 14 (utime) and 15 (stime) are at 11 and 12; clock ticks of 10 ms
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, cpuMs, stop: () => child.kill() };
}

/** One run of either tool; latencies and times in milliseconds. */
interface Run {
  p50: number;
  /** Gantry: its p95. CLI: none (bounded by p90 and p97.5). */
  p95?: number;
  p90?: number;
  p975?: number;
  p99: number;
  responses: number;
  errors: number;
  /** Whole process, spawn to exit. */
  wallMs: number;
  /** autocannon's run: CLI `finish - start`; Gantry's `load.durationMs`. */
  loadMs: number;
  /** Gantry's smoke check before the load (its latency), 0 for the CLI. */
  checkMs: number;
  /** Server CPU during the run, share of one core. */
  serverCpu: number;
}

async function cli(server: Server): Promise<Run> {
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cliScript, '-n', '-j', '-c', String(CONCURRENCY), '-a', String(REQUESTS), server.url],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'close');
  const wallMs = performance.now() - started;
  const result = JSON.parse(out) as {
    latency: Record<string, number>;
    errors: number;
    non2xx: number;
    start: string;
    finish: string;
  };
  const { p50 = 0, p90 = 0, p97_5: p975 = 0, p99 = 0, totalCount = 0 } = result.latency;
  return {
    p50,
    p90,
    p975,
    p99,
    responses: totalCount,
    errors: result.errors + result.non2xx,
    wallMs,
    loadMs: Date.parse(result.finish) - Date.parse(result.start),
    checkMs: 0,
    serverCpu: (server.cpuMs() - cpuBefore) / wallMs,
  };
}

async function gantry(server: Server): Promise<Run> {
  const cpuBefore = server.cpuMs();
  const run = await runBundle('smoke-test', {
    inputs: {
      url: server.url,
      'load-requests': String(REQUESTS),
      'load-concurrency': String(CONCURRENCY),
    },
  });
  if (run.exitCode !== 0) throw new Error(`smoke-test failed:\n${run.log}`);
  const load = JSON.parse(run.outputs['load'] ?? '{}') as {
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    succeeded: number;
    errors: number;
    durationMs: number;
  };
  const checks = JSON.parse(run.outputs['results'] ?? '[]') as { latencyMs?: number }[];
  return {
    p50: load.p50Ms,
    p95: load.p95Ms,
    p99: load.p99Ms,
    responses: load.succeeded,
    errors: load.errors,
    wallMs: run.durationMs,
    loadMs: load.durationMs,
    checkMs: checks[0]?.latencyMs ?? 0,
    serverCpu: (server.cpuMs() - cpuBefore) / run.durationMs,
  };
}

/** autocannon's percentile keys (p0_001 … p99_999) with the percentile each names. */
const AUTOCANNON_KEYS: [string, number][] = [
  0.001, 0.01, 0.1, 1, 2.5, 10, 25, 50, 75, 90, 97.5, 99, 99.9, 99.99, 99.999,
].map((p) => [`p${p}`.replace('.', '_'), p]);

interface SameRun {
  /** Percentiles autocannon reported whose value equals floor(Gantry's rank of the same latencies). */
  agree: number;
  compared: number;
  /** Largest |Gantry − autocannon| at any reported percentile, ms. */
  largestGapMs: number;
  gantryP95: number;
  hdrP90: number;
  hdrP975: number;
}

/** One in-process autocannon run ranked both ways: autocannon's histogram and Gantry's `percentile`. */
async function sameRun(url: string): Promise<SameRun> {
  const latencies: number[] = [];
  const result = await new Promise<{ latency: Record<string, number> }>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONCURRENCY, amount: REQUESTS }, (error, done) =>
      error === null ? resolve(done) : reject(error),
    );
    instance.on('response', (_client, status, _bytes, time) => {
      if (status >= 200 && status < 300) latencies.push(time);
    });
  });
  latencies.sort((a, b) => a - b);
  let agree = 0;
  let largestGapMs = 0;
  for (const [key, p] of AUTOCANNON_KEYS) {
    const ours = percentile(latencies, p);
    const theirs = result.latency[key] ?? Number.NaN;
    if (Math.floor(ours) === theirs) agree++;
    largestGapMs = Math.max(largestGapMs, Math.abs(ours - theirs));
  }
  return {
    agree,
    compared: AUTOCANNON_KEYS.length,
    largestGapMs,
    gantryP95: percentile(latencies, 95),
    hdrP90: result.latency['p90'] ?? 0,
    hdrP975: result.latency['p97_5'] ?? 0,
  };
}

/** The CLI's p95 by linear interpolation between its p90 and p97.5 (exact for an even spread). */
const interpolated = (run: Run): number => (run.p90 ?? 0) + (((run.p975 ?? 0) - (run.p90 ?? 0)) * 5) / 7.5;
/** Gantry's p95 within 10 % of every value the CLI's p95 can take, [p90, p97.5]. */
const withinBracket = (g: number, c: Run): boolean => g >= 0.9 * (c.p975 ?? 0) && g <= 1.1 * (c.p90 ?? 0);
/** The largest relative gap between Gantry's p95 and any value in the CLI's [p90, p97.5]. */
const worstBracketGap = (g: number, c: Run): number =>
  Math.max(Math.abs(g - (c.p90 ?? 0)) / (c.p90 ?? 1), Math.abs(g - (c.p975 ?? 0)) / (c.p975 ?? 1));

/** Wall time of one Node process, spawn to exit, milliseconds. */
async function timeProcess(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
  await once(child, 'close');
  return performance.now() - started;
}

/**
 * Process start and module loading alone, in the same conditions as the pair just run: a bare Node, Node
 * loading autocannon, the CLI printing its version (autocannon.js loads its whole module tree first), and the
 * bundle failing fast on a missing url (load mode's chunk, with autocannon, is not loaded then).
 */
interface Starts {
  bare: number;
  autocannon: number;
  cli: number;
  bundle: number;
}
async function starts(): Promise<Starts> {
  return {
    bare: await timeProcess(['-e', '0']),
    autocannon: await timeProcess(['-e', "require('autocannon')"]),
    cli: await timeProcess([cliScript, '--version']),
    bundle: (await runBundle('smoke-test', { inputs: {} })).durationMs,
  };
}

const server = await startServer();
const loadBefore = os.loadavg()[0] ?? 0;
const pairs: { cli: Run; gantry: Run; cliFirst: boolean; loadAverage: number; starts: Starts }[] = [];
const same: SameRun[] = [];
try {
  await cli(server); // warm-up: the server's JIT, the CLI's and the bundle's files in the page cache
  await gantry(server);
  await sameRun(server.url);
  await starts();
  for (let i = 0; i < PAIRS; i++) {
    const cliFirst = i % 2 === 0;
    const first = cliFirst ? await cli(server) : await gantry(server);
    const second = cliFirst ? await gantry(server) : await cli(server);
    pairs.push({
      cli: cliFirst ? first : second,
      gantry: cliFirst ? second : first,
      cliFirst,
      loadAverage: os.loadavg()[0] ?? 0,
      starts: await starts(),
    });
    same.push(await sameRun(server.url));
  }
} finally {
  server.stop();
}
const loadAfter = os.loadavg()[0] ?? 0;

const cliRuns = pairs.map((pair) => pair.cli);
const gantryRuns = pairs.map((pair) => pair.gantry);
const med = (values: number[]): number => median(values);
const of = (runs: Run[], pick: (run: Run) => number): number[] => runs.map(pick);
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const pct = (value: number): string => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
const range = (values: number[], unit = ' ms'): string =>
  `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}${unit}`;
const rel = (a: number, b: number): number => (a - b) / b;

const p50Gaps = pairs.map((pair) => rel(pair.gantry.p50, pair.cli.p50));
const p99Gaps = pairs.map((pair) => rel(pair.gantry.p99, pair.cli.p99));
const p95Gaps = pairs.map((pair) => rel(pair.gantry.p95 ?? 0, interpolated(pair.cli)));
const p95Worst = pairs.map((pair) => worstBracketGap(pair.gantry.p95 ?? 0, pair.cli));
const p95Met = pairs.filter((pair) => withinBracket(pair.gantry.p95 ?? 0, pair.cli)).length;
const medianCli: Run = {
  ...cliRuns[0]!,
  p90: med(of(cliRuns, (r) => r.p90 ?? 0)),
  p975: med(of(cliRuns, (r) => r.p975 ?? 0)),
};
const gantryP95 = med(of(gantryRuns, (r) => r.p95 ?? 0));
const medianMet = withinBracket(gantryP95, medianCli);
const yes = (ok: boolean): string => (ok ? 'yes' : 'no');
const outside = (run: Run): number => run.wallMs - run.loadMs;
const overheadWall = pairs.map((pair) => pair.gantry.wallMs - pair.cli.wallMs);
const overheadLoad = pairs.map((pair) => pair.gantry.loadMs - pair.cli.loadMs);
const overheadOutside = pairs.map((pair) => outside(pair.gantry) - outside(pair.cli));
const checkMs = med(of(gantryRuns, (r) => r.checkMs));
const gantryOutside = med(of(gantryRuns, outside));
const cliOutside = med(of(cliRuns, outside));
const startsOf = (pick: (s: Starts) => number): number[] => pairs.map((pair) => pick(pair.starts));
const autocannonLoads = startsOf((s) => s.autocannon - s.bare);
// per pair: what is left of each tool's time outside the load phase once its measured parts are taken off
const gantryRests = pairs.map(
  (pair) =>
    outside(pair.gantry) -
    pair.starts.bundle -
    pair.gantry.checkMs -
    (pair.starts.autocannon - pair.starts.bare),
);
const cliRests = pairs.map((pair) => outside(pair.cli) - pair.starts.cli);
const sameAgree = same.reduce((sum, s) => sum + s.agree, 0);
const sameCompared = same.reduce((sum, s) => sum + s.compared, 0);
const sameP95Met = same.filter((s) => s.gantryP95 >= s.hdrP90 && s.gantryP95 < s.hdrP975 + 1).length;

const lines = [
  '## smoke-test load mode vs the autocannon CLI (issue 17)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on this machine (${os.cpus().length} cores, shared with other sessions; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after), Node ${process.version}, autocannon ${autocannonVersion} (the library in Gantry's bundle and its CLI, \`autocannon -n -j -c ${CONCURRENCY} -a ${REQUESTS} URL\`).`,
  `Endpoint: a separate Node process on loopback answering request i after ${DELAY_MIN} + (i mod ${DELAY_STEPS}) ms — an even, deterministic spread over ${DELAY_MIN}–${DELAY_MIN + DELAY_STEPS - 1} ms on a timer, not CPU work; programmed p50 ${percentile(programmed, 50)}, p90 ${percentile(programmed, 90)}, p95 ${percentile(programmed, 95)}, p97.5 ${percentile(programmed, 97.5)}, p99 ${percentile(programmed, 99)} ms. Each run: ${REQUESTS} requests at concurrency ${CONCURRENCY} (about ${Math.round((CONCURRENCY * 1000) / (DELAY_MIN + (DELAY_STEPS - 1) / 2))} req/s; the server used a median ${(med(of([...cliRuns, ...gantryRuns], (r) => r.serverCpu)) * 100).toFixed(1)} % of one core, so nothing queues on it).`,
  `One warm-up run of each tool, then ${PAIRS} pairs, the order alternating (CLI first in odd pairs); medians over the pairs, spread as min–max. The "endpoint" column is the programmed delay alone: both tools add the same few ms of timer lag, loopback and client work to it.`,
  `The CLI has no p95: \`--json\` and the \`-l\` table give p0.001…p99.999 from a fixed list (p90, p97.5, no p95). So the CLI's p95 is bounded by its own p90 and p97.5 (a bound, not an estimate), and the target counts as met when Gantry's p95 is within 10 % of every value in that bracket (0.9 × p97.5 ≤ Gantry p95 ≤ 1.1 × p90). The interpolated point (exact for an even spread) is shown for reference. The CLI's figures are whole milliseconds (its histogram truncates), Gantry's keep the fraction: Gantry reads up to 1 ms higher on the same latencies (see the same-run check below).`,
  '',
  '| Figure | endpoint | autocannon CLI (median, spread) | Gantry load mode (median, spread) | Gantry vs CLI, median of the pairs (spread) | Within 10 % |',
  '| --- | --- | --- | --- | --- | --- |',
  `| p50 | ${ms(percentile(programmed, 50))} | ${ms(med(of(cliRuns, (r) => r.p50)))} (${range(of(cliRuns, (r) => r.p50))}) | ${ms(med(of(gantryRuns, (r) => r.p50)))} (${range(of(gantryRuns, (r) => r.p50))}) | ${pct(med(p50Gaps))} (${range(
    p50Gaps.map((g) => g * 100),
    ' %',
  )}) | ${yes(Math.abs(med(p50Gaps)) <= 0.1)} (${p50Gaps.filter((g) => Math.abs(g) <= 0.1).length} of ${PAIRS} pairs) |`,
  `| p95 | ${ms(percentile(programmed, 95))} | in [p90 ${ms(med(of(cliRuns, (r) => r.p90 ?? 0)))}, p97.5 ${ms(med(of(cliRuns, (r) => r.p975 ?? 0)))}]; interpolated ${ms(med(cliRuns.map(interpolated)))} (${range(cliRuns.map(interpolated))}) | ${ms(gantryP95)} (${range(of(gantryRuns, (r) => r.p95 ?? 0))}) | ${pct(med(p95Gaps))} vs the interpolated point (${range(
    p95Gaps.map((g) => g * 100),
    ' %',
  )}); at most ${pct(med(p95Worst))} from any value of the bracket (${range(
    p95Worst.map((g) => g * 100),
    ' %',
  )}) | **${yes(medianMet)}** (${p95Met} of ${PAIRS} pairs) |`,
  `| p99 | ${ms(percentile(programmed, 99))} | ${ms(med(of(cliRuns, (r) => r.p99)))} (${range(of(cliRuns, (r) => r.p99))}) | ${ms(med(of(gantryRuns, (r) => r.p99)))} (${range(of(gantryRuns, (r) => r.p99))}) | ${pct(med(p99Gaps))} (${range(
    p99Gaps.map((g) => g * 100),
    ' %',
  )}) | ${yes(Math.abs(med(p99Gaps)) <= 0.1)} (${p99Gaps.filter((g) => Math.abs(g) <= 0.1).length} of ${PAIRS} pairs) |`,
  `| 2xx responses / errors per run | ${REQUESTS} / 0 | ${med(of(cliRuns, (r) => r.responses))} / ${med(of(cliRuns, (r) => r.errors))} | ${med(of(gantryRuns, (r) => r.responses))} / ${med(of(gantryRuns, (r) => r.errors))} | | |`,
  `| whole-process wall time | | ${ms(med(of(cliRuns, (r) => r.wallMs)))} (${range(of(cliRuns, (r) => r.wallMs))}) | ${ms(med(of(gantryRuns, (r) => r.wallMs)))} (${range(of(gantryRuns, (r) => r.wallMs))}) | ${ms(med(overheadWall))} (${range(overheadWall)}) | |`,
  '',
  'Every pair (ms; CLI p95 as [p90, p97.5]):',
  '',
  '| Pair | first | load average | CLI p50 | Gantry p50 | CLI p95 | Gantry p95 | CLI p99 | Gantry p99 | CLI wall | Gantry wall |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...pairs.map(
    (pair, i) =>
      `| ${i + 1} | ${pair.cliFirst ? 'CLI' : 'Gantry'} | ${pair.loadAverage.toFixed(2)} | ${pair.cli.p50} | ${pair.gantry.p50} | [${pair.cli.p90}, ${pair.cli.p975}] | ${pair.gantry.p95} | ${pair.cli.p99} | ${pair.gantry.p99} | ${pair.cli.wallMs.toFixed(0)} | ${pair.gantry.wallMs.toFixed(0)} |`,
  ),
  '',
  `Same run, both methods (${same.length} in-process autocannon runs, each response's latency also ranked by load.ts \`percentile\`): floor(Gantry's pX) equals autocannon's histogram pX at ${sameAgree} of ${sameCompared} percentiles compared (p0.001…p99.999); the largest gap is ${ms(Math.max(...same.map((s) => s.largestGapMs)))}, because autocannon's HdrHistogram records whole milliseconds and Gantry keeps the fraction. Gantry's p95 lies in the histogram's [p90, p97.5 + 1 ms) in ${sameP95Met} of ${same.length} runs.`,
  '',
  `Gantry's overhead: ${ms(med(overheadWall))} more whole-process wall time per run than the CLI (median of the pairs, spread ${range(overheadWall)}). The spread comes from autocannon ending a run on its next 1 s sample tick after the last answer, in both tools; taking each tool's load phase (autocannon's own run) out of its wall time removes it:`,
  `- the load phase: Gantry ${ms(med(of(gantryRuns, (r) => r.loadMs)))}, the CLI ${ms(med(of(cliRuns, (r) => r.loadMs)))}: ${ms(med(overheadLoad))} apart (median of the pairs, ${range(overheadLoad)}) — the same library doing the same requests;`,
  `- outside it: Gantry ${ms(gantryOutside)}, the CLI ${ms(cliOutside)}: ${ms(med(overheadOutside))} apart (median of the pairs, ${range(overheadOutside)}).`,
  `  - Gantry's part (medians of the pairs; each pair's process starts timed right after its runs): the bundle starting and reading its inputs ${ms(med(startsOf((s) => s.bundle)))} (the bundle failing fast on a missing url), the smoke check of the URL before the load ${ms(checkMs)} (one request to this endpoint, itself ${DELAY_MIN}–${DELAY_MIN + DELAY_STEPS - 1} ms), loading autocannon on demand about ${ms(med(autocannonLoads))} (\`node -e "require('autocannon')"\` ${ms(med(startsOf((s) => s.autocannon)))} minus a bare \`node -e 0\` ${ms(med(startsOf((s) => s.bare)))}), and ${ms(med(gantryRests))} left (${range(gantryRests)}) for the rest: outputs, the two step summary tables, exit.`,
  `  - the CLI's part: starting and loading its modules ${ms(med(startsOf((s) => s.cli)))} (\`autocannon --version\`), and ${ms(med(cliRests))} left (${range(cliRests)}): its JSON, exit.`,
  '',
];
await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
await writeFile(path.join(root, 'bench', 'results', 'smoke-load.md'), lines.join('\n'));
console.log(lines.join('\n'));
