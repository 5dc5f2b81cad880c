import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  cacheControl,
  contentEncoding,
  contentType,
  isFingerprinted,
  IMMUTABLE,
} from '../../../actions/deploy-static/src/content.ts';
import { parseCacheRules } from '../../../actions/deploy-static/src/inputs.ts';

describe('contentType', () => {
  test.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a/B.CSS', 'text/css; charset=utf-8'],
    ['app.mjs', 'text/javascript; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['logo.png', 'image/png'],
    ['font.woff2', 'font/woff2'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['module.wasm', 'application/wasm'],
    ['LICENSE', 'application/octet-stream'],
    ['data.unknownext', 'application/octet-stream'],
  ])('%s → %s', (key, type) => expect(contentType(key)).toBe(type));
});

describe('contentEncoding', () => {
  const gz = gzipSync(Buffer.from('x'));
  test('gzip data in a .js file is served with Content-Encoding: gzip', () =>
    expect(contentEncoding('app.js', gz)).toBe('gzip'));
  test('a .gz archive is content, not an encoding', () =>
    expect(contentEncoding('backup.gz', gz)).toBeUndefined());
  test('plain text has none', () => expect(contentEncoding('app.js', Buffer.from('co'))).toBeUndefined());
  test('an empty file has none', () => expect(contentEncoding('app.js', Buffer.alloc(0))).toBeUndefined());
});

describe('isFingerprinted', () => {
  test.each([
    ['assets/index-DiwrgTda.js', true],
    ['static/js/main.3f2a1b9c.js', true],
    ['chunk-5QZ3M2AB.css', true],
    ['polyfills.js', false],
    ['bootstrap-theme.css', false],
    ['app.js', false],
    ['v1-12.js', false],
  ])('%s → %s', (file, expected) => expect(isFingerprinted(file)).toBe(expected));
});

describe('cacheControl', () => {
  test('defaults: HTML revalidated, fingerprinted immutable, the rest revalidated', () => {
    expect(cacheControl('index.html', [])).toBe('no-cache');
    expect(cacheControl('docs/a.htm', [])).toBe('no-cache');
    expect(cacheControl('assets/app-3f2a1b9c.js', [])).toBe(IMMUTABLE);
    expect(cacheControl('favicon.ico', [])).toBe('no-cache');
  });
  test('the first matching rule wins; a glob without / matches the base name; none sends nothing', () => {
    const rules = parseCacheRules(
      [
        '# comment',
        'assets/**: public, max-age=600',
        '*.png: public, max-age=86400',
        'robots.txt: none',
      ].join('\n'),
    );
    expect(cacheControl('assets/app-3f2a1b9c.js', rules)).toBe('public, max-age=600');
    expect(cacheControl('assets/logo.png', rules)).toBe('public, max-age=600');
    expect(cacheControl('img/deep/logo.png', rules)).toBe('public, max-age=86400');
    expect(cacheControl('robots.txt', rules)).toBeUndefined();
    expect(cacheControl('index.html', rules)).toBe('no-cache');
  });
  test('quoted rules are unquoted', () =>
    expect(parseCacheRules('"**/*.html": "no-store"')).toEqual([{ glob: '**/*.html', value: 'no-store' }]));
});
