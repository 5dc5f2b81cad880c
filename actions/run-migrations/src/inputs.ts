/**
 * The action's inputs (action.yml), read and checked in one place. Nothing else reads inputs.
 */
import {
  containPath,
  getBoolean,
  getDuration,
  getEnum,
  getList,
  getMap,
  getPath,
  getString,
} from '../../../shared/src/inputs.ts';
import { getSecret } from '../../../shared/src/secret-inputs.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { maskSecret } from '../../../shared/src/secrets.ts';
import { parseDatabaseUrl, type DatabaseUrl } from './database-url.ts';
import type { Command } from './migrator.ts';
import { parseVersion, type Version } from './version.ts';
import { quote } from '../../../shared/src/output.ts';

export const COMMANDS = ['migrate', 'validate', 'info', 'baseline', 'repair'] as const;
export const ENGINES = ['builtin', 'flyway', 'liquibase'] as const;

export interface Inputs {
  command: Command;
  /** Parsed; the raw URL and its password are masked. */
  'database-url': DatabaseUrl;
  engine: (typeof ENGINES)[number];
  locations: string[];
  table: string;
  schema: string;
  /** undefined for `latest`. */
  target: Version | undefined;
  'out-of-order': boolean;
  'baseline-on-migrate': boolean;
  'baseline-version': Version;
  'baseline-description': string;
  placeholders: Map<string, string>;
  'placeholder-replacement': boolean;
  /** Milliseconds. */
  'lock-timeout': number;
  /** Milliseconds. */
  'connect-timeout': number;
  'dry-run': boolean;
  'installed-by': string;
  'engine-version': string;
  'engine-sha256': string;
  'report-path': string;
}

function versionInput(name: string, value: string): Version {
  const version = parseVersion(value);
  if (version === undefined)
    throw new InputError(name, `${quote(value)} is not a version (digits separated by . or _)`, '1.2');
  return version;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * Reads and validates every input. Cheap checks come first, the secret last (it may be a Vault reference,
 * resolved over the network).
 * @throws InputError naming the input at fault
 */
export async function getInputs(): Promise<Inputs> {
  const command = getEnum('command', COMMANDS, { default: 'migrate' });
  const engine = getEnum('engine', ENGINES, { default: 'builtin' });
  const table = getString('table', { default: 'flyway_schema_history' });
  if (!IDENTIFIER.test(table))
    throw new InputError('table', `${quote(table)} is not a plain SQL identifier`, 'flyway_schema_history');
  const schema = getString('schema');
  if (schema !== '' && !IDENTIFIER.test(schema))
    throw new InputError('schema', `${quote(schema)} is not a plain SQL identifier`, 'public');
  const targetText = getString('target', { default: 'latest' });
  const locations = getList('locations', { example: 'db/migration' });
  // Each location (Flyway's `filesystem:` prefix dropped) must stay inside the workspace.
  for (const location of locations)
    containPath('locations', location.replace(/^filesystem:/, ''), { example: 'db/migration' });
  const inputs = {
    command,
    engine,
    locations: locations.length > 0 ? locations : ['db/migration'],
    table,
    schema,
    target: targetText === 'latest' ? undefined : versionInput('target', targetText),
    'out-of-order': getBoolean('out-of-order', { default: false }),
    'baseline-on-migrate': getBoolean('baseline-on-migrate', { default: false }),
    'baseline-version': versionInput('baseline-version', getString('baseline-version', { default: '1' })),
    'baseline-description': getString('baseline-description', { default: '<< Flyway Baseline >>' }),
    placeholders: getMap('placeholders', { keyPattern: /^[A-Za-z0-9_.-]+$/, example: 'owner=app_user' }),
    'placeholder-replacement': getBoolean('placeholder-replacement', { default: true }),
    'lock-timeout': getDuration('lock-timeout', { default: '10m', min: 0 }) ?? 600_000,
    'connect-timeout': getDuration('connect-timeout', { default: '30s', min: 1 }) ?? 30_000,
    'dry-run': getBoolean('dry-run', { default: false }),
    'installed-by': getString('installed-by'),
    'engine-version': getString('engine-version'),
    'engine-sha256': getString('engine-sha256'),
    'report-path': getPath('report-path', { kind: 'output', example: 'reports/migrations.json' }),
  };
  if (inputs['engine-version'] !== '' && !/^[0-9a-f]{64}$/i.test(inputs['engine-sha256'])) {
    throw new InputError(
      'engine-sha256',
      'a 64-hex-digit SHA-256 is required with engine-version',
      'e3b0c442…(64 hex digits)',
    );
  }
  const raw = await getSecret('database-url', { required: true, example: '${{ secrets.DATABASE_URL }}' });
  const url = parseDatabaseUrl(raw);
  maskSecret(url.password);
  maskSecret(encodeURIComponent(url.password));
  return { ...inputs, 'database-url': url };
}
