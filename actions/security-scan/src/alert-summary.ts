/**
 * security-scan's `mode: summary`: the repository's code-scanning alerts summed up over a period (a week by
 * default) — the open alerts by severity and tool, the alerts opened and fixed in the period, and the secret
 * findings among them — for the job summary and one Slack post (the workflow gives `summary` and
 * `summary-details` to notify).
 *
 * Read through GitHub's REST API "List code scanning alerts for a repository"
 * (https://docs.github.com/en/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository),
 * 100 per page, following the `Link: rel="next"` header, at most {@link MAX_PAGES} pages per listing:
 * 1. `state=open` — every open alert (severity, tool, secret or not);
 * 2. `sort=created&direction=desc` — every state, newest first, read until an alert older than the period;
 * 3. `state=fixed&sort=updated&direction=desc` — read until an alert updated before the period (a fix
 *    updates the alert, so every alert fixed in the period comes before that point), counting `fixed_at`.
 * Severity is GitHub's: `rule.security_severity_level` when the rule has one, else the SARIF level
 * (`rule.severity`: error → high, warning → medium, note → low, none → none; see sarif/severity.ts).
 * A secret finding is an alert whose tool or rule the SARIF secret rules name (sarif/secret-rules.ts).
 */
import type { Logger } from '../../../shared/src/logger.ts';
import { githubCall, createOctokit, inertLine, requestStatus } from '../../../shared/src/github.ts';
import { isSecretResult } from '../../../shared/src/sarif/secret-rules.ts';
import { severityFromLevel, type Severity } from '../../../shared/src/sarif/severity.ts';
import type { Level } from '../../../shared/src/sarif/types.ts';
import { escapeHtml } from '../../../shared/src/summary.ts';

/** The fields of a code-scanning alert this module reads (GitHub's REST shape). */
export interface Alert {
  number: number;
  /** ISO 8601 timestamps. */
  created_at: string;
  updated_at?: string;
  fixed_at?: string | null;
  state: string;
  html_url?: string;
  rule?: {
    id?: string | null;
    severity?: string | null;
    security_severity_level?: string | null;
    tags?: string[] | null;
  } | null;
  tool?: { name?: string | null } | null;
  most_recent_instance?: { location?: { path?: string | null; start_line?: number | null } | null } | null;
}

/** Most pages read per listing (100 alerts each): 10 000 alerts. */
export const MAX_PAGES = 100;

/** Counts by severity. */
export type SeverityCounts = Record<Severity, number>;

/** One tool's line of the summary. */
export interface ToolCounts {
  tool: string;
  open: SeverityCounts;
  openTotal: number;
  opened: number;
  fixed: number;
}

/** An open secret finding (never its value: rule, file, line and link only). */
export interface SecretAlert {
  number: number;
  tool: string;
  rule: string;
  path: string;
  line: number;
  url: string;
  createdAt: string;
}

/** The summary of a period. */
export interface AlertSummary {
  repository: string;
  /** The period, ISO 8601: [since, until). */
  since: string;
  until: string;
  days: number;
  open: SeverityCounts;
  openTotal: number;
  /** Alerts created in the period (whatever their state now). */
  opened: number;
  /** Alerts fixed in the period. */
  fixed: number;
  /** Per tool, most open alerts first. */
  tools: ToolCounts[];
  secrets: { open: number; opened: number; fixed: number; alerts: SecretAlert[] };
  /** A listing stopped at {@link MAX_PAGES}: the counts are lower bounds. */
  truncated: boolean;
}

const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, none: 0 });
const LEVELS = new Set(['error', 'warning', 'note', 'none']);
const BANDS = new Set(['critical', 'high', 'medium', 'low']);

/** The severity GitHub shows for an alert (see the module doc). */
export function alertSeverity(alert: Alert): Severity {
  const band = (alert.rule?.security_severity_level ?? '').toLowerCase();
  if (BANDS.has(band)) return band as Severity;
  const level = (alert.rule?.severity ?? '').toLowerCase();
  return LEVELS.has(level) ? severityFromLevel(level as Level) : 'medium';
}

