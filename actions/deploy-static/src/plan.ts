/**
 * The release plan: which files to upload (new or changed), which objects to delete, which are already
 * there; in which order (assets, then HTML pages, then deletes), and which CloudFront paths to
 * invalidate. Pure apart from the `compare` callback that reads files.
 */
import { isHtml } from './content.ts';
import type { LocalFile } from './files.ts';
import { mapConcurrent } from './concurrency.ts';

/** An object already in the bucket, from ListObjectsV2. */
export interface RemoteObject {
  etag: string;
  /** bytes */
  size: number;
}

export interface PlannedUpload extends LocalFile {
  key: string;
  reason: 'new' | 'changed';
}

export interface Plan {
  /** Files to upload: every non-HTML file first, then the HTML pages (see {@link uploadPhases}). */
  uploads: PlannedUpload[];
  /** Keys to delete (only with `delete: true`): objects under the prefix that the build no longer has. */
  deletes: string[];
  /** Keys whose object already has the file's content. */
  unchanged: string[];
}

/**
 * Compares the build with the bucket.
 * @param files the build's files
 * @param remote key → object, for the objects under the prefix (reserved and excluded keys left out)
 * @param options.prefix key prefix ('' or ending in `/`)
 * @param options.deleteStale whether objects not in the build are deleted
 * @param options.compare resolves true when `file` has the content of `object` (by ETag)
 * @param options.concurrency how many comparisons run at once
 */
export async function planRelease(
  files: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  options: {
    prefix: string;
    deleteStale: boolean;
    compare: (file: LocalFile, object: RemoteObject) => Promise<boolean>;
    concurrency: number;
  },
): Promise<Plan> {
  const decided = await mapConcurrent(files, options.concurrency, async (file) => {
    const key = options.prefix + file.relative;
    const object = remote.get(key);
    if (object === undefined) return { key, file, state: 'new' as const };
    return {
      key,
      file,
      state: (await options.compare(file, object)) ? ('same' as const) : ('changed' as const),
    };
  });
  const uploads: PlannedUpload[] = [];
  const unchanged: string[] = [];
  for (const { key, file, state } of decided) {
    if (state === 'same') unchanged.push(key);
    else uploads.push({ ...file, key, reason: state });
  }
  const local = new Set(decided.map((entry) => entry.key));
  const deletes = options.deleteStale ? [...remote.keys()].filter((key) => !local.has(key)).sort() : [];
  const [assets, pages] = uploadPhases(uploads);
  return { uploads: [...assets, ...pages], deletes, unchanged };
}

/**
 * Splits uploads into the two phases: assets (everything but HTML) and pages (HTML). All assets are
 * uploaded before the first page, so a page never references an asset that is not there yet.
 */
export function uploadPhases<T extends { key: string }>(uploads: readonly T[]): [T[], T[]] {
  return [uploads.filter((u) => !isHtml(u.key)), uploads.filter((u) => isHtml(u.key))];
}

/**
 * CloudFront paths to invalidate for changed keys: `/` + the key without the distribution's origin path;
 * an `index.html` also invalidates its folder URL (`/docs/index.html` → `/docs/`, `/index.html` → `/`).
 * Over `max` paths, a single `/*` (one path for CloudFront's pricing, and under its limit of 3000 paths
 * per invalidation: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
 * @param keys changed keys (uploaded or deleted)
 * @param originPath the origin's OriginPath ('' or `/site`): keys outside it are not served and skipped
 * @returns sorted paths, each URL-encoded as CloudFront expects (spaces → %20), or `['/*']`
 */
export function invalidationPaths(keys: readonly string[], originPath = '', max = 1000): string[] {
  const base = originPath.replace(/^\/+|\/+$/g, '');
  const paths = new Set<string>();
  for (const key of keys) {
    let served = key;
    if (base !== '') {
      if (!key.startsWith(`${base}/`)) continue;
      served = key.slice(base.length + 1);
    }
    const encoded =
      '/' +
      served
        .split('/')
        .map((part) => encodeURIComponent(part).replace(/%40/g, '@'))
        .join('/');
    paths.add(encoded);
    if (/(^|\/)index\.html$/.test(served)) paths.add(encoded.replace(/index\.html$/, ''));
  }
  if (paths.size > max) return ['/*'];
  return [...paths].sort();
}
