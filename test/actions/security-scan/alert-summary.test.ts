/**
 * security-scan's alert summary, the counting and the rendering (no I/O): severity as GitHub shows it,
 * secret alerts by the SARIF secret rules, the period's boundaries, duplicates across pages, and remote
 * text kept inert in the job summary and notify's details.
 */
import { describe, expect, test } from 'vitest';
import {
  alertSeverity,
  isSecretAlert,
  renderAlertSummary,
  summarizeAlerts,
  summaryDetails,
  summaryLine,
  type Alert,
} from '../../../actions/security-scan/src/alert-summary.ts';
import { codeScanningAlert } from '../../../testkit/github-code-scanning.ts';

const until = new Date('2026-11-30T00:00:00Z');
const since = new Date('2026-11-23T00:00:00Z');
const period = { since, until, days: 7 };

describe('alertSeverity', () => {
  test.each([
    [{ security_severity_level: 'critical' as const, severity: 'error' as const }, 'critical'],
    [{ security_severity_level: 'low' as const, severity: 'error' as const }, 'low'],
    [{ security_severity_level: null, severity: 'error' as const }, 'high'],
    [{ security_severity_level: null, severity: 'warning' as const }, 'medium'],
    [{ security_severity_level: null, severity: 'note' as const }, 'low'],
    [{ security_severity_level: null, severity: 'none' as const }, 'none'],
  ])('%o → %s', (rule, expected) => {
    expect(alertSeverity(codeScanningAlert(1, { rule }))).toBe(expected);
  });
});

describe('isSecretAlert', () => {
  test.each([
    ['a gitleaks alert', true, codeScanningAlert(1, { tool: { name: 'gitleaks' } })],
    ['a TruffleHog alert', true, codeScanningAlert(1, { tool: { name: 'TruffleHog' } })],
    ['trivy tagged secret', true, codeScanningAlert(1, { rule: { tags: ['secret', 'security'] } })],
    [
      'checkov CKV_SECRET_2',
      true,
      codeScanningAlert(1, { tool: { name: 'checkov' }, rule: { id: 'CKV_SECRET_2' } }),
    ],
    [
      'semgrep CWE-798',
      true,
      codeScanningAlert(1, { tool: { name: 'semgrep' }, rule: { tags: ['CWE-798: x'] } }),
    ],
    ['a CVE', false, codeScanningAlert(1)],
    ['no tags at all', false, codeScanningAlert(1, { rule: { tags: null } })],
  ])('%s → %s', (_name, expected, alert) => {
    expect(isSecretAlert(alert)).toBe(expected);
  });
});

