/**
 * canary benchmark (issue 16): from the moment the canary's error ratio crosses the threshold (5 %, as the
 * real Prometheus computes it) to the moment the listener reads 100 % on the stable colour — target: at
 * most one analysis interval plus 5 s. Measured on the canary demo with --bad-release (tools/demo/canary.ts:
 * moto for ECS/ELBv2, two hello-service processes, a real Prometheus scraping every 1 s, analysis interval
 * 2 s, error-rate with failing-intervals 1). Writes bench/results/canary.md.
 *
 *   ./node_modules/.bin/node bench/canary.bench.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCanaryDemo } from '../tools/demo/canary.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 3;
const runs: number[] = [];
let intervalMs = 0;
for (let run = 0; run < RUNS; run++) {
  const result = await runCanaryDemo({ badRelease: true, quiet: true });
  if (result.exitCode !== 1 || result.crossingToStableMs === undefined)
    throw new Error(
      `run ${run + 1}: the bad canary was not rolled back as expected (exit ${result.exitCode})`,
    );
  runs.push(result.crossingToStableMs);
  intervalMs = result.intervalMs;
  console.log(`run ${run + 1}: ${result.crossingToStableMs} ms`);
}
const target = intervalMs + 5_000;
const worst = Math.max(...runs);
const text = `## canary

Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores, shared), Node ${process.version}.

From the canary's error ratio crossing 5 % (Prometheus, polled every 100 ms) to the listener reading 100 % on
the stable colour (moto, polled every 100 ms), on \`npm run demo -- --canary --bad-release\` (analysis interval
${intervalMs / 1000} s, error-rate with failing-intervals 1, Prometheus scraping every 1 s).

| measure                                  | result                                          | target                                        |
| ---------------------------------------- | ----------------------------------------------- | --------------------------------------------- |
| threshold crossed → traffic 100 % stable | ${median(runs)} ms median, ${worst} ms worst | ≤ ${target} ms (interval + 5 s) ${worst <= target ? '✅' : '❌'} |

Runs (ms): ${runs.join(', ')}.
`;
await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
await writeFile(path.join(root, 'bench', 'results', 'canary.md'), text);
console.log(text);
