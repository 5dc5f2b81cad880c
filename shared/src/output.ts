/**
 * Inert output: the one place that makes text from outside (a user's input, a file, a remote answer, an
 * error message) safe to print on a GitHub runner.
 *
 * The runner reads every stdout line as a possible workflow command: a line that starts with `::` after
 * leading whitespace (`::warning::x`, `::add-mask::…`, `::stop-commands::…`; actions/runner
 * `ActionCommand.TryParseV2` trims leading space first) and, in the older syntax, any line containing
 * `##[command]` (`ActionCommand.TryParse`). So a newline in user text followed by `::` is an injected
 * command. {@link inertLog} neutralises such lines in plain log text (the `info` path of the logger); command
 * values go through {@link escapeCommandData} / {@link escapeCommandProperty}, the escaping @actions/core
 * applies (`%` → `%25`, CR → `%0D`, LF → `%0A`; properties also `:` → `%3A`, `,` → `%2C`;
 * https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts). Values quoted inside a
 * one-line message go through {@link quote}, which also caps their length.
 */

/** Zero-width space: breaks a `::` or `##[` without changing what a reader sees. */
const BREAK = '\u200b';

/** How many characters of a value {@link quote} shows by default. */
export const QUOTE_LIMIT = 200;

/**
 * Makes plain log text inert: no line of it can be read by the runner as a workflow command.
 * Line breaks are kept (a multi-line message still reads as several lines); CR and CRLF become LF (a lone
 * CR would otherwise end a line for the runner), a line whose first non-blank characters are `::` gets a
 * zero-width space between the colons, and every `##[` (the older command syntax, matched anywhere in a
 * line) gets one after `##`.
 * @param text any text, e.g. a linter's output or an error message from a remote API
 * @returns the same text, visually unchanged apart from line endings, that starts no command
 */
export function inertLog(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/^(\s*):(?=:)/gm, `$1:${BREAK}`)
    .replace(/##\[/g, `##${BREAK}[`);
}

/**
 * Escapes a workflow command's data as @actions/core does (`toCommandValue` + `escapeData`).
 * @param value any value: strings as is, undefined/null as '', anything else as JSON
 * @returns text with `%`, CR and LF percent-encoded, safe after `::name::`
 */
export function escapeCommandData(value: unknown): string {
  return commandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Escapes a workflow command's property value as @actions/core does (`escapeProperty`).
 * @returns text with `%`, CR, LF, `:` and `,` percent-encoded, safe inside `::name key=…::`
 */
export function escapeCommandProperty(value: unknown): string {
  return escapeCommandData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function commandValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * Shows a control character as an escape a reader can see: `\n`, `\r`, `\t`, else `\u00XX`.
 */
function visible(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** C0 controls, DEL, C1 controls and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Shows a value on one line: every control character (newlines, escape sequences, NUL …) written as a
 * visible escape (`\n`, `\u001b`), so quoted text can neither break the line nor colour the log.
 * @returns the value with no control character left
 */
export function oneLine(value: string): string {
  return value.replace(CONTROL, visible);
}

/**
 * Quotes a value for a message: in double quotes, on one line ({@link oneLine}), at most `limit`
 * characters of it, followed by `… (N more characters)` when it was longer.
 * @param value the text to quote, e.g. a bad input value
 * @param limit how many characters to show (default {@link QUOTE_LIMIT}, 200)
 * @returns e.g. `"10 minutes"` or `"xxxx…" (102200 more characters)`
 */
export function quote(value: string, limit = QUOTE_LIMIT): string {
  if (value.length <= limit) return `"${oneLine(value)}"`;
  return `"${oneLine(value.slice(0, limit))}…" (${value.length - limit} more characters)`;
}

/**
 * Caps a long text (e.g. a remote error body) for a message: on one line, at most `limit` characters,
 * then `… (N more characters)`. Unlike {@link quote} it adds no quotes.
 */
export function truncate(value: string, limit = QUOTE_LIMIT): string {
  if (value.length <= limit) return oneLine(value);
  return `${oneLine(value.slice(0, limit))}… (${value.length - limit} more characters)`;
}

/** Every value registered as a secret in this process, and its escaped forms, longest first. */
const masks: string[] = [];

/**
 * The forms a secret takes in text Gantry writes: as is, JSON-escaped (inside a JSON output such as
 * smoke-test's `results`, `"` → `\"`, a newline → `\n`) and HTML-escaped (inside a summary table cell,
 * `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`, `"` → `&quot;`, as `summary.ts` `escapeHtml` writes it).
 */
function maskForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const html = (text: string): string =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [value, json, html(value), html(json)];
}

/**
 * Records a secret value in this process's mask list, so text that goes where the runner does not mask —
 * the job summary, outputs, files — can be redacted with {@link redact}. The logger's `mask` and the
 * `@actions/core` wrapper's `setSecret` (`core.ts`) call this as well as registering the value with the
 * runner (`::add-mask::`). Multi-line and JSON secrets are split into their lines and leaves by
 * `secrets.ts` `maskSecret`, which registers each one here.
 * @param value the secret; '' is ignored
 */
export function registerMask(value: string): void {
  if (value === '') return;
  for (const form of maskForms(value)) if (!masks.includes(form)) masks.push(form);
  masks.sort((a, b) => b.length - a.length); // longest first, so a value's parts leave no pieces
}

/**
 * Replaces every registered secret (see {@link registerMask}), raw, JSON-escaped or HTML-escaped, in `text`
 * by `***`, as the runner does in the log. Every output and every job-summary write passes through it
 * (`core.ts`, the `@actions/core` wrapper); apply it to anything else that can contain a secret before it
 * reaches a file.
 * @returns `text` with no registered secret left in it
 */
export function redact(text: string): string {
  let out = text;
  for (const value of masks) if (out.includes(value)) out = out.split(value).join('***');
  return out;
}

/** Forgets every registered mask (tests only). */
export function clearMasks(): void {
  masks.length = 0;
}
