/**
 * smoke-test memory benchmark (issue 14): peak RSS of the smoke-test bundle checking a URL whose body is
 * 50 MB and 250 MB (target ≤ 150 MB whatever the size: bodies are streamed and capped at 1 MB). Peak RSS
 * is the process's own `resourceUsage().maxRSS`, recorded at exit by testkit/peak-rss.ts. With
 * `GANTRY_BENCH_BEFORE=<dist folder>` the same runs are made with that build's bundle (e.g. an earlier
 * commit's dist/, from `git archive <commit> dist | tar -x -C /tmp/before`) for a before → after table.
 * Writes bench/results/smoke-memory.md.
 *
 *   ./node_modules/.bin/node bench/smoke-memory.bench.ts
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundle } from '../testkit/bundle-runner.ts';
import { peakRssEnv, readPeakRssMb } from '../testkit/peak-rss.ts';
import { startBigBody } from '../testkit/big-body.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES_MB = [50, 250];
const before = process.env['GANTRY_BENCH_BEFORE'];

async function peak(sizeMb: number, dist?: string): Promise<{ rssMb: number; exitCode: number }> {
  const server = await startBigBody(sizeMb * 1024 * 1024);
  try {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'gantry-bench-rss-')), 'rss');
    const run = await runBundle('smoke-test', {
      inputs: { url: `${server.url}/big`, 'expected-body': 'aaaa', timeout: '2m', 'request-timeout': '60s' },
      env: peakRssEnv(file),
      ...(dist === undefined ? {} : { bundlePath: path.join(dist, 'smoke-test', 'index.js') }),
    });
    return { rssMb: readPeakRssMb(file), exitCode: run.exitCode };
  } finally {
    await server.stop();
  }
}

const rows: string[] = [];
for (const size of SIZES_MB) {
  const after = await peak(size);
  const was = before === undefined ? undefined : await peak(size, before);
  console.log(
    `${size} MB body: ${was === undefined ? '' : `before ${was.rssMb.toFixed(0)} MB → `}${after.rssMb.toFixed(0)} MB`,
  );
  rows.push(
    `| ${size} MB | ${was === undefined ? 'not measured' : `${was.rssMb.toFixed(0)} MB`} | ${after.rssMb.toFixed(0)} MB | ${after.exitCode} | ${after.rssMb <= 150 ? 'yes' : 'no'} |`,
  );
}
const text = [
  '## smoke-test memory (issue 14)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine, Node ${process.version}: peak RSS (the process's own maxRSS at exit) of \`node dist/smoke-test/index.js\` checking one loopback URL whose body is generated on the fly. Target ≤ 150 MB whatever the body size. "Before" is the dist/ before bodies were streamed and capped (it read the whole body, then cut it to 1 MB).`,
  '',
  '| Body | Peak RSS before | Peak RSS after | Exit code after | Within target |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
await writeFile(path.join(root, 'bench', 'results', 'smoke-memory.md'), text);
