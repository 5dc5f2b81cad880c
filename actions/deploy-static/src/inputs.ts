/**
 * deploy-static inputs: where the build is, where it goes (bucket, prefix, distribution), how it is
 * cached, and what the run may do (delete, invalidate, wait, dry-run, rollback).
 */
import { InputError } from '../../../shared/src/errors.ts';
import {
  containPath,
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getList,
  getString,
  rawInput,
} from '../../../shared/src/inputs.ts';
import type { CacheRule } from './content.ts';

export const INVALIDATE = ['changed', 'all', 'none'] as const;

export interface Inputs {
  /** Absolute path of the build folder, inside GITHUB_WORKSPACE ('' with `rollback`). */
  source: string;
  bucket: string;
  /** Key prefix: '' or ending in `/`, never starting with `/`. */
  prefix: string;
  'distribution-id': string;
  delete: boolean;
  'cache-control': CacheRule[];
  exclude: string[];
  invalidate: (typeof INVALIDATE)[number];
  wait: boolean;
  /** milliseconds */
  timeout: number;
  'dry-run': boolean;
  rollback: boolean;
  concurrency: number;
  'aws-region': string;
}

/** S3 bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** C0 control characters and DEL: never valid in a key prefix or a header value. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** CloudFront distribution ids: upper-case letters and digits, e.g. E2QWRUHEXAMPLE. */
const DISTRIBUTION = /^[A-Z0-9]{8,20}$/;

/**
 * Normalises a key prefix: no leading `/`, one trailing `/` when not empty.
 * @throws InputError for `..` segments, empty segments or control characters
 */
export function normalizePrefix(value: string): string {
  const trimmed = value.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (
    CONTROL.test(trimmed) ||
    trimmed.split('/').some((part) => part === '' || part === '..' || part === '.')
  )
    throw new InputError(
      'prefix',
      `"${value}" is not a key prefix (no empty, "." or ".." parts)`,
      'sites/web',
    );
  return `${trimmed}/`;
}

/**
 * Parses `cache-control` rules: one per line, `GLOB: VALUE` (the first `: ` splits; `#` lines skipped).
 * Globs are matched against paths relative to `source`; the first match wins; `none` sends no header.
 * @throws InputError naming the line of a rule without `: ` or with an empty glob/value
 */
export function parseCacheRules(text: string): CacheRule[] {
  const example = '**/*.html: no-cache';
  const rules: CacheRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const split = line.indexOf(': ');
    const glob =
      split < 0
        ? ''
        : line
            .slice(0, split)
            .trim()
            .replace(/^["']|["']$/g, '');
    const value =
      split < 0
        ? ''
        : line
            .slice(split + 2)
            .trim()
            .replace(/^["']|["']$/g, '');
    if (glob === '' || value === '')
      throw new InputError('cache-control', `line ${index + 1} ("${line}") is not "GLOB: VALUE"`, example);
    if (CONTROL.test(value))
      throw new InputError('cache-control', `line ${index + 1}: the value has control characters`, example);
    rules.push({ glob, value });
  });
  return rules;
}

/**
 * Reads and validates every deploy-static input.
 * @throws InputError for the first bad input (before any network call)
 */
export function getInputs(): Inputs {
  const rollback = getBoolean('rollback', { default: false });
  const sourceValue = getString('source');
  if (sourceValue === '' && !rollback)
    throw new InputError('source', 'a value is required (the build folder)', 'dist');
  const bucket = getString('bucket', { required: true, example: 'www-example-com' });
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new InputError(
      'bucket',
      `"${bucket}" is not an S3 bucket name (no s3:// and no key)`,
      'www-example-com',
    );
  const distributionId = getString('distribution-id');
  if (distributionId !== '' && !DISTRIBUTION.test(distributionId))
    throw new InputError(
      'distribution-id',
      `"${distributionId}" is not a CloudFront distribution id`,
      'E2QWRUHEXAMPLE',
    );
  const invalidate = getEnum('invalidate', INVALIDATE, { default: 'changed' });
  const exclude = getList('exclude', { separator: 'newline' });
  return {
    source: sourceValue === '' ? '' : containPath('source', sourceValue, { example: 'dist' }),
    bucket,
    prefix: normalizePrefix(rawInput('prefix')),
    'distribution-id': distributionId,
    delete: getBoolean('delete', { default: false }),
    'cache-control': parseCacheRules(rawInput('cache-control')),
    exclude,
    invalidate,
    wait: getBoolean('wait', { default: true }),
    timeout: getDuration('timeout', { default: '10m', min: 1_000, max: 60 * 60_000 }) ?? 600_000,
    'dry-run': getBoolean('dry-run', { default: false }),
    rollback,
    concurrency: getInteger('concurrency', { default: 16, min: 1, max: 64 }) ?? 16,
    'aws-region': getString('aws-region'),
  };
}
