/**
 * Making text from the cluster (names, event and status messages, container logs) inert before it is
 * printed: a runner workflow command (`::error::`, `::set-output`) only starts at the beginning of a line,
 * so text that may hold line breaks is folded onto one line.
 */

/**
 * Folds `text` onto one line: CR, LF and other line separators become ` ⏎ `; other control characters
 * are dropped.
 */
export function inert(text: string): string {
  return (
    text
      .replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ⏎ ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/**
 * Container log lines for printing: each line folded by {@link inert} and behind a `| ` prefix, so no line
 * starts a workflow command; the last `max` lines, each cut to 300 characters.
 */
export function inertLogLines(text: string, max: number): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-max)
    .map((line) => `| ${inert(line).slice(0, 300)}`);
}