describe('summarizeAlerts', () => {
  const open: Alert[] = [
    codeScanningAlert(1, { rule: { security_severity_level: 'critical' } }),
    codeScanningAlert(2, { rule: { security_severity_level: 'high' } }),
    codeScanningAlert(3, { rule: { severity: 'note' } }),
    codeScanningAlert(4, {
      tool: { name: 'gitleaks' },
      rule: { id: 'aws-access-token', security_severity_level: 'high' },
      created_at: '2026-11-25T10:00:00Z',
      most_recent_instance: {
        ref: 'refs/heads/main',
        state: 'open',
        location: { path: 'config/prod.env', start_line: 3 },
      },
    }),
    // the same alert again (a page boundary moved while listing): counted once
    codeScanningAlert(2, { rule: { security_severity_level: 'high' } }),
  ];
  const recent: Alert[] = [
    codeScanningAlert(9, { created_at: '2026-11-29T23:59:59Z', state: 'fixed' }),
    codeScanningAlert(4, { tool: { name: 'gitleaks' }, created_at: '2026-11-25T10:00:00Z' }),
    codeScanningAlert(8, { created_at: '2026-11-23T00:00:00Z', state: 'dismissed' }),
    // before the period: read because the page held it, not counted
    codeScanningAlert(7, { created_at: '2026-11-22T23:59:59Z' }),
  ];
  const fixed: Alert[] = [
    codeScanningAlert(9, {
      state: 'fixed',
      fixed_at: '2026-11-29T12:00:00Z',
      updated_at: '2026-11-29T12:00:00Z',
    }),
    codeScanningAlert(6, {
      state: 'fixed',
      tool: { name: 'gitleaks' },
      fixed_at: '2026-11-24T00:00:00Z',
      updated_at: '2026-11-24T00:00:00Z',
    }),
    // updated in the period but fixed before it
    codeScanningAlert(5, {
      state: 'fixed',
      fixed_at: '2026-11-01T00:00:00Z',
      updated_at: '2026-11-26T00:00:00Z',
    }),
  ];

  test('open by severity and tool, new and fixed in the period, secrets, each alert once', () => {
    const summary = summarizeAlerts('acme/app', { open, recent, fixed }, period);
    expect(summary.openTotal).toBe(4);
    expect(summary.open).toEqual({ critical: 1, high: 2, medium: 0, low: 1, none: 0 });
    expect(summary.opened).toBe(3);
    expect(summary.fixed).toBe(2);
    expect(summary.secrets).toMatchObject({ open: 1, opened: 1, fixed: 1 });
    expect(summary.secrets.alerts).toEqual([
      {
        number: 4,
        tool: 'gitleaks',
        rule: 'aws-access-token',
        path: 'config/prod.env',
        line: 3,
        url: 'https://github.com/acme/app/security/code-scanning/4',
        createdAt: '2026-11-25T10:00:00Z',
      },
    ]);
    expect(summary.tools.map((t) => [t.tool, t.openTotal, t.opened, t.fixed])).toEqual([
      ['trivy', 3, 2, 1],
      ['gitleaks', 1, 1, 1],
    ]);
    expect(summaryLine(summary)).toBe(
      'Security summary of acme/app for the last 7 day(s): 4 open code-scanning alert(s) (1 critical, 2 high, 0 medium, 1 low); 3 new, 2 fixed; secret findings: 1 open, 1 new, 1 fixed.',
    );
    expect(summaryDetails(summary)).toBe(
      'trivy=3 open (1 critical, 1 high, 0 medium, 1 low), 2 new, 1 fixed\ngitleaks=1 open (0 critical, 1 high, 0 medium, 0 low), 1 new, 1 fixed',
    );
  });

  test('nothing at all: zeros, no secret table', () => {
    const summary = summarizeAlerts('acme/app', { open: [], recent: [], fixed: [] }, period);
    expect(summaryLine(summary)).toMatch(
      /: 0 open code-scanning alert\(s\) .*0 new, 0 fixed; secret findings: 0 open/,
    );
    const markdown = renderAlertSummary(summary);
    expect(markdown).toContain('| **Total** | 0 | 0 | 0 | 0 | 0 | 0 | 0 |');
    expect(markdown).not.toContain('secret findings (');
  });

  test('the job summary: a row per tool, a total, the open secrets linked; remote text inert', () => {
    const hostile = codeScanningAlert(11, {
      tool: { name: 'evil|tool\n::error::injected<b>[x](https://evil.example)' },
      rule: { id: 'x', tags: ['secret'] },
      html_url: 'javascript:alert(1)',
      most_recent_instance: {
        ref: 'refs/heads/main',
        state: 'open',
        location: { path: 'a|b\n::warning::c', start_line: 1 },
      },
    });
    const markdown = renderAlertSummary(
      summarizeAlerts('acme/app', { open: [...open, hostile], recent, fixed }, period),
    );
    expect(markdown).toContain('### Security summary: acme/app, 2026-11-23 → 2026-11-30');
    expect(markdown).toContain('| trivy | 1 | 1 | 0 | 1 | 3 | 2 | 1 |');
    expect(markdown).toContain('| **Total** | 1 | 2 | 1 | 1 | 5 | 3 | 2 |');
    expect(markdown).toContain(
      '| [#4](https://github.com/acme/app/security/code-scanning/4) | gitleaks | aws-access-token | config/prod.env:3 | 2026-11-25 |',
    );
    expect(markdown).toContain(
      '| #11 | evil&#124;tool ::error::injected&lt;b&gt;&#91;x&#93;(https://evil.example) |',
    );
    expect(markdown.split('\n').some((line) => line.startsWith('::'))).toBe(false);
    expect(markdown).not.toContain('javascript:');
    const details = summaryDetails(
      summarizeAlerts('acme/app', { open: [hostile], recent: [], fixed: [] }, period),
    );
    expect(details.split('\n')).toHaveLength(1);
  });

  test('a listing cut at the page limit says the counts are lower bounds', () => {
    const summary = summarizeAlerts('acme/app', { open, recent, fixed }, period, true);
    expect(summaryLine(summary)).toContain('at least 4 open');
    expect(renderAlertSummary(summary)).toContain('the counts are lower bounds');
  });
});
