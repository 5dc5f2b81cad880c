import { describe, expect, test } from 'vitest';
import { mapConcurrent } from '../../../actions/deploy-static/src/concurrency.ts';
import type { LocalFile } from '../../../actions/deploy-static/src/files.ts';
import { invalidationPaths, planRelease, uploadPhases } from '../../../actions/deploy-static/src/plan.ts';
import { normalizePrefix } from '../../../actions/deploy-static/src/inputs.ts';

const file = (relative: string, size = 1): LocalFile => ({ file: `/build/${relative}`, relative, size });

describe('planRelease', () => {
  const files = [file('index.html'), file('a/app.js'), file('a/style.css'), file('docs/index.html')];
  const remote = new Map([
    ['web/a/app.js', { etag: 'same', size: 1 }],
    ['web/a/style.css', { etag: 'other', size: 1 }],
    ['web/gone.js', { etag: 'x', size: 1 }],
    ['web/old.html', { etag: 'x', size: 1 }],
  ]);
  const compare = async (_: LocalFile, object: { etag: string }): Promise<boolean> => object.etag === 'same';

  test('new and changed files upload, assets before pages; stale keys deleted only with delete', async () => {
    const plan = await planRelease(files, remote, {
      prefix: 'web/',
      deleteStale: true,
      compare,
      concurrency: 2,
    });
    expect(plan.uploads.map((u) => [u.key, u.reason])).toEqual([
      ['web/a/style.css', 'changed'],
      ['web/index.html', 'new'],
      ['web/docs/index.html', 'new'],
    ]);
    expect(plan.unchanged).toEqual(['web/a/app.js']);
    expect(plan.deletes).toEqual(['web/gone.js', 'web/old.html']);
    const kept = await planRelease(files, remote, {
      prefix: 'web/',
      deleteStale: false,
      compare,
      concurrency: 2,
    });
    expect(kept.deletes).toEqual([]);
  });

  test('uploadPhases splits HTML from the rest, keeping order', () => {
    expect(uploadPhases([{ key: 'b.html' }, { key: 'a.js' }, { key: 'c.HTM' }, { key: 'd.css' }])).toEqual([
      [{ key: 'a.js' }, { key: 'd.css' }],
      [{ key: 'b.html' }, { key: 'c.HTM' }],
    ]);
  });
});

describe('invalidationPaths', () => {
  test('keys become URL paths; index.html adds its folder; spaces encoded', () => {
    expect(invalidationPaths(['index.html', 'docs/index.html', 'a b.txt', 'x/@1.js'])).toEqual([
      '/',
      '/a%20b.txt',
      '/docs/',
      '/docs/index.html',
      '/index.html',
      '/x/@1.js',
    ]);
  });
  test('the origin path is taken off and keys outside it skipped', () => {
    expect(invalidationPaths(['site/app.js', 'other/x.js'], '/site')).toEqual(['/app.js']);
  });
  test('over the maximum, one /*', () => {
    expect(invalidationPaths(['a', 'b', 'c'], '', 2)).toEqual(['/*']);
    expect(invalidationPaths([], '')).toEqual([]);
  });
});

describe('normalizePrefix', () => {
  test.each([
    ['', ''],
    ['/', ''],
    ['web', 'web/'],
    ['/sites/web/', 'sites/web/'],
  ])('%j → %j', (input, expected) => expect(normalizePrefix(input)).toBe(expected));
  test.each(['a/../b', 'a//b', './a'])('%j is refused', (input) =>
    expect(() => normalizePrefix(input)).toThrow(/prefix/),
  );
});

describe('mapConcurrent', () => {
  test('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
  test('re-throws the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrent([1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});
