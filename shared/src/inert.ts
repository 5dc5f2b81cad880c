/**
 * Makes text from outside (a file name, an object key, a remote answer) safe to print in a runner log:
 * the runner reads a workflow command (`::error::`, `::add-mask::`, …) at the start of any line, so a
 * newline inside printed text could start one. Control characters are shown as escapes instead.
 */

/**
 * @param text any text
 * @returns `text` with CR, LF and the other C0/C1 control characters written as `\n`, `\r` or `\u{..}`,
 *   so the result is one line that cannot start a workflow command
 *   (https://docs.github.com/actions/reference/workflow-commands-for-github-actions)
 */
export function inert(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    return `\\u{${char.charCodeAt(0).toString(16)}}`;
  });
}
