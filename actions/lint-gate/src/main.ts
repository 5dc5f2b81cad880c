/**
 * lint-gate: run each linter in the working directory, normalise findings to SARIF, check coverage,
 * annotate (most severe first, 10 per level), summarise every finding, write the SARIF file and gate.
 */
import * as core from '@actions/core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { blameInput, describeThrown } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import {
  findingAnnotations,
  listFindings,
  sortFindings,
  type Finding,
} from '../../../shared/src/sarif/findings.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { relativizeUris } from '../../../shared/src/sarif/paths.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';
import { writeSarifFile } from '../../../shared/src/sarif/write.ts';
import { annotate, writeSummaryTable } from '../../../shared/src/summary.ts';
import { readCoverage, type Coverage } from './coverage.ts';
import { decide, type LevelCounts } from './gate.ts';
import { getInputs } from './inputs.ts';
import { runLinter } from './linters.ts';

/** Most findings listed in the job summary (its size is limited to 1 MiB per step). */
export const SUMMARY_LIMIT = 1_000;

function countLevels(findings: readonly Finding[]): LevelCounts {
  const counts = { errors: 0, warnings: 0, notes: 0 };
  for (const finding of findings) {
    if (finding.level === 'error') counts.errors++;
    else if (finding.level === 'warning') counts.warnings++;
    else counts.notes++;
  }
  return counts;
}

/** The action's flow (see the module doc). Outputs are set before the gate fails the step. */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = getInputs();
  const root = path.resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd());
  const dir = inputs['working-directory'];
  const temp = await mkdtemp(path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'gantry-lint-gate-'));
  try {
    const log: Log = { version: '2.1.0', runs: [] };
    const failures: string[] = [];
    const perLinter: string[][] = [];
    for (const spec of inputs.linters) {
      await logger.group(`Lint: ${spec.name}`, async () => {
        try {
          const runs = await runLinter(spec, { dir, temp, timeoutMs: inputs.timeout, logger });
          const part: Log = { version: '2.1.0', runs };
          relativizeUris(part, dir, root);
          log.runs.push(...runs);
          const counts = countLevels(listFindings(part));
          perLinter.push([
            spec.name,
            String(counts.errors),
            String(counts.warnings),
            String(counts.notes),
            'ran',
          ]);
          logger.info(
            `${spec.name}: ${counts.errors} error(s), ${counts.warnings} warning(s), ${counts.notes} note(s)`,
          );
        } catch (error) {
          failures.push(`${spec.name}: ${describeThrown(error)}`);
          perLinter.push([spec.name, '', '', '', `failed: ${describeThrown(error).split('\n')[0] ?? ''}`]);
          logger.error(`${spec.name} could not run: ${describeThrown(error)}`);
        }
      });
    }

    const merged = mergeLogs([log], inputs.category, { inPlace: true });
    const findings = sortFindings(listFindings(merged));
    const counts = countLevels(findings);

    let coverage: Coverage | undefined;
    if (inputs['coverage-file'] !== '') {
      coverage = await blameInput('coverage-file', () =>
        readCoverage(path.resolve(dir, inputs['coverage-file'])),
      );
      logger.info(
        `Line coverage ${coverage.percent.toFixed(2)} % (${coverage.covered}/${coverage.total}, ${coverage.format}); threshold ${inputs['coverage-threshold']} %`,
      );
    }

    const gate = decide({
      counts,
      failOn: inputs['fail-on'],
      maxWarnings: inputs['max-warnings'],
      ...(coverage === undefined ? {} : { coverage }),
      coverageThreshold: inputs['coverage-threshold'],
      failures,
    });

    const sarifFile = path.resolve(
      inputs['sarif-file'] || path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'lint-gate.sarif'),
    );
    await mkdir(path.dirname(sarifFile), { recursive: true });
    await writeSarifFile(sarifFile, merged);

    if (inputs.annotate) annotate(findingAnnotations(findings), logger);

    await writeSummaryTable(
      `lint-gate: ${gate.passed ? 'passed' : 'failed'}`,
      ['Linter', 'Errors', 'Warnings', 'Notes', 'Status'],
      perLinter,
      [
        gate.passed ? 'Gate passed.' : `Gate failed: ${gate.reasons.join('; ')}.`,
        coverage === undefined
          ? ''
          : `Line coverage: ${coverage.percent.toFixed(2)} % (threshold ${inputs['coverage-threshold']} %).`,
        `SARIF: ${sarifFile}`,
      ]
        .filter((part) => part !== '')
        .join(' '),
    );
    if (findings.length > 0)
      await writeSummaryTable(
        `Findings (${findings.length})`,
        ['Level', 'Linter', 'Rule', 'Location', 'Message'],
        findings
          .slice(0, SUMMARY_LIMIT)
          .map((finding) => [
            finding.level,
            finding.tool,
            finding.ruleId,
            finding.file === undefined
              ? ''
              : `${finding.file}${finding.startLine === undefined ? '' : `:${finding.startLine}`}${finding.startColumn === undefined ? '' : `:${finding.startColumn}`}`,
            finding.message.replace(/\s+/g, ' ').trim(),
          ]),
        findings.length > SUMMARY_LIMIT
          ? `The first ${SUMMARY_LIMIT} are listed; all ${findings.length} are in the SARIF file.`
          : undefined,
      );

    core.setOutput('errors', counts.errors);
    core.setOutput('warnings', counts.warnings);
    core.setOutput('notes', counts.notes);
    core.setOutput('coverage', coverage === undefined ? '' : coverage.percent.toFixed(2));
    core.setOutput('passed', gate.passed);
    core.setOutput('failed-reason', gate.reasons.join('; '));
    core.setOutput('sarif-file', sarifFile);
    if (!gate.passed) throw new Error(`lint-gate failed: ${gate.reasons.join('; ')}`);
    logger.info(`lint-gate passed: ${counts.errors} error(s), ${counts.warnings} warning(s)`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