/** The tool name of an alert, made inert (one line, at most 100 characters). */
export function alertTool(alert: Alert): string {
  return inertLine(alert.tool?.name ?? '', 100) || 'unknown tool';
}

/** Whether an alert is a secret finding, by the same rules as the scan's SARIF results. */
export function isSecretAlert(alert: Alert): boolean {
  const ruleId = alert.rule?.id ?? '';
  return isSecretResult(
    alert.tool?.name ?? '',
    { ruleId, message: { text: '' }, properties: { tags: alert.rule?.tags ?? [] } },
    undefined,
  );
}

/**
 * Sums up alerts (pure: no I/O).
 * @param lists the three listings of the module doc: `open`, `recent` (newest first, at least back to
 *   `since`) and `fixed` (fixed alerts updated since `since`, or more)
 * @param period `since` and `until` (Date) and the period in whole days
 * @returns the summary; `truncated` as given
 */
export function summarizeAlerts(
  repository: string,
  lists: { open: readonly Alert[]; recent: readonly Alert[]; fixed: readonly Alert[] },
  period: { since: Date; until: Date; days: number },
  truncated = false,
): AlertSummary {
  const since = period.since.getTime();
  const inPeriod = (iso: string | null | undefined): boolean => {
    const at = Date.parse(iso ?? '');
    return Number.isFinite(at) && at >= since && at < period.until.getTime();
  };
  const tools = new Map<string, ToolCounts>();
  const toolOf = (alert: Alert): ToolCounts => {
    const name = alertTool(alert);
    const found = tools.get(name) ?? { tool: name, open: zero(), openTotal: 0, opened: 0, fixed: 0 };
    tools.set(name, found);
    return found;
  };
  const summary: AlertSummary = {
    repository,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    days: period.days,
    open: zero(),
    openTotal: 0,
    opened: 0,
    fixed: 0,
    tools: [],
    secrets: { open: 0, opened: 0, fixed: 0, alerts: [] },
    truncated,
  };
  const seen = new Set<number>();
  for (const alert of lists.open) {
    if (alert.state !== 'open' || seen.has(alert.number)) continue;
    seen.add(alert.number);
    const severity = alertSeverity(alert);
    summary.open[severity]++;
    summary.openTotal++;
    const tool = toolOf(alert);
    tool.open[severity]++;
    tool.openTotal++;
    if (isSecretAlert(alert)) {
      summary.secrets.open++;
      summary.secrets.alerts.push({
        number: alert.number,
        tool: tool.tool,
        rule: inertLine(alert.rule?.id ?? '', 100),
        path: inertLine(alert.most_recent_instance?.location?.path ?? '', 200),
        line: alert.most_recent_instance?.location?.start_line ?? 0,
        url: alert.html_url ?? '',
        createdAt: alert.created_at,
      });
    }
  }
  const counted = (list: readonly Alert[], when: (alert: Alert) => string | null | undefined): Alert[] => {
    const once = new Set<number>();
    return list.filter((alert) => {
      if (once.has(alert.number) || !inPeriod(when(alert))) return false;
      once.add(alert.number);
      return true;
    });
  };
  for (const alert of counted(lists.recent, (a) => a.created_at)) {
    summary.opened++;
    toolOf(alert).opened++;
    if (isSecretAlert(alert)) summary.secrets.opened++;
  }
  for (const alert of counted(
    lists.fixed.filter((a) => a.state === 'fixed'),
    (a) => a.fixed_at,
  )) {
    summary.fixed++;
    toolOf(alert).fixed++;
    if (isSecretAlert(alert)) summary.secrets.fixed++;
  }
  summary.tools = [...tools.values()].sort(
    (a, b) => b.openTotal - a.openTotal || b.opened - a.opened || a.tool.localeCompare(b.tool),
  );
  return summary;
}

