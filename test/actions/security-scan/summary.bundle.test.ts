/**
 * The built security-scan bundle in `mode: summary` (dist/security-scan, through testkit/bundle-runner.ts)
 * against the code-scanning stand-in (testkit/github-code-scanning.ts): the outputs notify reads and the
 * job summary; a bad input fails naming it before any request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import {
  codeScanningAlert,
  startGitHubApi,
  type GitHubApiServer,
} from '../../../testkit/github-code-scanning.ts';

let api: GitHubApiServer;
beforeAll(async () => {
  api = await startGitHubApi();
});
afterAll(async () => {
  await api.close();
});

const env = (): Record<string, string> => ({
  GITHUB_API_URL: api.url,
  GITHUB_REPOSITORY: 'acme/app',
  GANTRY_RETRY_DELAY_SCALE: '0',
});

describe('security-scan bundle, mode summary', () => {
  test.each([
    [{ 'summary-days': '0' }, /Input 'summary-days': 0 is below the minimum of 1/],
    [{ 'summary-days': '91' }, /Input 'summary-days': 91 is above the maximum of 90/],
    [{ mode: 'weekly' }, /Input 'mode'/],
    [
      { 'github-token': '' },
      /Input 'github-token': mode summary reads the code-scanning alerts and needs a token/,
    ],
  ])('%o fails naming the input, with no request', async (inputs, message) => {
    const before = api.alertReads.length;
    const run = await runBundle('security-scan', {
      inputs: { mode: 'summary', 'github-token': 'ghs_token', ...inputs },
      env: env(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(message);
    expect(api.alertReads.length).toBe(before);
  });

  test('the outputs for notify and the job summary, no scanners needed', async () => {
    const now = Date.now();
    api.alerts.push(
      codeScanningAlert(1, { rule: { security_severity_level: 'critical' } }),
      codeScanningAlert(2, {
        created_at: new Date(now - 86_400_000).toISOString(),
        tool: { name: 'trufflehog' },
        rule: { id: 'AWS', security_severity_level: 'critical' },
      }),
    );
    const run = await runBundle('security-scan', {
      inputs: { mode: 'summary', 'summary-days': '3', 'github-token': 'ghs_token' },
      env: env(),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({
      total: '2',
      critical: '2',
      high: '0',
      secrets: '1',
      'new-alerts': '1',
      'fixed-alerts': '0',
      'new-secrets': '1',
    });
    expect(run.outputs['summary']).toMatch(
      /for the last 3 day\(s\): 2 open code-scanning alert\(s\) \(2 critical/,
    );
    expect(run.outputs['summary-details']?.split('\n')).toEqual([
      // most open first, then most new
      'trufflehog=1 open (1 critical, 0 high, 0 medium, 0 low), 1 new, 0 fixed',
      'trivy=1 open (1 critical, 0 high, 0 medium, 0 low), 0 new, 0 fixed',
    ]);
    expect(run.summary).toContain('| **Total** | 2 | 0 | 0 | 0 | 2 | 1 | 0 |');
    expect(run.summary).toContain('#### Open secret findings (1)');
  });
});
