/**
 * What each channel did, and the job summary that shows it with links.
 */
import { appendSummary } from '../../../shared/src/summary.ts';
import { escapeHtml } from '../../../shared/src/summary.ts';

/** The channels, as named in the `notified` and `failed` outputs. */
export type ChannelName = 'slack' | 'slack-webhook' | 'pagerduty' | 'commit-status' | 'deployment';

/** One channel's outcome. */
export interface ChannelResult {
  channel: ChannelName;
  outcome: 'notified' | 'skipped' | 'failed' | 'dry-run';
  /** One line for people: what was sent, why it was skipped, or why it failed. */
  detail: string;
  /** Links for the summary (URLs that hold no secret). */
  links?: { url: string; label: string }[];
}

const LABELS: Record<ChannelName, string> = {
  slack: 'Slack',
  'slack-webhook': 'Slack webhook',
  pagerduty: 'PagerDuty',
  'commit-status': 'Commit status',
  deployment: 'GitHub deployment',
};

const OUTCOMES: Record<ChannelResult['outcome'], string> = {
  notified: '✅ notified',
  skipped: '➖ skipped',
  failed: '⚠️ failed',
  'dry-run': '📝 dry run (not sent)',
};

/** The label people see for a channel: `Slack webhook`, `GitHub deployment`… */
export function channelLabel(channel: ChannelName): string {
  return LABELS[channel];
}

/**
 * The summary as HTML: a heading and a table Channel | Result | Details, with links. Every text is
 * escaped; only `http(s)` links are rendered as links.
 */
export function summaryHtml(heading: string, results: ChannelResult[]): string {
  const rows = results.map((result) => {
    const links = (result.links ?? [])
      .filter((link) => /^https?:\/\//.test(link.url))
      .map((link) => `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`);
    const details = [escapeHtml(result.detail), ...links].filter((part) => part !== '').join('<br>');
    return `<tr><td>${escapeHtml(LABELS[result.channel])}</td><td>${escapeHtml(OUTCOMES[result.outcome])}</td><td>${details}</td></tr>`;
  });
  return (
    `<h3>${escapeHtml(heading)}</h3>\n` +
    `<table><tr><th>Channel</th><th>Result</th><th>Details</th></tr>${rows.join('')}</table>\n`
  );
}

/** Appends the summary to the job summary; no-op without GITHUB_STEP_SUMMARY (a local run). */
export async function writeSummary(heading: string, results: ChannelResult[]): Promise<void> {
  // appendSummary passes the text through the mask list: an error quoting a secret never lands here raw.
  await appendSummary(summaryHtml(heading, results));
}
