/**
 * How an analysis is shown: one Mermaid `xychart-beta` per check (canary, baseline and limit per
 * interval; https://mermaid.js.org/syntax/xyChart.html — GitHub renders ```mermaid blocks in job
 * summaries), a verdict table, and the one-line reason a failed check gives.
 */
import { formatCondition } from './condition.ts';
import { verdictOf } from './engine.ts';
import type { CheckState, IntervalResult } from './types.ts';

/** A number for people: up to 4 significant digits, `–` for no data. */
export function formatValue(value: number | undefined, unit = ''): string {
  if (value === undefined) return '–';
  const text = Math.abs(value) >= 1000 ? value.toFixed(0) : String(Number(value.toPrecision(4)));
  return unit === '' ? text : unit === '%' ? `${text}%` : `${text} ${unit}`;
}

const label = (text: string): string => text.replace(/["\\\r\n]/g, ' ').slice(0, 60);

/**
 * A Mermaid xychart of one check: x = intervals labelled `<step> #<n>`, lines = canary, baseline (when
 * the condition is relative) and limit. No data is drawn as 0 (Mermaid has no gaps) and named in the
 * title's count.
 * @returns the chart text inside a ```mermaid fence, or '' when no interval was evaluated
 */
export function mermaidChart(state: CheckState): string {
  const results = state.results;
  if (results.length === 0) return '';
  const numbers = (pick: (result: IntervalResult) => number | undefined): string =>
    `[${results.map((result) => Number((pick(result) ?? 0).toPrecision(6))).join(', ')}]`;
  const missing = results.filter((result) => result.canary === undefined).length;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${label(`${state.check.name}: canary${state.check.condition.relative ? ', baseline' : ''}, limit${missing > 0 ? ` (${missing} without data)` : ''}`)}"`,
    `  x-axis [${results.map((result) => `"${label(`${result.step} #${result.interval}`)}"`).join(', ')}]`,
    `  y-axis "${label(state.check.unit ?? 'value')}"`,
    `  line ${numbers((result) => result.canary)}`,
  ];
  if (state.check.condition.relative) lines.push(`  line ${numbers((result) => result.baseline)}`);
  lines.push(`  line ${numbers((result) => result.limit)}`, '```');
  return lines.join('\n');
}

/** Why a failed check failed: `error-rate > 5 failed at 5% (intervals 2–4): canary 21%, 19%, 20% (limit 5%)`. */
export function failureReason(state: CheckState): string {
  const at = state.failedAt;
  if (at === undefined) return '';
  const run = state.results.slice(
    state.results.indexOf(at) - at.consecutive + 1,
    state.results.indexOf(at) + 1,
  );
  const failing = run.filter((result) => result.outcome === 'fail');
  const unit = state.check.unit ?? '';
  const first = failing[0]?.interval ?? at.interval;
  return (
    `${state.check.name} ${formatCondition(state.check.condition)} failed at ${at.step} ` +
    `(interval${first === at.interval ? ` ${at.interval}` : `s ${first}–${at.interval}`}): canary ` +
    failing.map((result) => formatValue(result.canary, unit)).join(', ') +
    (state.check.condition.relative
      ? `, baseline ${failing.map((result) => formatValue(result.baseline, unit)).join(', ')}`
      : '') +
    ` (limit ${formatValue(at.limit, unit)})`
  );
}

/** Rows of the verdict table: check, condition, verdict, intervals (failing / no data), last canary / baseline. */
export function verdictRows(states: readonly CheckState[]): string[][] {
  return states.map((state) => {
    const unit = state.check.unit ?? '';
    const last = state.results.at(-1);
    const failing = state.results.filter((result) => result.outcome === 'fail').length;
    const noData = state.results.filter((result) => result.outcome === 'nodata').length;
    return [
      state.check.name,
      `${formatCondition(state.check.condition)} for ${state.check.failingIntervals} interval${state.check.failingIntervals === 1 ? '' : 's'}`,
      verdictOf(state) === 'fail' ? `FAIL: ${failureReason(state)}` : verdictOf(state),
      `${state.results.length} (${failing} failing, ${noData} without data)`,
      `${formatValue(last?.canary, unit)} / ${formatValue(last?.baseline, unit)}`,
    ];
  });
}

/** The header of {@link verdictRows}. */
export const VERDICT_HEADERS = ['check', 'condition', 'verdict', 'intervals', 'last canary / baseline'];
