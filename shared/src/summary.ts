/**
 * Job summary and annotation helpers on top of `@actions/core`'s summary, kept small so actions
 * describe what they did as tables.
 */
import * as core from '@actions/core';
import type { AnnotationProperties, Logger } from './logger.ts';

/** One table cell: text, or text that is a header cell. */
export type Cell = string | { data: string; header?: boolean };

/**
 * Escapes text for a job-summary HTML table cell (core.summary writes raw HTML).
 * @returns `text` with `&`, `<`, `>` and `"` escaped
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Appends raw HTML/markdown to the job summary and writes it out. Every registered secret (each value masked
 * through the logger or `core.setSecret`) becomes `***` on the way to the file: `core.summary.write` is
 * Gantry's wrapper (`core.ts`), the one choke point for summaries — the runner masks the log, not the
 * summary file. No-op without `GITHUB_STEP_SUMMARY`.
 * @param html the summary text (already escaped where it holds outside text)
 */
export async function appendSummary(html: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  await core.summary.addRaw(html, true).write();
}

/**
 * Renders an HTML table as `core.summary.addTable` does (`<table><tr><th>…</th></tr><tr><td>…</td></tr>
 * </table>`), except that an empty cell is written `<td></td>`: @actions/core's `wrap` leaves the tag of
 * empty content unclosed (`<td>`), which breaks the table's structure for every later cell. Cells are
 * inserted as given: escape outside text first ({@link escapeHtml}).
 * @param headers header cell contents (HTML), `<th>`
 * @param rows    body rows of cell contents (HTML), `<td>`
 * @returns one line of HTML whose every tag is closed
 */
export function summaryTableHtml(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[], tag: 'th' | 'td'): string =>
    `<tr>${cells.map((cell) => `<${tag}>${cell}</${tag}>`).join('')}</tr>`;
  return `<table>${[row(headers, 'th'), ...rows.map((cells) => row(cells, 'td'))].join('')}</table>`;
}

/**
 * Appends a heading and a table to the job summary and writes it out; every cell, the title and the footer
 * are HTML-escaped, empty cells included are closed tags ({@link summaryTableHtml}), and registered secrets
 * are redacted on the way to the file (`core.ts`, raw and HTML-escaped forms alike). No-op when the runner
 * gives no `GITHUB_STEP_SUMMARY` file (e.g. a plain local run).
 * @param title   an `<h3>` heading
 * @param headers column names
 * @param rows    cell texts (escaped here)
 * @param footer  optional paragraph under the table (escaped)
 */
export async function writeSummaryTable(
  title: string,
  headers: string[],
  rows: string[][],
  footer?: string,
): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const table = summaryTableHtml(
    headers.map((header) => escapeHtml(header)),
    rows.map((row) => row.map((cell) => escapeHtml(cell))),
  );
  const summary = core.summary.addHeading(escapeHtml(title), 3).addRaw(table, true);
  if (footer !== undefined) summary.addRaw(`<p>${escapeHtml(footer)}</p>`, true);
  await summary.write();
}

/** A finding to annotate on a file. */
export interface Annotation extends AnnotationProperties {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

/**
 * Emits annotations, at most `limitPerLevel` of each level (GitHub shows only 10 per type per step),
 * most severe first in the given order.
 * @returns how many were left out per level
 */
export function annotate(
  annotations: Annotation[],
  logger: Logger,
  limitPerLevel = 10,
): Record<Annotation['level'], number> {
  const shown = { error: 0, warning: 0, notice: 0 };
  const omitted = { error: 0, warning: 0, notice: 0 };
  for (const { level, message, ...properties } of annotations) {
    if (shown[level] >= limitPerLevel) {
      omitted[level]++;
      continue;
    }
    shown[level]++;
    logger[level](message, properties);
  }
  return omitted;
}
