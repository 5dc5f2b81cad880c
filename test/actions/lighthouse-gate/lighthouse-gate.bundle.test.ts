/**
 * The built lighthouse-gate bundle as the runner starts it: a bad input fails at once with exit 1 and an
 * ::error naming it, and the bundle loads nothing of Lighthouse (it runs Lighthouse's CLI as a child).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';

test('a bad threshold fails with exit 1 and an error naming the input', async () => {
  const result = await runBundle('lighthouse-gate', {
    inputs: { urls: 'http://127.0.0.1:9/', thresholds: 'speed=80' },
  });
  expect(result.exitCode).toBe(1);
  expect(
    result.annotations.some((a) => a.level === 'error' && a.message.includes("Input 'thresholds'")),
  ).toBe(true);
});

test('the bundle does not contain Lighthouse', async () => {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'dist', 'manifest.json'), 'utf8')) as Record<
    string,
    { reachable: string[] }
  >;
  const files = manifest['lighthouse-gate']?.reachable ?? [];
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const text = await readFile(path.join(repoRoot, 'dist', file), 'utf8');
    // Every Lighthouse build carries its metric audits by id; none of the gate's files does.
    expect(text.includes('first-contentful-paint'), file).toBe(false);
  }
});
