/**
 * gantry-security-daily.yml's weekly summary, run for real through the offline runner (tools/pipeline) with
 * the built security-scan (mode summary) and notify bundles, the code-scanning stand-in
 * (testkit/github-code-scanning.ts) as GitHub's REST API and the local Slack receiver
 * (testkit/receivers.ts): with `weekly-summary: true` nothing is scanned, the alerts are read over every
 * page, the job summary holds the table and exactly one Slack post carries the week's numbers.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import {
  codeScanningAlert,
  startGitHubApi,
  type GitHubApiServer,
} from '../../testkit/github-code-scanning.ts';
import { Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';

describe('gantry-security-daily.yml: the weekly security summary', () => {
  let temp: string;
  let workspace: string;
  let github: GitHubApiServer;
  let receivers: Receivers;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-security-summary-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['.github', 'actions', 'dist', 'workflows-templates'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    github = await startGitHubApi();
    receivers = await new Receivers().start();
  });
  afterAll(async () => {
    await receivers?.stop();
    await github?.close();
    await rm(temp, { recursive: true, force: true });
  });

  const run = async (inputs: Record<string, string>): Promise<RunReport> =>
    runWorkflow({
      workflow: '.github/workflows/gantry-security-daily.yml',
      workspace,
      event: 'schedule',
      inputs: { 'slack-channel': '#security', 'gantry-checkout': 'false', ...inputs },
      secrets: { 'slack-token': SLACK_TOKEN, GITHUB_TOKEN: 'ghs_weeklySummaryToken' },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_API_URL: github.url,
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_RETRY_DELAY_SCALE: '0',
      },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
  const posts = (): string[] =>
    receivers.requests
      .filter((r) => r.path.endsWith('/chat.postMessage'))
      .map((r) => JSON.stringify(r.body['blocks'] ?? r.body['text'] ?? ''));

  test('weekly-summary: no scan; 130 open alerts over two pages, the week new and fixed, one secret, one Slack post', async () => {
    const now = Date.now();
    const ago = (days: number): string => new Date(now - days * 86_400_000).toISOString();
    for (let n = 1; n <= 128; n++)
      github.alerts.push(
        codeScanningAlert(n, {
          created_at: ago(60),
          rule: { security_severity_level: n <= 3 ? 'critical' : n <= 20 ? 'high' : 'medium' },
        }),
      );
    github.alerts.push(
      codeScanningAlert(200, {
        created_at: ago(2),
        tool: { name: 'gitleaks' },
        rule: { id: 'aws-access-token', security_severity_level: 'high' },
      }),
      codeScanningAlert(201, {
        created_at: ago(1),
        tool: { name: 'osv-scanner' },
        rule: { severity: 'error' },
      }),
      codeScanningAlert(202, { created_at: ago(30), state: 'fixed', fixed_at: ago(3), updated_at: ago(3) }),
    );

    const report = await run({ 'weekly-summary': 'true' });
    expect(report.result, lines.join('\n')).toBe('success');
    const scan = report.jobs.find((job) => job.id.endsWith('scan'));
    expect(scan?.result).toBe('skipped');
    const summary = report.jobs.find((job) => job.id.endsWith('summary'));
    expect(summary?.result).toBe('success');

    const line =
      'Security summary of acme/app for the last 7 day(s): 130 open code-scanning alert(s) (3 critical, 19 high, 108 medium, 0 low); 2 new, 1 fixed; secret findings: 1 open, 1 new, 0 fixed.';
    expect(report.outputs['summary']).toBe(line);
    const markdown = summary?.summaries.join('\n') ?? '';
    expect(markdown).toContain('| trivy | 3 | 17 | 108 | 0 | 128 | 0 | 1 |');
    expect(markdown).toContain('| gitleaks | 0 | 1 | 0 | 0 | 1 | 1 | 0 |');
    expect(markdown).toMatch(
      /\| \[#200\]\(https:\/\/github\.com\/acme\/app\/security\/code-scanning\/200\) \| gitleaks \| aws-access-token \|/,
    );
    // every page of the open alerts was read, with the job's token
    const open = github.alertReads.filter((q) => q.includes('state=open'));
    expect(open.map((q) => new URLSearchParams(q).get('page') ?? '1')).toEqual(['1', '2']);

    const sent = posts();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(line);
    expect(sent[0]).toContain(':white_check_mark: Weekly security summary: acme/app');
    expect(sent[0]).not.toContain('Deployed');
    expect(sent[0]).toContain('gitleaks');
    expect(sent[0]).toContain('1 open (0 critical, 1 high, 0 medium, 0 low), 1 new, 0 fixed');
    // no commit status: the weekly summary is not the deploy gate
    expect(receivers.commitStatuses).toHaveLength(0);
  }, 120_000);

  test("the starter template: the weekly cron's run is the summary, not a scan", async () => {
    const before = posts().length;
    const report = await runWorkflow({
      workflow: 'workflows-templates/security.yml',
      workspace,
      event: 'schedule',
      eventPayload: { schedule: '23 6 * * 1' },
      secrets: { SLACK_BOT_TOKEN: SLACK_TOKEN, GITHUB_TOKEN: 'ghs_weeklySummaryToken' },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_API_URL: github.url,
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_RETRY_DELAY_SCALE: '0',
      },
      github: { repository: 'acme/app', repository_owner: 'acme' },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
    expect(report.result, lines.join('\n')).toBe('success');
    expect(report.jobs.filter((job) => job.id.includes(' / ')).map((job) => [job.id, job.result])).toEqual([
      ['security / scan', 'skipped'],
      ['security / summary', 'success'],
    ]);
    expect(posts().slice(before)).toHaveLength(1);
  }, 120_000);

  test('code scanning not enabled (403): the summary job fails and Slack says so, once', async () => {
    const before = posts().length;
    github.alertFailures.push(403);
    const report = await run({ 'weekly-summary': 'true' });
    expect(report.result).toBe('failure');
    const step = report.jobs
      .flatMap((job) => job.steps)
      .find((s) => s.name === 'Sum up the code-scanning alerts');
    expect(step?.conclusion).toBe('failure');
    expect(step?.annotations.map((a) => a.message).join('\n')).toMatch(/HTTP 403.*security-events: read/);
    const sent = posts().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('The weekly security summary could not be made');
  }, 120_000);
});
