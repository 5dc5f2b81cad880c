/**
 * security-scan: run the scanners, normalise and merge their findings into one SARIF log, redact
 * secrets, apply the ignore file, gate on the policy, report (annotations, summary, SARIF file) and
 * upload to code scanning. `mode: summary` instead sums up the repository's code-scanning alerts over a
 * period (alert-summary.ts).
 */
import * as core from '@actions/core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { blameInput, describeThrown } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { findingAnnotations, sortFindings } from '../../../shared/src/sarif/findings.ts';
import { splitForUpload } from '../../../shared/src/sarif/split.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';
import { writeSarifFile } from '../../../shared/src/sarif/write.ts';
import { maskSecret } from '../../../shared/src/secrets.ts';
import { annotate } from '../../../shared/src/summary.ts';
import { applyIgnores, loadIgnoreFile } from './ignore.ts';
import { readRunContext } from '../../../shared/src/run-context.ts';
import { appendSummary } from '../../../shared/src/summary.ts';
import { readAlertSummary, renderAlertSummary, summaryDetails, summaryLine } from './alert-summary.ts';
import { getInputs, type Inputs } from './inputs.ts';
import { ChecksumMismatchError } from './install.ts';
import { evaluate } from './policy.ts';
import { writeReport } from './report.ts';
import { prepareResults } from './results.ts';
import { runScanner } from './scanners.ts';
import { uploadSarif, waitForProcessing } from './upload.ts';

