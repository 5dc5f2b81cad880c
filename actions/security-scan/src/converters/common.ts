/**
 * Helpers the converters share: reading loosely typed JSON and building SARIF results.
 */
import { levelForSeverity, scoreForSeverity, type Severity } from '../../../../shared/src/sarif/severity.ts';
import type { Log, Result } from '../../../../shared/src/sarif/types.ts';

/** What a converter produces: one SARIF log and the secret values it saw (to redact everywhere). */
export interface Converted {
  log: Log;
  secrets: string[];
}

/** A JSON object's field as a string ('' when absent or not a string/number). */
export function str(record: unknown, key: string): string {
  if (record === null || typeof record !== 'object') return '';
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A JSON object's field as a positive integer, or undefined. */
export function int(record: unknown, key: string): number | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** A JSON object's field (any type). */
export function field(record: unknown, key: string): unknown {
  if (record === null || typeof record !== 'object') return undefined;
  return (record as Record<string, unknown>)[key];
}

/**
 * A SARIF result with a severity expressed both ways code scanning reads (level and security-severity).
 * @param location file (relative to the scanned folder) and 1-based lines/columns
 */
export function buildResult(options: {
  ruleId: string;
  message: string;
  severity: Severity;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  tags?: string[];
  fingerprint?: { key: string; value: string };
  properties?: Record<string, unknown>;
}): Result {
  const result: Result = {
    ruleId: options.ruleId,
    level: levelForSeverity(options.severity),
    message: { text: options.message },
    properties: {
      'security-severity': scoreForSeverity(options.severity),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...options.properties,
    },
  };
  if (options.file !== undefined && options.file !== '') {
    const region: NonNullable<NonNullable<Result['locations']>[number]['physicalLocation']>['region'] = {};
    if (options.startLine !== undefined) region.startLine = options.startLine;
    if (
      options.endLine !== undefined &&
      options.startLine !== undefined &&
      options.endLine >= options.startLine
    )
      region.endLine = options.endLine;
    if (options.startColumn !== undefined) region.startColumn = options.startColumn;
    if (
      options.endColumn !== undefined &&
      options.startColumn !== undefined &&
      (region.endLine === undefined || region.endLine === region.startLine
        ? options.endColumn > options.startColumn
        : true)
    )
      region.endColumn = options.endColumn;
    result.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: options.file },
          ...(Object.keys(region).length === 0 ? {} : { region }),
        },
      },
    ];
  }
  if (options.fingerprint !== undefined)
    result.partialFingerprints = { [options.fingerprint.key]: options.fingerprint.value };
  return result;
}
