/**
 * smoke-test reads a check's body streamed and capped (issue 14): a 250 MB answer must not cost 250 MB.
 * The bundle runs with testkit/peak-rss.ts preloaded; its peak RSS must stay ≤ 150 MB. Against the dist/
 * before the fix (GANTRY_TEST_DIST) this measured 863 MB and failed.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { peakRssEnv, readPeakRssMb } from '../../../testkit/peak-rss.ts';
import { startBigBody } from '../../../testkit/big-body.ts';

let server: Awaited<ReturnType<typeof startBigBody>>;
beforeAll(async () => {
  server = await startBigBody(250 * 1024 * 1024);
});
afterAll(async () => server?.stop());

test('a 250 MB body keeps the smoke-test process under 150 MB peak RSS, and the check still judges it', async () => {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'gantry-rss-')), 'rss');
  const run = await runBundle('smoke-test', {
    inputs: { url: `${server.url}/big`, 'expected-body': 'aaaa', timeout: '60s', 'request-timeout': '30s' },
    env: peakRssEnv(file),
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], 'smoke-test', 'index.js') }
      : {}),
  });
  expect(run.exitCode, run.log).toBe(0);
  expect(readPeakRssMb(file)).toBeLessThanOrEqual(150);
});
