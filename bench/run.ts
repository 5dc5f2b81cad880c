/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn (under the Node 24 npm puts on PATH), each of
 * which writes its figures to `bench/results/<name>.md`, then assembles `bench/results.md`.
 *   node bench/run.ts [NAME…]   run only these benchmarks (e.g. `foundation`)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.includes(file.replace(/\.bench\.ts$/, '')))
  .sort((a, b) => (a === 'foundation.bench.ts' ? -1 : b === 'foundation.bench.ts' ? 1 : a.localeCompare(b)));
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, [path.join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
const resultsDir = path.join(here, 'results');
const parts = existsSync(resultsDir)
  ? readdirSync(resultsDir)
      .filter((file) => file.endsWith('.md'))
      .sort((a, b) => (a === 'foundation.md' ? -1 : b === 'foundation.md' ? 1 : a.localeCompare(b)))
      .map((file) => readFileSync(path.join(resultsDir, file), 'utf8').trim())
  : [];
writeFileSync(
  path.join(here, 'results.md'),
  [
    '# Benchmark results',
    '',
    'Assembled by `npm run bench` from `bench/results/*.md`; each section says when and where it was measured.',
    '',
    ...parts.map((p) => `${p}\n`),
  ].join('\n'),
);
console.log(`\nwrote bench/results.md (${parts.length} sections)`);
if (failed > 0) process.exitCode = 1;
