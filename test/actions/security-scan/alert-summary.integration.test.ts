/**
 * security-scan's alert summary reading GitHub's "List code scanning alerts" through Octokit against the
 * code-scanning stand-in (testkit/github-code-scanning.ts) on loopback: every page of the open alerts
 * (Link rel="next", 100 per page), the newest-first listings stopped once they reach the period's start,
 * a 502 retried, a 403 (code scanning off) reported clearly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readAlertSummary } from '../../../actions/security-scan/src/alert-summary.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import {
  codeScanningAlert,
  startGitHubApi,
  type CodeScanningAlert,
  type GitHubApiServer,
} from '../../../testkit/github-code-scanning.ts';

const until = new Date('2026-11-30T00:00:00Z');
const at = (daysAgo: number): string => new Date(until.getTime() - daysAgo * 86_400_000).toISOString();

let api: GitHubApiServer;
beforeAll(async () => {
  process.env['GANTRY_RETRY_DELAY_SCALE'] = '0';
  api = await startGitHubApi();
});
afterAll(async () => {
  await api.close();
});
afterEach(() => {
  api.alerts.length = 0;
  api.alertReads.length = 0;
  api.alertFailures.length = 0;
});

/** 250 open alerts created 30+ days ago, 3 opened this week (one a gitleaks secret), 2 fixed this week. */
function seed(): void {
  const alerts: CodeScanningAlert[] = [];
  for (let n = 1; n <= 250; n++)
    alerts.push(
      codeScanningAlert(n, {
        created_at: at(30 + n / 10),
        rule: { security_severity_level: n % 50 === 0 ? 'critical' : n % 5 === 0 ? 'high' : null },
      }),
    );
  alerts.push(
    codeScanningAlert(301, { created_at: at(1) }),
    codeScanningAlert(302, {
      created_at: at(2),
      tool: { name: 'gitleaks' },
      rule: { security_severity_level: 'high' },
    }),
    codeScanningAlert(303, { created_at: at(6), state: 'dismissed', dismissed_at: at(5), updated_at: at(5) }),
    codeScanningAlert(304, { created_at: at(40), state: 'fixed', fixed_at: at(3), updated_at: at(3) }),
    codeScanningAlert(305, {
      created_at: at(9),
      state: 'fixed',
      fixed_at: at(4),
      updated_at: at(4),
      tool: { name: 'gitleaks' },
    }),
  );
  // 150 alerts fixed long ago: the fixed listing must not read them all
  for (let n = 400; n < 550; n++)
    alerts.push(
      codeScanningAlert(n, { created_at: at(200), state: 'fixed', fixed_at: at(100), updated_at: at(100) }),
    );
  api.alerts.push(...alerts);
}

const read = (logger = createCaptureLogger()) =>
  readAlertSummary(
    { apiUrl: api.url, token: 'ghs_summaryToken', repository: 'acme/app', days: 7, until },
    logger,
  );

describe('readAlertSummary against the code-scanning stand-in', () => {
  test('every open alert over three pages; new and fixed this week; the old fixed ones left unread', async () => {
    seed();
    const summary = await read();
    expect(summary.openTotal).toBe(252);
    expect(summary.open.critical).toBe(5);
    expect(summary.open.high).toBe(46);
    expect(summary.opened).toBe(3);
    expect(summary.fixed).toBe(2);
    expect(summary.secrets).toMatchObject({ open: 1, opened: 1, fixed: 1 });
    expect(summary.secrets.alerts.map((a) => a.number)).toEqual([302]);
    expect(summary.truncated).toBe(false);
    const reads = api.alertReads.map((q) => Object.fromEntries(new URLSearchParams(q)));
    const open = reads.filter((q) => q['state'] === 'open');
    expect(open.map((q) => [q['per_page'], q['page'] ?? '1'])).toEqual([
      ['100', '1'],
      ['100', '2'],
      ['100', '3'],
    ]);
    // newest first: the first page already reaches alerts older than the week
    expect(reads.filter((q) => q['sort'] === 'created' && q['state'] === undefined)).toHaveLength(1);
    // fixed, most recently updated first: one page (the week's two, then older ones)
    expect(reads.filter((q) => q['state'] === 'fixed' && q['sort'] === 'updated')).toHaveLength(1);
  });

  test('a 502 is retried; the answer is the same', async () => {
    seed();
    api.alertFailures.push(502);
    const logger = createCaptureLogger();
    const summary = await read(logger);
    expect(summary.openTotal).toBe(252);
    expect(logger.text()).toMatch(/page 1 failed \(attempt 1 of 4\)/);
  });

  test('a 403 (code scanning not enabled) fails naming the listing and what to check', async () => {
    api.alertFailures.push(403);
    await expect(read()).rejects.toThrow(
      /GitHub code-scanning alerts \(state=open\) failed \(HTTP 403\): Advanced Security must be enabled.*security-events: read/,
    );
  });

  test('no alerts at all: zeros from one request per listing', async () => {
    const summary = await read();
    expect([summary.openTotal, summary.opened, summary.fixed, summary.secrets.open]).toEqual([0, 0, 0, 0]);
    expect(api.alertReads).toHaveLength(3);
  });
});
