/**
 * The committed lock cannot drift: no dependency is asked for by a dist-tag or `*` without an override
 * in package.json, so `npm ci` on a clean clone passes on any later day, not only the day it was
 * committed (jschardet 4.1.0 broke it once through a `"latest"` request).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'vitest';
import {
  describeDrift,
  findDriftingRequests,
  isFloatingSpec,
  type Lockfile,
  type Overrides,
} from '../../tools/lock-drift.ts';
import { repoRoot } from '../../testkit/bundle-runner.ts';

const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  overrides?: Overrides;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('package-lock.json cannot drift', () => {
  test('no request by a dist-tag or * is left without an override', () => {
    assert.deepEqual(describeDrift(findDriftingRequests(lock, manifest.overrides)), []);
  });

  test('a planted "latest" in an in-memory copy is found, naming the package and who asks for it', () => {
    const copy = structuredClone(lock);
    const requester = Object.keys(copy.packages).find((p) => p.endsWith('node_modules/yaml'));
    assert.ok(requester, 'the lock holds yaml');
    copy.packages[requester]!.dependencies = {
      ...copy.packages[requester]!.dependencies,
      'left-pad': 'latest',
    };
    const found = findDriftingRequests(copy, manifest.overrides);
    assert.deepEqual(found, [
      { name: 'left-pad', spec: 'latest', requestedBy: 'yaml', kind: 'dependencies' },
    ]);
    assert.match(describeDrift(found)[0]!, /^left-pad@"latest" asked for by yaml \(dependencies\): pin it/);
    // …and an override, top-level or scoped to the package that asks, pins it.
    assert.deepEqual(findDriftingRequests(copy, { ...manifest.overrides, 'left-pad': '1.3.0' }), []);
    assert.deepEqual(
      findDriftingRequests(copy, { ...manifest.overrides, yaml: { 'left-pad': '1.3.0' } }),
      [],
    );
  });

  test('without the overrides, the requests they pin are reported (the check can fail on the real lock)', () => {
    const names = findDriftingRequests(lock, {}).map((f) => f.name);
    assert.ok(names.includes('jschardet'), names.join(', '));
  });

  test('floating specs: dist-tags and wildcards, not ranges, aliases or URLs', () => {
    for (const spec of ['latest', 'next', 'beta', '*', '', 'x', 'canary-2'])
      assert.equal(isFloatingSpec(spec), true, spec);
    for (const spec of [
      '^1.2.3',
      '~1.2',
      '1.x',
      '>=2 <3',
      '1.0.0 - 2.0.0',
      'v1.2.3',
      'npm:foo@^1',
      'user/repo',
      'file:../x',
    ])
      assert.equal(isFloatingSpec(spec), false, spec);
  });

  test('test-framework versions are pinned exactly (vite 8.3.8, vitest and @vitest/coverage-v8 4.1.12)', () => {
    assert.equal(manifest.devDependencies.vite, '8.3.8');
    assert.equal(manifest.devDependencies.vitest, '4.1.12');
    assert.equal(manifest.devDependencies['@vitest/coverage-v8'], '4.1.12');
  });
});