/**
 * Lists alerts page by page (100 each, following `Link: rel="next"` as Octokit's paginate does), each page
 * retried on rate limits and 5xx ({@link githubCall}), stopping after {@link MAX_PAGES} pages or once
 * `stop` says the last alert of a page is past what is needed.
 * @param parameters query parameters (`state`, `sort`, `direction`)
 * @returns the alerts and whether the page limit cut the listing
 * @throws Error naming the listing with GitHub's status and message (403/404: code scanning is not enabled
 *   or the token lacks `security-events: read`)
 */
async function listAlerts(
  octokit: Awaited<ReturnType<typeof createOctokit>>,
  target: { owner: string; repo: string },
  parameters: Record<string, string>,
  logger: Logger,
  stop: (last: Alert) => boolean = () => false,
): Promise<{ alerts: Alert[]; truncated: boolean }> {
  const what = `GitHub code-scanning alerts (${new URLSearchParams(parameters).toString()})`;
  const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/code-scanning/alerts', {
    ...target,
    ...parameters,
    per_page: 100,
  });
  const iterator = pages[Symbol.asyncIterator]();
  const alerts: Alert[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    let next: IteratorResult<{ data: unknown }>;
    try {
      next = await githubCall(`${what} page ${page}`, () => iterator.next(), logger);
    } catch (error) {
      const status = requestStatus(error);
      const message = inertLine(error instanceof Error ? error.message : String(error));
      const hint =
        status === 403 || status === 404
          ? ': is code scanning enabled, and does the token have security-events: read?'
          : '';
      throw new Error(`${what} failed (HTTP ${status || 'no answer'}): ${message}${hint}`);
    }
    if (next.done === true) return { alerts, truncated: false };
    const data = Array.isArray(next.value.data) ? (next.value.data as Alert[]) : [];
    alerts.push(...data);
    const last = data.at(-1);
    if (data.length === 0 || (last !== undefined && stop(last))) return { alerts, truncated: false };
  }
  logger.warning(`${what}: stopped after ${MAX_PAGES} pages; the counts are lower bounds`);
  return { alerts, truncated: true };
}

/**
 * Reads the alerts of `repository` and sums up the `days` before `until` (see the module doc).
 * @param options.apiUrl REST API base (GITHUB_API_URL), options.token a token with security-events: read
 * @param options.repository `owner/repo`
 * @param options.days the period in whole days (1–90); options.until its end (default now)
 * @throws Error when a listing fails (after retries), naming it
 */
