/**
 * lighthouse-gate inputs: the URLs, the score each category must reach, how to run Lighthouse and
 * Chromium, where the reports go, and whether a miss fails the step or only warns.
 */
import path from 'node:path';
import { InputError } from '../../../shared/src/errors.ts';
import {
  containPath,
  getDuration,
  getEnum,
  getList,
  getMap,
  getPath,
  getString,
  rawInput,
} from '../../../shared/src/inputs.ts';

/** Lighthouse's categories (https://github.com/GoogleChrome/lighthouse/blob/main/docs/understanding-results.md). */
export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Inputs {
  urls: string[];
  /** category → minimum score, 0 to 100 */
  thresholds: Map<Category, number>;
  'form-factor': 'mobile' | 'desktop';
  /** `error` fails the step when a score is below its threshold; `warning` only annotates. */
  level: 'error' | 'warning';
  /** Absolute path inside the workspace where reports are written. */
  'report-dir': string;
  /** Chromium/Chrome executable ('' = find it). */
  'chrome-path': string;
  /** Lighthouse package folder or CLI path given by the user ('' = find it). */
  'lighthouse-path': string;
  /** milliseconds, for each URL */
  timeout: number;
}

/**
 * Parses `thresholds`: `category=score` lines (0–100); categories not named are not audited.
 * @throws InputError for an unknown category or a score outside 0–100
 */
export function parseThresholds(map: Map<string, string>): Map<Category, number> {
  const example = 'performance=80';
  const thresholds = new Map<Category, number>();
  for (const [key, value] of map) {
    if (!(CATEGORIES as readonly string[]).includes(key))
      throw new InputError(
        'thresholds',
        `"${key}" is not a Lighthouse category (${CATEGORIES.join(', ')})`,
        example,
      );
    if (!/^\d{1,3}$/.test(value) || Number(value) > 100)
      throw new InputError('thresholds', `${key}: "${value}" is not a score from 0 to 100`, example);
    thresholds.set(key as Category, Number(value));
  }
  return thresholds;
}

/**
 * Reads and validates every lighthouse-gate input.
 * @throws InputError for the first bad input, before Chromium starts
 */
export function getInputs(): Inputs {
  const urls = getList('urls', {
    required: true,
    separator: 'newline',
    example: 'https://staging.example.com/',
  });
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      throw new InputError('urls', `"${url}" is not an absolute http(s) URL`, 'https://staging.example.com/');
  }
  if (urls.length > 20)
    throw new InputError('urls', `${urls.length} URLs: at most 20 per step`, 'https://staging.example.com/');
  const thresholds = parseThresholds(
    rawInput('thresholds') === '' ? new Map([['performance', '80']]) : getMap('thresholds'),
  );
  if (thresholds.size === 0) throw new InputError('thresholds', 'no category given', 'performance=80');
  const lighthouse = getString('lighthouse-path');
  const chrome = getString('chrome-path');
  return {
    urls,
    thresholds,
    'form-factor': getEnum('form-factor', ['mobile', 'desktop'] as const, { default: 'mobile' }),
    level: getEnum('level', ['error', 'warning'] as const, { default: 'error' }),
    'report-dir': getPath('report-dir', {
      default: 'lighthouse-reports',
      kind: 'output',
      example: 'lighthouse-reports',
    }),
    'chrome-path': chrome === '' ? '' : path.resolve(chrome),
    'lighthouse-path':
      lighthouse === ''
        ? ''
        : containPath('lighthouse-path', lighthouse, { example: 'node_modules/lighthouse' }),
    timeout: getDuration('timeout', { default: '3m', min: 10_000, max: 15 * 60_000 }) ?? 180_000,
  };
}
