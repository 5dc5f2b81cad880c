/**
 * `npm audit --json` (npm 7+, `auditReportVersion: 2`) to SARIF.
 *
 * Format: https://docs.npmjs.com/cli/v11/commands/npm-audit and the reporter that writes it,
 * npm/npm-audit-report `lib/reporters/json.js` (snapshots in its `tap-snapshots/`): `vulnerabilities` maps a
 * package name to `{name, severity, isDirect, via, effects, range, nodes, fixAvailable}`; `via` holds
 * advisory objects `{source, name, dependency, title, url, severity, cwe, cvss: {score, vectorString},
 * range}` or the names of vulnerable dependencies (those are reported under that dependency).
 * One result per advisory and package, on the lockfile; rule id = the GHSA id from the advisory URL.
 */
import { parseSeverity, severityFromScore } from '../../../../shared/src/sarif/severity.ts';
import {
  newRun,
  type Log,
  type ReportingDescriptor,
  type Result,
} from '../../../../shared/src/sarif/types.ts';
import { buildResult, field, str, type Converted } from './common.ts';

function lockfileLine(lockfile: string | undefined, node: string): number | undefined {
  if (lockfile === undefined || node === '') return undefined;
  const index = lockfile.indexOf(`"${node}": {`);
  if (index < 0) return undefined;
  let line = 1;
  for (let i = 0; i < index; i++) if (lockfile.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The reason an npm audit error report gives, or undefined when the report is not an error report.
 * npm writes, on stdout with `--json`, `{"message": "audit endpoint returned an error", "method": "POST",
 * "uri": …, "statusCode": 503, "body": …, "error": {"summary": "", "detail": ""}}` when the registry refuses
 * the audit (npm/cli lib/commands/audit.js, arborist audit-report), and `{"error": {"code": "ENOLOCK",
 * "summary": "…", "detail": "…"}}` for its other errors (npm/cli lib/utils/error-message.js, `jsonError`).
 * The reason is made of the non-empty `message`, `error.code`, `error.summary`, `error.detail` and
 * `statusCode`, so an empty `error` object never hides it.
 */
export function auditErrorReason(report: unknown): string | undefined {
  const error = field(report, 'error');
  const message = str(report, 'message');
  if (error === undefined && (message === '' || field(report, 'vulnerabilities') !== undefined))
    return undefined;
  const parts: string[] = [];
  const add = (text: string): void => {
    const line = text.replace(/\s+/g, ' ').trim();
    if (line !== '' && !parts.includes(line)) parts.push(line);
  };
  add(message);
  const code = str(error, 'code');
  const status = str(report, 'statusCode');
  add(str(error, 'summary'));
  add(str(error, 'detail'));
  if (typeof error === 'string') add(error);
  const reason = parts.join(': ') || 'npm printed an error report without a reason';
  const tags = [code, status === '' ? '' : `HTTP ${status}`].filter((tag) => tag !== '');
  return tags.length > 0 ? `${reason} (${tags.join(', ')})` : reason;
}

/**
 * Converts an npm audit JSON report.
 * @param report   the parsed `npm audit --json` output
 * @param lockfile the lockfile's name (relative to the audited folder) and, optionally, its text to point
 *                 results at the package's entry
 * @throws Error when the report is not an npm 7+ audit report (e.g. npm 6's `advisories` format, or an
 *   `error` object npm prints when the registry could not be reached)
 */
export function npmAuditToSarif(
  report: unknown,
  lockfile: { name: string; text?: string } = { name: 'package-lock.json' },
): Converted {
  const reason = auditErrorReason(report);
  if (reason !== undefined) throw new Error(`npm audit failed: ${reason}`);
  const vulnerabilities = field(report, 'vulnerabilities');
  if (vulnerabilities === null || typeof vulnerabilities !== 'object')
    throw new Error('not an npm audit --json report (npm 7+): no "vulnerabilities" object');
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = [];
  for (const vulnerability of Object.values(vulnerabilities as Record<string, unknown>)) {
    const name = str(vulnerability, 'name');
    const nodes = field(vulnerability, 'nodes');
    const node = Array.isArray(nodes) && typeof nodes[0] === 'string' ? nodes[0] : `node_modules/${name}`;
    const fix = field(vulnerability, 'fixAvailable');
    const fixText =
      fix === true
        ? 'Fix available via `npm audit fix`.'
        : fix !== null && typeof fix === 'object'
          ? `Fix available via \`npm audit fix --force\` (installs ${str(fix, 'name')}@${str(fix, 'version')}${field(fix, 'isSemVerMajor') === true ? ', a semver-major change' : ''}).`
          : 'No fix available.';
    const via = field(vulnerability, 'via');
    for (const advisory of Array.isArray(via) ? via : []) {
      if (typeof advisory !== 'object' || advisory === null) continue; // a dependency name: reported there
      const url = str(advisory, 'url');
      const ghsa = /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/.exec(url)?.[0];
      const ruleId = ghsa ?? `npm-advisory-${str(advisory, 'source') || str(advisory, 'id')}`;
      const score = Number(field(field(advisory, 'cvss'), 'score'));
      const severity =
        Number.isFinite(score) && score > 0
          ? severityFromScore(score)
          : (parseSeverity(str(advisory, 'severity')) ?? 'medium');
      const title = str(advisory, 'title') || ruleId;
      const range = str(advisory, 'range') || str(advisory, 'vulnerable_versions');
      if (!rules.has(ruleId)) {
        const cwe = field(advisory, 'cwe');
        rules.set(ruleId, {
          id: ruleId,
          name: title,
          shortDescription: { text: title },
          ...(url === '' ? {} : { helpUri: url }),
          help: { text: `${title}\n${url}` },
          properties: {
            'security-severity': Number.isFinite(score) && score > 0 ? score.toFixed(1) : undefined,
            tags: ['security', 'vulnerability', 'dependency', ...(Array.isArray(cwe) ? cwe.map(String) : [])],
          },
        });
      }
      const line = lockfileLine(lockfile.text, node);
      results.push(
        buildResult({
          ruleId,
          message: `${name} ${range}: ${title} (${severity}). ${fixText}`,
          severity,
          file: lockfile.name,
          ...(line === undefined ? {} : { startLine: line }),
          tags: ['security', 'vulnerability'],
          properties: {
            package: name,
            'vulnerable-range': range,
            ...(ghsa === undefined ? {} : { aliases: [ghsa] }),
          },
        }),
      );
    }
  }
  for (const rule of rules.values())
    if (rule.properties?.['security-severity'] === undefined) delete rule.properties?.['security-severity'];
  const log: Log = {
    version: '2.1.0',
    runs: [
      newRun(
        { name: 'npm-audit', informationUri: 'https://docs.npmjs.com/cli/commands/npm-audit' },
        results,
        [...rules.values()],
      ),
    ],
  };
  return { log, secrets: [] };
}
