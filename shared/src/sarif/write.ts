/**
 * Writing a SARIF log to a file without building its whole JSON text in memory: the log is serialised
 * run by run and result by result (a 100,000-result log is ~40 MB of JSON; this keeps ~1 MB in flight).
 * The output is the same JSON value as `JSON.stringify(log)` (a run's `results` are written last).
 */
import { open } from 'node:fs/promises';
import type { Log } from './types.ts';

const FLUSH_AT = 1 << 20;

/**
 * Writes `log` as compact JSON to `file` (created or truncated).
 * @throws the file system's error when the file cannot be written
 */
export async function writeSarifFile(file: string, log: Log): Promise<void> {
  const handle = await open(file, 'w');
  let buffer = '';
  const push = async (text: string): Promise<void> => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      await handle.write(buffer);
      buffer = '';
    }
  };
  try {
    const { runs, ...head } = log;
    const headJson = JSON.stringify(head);
    await push(`${headJson.slice(0, -1)}${headJson.length > 2 ? ',' : ''}"runs":[`);
    for (const [runIndex, run] of runs.entries()) {
      const { results, ...rest } = run;
      const restJson = JSON.stringify(rest);
      if (results === undefined) {
        await push(`${runIndex > 0 ? ',' : ''}${restJson}`);
        continue;
      }
      await push(
        `${runIndex > 0 ? ',' : ''}${restJson.slice(0, -1)}${restJson.length > 2 ? ',' : ''}"results":[`,
      );
      for (let i = 0; i < results.length; i++) await push(`${i > 0 ? ',' : ''}${JSON.stringify(results[i])}`);
      await push(']}');
    }
    await push(']}');
    await handle.write(buffer);
  } finally {
    await handle.close();
  }
}
