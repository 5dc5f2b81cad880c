/**
 * The run's report: a JSON file (the `report` output), the job summary table and the `info` table in the log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import type { MigratorResult } from './migrator.ts';
import type { MigrationInfo } from './plan.ts';

/** The JSON report's shape (version 1). */
export interface Report {
  reportVersion: 1;
  command: string;
  engine: string;
  dryRun: boolean;
  schemaVersion: string;
  applied: number;
  pending: number;
  /** Set when the run failed. */
  error?: string;
  problems: string[];
  repaired: string[];
  unknownFiles: string[];
  migrations: {
    version: string | null;
    description: string;
    type: string;
    script: string;
    checksum: number | null;
    state: string;
    installedRank: number | null;
    installedOn: string | null;
    /** Milliseconds. */
    executionTime: number | null;
    appliedThisRun: boolean;
  }[];
}

/**
 * Builds the report from a command's result.
 * @param error the failure message, when the run failed
 */
export function buildReport(
  result: MigratorResult,
  context: { engine: string; unknownFiles: string[]; error?: string },
): Report {
  const appliedScripts = new Map(result.applied.map((m) => [m.script, m]));
  return {
    reportVersion: 1,
    command: result.command,
    engine: context.engine,
    dryRun: result.dryRun,
    schemaVersion: result.schemaVersion,
    applied: result.applied.length,
    pending: result.pending.length,
    ...(context.error === undefined ? {} : { error: context.error }),
    problems: result.problems,
    repaired: result.repaired,
    unknownFiles: context.unknownFiles,
    migrations: result.infos.map((info) => ({
      version: info.version,
      description: info.description,
      type: info.type,
      script: info.script,
      checksum: info.checksum ?? info.appliedChecksum ?? null,
      state: info.state,
      installedRank: info.installedRank ?? null,
      installedOn: info.installedOn?.toISOString() ?? null,
      executionTime: info.executionTime ?? null,
      appliedThisRun:
        appliedScripts.has(info.script) && info.file !== undefined && info.state !== 'superseded',
    })),
  };
}

/**
 * Writes the report as JSON.
 * @param reportPath where to write (folders created)
 * @returns the absolute path written
 */
export async function writeReport(report: Report, reportPath: string): Promise<string> {
  const absolute = path.resolve(reportPath);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, `${JSON.stringify(report, null, 2)}\n`);
  return absolute;
}

/**
 * A fixed-width text table of migrations (what `flyway info` prints), for the log.
 * @returns lines joined by newlines
 */
export function infoTable(infos: MigrationInfo[]): string {
  const rows = [
    ['Version', 'Description', 'Type', 'Installed on', 'State'],
    ...infos.map((i) => [
      i.version ?? '',
      i.description,
      i.type,
      i.installedOn?.toISOString().replace('T', ' ').slice(0, 19) ?? '',
      i.state,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const format = (row: string[]): string =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [line, format(rows[0]!), line, ...rows.slice(1).map(format), line].join('\n');
}

/**
 * Writes the job summary: each migration applied (or planned, for a dry run) with its execution time;
 * for `info`/`validate`, every migration's state.
 */
export async function writeSummary(report: Report): Promise<void> {
  const applied = report.migrations.filter((m) => m.appliedThisRun);
  const planned = report.migrations.filter((m) => m.state === 'pending' || m.state === 'outdated');
  let rows: string[][];
  let headers: string[];
  if (report.command === 'migrate' && !report.dryRun) {
    headers = ['Version', 'Description', 'Script', 'Execution time (ms)'];
    rows = applied.map((m) => [
      m.version ?? '(repeatable)',
      m.description,
      m.script,
      String(m.executionTime ?? ''),
    ]);
  } else if (report.command === 'migrate') {
    headers = ['Version', 'Description', 'Script', 'Would'];
    rows = planned.map((m) => [
      m.version ?? '(repeatable)',
      m.description,
      m.script,
      m.state === 'outdated' ? 're-apply' : 'apply',
    ]);
  } else {
    headers = ['Version', 'Description', 'Script', 'State'];
    rows = report.migrations.map((m) => [m.version ?? '', m.description, m.script, m.state]);
  }
  const footer =
    `Schema version: ${report.schemaVersion || '(none)'} · applied: ${report.applied} · pending: ${report.pending}` +
    (report.error === undefined ? '' : ` · failed: ${report.error}`);
  await writeSummaryTable(
    `run-migrations ${report.command}${report.dryRun ? ' (dry run)' : ''} — ${report.engine}`,
    headers,
    rows,
    footer,
  );
}
