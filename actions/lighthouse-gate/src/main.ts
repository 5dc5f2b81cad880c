/**
 * lighthouse-gate: audit each URL with Lighthouse in headless Chromium, compare the category scores with
 * the thresholds, write the scores to the summary and outputs and the HTML reports to `report-dir`, and
 * fail (or warn, with `level: warning`) when a score is below its threshold.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { formatDuration } from '../../../shared/src/duration.ts';
import { oneLine } from '../../../shared/src/output.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { getInputs, type Category } from './inputs.ts';
import { audit, findChrome, findLighthouse, misses, reportName, type AuditResult } from './lighthouse.ts';

/** lighthouse-gate outputs. */
export interface Outputs {
  passed: boolean;
  /** JSON: `[{url, scores: {performance: 93, …}, report, passed, misses}]` */
  scores: string;
  /** The lowest performance score over the URLs ('' when performance is not audited or not scored). */
  performance: string;
  /** Newline-separated HTML report paths. */
  'report-paths': string;
  'report-dir': string;
}

/** Sets every output in one place. */
export function writeOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, typeof value === 'boolean' ? String(value) : value);
}

/** Runs the gate; throws (after outputs and summary) when a threshold is missed and `level` is `error`. */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = getInputs();
  const started = Date.now();
  const chrome = findChrome(inputs['chrome-path']);
  const lighthouse = await findLighthouse(inputs['lighthouse-path'], logger);
  logger.info(`Lighthouse ${lighthouse.version} (${lighthouse.origin}), Chromium ${chrome}`);
  const categories = [...inputs.thresholds.keys()];
  const results: (AuditResult & { misses: string[] })[] = [];
  for (const [index, url] of inputs.urls.entries()) {
    const result = await logger.group(`Auditing ${oneLine(url)}`, async () => {
      const found = await audit(lighthouse, chrome, url, {
        categories,
        formFactor: inputs['form-factor'],
        reportDir: inputs['report-dir'],
        name: reportName(url, index),
        timeoutMs: inputs.timeout,
      });
      const scores = categories.map((category) => `${category} ${found.scores[category] ?? '—'}`).join(', ');
      logger.info(`${scores}${found.error ? `; ${oneLine(found.error)}` : ''}`);
      return { ...found, misses: misses(found, inputs.thresholds) };
    });
    results.push(result);
  }
  const failed = results.filter((result) => result.misses.length > 0);
  const performance = results.map((result) => result.scores.performance);
  writeOutputs({
    passed: failed.length === 0,
    scores: JSON.stringify(
      results.map((result) => ({
        url: result.url,
        scores: result.scores,
        report: result.report,
        passed: result.misses.length === 0,
        misses: result.misses,
      })),
    ),
    performance:
      performance.every((score) => score !== undefined) && performance.length > 0
        ? String(Math.min(...(performance as number[])))
        : '',
    'report-paths': results.map((result) => result.report).join('\n'),
    'report-dir': inputs['report-dir'],
  });
  await writeSummaryTable(
    'Lighthouse',
    [
      'URL',
      ...categories.map((category) => `${category} (≥ ${inputs.thresholds.get(category)})`),
      'Result',
      'Report',
    ],
    results.map((result) => [
      result.url,
      ...categories.map((category: Category) => String(result.scores[category] ?? '—')),
      result.misses.length === 0 ? '✅ passed' : `❌ ${result.misses.join('; ')}`,
      path.relative(process.env['GITHUB_WORKSPACE'] || process.cwd(), result.report),
    ]),
    `Lighthouse ${lighthouse.version}, ${inputs['form-factor']}, ${results.length} URL(s) in ${formatDuration(Date.now() - started)}.`,
  );
  if (failed.length === 0) {
    logger.info(`All ${results.length} URL(s) meet the thresholds.`);
    return;
  }
  const message = `Lighthouse thresholds missed: ${failed.map((result) => `${oneLine(result.url)} (${result.misses.join('; ')})`).join(', ')}`;
  if (inputs.level === 'warning') logger.warning(message);
  else throw new Error(message);
}
