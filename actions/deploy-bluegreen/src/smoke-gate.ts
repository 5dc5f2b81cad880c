/**
 * The smoke checks that decide whether production traffic may move: a GET of each `test-url` expecting
 * 2xx, through the shared smoke-check library (`shared/src/smoke.ts`, the smoke-test action's engine).
 */
import { formatDuration } from '../../../shared/src/duration.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { runSmokeChecks, simpleCheck, type SmokeResult } from '../../../shared/src/smoke.ts';

/** The verdict of one round of checks. */
export interface GateResult {
  passed: boolean;
  results: SmokeResult[];
  /** One line per check, for logs and the summary. */
  lines: string[];
}

/**
 * Runs the checks of `urls` until they pass or `timeoutMs` passes.
 * @param timeoutMs milliseconds for all checks together
 * @returns passed (true when there are no URLs), the results and a line per check
 */
export async function smokeGate(urls: string[], timeoutMs: number, logger: Logger): Promise<GateResult> {
  if (urls.length === 0) return { passed: true, results: [], lines: ['no test-url given: no smoke checks'] };
  const results = await runSmokeChecks(urls.map(simpleCheck), { timeoutMs, logger });
  const lines = results.map(
    (result) =>
      `${result.passed ? 'passed' : 'FAILED'} ${result.url}` +
      (result.status === undefined ? '' : ` → ${result.status}`) +
      (result.latencyMs === undefined ? '' : ` in ${formatDuration(result.latencyMs)}`) +
      ` (${result.attempts} attempt${result.attempts === 1 ? '' : 's'})` +
      (result.reason === undefined ? '' : `: ${result.reason}`),
  );
  for (const line of lines) logger.info(`smoke check ${line}`);
  return { passed: results.every((result) => result.passed), results, lines };
}
