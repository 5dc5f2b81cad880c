/**
 * Validates SARIF logs against the SARIF 2.1.0 JSON schema (draft-04; provenance in
 * test/fixtures/security-scan/schema/PROVENANCE.md) with ajv. Shared by the sarif, lint-gate and
 * security-scan tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// ajv-draft-04 is CommonJS whose module.exports is the class (TypeScript's NodeNext view sees only `.default`).
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as typeof import('ajv-draft-04').default;

const schemaFile = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/security-scan/schema/sarif-2.1.0-rtm.5.json',
);
const ajv = new Ajv({ strict: false, unicodeRegExp: false, validateFormats: false });
const validator = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);

/** Schema errors of a SARIF log as `path: message` lines; empty when the log is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validator(log)) return [];
  return (validator.errors ?? []).map(
    (error: { instancePath: string; message?: string }) =>
      `${error.instancePath || '/'}: ${error.message ?? ''}`,
  );
}
