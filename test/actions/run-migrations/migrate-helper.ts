/** Runs the builtin engine in-process on a folder of migration files, for the engine integration tests. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scanLocations } from '../../../actions/run-migrations/src/migration-files.ts';
import {
  runCommand,
  type Command,
  type MigratorOptions,
  type MigratorResult,
} from '../../../actions/run-migrations/src/migrator.ts';
import type { MigrationDatabase } from '../../../actions/run-migrations/src/schema-history.ts';
import { parseVersion, type Version } from '../../../actions/run-migrations/src/version.ts';

/** A folder of migration scripts the test writes into. */
export interface MigrationFolder {
  dir: string;
  write(name: string, sql: string): Promise<void>;
  remove(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function migrationFolder(files: Record<string, string> = {}): Promise<MigrationFolder> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rm-files-'));
  const folder: MigrationFolder = {
    dir,
    async write(name, sql) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), sql);
    },
    async remove(name) {
      await rm(path.join(dir, name), { force: true });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [name, sql] of Object.entries(files)) await folder.write(name, sql);
  return folder;
}

export function version(text: string): Version {
  const parsed = parseVersion(text);
  if (parsed === undefined) throw new Error(`bad version ${text}`);
  return parsed;
}

/** Runs one command with default options (overridable), opening and closing the database. */
export async function runBuiltin(
  open: () => Promise<MigrationDatabase>,
  dir: string,
  command: Command = 'migrate',
  overrides: Partial<MigratorOptions> = {},
): Promise<MigratorResult> {
  const { migrations } = await scanLocations([dir], dir);
  const db = await open();
  try {
    return await runCommand(command, db, migrations, {
      outOfOrder: false,
      baselineOnMigrate: false,
      baselineVersion: version('1'),
      baselineDescription: '<< Flyway Baseline >>',
      placeholders: new Map(),
      placeholderReplacement: true,
      lockTimeoutMs: 30_000,
      dryRun: false,
      installedBy: '',
      ...overrides,
    });
  } finally {
    await db.close();
  }
}
