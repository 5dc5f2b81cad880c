/**
 * Runs whose tool says it did not complete. SARIF records how an analysis went in `run.invocations`
 * (§3.20): `executionSuccessful: false` (§3.20.14), or notifications at level `error` in
 * `toolExecutionNotifications` (§3.20.21: e.g. semgrep's "Rule parse error", CodeQL's extraction errors)
 * or `toolConfigurationNotifications` (§3.20.22). A run like that may hold no results and still not be a
 * clean scan.
 */
import type { Log } from './types.ts';

/** A run that did not complete, with the tool's own words. */
export interface FailedRun {
  tool: string;
  /** The error notifications' messages, joined with `; ` (ANSI escapes removed, one line, ≤ 500 characters). */
  message: string;
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

function oneLine(text: string): string {
  const plain = text.replace(ANSI_ESCAPE, '').replace(/\s+/g, ' ').trim();
  return plain.length > 500 ? `${plain.slice(0, 499)}…` : plain;
}

/**
 * Lists the runs whose invocation failed (see the module doc).
 * @returns one entry per failed run, in log order
 */
export function failedRuns(log: Log): FailedRun[] {
  const failed: FailedRun[] = [];
  for (const run of log.runs) {
    const messages: string[] = [];
    let unsuccessful = false;
    for (const invocation of run.invocations ?? []) {
      if (invocation.executionSuccessful === false) unsuccessful = true;
      for (const notification of [
        ...(invocation.toolExecutionNotifications ?? []),
        ...(invocation.toolConfigurationNotifications ?? []),
      ]) {
        if (notification.level !== 'error') continue;
        unsuccessful = true;
        const text = oneLine(notification.message.text ?? notification.message.markdown ?? '');
        const id = notification.descriptor?.id;
        messages.push(id !== undefined && !text.startsWith(id) ? `${id}: ${text}` : text || (id ?? 'error'));
      }
    }
    if (unsuccessful)
      failed.push({
        tool: run.tool.driver.name,
        message: messages.length > 0 ? messages.join('; ') : 'the tool reports executionSuccessful: false',
      });
  }
  return failed;
}
