/**
 * deploy-static benchmark: 2,000 files, 10 % of them changed since the last deploy, published to moto's S3
 * by deploy-static (the built bundle, as a runner starts it) and by `aws s3 sync` (the AWS CLI, what
 * jakejarvis/s3-sync-action wraps), into two prefixes of the same bucket, in the same run.
 *
 * Two scenarios, 3 rounds each (a different 10 % changed every round; the order of the two tools
 * alternates):
 * - "CI build": every file is written again by the build (fresh modification times), as on a runner that
 *   checks out and builds from scratch — the usual case;
 * - "local edit": only the changed files get a new modification time.
 * Reported: wall time of each tool (median), the ratio deploy-static / aws s3 sync, and how many files each
 * uploaded (deploy-static's `uploaded` output; the CLI's `upload:` lines). Writes bench/results/deploy-static.md.
 *
 *   ./node_modules/.bin/node bench/deploy-static.bench.ts
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { format, resolveConfig } from 'prettier';
import { runBundle } from '../testkit/bundle-runner.ts';
import { startMoto } from '../testkit/moto.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = 2000;
const CHANGED = FILES / 10;
const ROUNDS = 3;
const run = promisify(execFile);

const moto = await startMoto();
const workspace = await mkdtemp(path.join(tmpdir(), 'bench-static-'));
const site = path.join(workspace, 'dist');
const env = { ...moto.env, AWS_DEFAULT_REGION: 'us-east-1' };
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: moto.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

/** The i-th file: its path and content for a version (sizes 0.5 to 24 KB, a realistic mix of types). */
function fileAt(index: number, version: number): { relative: string; content: Buffer } {
  const kinds = ['js', 'css', 'html', 'svg', 'json', 'png', 'woff2', 'txt'];
  const kind = kinds[index % kinds.length] ?? 'txt';
  const folder = `section-${index % 40}/${kind}`;
  const size = 512 + ((index * 7919) % (24 * 1024));
  const seed = createHash('sha256').update(`${index}:${version}`).digest();
  const content = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += seed.length) seed.copy(content, offset);
  return { relative: `${folder}/file-${index}.${kind}`, content };
}

const versions = new Array<number>(FILES).fill(0);
async function writeAll(touchAll: boolean, changed: Set<number>): Promise<void> {
  const old = new Date('2020-01-01T00:00:00Z');
  for (let index = 0; index < FILES; index++) {
    const { relative, content } = fileAt(index, versions[index] ?? 0);
    const file = path.join(site, relative);
    if (touchAll || changed.has(index) || versions[index] === 0) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    if (!touchAll && !changed.has(index)) await utimes(file, old, old);
  }
}

async function cliSync(prefix: string): Promise<{ ms: number; uploaded: number }> {
  const started = performance.now();
  const { stdout } = await run('aws', ['s3', 'sync', site, `s3://bench/${prefix}`, '--no-progress'], {
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    ms: performance.now() - started,
    uploaded: stdout.split('\n').filter((l) => l.startsWith('upload:')).length,
  };
}

async function gantry(prefix: string): Promise<{ ms: number; uploaded: number }> {
  const started = performance.now();
  const result = await runBundle('deploy-static', {
    cwd: workspace,
    env,
    inputs: { source: 'dist', bucket: 'bench', prefix, invalidate: 'none' },
    timeoutMs: 600_000,
  });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`deploy-static failed: ${result.log.slice(-2000)}`);
  return { ms, uploaded: Number(result.outputs['uploaded']) };
}

interface Row {
  scenario: string;
  round: number;
  cli: { ms: number; uploaded: number };
  gantry: { ms: number; uploaded: number };
}
const rows: Row[] = [];
let initial: { cli: { ms: number; uploaded: number }; gantry: { ms: number; uploaded: number } };
try {
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await writeAll(true, new Set());
  for (let index = 0; index < FILES; index++) versions[index] = 1;
  await writeAll(true, new Set());
  // The first release, into both prefixes (also a figure: everything uploaded).
  initial = { cli: await cliSync('cli'), gantry: await gantry('gantry') };
  console.log('initial', initial);
  let round = 0;
  for (const scenario of ['CI build', 'local edit']) {
    for (let r = 0; r < ROUNDS; r++, round++) {
      const changed = new Set<number>();
      for (let k = 0; changed.size < CHANGED; k++) changed.add((round * 613 + k * 10 + (k % 7)) % FILES);
      for (const index of changed) versions[index] = (versions[index] ?? 1) + 1;
      // Wait a second so the CLI sees newer modification times than the objects it uploaded last.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await writeAll(scenario === 'CI build', changed);
      const first = round % 2 === 0 ? 'cli' : 'gantry';
      const a = first === 'cli' ? await cliSync('cli') : await gantry('gantry');
      const b = first === 'cli' ? await gantry('gantry') : await cliSync('cli');
      const row = { scenario, round: r + 1, cli: first === 'cli' ? a : b, gantry: first === 'cli' ? b : a };
      console.log(row);
      rows.push(row);
    }
  }
} finally {
  s3.destroy();
  await moto.stop();
  await rm(workspace, { recursive: true, force: true });
}

const ms = (value: number): string => `${(value / 1000).toFixed(1)} s`;
const lines = [
  '## deploy-static (issue 18)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, shared), Node ${process.version}, moto server on loopback, aws-cli ${(await run('aws', ['--version'])).stdout.trim() || '(version on stderr)'}.`,
  '',
  `${FILES} files (0.5-24 KB; js, css, html, svg, json, png, woff2, txt), ${CHANGED} (10 %) changed per round; deploy-static (the bundle, default concurrency 16) and \`aws s3 sync\` (default 10 concurrent requests) into two prefixes of one bucket, same run, order alternating. Target: ratio ≤ 1.0 and only the changed files uploaded.`,
  '',
  `First release (everything uploaded): deploy-static ${ms(initial!.gantry.ms)} (${initial!.gantry.uploaded} files), aws s3 sync ${ms(initial!.cli.ms)} (${initial!.cli.uploaded} files).`,
  '',
  '| Scenario | Round | deploy-static | files uploaded | aws s3 sync | files uploaded | ratio |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) =>
      `| ${row.scenario} | ${row.round} | ${ms(row.gantry.ms)} | ${row.gantry.uploaded} | ${ms(row.cli.ms)} | ${row.cli.uploaded} | ${(row.gantry.ms / row.cli.ms).toFixed(2)} |`,
  ),
  '',
];
for (const scenario of ['CI build', 'local edit']) {
  const of = rows.filter((row) => row.scenario === scenario);
  const ratio = median(of.map((row) => row.gantry.ms)) / median(of.map((row) => row.cli.ms));
  lines.push(
    `- ${scenario}: median deploy-static ${ms(median(of.map((r) => r.gantry.ms)))} vs aws s3 sync ${ms(median(of.map((r) => r.cli.ms)))} — **ratio ${ratio.toFixed(2)}**; deploy-static uploaded ${of.map((r) => r.gantry.uploaded).join('/')} files, aws s3 sync ${of.map((r) => r.cli.uploaded).join('/')}.`,
  );
}
lines.push(
  '',
  '`aws s3 sync` decides by size and modification time, so after a fresh CI build it re-uploads every file whose size did not change but whose time did; deploy-static decides by content (MD5 / multipart ETag), so it uploads only the changed files in both scenarios, at the price of reading every file once.',
);
const out = path.join(root, 'bench', 'results', 'deploy-static.md');
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, await format(lines.join('\n'), { ...(await resolveConfig(out)), filepath: out }));
console.log(lines.join('\n'));
