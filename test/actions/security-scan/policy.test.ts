import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyIgnores, loadIgnoreFile } from '../../../actions/security-scan/src/ignore.ts';
import { evaluate } from '../../../actions/security-scan/src/policy.ts';
import { parseScanner, parseSarif } from '../../../actions/security-scan/src/scanners.ts';
import { listFindings, type Finding } from '../../../shared/src/sarif/findings.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { InputError } from '../../../shared/src/errors.ts';

const reports = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/security-scan/reports',
);

async function fixtureFindings(): Promise<Finding[]> {
  const logs = [];
  for (const name of ['trivy.sarif', 'checkov.sarif', 'osv-scanner.sarif', 'semgrep.sarif'])
    logs.push(parseSarif(await readFile(path.join(reports, name), 'utf8'), name));
  return listFindings(mergeLogs(logs, 'scan'));
}

describe('scanners input', () => {
  test('names, trivy-image:<ref> and sarif:<glob> are parsed', () => {
    assert.deepEqual(parseScanner('gitleaks'), { kind: 'gitleaks', label: 'gitleaks' });
    assert.deepEqual(parseScanner('trivy-image:ghcr.io/acme/app:1.2'), {
      kind: 'trivy-image',
      argument: 'ghcr.io/acme/app:1.2',
      label: 'trivy-image:ghcr.io/acme/app:1.2',
    });
    assert.equal(parseScanner('sarif:reports/**/*.sarif').argument, 'reports/**/*.sarif');
  });

  test('unknown scanners and missing arguments are input errors naming the input', () => {
    assert.throws(
      () => parseScanner('snyk'),
      (e: unknown) => e instanceof InputError && /Input 'scanners': "snyk" is not a scanner/.test(e.message),
    );
    assert.throws(() => parseScanner('sarif:'), /needs a glob/);
    assert.throws(() => parseScanner('trivy-image'), /needs a image reference|needs a image|image reference/);
    assert.throws(() => parseScanner('gitleaks:x'), /takes no argument/);
  });

  test('a file that is not SARIF 2.1.0 is refused with its name', () => {
    assert.throws(
      () => parseSarif('{"version":"2.0.0","runs":[]}', 'old.sarif'),
      /old\.sarif is not a SARIF 2\.1\.0 log/,
    );
    assert.throws(() => parseSarif('nope', 'x.sarif'), /x\.sarif is not JSON/);
  });
});

describe('policy: severity-threshold is separate from what is reported', () => {
  test('the threshold decides blocking; every finding is still counted', async () => {
    const findings = await fixtureFindings();
    const options = { failOnSecrets: false, expired: [], scannerErrors: [] };
    const critical = evaluate(findings, { ...options, threshold: 'critical' });
    assert.deepEqual(critical.counts, { critical: 1, high: 5, medium: 3, low: 0, none: 0 });
    assert.deepEqual(critical.reasons, ['1 finding at or above critical severity']);
    assert.deepEqual(evaluate(findings, { ...options, threshold: 'high' }).reasons, [
      '6 findings at or above high severity',
    ]);
    assert.deepEqual(evaluate(findings, { ...options, threshold: 'medium' }).reasons, [
      '9 findings at or above medium severity',
    ]);
    const none = evaluate(findings, { ...options, threshold: 'none' });
    assert.equal(none.blocked, false);
    assert.deepEqual(none.counts, critical.counts);
  });

  test('fail-on-secrets blocks on a secret of any severity', async () => {
    const secretOnly = (await fixtureFindings()).filter((f) => f.secret);
    assert.equal(secretOnly.length, 1, 'trivy tags its secret rule "secret"');
    secretOnly[0]!.severity = 'low';
    const verdict = evaluate(secretOnly, {
      threshold: 'critical',
      failOnSecrets: true,
      expired: [],
      scannerErrors: [],
    });
    assert.deepEqual(verdict.reasons, ['1 secret found']);
    assert.equal(
      evaluate(secretOnly, { threshold: 'critical', failOnSecrets: false, expired: [], scannerErrors: [] })
        .blocked,
      false,
    );
  });

  test('a scanner that could not run blocks', () => {
    const verdict = evaluate([], {
      threshold: 'high',
      failOnSecrets: true,
      expired: [],
      scannerErrors: ['checkov: checkov is not installed'],
    });
    assert.deepEqual(verdict.reasons, ['scanner failed: checkov: checkov is not installed']);
  });
});