export async function readAlertSummary(
  options: { apiUrl: string; token: string; repository: string; days: number; until?: Date },
  logger: Logger,
): Promise<AlertSummary> {
  const [owner = '', repo = ''] = options.repository.split('/', 2);
  const until = options.until ?? new Date();
  const since = new Date(until.getTime() - options.days * 86_400_000);
  const octokit = await createOctokit(options.token, options.apiUrl, logger);
  const target = { owner, repo };
  const before = (iso: string | null | undefined): boolean => Date.parse(iso ?? '') < since.getTime();
  const open = await listAlerts(octokit, target, { state: 'open' }, logger);
  const recent = await listAlerts(octokit, target, { sort: 'created', direction: 'desc' }, logger, (last) =>
    before(last.created_at),
  );
  const fixed = await listAlerts(
    octokit,
    target,
    { state: 'fixed', sort: 'updated', direction: 'desc' },
    logger,
    (last) => before(last.updated_at ?? last.created_at),
  );
  logger.info(
    `Read ${open.alerts.length} open alert(s), ${recent.alerts.length} recent and ${fixed.alerts.length} fixed`,
  );
  return summarizeAlerts(
    options.repository,
    { open: open.alerts, recent: recent.alerts, fixed: fixed.alerts },
    { since, until, days: options.days },
    open.truncated || recent.truncated || fixed.truncated,
  );
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

function bySeverity(counts: SeverityCounts): string {
  return SEVERITY_ORDER.map((severity) => {
    const n = counts[severity] + (severity === 'low' ? counts.none : 0);
    return `${n} ${severity}`;
  }).join(', ');
}

/**
 * The one-line summary (for notify's message and the log): open alerts by severity, opened and fixed in
 * the period, secret findings. Built from counts and GitHub's tool names (made inert), never a secret.
 */
export function summaryLine(summary: AlertSummary): string {
  const bound = summary.truncated ? 'at least ' : '';
  return (
    `Security summary of ${summary.repository || 'the repository'} for the last ${summary.days} day(s): ` +
    `${bound}${summary.openTotal} open code-scanning alert(s) (${bySeverity(summary.open)}); ` +
    `${summary.opened} new, ${summary.fixed} fixed; ` +
    `secret findings: ${summary.secrets.open} open, ${summary.secrets.opened} new, ${summary.secrets.fixed} fixed.`
  );
}

/** KEY=VALUE lines for notify's `details`: one per tool (open by severity, new, fixed), at most 10. */
export function summaryDetails(summary: AlertSummary): string {
  const key = (text: string): string => text.replace(/[=\r\n]/g, ' ').trim() || 'unknown tool';
  const lines = summary.tools
    .slice(0, 10)
    .map(
      (tool) =>
        `${key(tool.tool)}=${tool.openTotal} open (${bySeverity(tool.open)}), ${tool.opened} new, ${tool.fixed} fixed`,
    );
  if (summary.tools.length > 10)
    lines.push(`Other tools=${summary.tools.length - 10} more in the job summary`);
  return lines.join('\n');
}

/**
 * A markdown table cell from outside text: on one line, HTML-escaped, and `|`, `[`, `]` and backticks as
 * entities, so a tool or rule name can neither break the table nor form a link or code span.
 */
function cell(text: string): string {
  return escapeHtml(inertLine(text, 200)).replace(/[|[\]`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The job summary in markdown: the line, a table per tool (open by severity, new, fixed, with a total row),
 * and the open secret findings (number with link, tool, rule, file:line, since) — at most 50 listed.
 */
export function renderAlertSummary(summary: AlertSummary): string {
  const day = (iso: string): string => iso.slice(0, 10);
  const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  const lines = [
    `### Security summary: ${cell(summary.repository)}, ${day(summary.since)} → ${day(summary.until)}`,
    '',
    cell(summaryLine(summary)),
    '',
    row([
      'Tool',
      'Critical',
      'High',
      'Medium',
      'Low',
      'Open',
      `New (${summary.days} d)`,
      `Fixed (${summary.days} d)`,
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...summary.tools.map((tool) =>
      row([
        cell(tool.tool),
        tool.open.critical,
        tool.open.high,
        tool.open.medium,
        tool.open.low + tool.open.none,
        tool.openTotal,
        tool.opened,
        tool.fixed,
      ]),
    ),
    row([
      '**Total**',
      summary.open.critical,
      summary.open.high,
      summary.open.medium,
      summary.open.low + summary.open.none,
      summary.openTotal,
      summary.opened,
      summary.fixed,
    ]),
  ];
  if (summary.secrets.alerts.length > 0) {
    lines.push('', `#### Open secret findings (${summary.secrets.open})`, '');
    lines.push(row(['Alert', 'Tool', 'Rule', 'Where', 'Since']), row(['---', '---', '---', '---', '---']));
    for (const secret of summary.secrets.alerts.slice(0, 50)) {
      const alert = /^https:\/\/[^\s()<>]+$/.test(secret.url)
        ? `[#${secret.number}](${secret.url})`
        : `#${secret.number}`;
      lines.push(
        row([
          alert,
          cell(secret.tool),
          cell(secret.rule),
          cell(`${secret.path}:${secret.line}`),
          day(secret.createdAt),
        ]),
      );
    }
    if (summary.secrets.alerts.length > 50)
      lines.push('', `… and ${summary.secrets.alerts.length - 50} more.`);
  }
  if (summary.truncated)
    lines.push('', `Listings stopped after ${MAX_PAGES} pages: the counts are lower bounds.`);
  return `${lines.join('\n')}\n`;
}
