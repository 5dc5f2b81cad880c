/**
 * What each uploaded file is served as: its `Content-Type` (from the extension), its `Content-Encoding`
 * (a file already compressed with gzip, found by its magic bytes) and its `Cache-Control` (the first
 * matching rule of the `cache-control` input, then the defaults).
 */
import path from 'node:path';

/**
 * Media types by extension, as IANA registers them (https://www.iana.org/assignments/media-types/) and
 * as Python's `mimetypes` (what `aws s3 sync` uses) answers for the same extensions; JavaScript is
 * `text/javascript` (RFC 9239). Text types get `charset=utf-8`, which build tools emit.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/vnd.microsoft.icon',
  '.bmp': 'image/bmp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

const TEXT = /^(text\/|application\/(json|xml|manifest\+json)$|image\/svg\+xml$)/;

/**
 * The `Content-Type` for a file name.
 * @param key a file name or object key (only its extension counts, case-insensitively)
 * @returns e.g. `text/html; charset=utf-8`, `image/png`, or `application/octet-stream` when unknown
 */
export function contentType(key: string): string {
  const type = TYPES[path.posix.extname(key).toLowerCase()];
  if (type === undefined) return 'application/octet-stream';
  return TEXT.test(type) ? `${type}; charset=utf-8` : type;
}

/** Types that are themselves compressed archives: gzip magic bytes there are the content, not an encoding. */
const ARCHIVES = new Set(['application/gzip', 'application/zip']);

/**
 * The `Content-Encoding` of a file: `gzip` when its first bytes are the gzip magic number (1f 8b,
 * RFC 1952 §2.3.1) and its type is not an archive, i.e. a build that pre-compressed `app.js` in place.
 * @param key the file name
 * @param head the first bytes of the file (at least 2 to detect anything)
 * @returns `gzip`, or undefined
 */
export function contentEncoding(key: string, head: Uint8Array): string | undefined {
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return undefined;
  return ARCHIVES.has(contentType(key)) ? undefined : 'gzip';
}

/** One `cache-control` rule: files whose path (relative to `source`) matches `glob` get `value`. */
export interface CacheRule {
  glob: string;
  value: string;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/**
 * True when a file name carries a content hash, as bundlers write them: `main.3f2a1b9c.js` (webpack),
 * `index-DiwrgTda.js` (Vite/Rollup), `chunk-5QZ3M2AB.js` (esbuild): a segment of 8 or more
 * `[A-Za-z0-9_]` characters after `.` or `-`, before the extension, that holds a digit, or both upper-
 * and lower-case letters (so `polyfills.js` or `bootstrap-theme.css` are not taken for hashed).
 * @param file a path relative to `source` (only the base name counts)
 */
export function isFingerprinted(file: string): boolean {
  const base = path.posix.basename(file);
  const match = /[.-]([A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$/.exec(base);
  const hash = match?.[1];
  if (hash === undefined) return false;
  return /\d/.test(hash) || (/[a-z]/.test(hash) && /[A-Z]/.test(hash));
}

/**
 * The `Cache-Control` for a file: the first of `rules` whose glob matches (Node's `path.matchesGlob`:
 * `*` within a segment, `**` across segments, `{a,b}`), else the defaults: HTML `no-cache` (revalidated
 * on every visit, so a new release shows at once), fingerprinted files `public, max-age=31536000,
 * immutable`, anything else `no-cache`. A rule with the value `none` sends no header.
 * @param file a path relative to `source`, with `/` separators
 * @returns the header value, or undefined for none
 */
export function cacheControl(file: string, rules: readonly CacheRule[]): string | undefined {
  for (const rule of rules) {
    if (matches(file, rule.glob)) return rule.value === 'none' ? undefined : rule.value;
  }
  if (isHtml(file)) return REVALIDATE;
  return isFingerprinted(file) ? IMMUTABLE : REVALIDATE;
}

/**
 * Glob match of a relative path; a glob without `/` also matches the base name anywhere (as
 * `.gitignore` does), so `*.html` covers `docs/a.html`.
 */
export function matches(file: string, glob: string): boolean {
  if (path.posix.matchesGlob(file, glob)) return true;
  return !glob.includes('/') && path.posix.matchesGlob(path.posix.basename(file), glob);
}

/** True for HTML pages (`.html`, `.htm`): uploaded last, so the assets they reference are there first. */
export function isHtml(file: string): boolean {
  return /\.html?$/i.test(file);
}
