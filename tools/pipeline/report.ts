/**
 * The end of a run as the runner prints it: each job's step summaries (GITHUB_STEP_SUMMARY markdown,
 * HTML tables flattened to text for a terminal) and a final table of jobs and their results.
 */
import type { JobReport, RunReport } from './runner.ts';

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};

/** A step summary for a terminal: table rows on one line with ` | ` between cells, other tags dropped. */
export function summaryText(markdown: string): string {
  return markdown
    .replace(/<\/t[hd]>\s*/gi, ' | ')
    .replace(/<\/tr>\s*/gi, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(h[1-6]|p|li|table|pre|details|summary)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/ \| \n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Lines of the step summaries of every job that wrote one. */
export function summaryLines(jobs: JobReport[]): string[] {
  const lines: string[] = [];
  for (const job of jobs) {
    if (job.summaries.length === 0) continue;
    lines.push('', `── summary: ${job.id} ──`);
    for (const summary of job.summaries)
      lines.push(
        ...summaryText(summary)
          .split('\n')
          .map((line) => `  ${line}`),
      );
  }
  return lines;
}

/** The annotations steps reported (`::error::`, `::warning::`), by job and step, as GitHub lists them. */
export function annotationLines(jobs: JobReport[]): string[] {
  const lines: string[] = [];
  for (const job of jobs)
    for (const step of job.steps)
      for (const annotation of step.annotations.filter((a) => a.level !== 'notice')) {
        const where =
          annotation.file !== undefined
            ? ` (${annotation.file}${annotation.line !== undefined ? `:${annotation.line}` : ''})`
            : '';
        lines.push(
          `  ${annotation.level === 'error' ? '✗' : '⚠'} ${job.id} › ${step.name}: ${annotation.message.split('\n')[0] ?? ''}${where}`,
        );
      }
  return lines.length > 0 ? ['', '── annotations ──', ...lines] : [];
}

/** The final table: one row per job (called workflows' jobs included) with result and wall time. */
export function resultTable(report: RunReport): string[] {
  const rows = report.jobs.map((job) => [
    job.id,
    job.result,
    job.result === 'skipped' ? '' : seconds(job.durationMs),
    job.note ?? '',
  ]);
  const header = ['job', 'result', 'time', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    '',
    format(header),
    format(widths.map((width) => '-'.repeat(width))),
    ...rows.map(format),
    '',
    `workflow: ${report.result} in ${seconds(report.durationMs)}${report.stopped !== undefined ? ` — stopped: ${report.stopped}` : ''}`,
  ];
}