describe('ignore file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gantry-ignore-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('entries suppress by id (or alias) and path glob; expired ones suppress nothing and are named', async () => {
    const file = path.join(dir, 'security-ignore.yml');
    await writeFile(
      file,
      [
        '# reviewed suppressions',
        '- id: cve-2024-21538',
        "  path: 'test/fixtures/**'",
        '  reason: test fixture lockfile, never installed',
        '  expires: 2999-12-31',
        '- id: CKV_AWS_18',
        '  reason: access logs go to the central bucket',
        '- id: CVE-2022-24999',
        '  reason: waiting for upstream',
        '  expires: 2020-01-31',
        '',
      ].join('\n'),
    );
    const entries = await loadIgnoreFile(file, '.gantry/security-ignore.yml');
    assert.deepEqual(
      entries.map((e) => e.where),
      ['.gantry/security-ignore.yml:2', '.gantry/security-ignore.yml:6', '.gantry/security-ignore.yml:8'],
    );
    const findings = await fixtureFindings();
    const outcome = applyIgnores(findings, entries, '2026-11-21');
    assert.deepEqual(outcome.ignored.map((i) => [i.finding.ruleId, i.finding.file]).sort(), [
      ['CKV_AWS_18', 'infra/main.tf'],
      ['CVE-2024-21538', 'test/fixtures/tool/package-lock.json'],
    ]);
    assert.deepEqual(
      outcome.expired.map((e) => e.id),
      ['CVE-2022-24999'],
    );
    assert.ok(
      outcome.kept.some((f) => f.ruleId === 'CVE-2022-24999'),
      'an expired entry suppresses nothing',
    );
    const verdict = evaluate(outcome.kept, {
      threshold: 'critical',
      failOnSecrets: false,
      expired: outcome.expired,
      scannerErrors: [],
    });
    assert.ok(
      verdict.reasons.includes(
        'ignore entry CVE-2022-24999 (.gantry/security-ignore.yml:8) expired on 2020-01-31: review it or renew it',
      ),
    );
  });

  test('an entry holds through its expiry day', async () => {
    const file = path.join(dir, 'day.yml');
    await writeFile(file, 'ignore:\n  - id: X\n    reason: r\n    expires: 2026-11-21\n');
    const entries = await loadIgnoreFile(file);
    assert.equal(applyIgnores([], entries, '2026-11-21').expired.length, 0);
    assert.equal(applyIgnores([], entries, '2026-11-22').expired.length, 1);
  });

  test('a missing file is no suppression; bad entries are configuration errors with file:line', async () => {
    assert.deepEqual(await loadIgnoreFile(path.join(dir, 'absent.yml')), []);
    const bad = path.join(dir, 'bad.yml');
    await writeFile(bad, '- id: CVE-1\n  reason: ok\n- id: CVE-2\n');
    await assert.rejects(loadIgnoreFile(bad, 'bad.yml'), /bad\.yml:3: the entry for CVE-2 has no reason/);
    await writeFile(bad, '- id: CVE-1\n  reason: ok\n  expires: next week\n');
    await assert.rejects(loadIgnoreFile(bad, 'bad.yml'), /expires of CVE-1 must be a date like 2026-12-31/);
    await writeFile(bad, 'id: CVE-1\n');
    await assert.rejects(loadIgnoreFile(bad, 'bad.yml'), /expected a list/);
  });
});
