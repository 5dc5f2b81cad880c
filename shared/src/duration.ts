/**
 * Durations written the way workflow authors write them: `500ms`, `90s`, `10m`, `1h`, `1h30m`, `2d`.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * Parses a duration into milliseconds.
 * @param text e.g. `90s`, `10m`, `1h30m`, `250ms` (units: ms, s, m, h, d; parts may repeat in any order)
 * @returns milliseconds, rounded to an integer; undefined when `text` is not a duration (a bare number has
 *   no unit and is not accepted: `300` could mean seconds or milliseconds)
 */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase();
  if (!WHOLE.test(compact)) return undefined;
  let total = 0;
  for (const match of compact.matchAll(PART))
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/**
 * Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`, `1h02m`.
 * @param ms a non-negative duration in milliseconds
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600)
    return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}
