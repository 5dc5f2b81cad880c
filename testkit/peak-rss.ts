/**
 * A preload that records a Node process's peak resident set size when it exits, for memory tests and
 * benchmarks: `NODE_OPTIONS=--import <this file>` with `GANTRY_PEAK_RSS_FILE=<file>`; at exit the file
 * gets `process.resourceUsage().maxRSS` (kilobytes, getrusage's ru_maxrss) as one line.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = process.env['GANTRY_PEAK_RSS_FILE'];
if (file !== undefined && file !== '') {
  process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
}

/** The absolute path of this preload, for `--import`. */
export const peakRssPreload: string = fileURLToPath(import.meta.url);

/**
 * Environment variables that make a child Node process record its peak RSS in `file`.
 * @param existing the child's NODE_OPTIONS so far, kept after the preload
 */
export function peakRssEnv(file: string, existing = ''): Record<string, string> {
  return { NODE_OPTIONS: `--import ${peakRssPreload} ${existing}`.trim(), GANTRY_PEAK_RSS_FILE: file };
}

/**
 * The peak RSS the process recorded, in megabytes (MiB).
 * @throws Error when nothing was recorded (the process did not exit normally)
 */
export function readPeakRssMb(file: string): number {
  if (!existsSync(file)) throw new Error(`no peak RSS recorded in ${file}`);
  const kilobytes = Number(readFileSync(file, 'utf8').trim().split('\n').at(-1));
  return kilobytes / 1024;
}
