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

/** The longest delay a Node timer can hold: 2^31-1 ms (≈ 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The longest a GitHub-hosted job runs: 6 hours (GitHub Actions usage limits), in milliseconds. */
export const HOSTED_JOB_MS = 6 * 3_600_000;
/** The longest a self-hosted job runs: 5 days (GitHub Actions usage limits), in milliseconds. */
export const SELF_HOSTED_JOB_MS = 5 * 86_400_000;
/** The default upper bound of every duration input: the self-hosted job limit (below {@link MAX_TIMER_MS}). */
export const MAX_DURATION_MS = SELF_HOSTED_JOB_MS;

/**
 * Formats milliseconds the way a duration input is written, exactly: `5d`, `6h`, `1h30m`, `90s`, `250ms`.
 * @param ms a non-negative whole number of milliseconds
 */
export function formatDurationInput(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/**
 * `setTimeout` for any delay: a delay beyond {@link MAX_TIMER_MS} is waited in steps, so it neither fires
 * at once nor prints a TimeoutOverflowWarning.
 * @param callback called once `delayMs` milliseconds have passed
 * @returns a function that cancels the timer
 */
export function setLongTimeout(callback: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const end = Date.now() + Math.max(0, delayMs);
  const arm = (): void => {
    const left = end - Date.now();
    timer = setTimeout(
      () => {
        if (cancelled) return;
        if (end - Date.now() > 0) arm();
        else callback();
      },
      Math.min(Math.max(0, left), MAX_TIMER_MS),
    );
  };
  arm();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
