/**
 * dist/ carries the licence of every package it bundles, chunk by chunk: dist/gantry/bundled-packages.json
 * (written by the build from webpack's stats) names the packages in each chunk, and each is in licenses.txt.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import { bundledPackages, completeLicenses, isListed } from '../../tools/licenses.ts';
import { repoRoot } from '../../testkit/bundle-runner.ts';

const gantry = path.join(repoRoot, 'dist', 'gantry');
const packages = JSON.parse(readFileSync(path.join(gantry, 'bundled-packages.json'), 'utf8')) as Record<
  string,
  string[]
>;
const licenses = readFileSync(path.join(gantry, 'licenses.txt'), 'utf8');

describe('licences of bundled dependencies', () => {
  test('every bundled package of every chunk is in dist/gantry/licenses.txt', () => {
    assert.ok(Object.keys(packages).length > 50, 'the bundle holds the SDKs and toolkit packages');
    assert.deepEqual(
      Object.keys(packages).filter((name) => !isListed(licenses, name)),
      [],
    );
    for (const [name, chunks] of Object.entries(packages))
      for (const chunk of chunks) assert.ok(existsSync(path.join(gantry, chunk)), `${name}: ${chunk} exists`);
  });

  test('a package ncc missed is appended from its own LICENSE file; one without a licence fails', () => {
    const nodeModules = mkdtempSync(path.join(tmpdir(), 'gantry-licences-'));
    mkdirSync(path.join(nodeModules, '@scope', 'kept'), { recursive: true });
    writeFileSync(path.join(nodeModules, '@scope', 'kept', 'package.json'), '{"license":"ISC"}');
    writeFileSync(path.join(nodeModules, '@scope', 'kept', 'LICENSE.md'), 'ISC License\n\nCopyright kept\n');
    const text = 'left-pad\nWTFPL\nDo what you want\n';
    const completed = completeLicenses(text, ['left-pad', '@scope/kept'], nodeModules);
    assert.ok(isListed(completed, 'left-pad') && isListed(completed, '@scope/kept'));
    assert.equal(completed.match(/left-pad/g)?.length, 1, 'a listed package is not added twice');
    assert.match(completed, /@scope\/kept\nISC\nISC License\n\nCopyright kept\n$/);
    mkdirSync(path.join(nodeModules, 'bare'));
    assert.throws(
      () => completeLicenses(text, ['bare'], nodeModules),
      /bundled package bare has no licence file/,
    );
  });

  test('packages are read from module paths, nested node_modules and concatenated modules included', () => {
    const found = bundledPackages([
      { name: './node_modules/a/index.js', chunks: [1] },
      { name: './node_modules/a/node_modules/@s/b/x.js', chunks: [2] },
      { name: './shared/src/run.ts + 3 modules', chunks: [3], modules: [{ name: './node_modules/c/c.js' }] },
      { name: './actions/notify/src/main.ts', chunks: [3] },
    ]);
    assert.deepEqual(found, { '@s/b': ['2'], a: ['1'], c: ['3'] });
  });
});
