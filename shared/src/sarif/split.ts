/**
 * Splitting a SARIF log into uploads that code scanning accepts. Its documented limits
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#file-size-and-result-limits):
 * at most 20 runs per file, 25,000 results per run (results past it are dropped silently), and 10 MB of
 * gzip-compressed SARIF per upload; and one run per tool and category in one upload.
 *
 * A run over the result limit becomes several runs of at most `maxResultsPerRun` results, in a stable
 * order (severity-independent: rule, file, line), the first keeping the run's category and the next ones
 * `<category>part-2/` …, so each has its own category and code scanning tracks each part across commits.
 * Runs are then packed into files of at most `maxRunsPerFile` runs; a file whose gzip size is over
 * `maxGzipBytes` is split again (by runs, then by halving a run's results).
 */
import { gzipSync } from 'node:zlib';
import { resultUri } from './merge.ts';
import type { Log, Result, Run } from './types.ts';
import { SARIF_SCHEMA } from './types.ts';

/** Code scanning's upload limits. */

/** Code-unit order (not locale order: stable across machines and ~50× faster than localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface UploadLimits {
  maxRunsPerFile: number;
  maxResultsPerRun: number;
  /** Bytes of gzip-compressed JSON. */
  maxGzipBytes: number;
}

/** GitHub code scanning's documented limits: 20 runs, 25,000 results per run, 10 MB gzipped. */
export const CODE_SCANNING_LIMITS: UploadLimits = {
  maxRunsPerFile: 20,
  maxResultsPerRun: 25_000,
  maxGzipBytes: 10 * 1024 * 1024,
};

function compareResults(a: Result, b: Result): number {
  return (
    compareText(a.ruleId ?? '', b.ruleId ?? '') ||
    compareText(resultUri(a) ?? '', resultUri(b) ?? '') ||
    (a.locations?.[0]?.physicalLocation?.region?.startLine ?? 0) -
      (b.locations?.[0]?.physicalLocation?.region?.startLine ?? 0)
  );
}

function partRun(run: Run, results: Result[], part: number): Run {
  const base = run.automationDetails?.id ?? `${run.tool.driver.name}/`;
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const id = part === 1 ? base : `${prefix}part-${part}/`;
  return { ...run, automationDetails: { ...run.automationDetails, id }, results };
}

/**
 * Splits one run into parts of at most `maxResults` results (stable order, see the module doc).
 * @returns the run itself when it is within the limit
 */
export function splitRun(run: Run, maxResults: number): Run[] {
  const results = run.results ?? [];
  if (results.length <= maxResults) return [run];
  const sorted = [...results].sort(compareResults);
  const parts: Run[] = [];
  for (let start = 0, part = 1; start < sorted.length; start += maxResults, part++)
    parts.push(partRun(run, sorted.slice(start, start + maxResults), part));
  return parts;
}

function logOf(runs: Run[]): Log {
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}

/** The gzip-compressed JSON of a log (what an upload sends before base64). */
export function gzipLog(log: Log): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(log)));
}

/** One upload: the log and its gzip-compressed JSON. */
export interface SarifUpload {
  log: Log;
  gzip: Buffer;
}

function fit(runs: Run[], limits: UploadLimits, out: SarifUpload[]): void {
  const log = logOf(runs);
  const gzip = gzipLog(log);
  if (gzip.length <= limits.maxGzipBytes) {
    out.push({ log, gzip });
    return;
  }
  if (runs.length > 1) {
    const half = Math.ceil(runs.length / 2);
    fit(runs.slice(0, half), limits, out);
    fit(runs.slice(half), limits, out);
    return;
  }
  const run = runs[0];
  const results = run?.results ?? [];
  if (run === undefined || results.length <= 1)
    throw new Error(
      `A single SARIF result of ${run?.tool.driver.name ?? 'a tool'} is over ${limits.maxGzipBytes} bytes gzipped; it cannot be uploaded`,
    );
  // Halve this (already split) run: the parts keep distinct categories.
  for (const part of splitRun(run, Math.ceil(results.length / 2))) fit([part], limits, out);
}

/**
 * Splits a merged log into uploads within `limits` (see the module doc).
 * @param log a log with one run per tool and category (from `mergeLogs`)
 * @returns one or more uploads; an empty log gives one upload with no runs
 * @throws Error when one result alone is over the gzip limit
 */
export function splitForUpload(log: Log, limits: UploadLimits = CODE_SCANNING_LIMITS): SarifUpload[] {
  const runs = log.runs.flatMap((run) => splitRun(run, limits.maxResultsPerRun));
  if (runs.length === 0) return [{ log: logOf([]), gzip: gzipLog(logOf([])) }];
  const uploads: SarifUpload[] = [];
  for (let start = 0; start < runs.length; start += limits.maxRunsPerFile)
    fit(runs.slice(start, start + limits.maxRunsPerFile), limits, uploads);
  return uploads;
}