/** The action's flow (see the module doc). Sets every output before failing when the gate blocks. */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = await getInputs(logger);
  if (inputs.mode === 'summary') return reportAlertSummary(inputs, logger);
  const root = path.resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd());
  const dir = inputs['working-directory'];
  const temp = await mkdtemp(path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'gantry-security-scan-'));
  const startedAt = new Date().toISOString();
  try {
    const logs: Log[] = [];
    const secrets: string[] = [];
    const scannerErrors: string[] = [];
    for (const spec of inputs.scanners) {
      await logger.group(`Scan: ${spec.label}`, async () => {
        try {
          const output = await runScanner(spec, {
            dir,
            root,
            temp,
            timeoutMs: inputs.timeout,
            logger,
            overrides: inputs['tool-versions'],
            mirror: inputs['tool-mirror'],
          });
          for (const secret of output.secrets) maskSecret(secret, logger);
          secrets.push(...output.secrets);
          logs.push(...output.logs);
          const count = output.logs.reduce(
            (n, log) => n + log.runs.reduce((m, r) => m + (r.results?.length ?? 0), 0),
            0,
          );
          logger.info(`${spec.label}: ${count} finding(s)`);
        } catch (error) {
          if (error instanceof ChecksumMismatchError) throw error;
          scannerErrors.push(`${spec.label}: ${describeThrown(error)}`);
          logger.error(`${spec.label} could not run: ${describeThrown(error)}`);
        }
      });
    }

    const prepared = await logger.group('Merge and redact', async () => {
      const out = prepareResults(logs, secrets, {
        category: inputs.category,
        honorSuppressions: inputs['honor-suppressions'],
        onSecrets: (values) => {
          for (const value of values) maskSecret(value, logger);
        },
      });
      logger.info(
        `${out.merged.runs.length} run(s); ${out.redacted} secret finding(s) redacted; ` +
          `${out.duplicates} duplicate result(s) merged; ${out.suppressed.length} suppressed by the tools`,
      );
      for (const failure of out.failures) {
        scannerErrors.push(`${failure.tool} reports its run failed: ${failure.message}`);
        logger.error(`${failure.tool} reports its run failed: ${failure.message}`);
      }
      return out;
    });
    const merged = prepared.merged;

    const ignoreFile = path.resolve(dir, inputs['ignore-file']);
    const entries = await blameInput('ignore-file', () =>
      loadIgnoreFile(ignoreFile, path.relative(root, ignoreFile) || ignoreFile),
    );
    const ignores = applyIgnores(prepared.active, entries, new Date().toISOString().slice(0, 10));
    for (const { finding, entry } of ignores.ignored)
      finding.result.suppressions = [{ kind: 'external', status: 'accepted', justification: entry.reason }];
    if (entries.length > 0)
      logger.info(`Ignore file ${inputs['ignore-file']}: ${ignores.ignored.length} finding(s) suppressed`);

    const verdict = evaluate(ignores.kept, {
      threshold: inputs['severity-threshold'],
      failOnSecrets: inputs['fail-on-secrets'],
      expired: ignores.expired,
      scannerErrors,
    });

    const sarifFile = path.resolve(
      inputs['sarif-file'] || path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'security-scan.sarif'),
    );
    await mkdir(path.dirname(sarifFile), { recursive: true });
    await writeSarifFile(sarifFile, merged);

    const sorted = sortFindings([...ignores.kept]);
    if (inputs.annotate) {
      const omitted = annotate(findingAnnotations(sorted), logger);
      const hidden = omitted.error + omitted.warning + omitted.notice;
      if (hidden > 0)
        logger.info(`${hidden} more finding(s) are not annotated: see the summary and ${sarifFile}`);
    }
    await writeReport({
      sorted,
      tools: merged.runs.map((r) => r.tool.driver.name),
      verdict,
      ignores,
      suppressed: prepared.suppressed,
      duplicates: prepared.duplicates,
      threshold: inputs['severity-threshold'],
      sarifFile,
    });

    const counts = verdict.counts;
    core.setOutput('critical', counts.critical);
    core.setOutput('high', counts.high);
    core.setOutput('medium', counts.medium);
    core.setOutput('low', counts.low + counts.none);
    core.setOutput('total', ignores.kept.length);
    core.setOutput('secrets', verdict.secrets);
    core.setOutput('ignored', ignores.ignored.length);
    core.setOutput('suppressed', prepared.suppressed.length);
    core.setOutput('duplicates', prepared.duplicates);
    core.setOutput('sarif-file', sarifFile);
    core.setOutput('blocked', verdict.blocked);
    core.setOutput('blocked-reason', verdict.reasons.join('; '));
    core.setOutput('sarif-ids', '');

    if (inputs['upload-sarif']) {
      await logger.group('Upload to code scanning', async () => {
        const uploads = splitForUpload(merged);
        const repository = process.env['GITHUB_REPOSITORY'] ?? '';
        const target = {
          apiUrl: process.env['GITHUB_API_URL'] ?? 'https://api.github.com',
          repository,
          commitSha: process.env['GITHUB_SHA'] ?? '',
          ref: process.env['GITHUB_REF'] ?? '',
          token: inputs['github-token'],
          checkoutUri: root,
          startedAt,
        };
        const receipts = await uploadSarif(uploads, target, logger);
        core.setOutput('sarif-ids', receipts.map((receipt) => receipt.id).join(','));
        if (inputs['wait-for-processing']) await waitForProcessing(receipts, target, logger);
      });
    }

    logger.info(
      `critical ${counts.critical}, high ${counts.high}, medium ${counts.medium}, low ${counts.low + counts.none}; ` +
        `secrets ${verdict.secrets}; ignored ${ignores.ignored.length}; suppressed by the tools ` +
        `${prepared.suppressed.length}; duplicates merged ${prepared.duplicates}`,
    );
    if (verdict.blocked) throw new Error(`security-scan blocked: ${verdict.reasons.join('; ')}`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * mode summary: reads the code-scanning alerts of the run's repository (GITHUB_REPOSITORY, API base
 * GITHUB_API_URL), sums up the last `summary-days` days, writes the job summary and the outputs.
 * @throws Error when GITHUB_REPOSITORY is not owner/repo, or a listing fails (naming it)
 */
async function reportAlertSummary(inputs: Inputs, logger: Logger): Promise<void> {
  const context = readRunContext(process.env);
  if (context.owner === '' || context.repo === '')
    throw new Error('mode summary needs GITHUB_REPOSITORY (owner/repo): the repository whose alerts to read');
  if (inputs.scanners.length > 0) logger.info('mode summary: the scanners input is not used');
  const summary = await logger.group(
    `Read the code-scanning alerts of ${context.repository} (last ${inputs['summary-days']} days)`,
    () =>
      readAlertSummary(
        {
          apiUrl: context.apiUrl,
          token: inputs['github-token'],
          repository: context.repository,
          days: inputs['summary-days'],
        },
        logger,
      ),
  );
  const open = summary.open;
  core.setOutput('critical', open.critical);
  core.setOutput('high', open.high);
  core.setOutput('medium', open.medium);
  core.setOutput('low', open.low + open.none);
  core.setOutput('total', summary.openTotal);
  core.setOutput('secrets', summary.secrets.open);
  core.setOutput('new-alerts', summary.opened);
  core.setOutput('fixed-alerts', summary.fixed);
  core.setOutput('new-secrets', summary.secrets.opened);
  core.setOutput('summary', summaryLine(summary));
  core.setOutput('summary-details', summaryDetails(summary));
  await appendSummary(renderAlertSummary(summary));
  logger.info(summaryLine(summary));
}
