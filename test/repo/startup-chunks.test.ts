/**
 * What each action loads before its first lazy import (dist/manifest.json `startup`) stays small: the
 * platform clients, drivers and load generator are reached only through `import()` when a run needs them
 * (a Kubernetes client in an ECS run, or the AWS signer in a plain smoke check, once cost 160–270 KB at start).
 * Reads the committed dist/ and dist/gantry/bundled-packages.json (which chunk holds which package).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';

const dist = path.join(repoRoot, 'dist');
const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as Record<
  string,
  { startup: string[]; reachable: string[] }
>;
const packages = JSON.parse(
  readFileSync(path.join(dist, 'gantry', 'bundled-packages.json'), 'utf8'),
) as Record<string, string[]>;

/** Packages no action may load at start: each is needed only by some runs of some actions. */
const LAZY = [
  '@kubernetes/client-node',
  '@smithy/signature-v4',
  '@aws-sdk/client-ecs',
  'autocannon',
  'pg',
  'mysql2',
];

describe('what the actions load at start (dist/manifest.json)', () => {
  test('the manifest lists every action and the lazy packages are in the bundle', () => {
    expect(Object.keys(manifest).length).toBeGreaterThanOrEqual(12);
    for (const name of LAZY) expect(packages[name], name).toBeDefined();
  });

  for (const [action, files] of Object.entries(manifest)) {
    test(`${action} loads none of ${LAZY.join(', ')} at start`, () => {
      const startup = new Set(files.startup.map((file) => path.basename(file)));
      const loaded = LAZY.filter((name) => (packages[name] ?? []).some((chunk) => startup.has(chunk)));
      expect(loaded).toEqual([]);
    });
  }

  test('smoke-test loads at most 300 KB at start (the issue 2 target)', () => {
    const bytes = (manifest['smoke-test']?.startup ?? []).reduce(
      (sum, file) => sum + statSync(path.join(dist, file)).size,
      0,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
  });
});
