/**
 * Secret redaction in SARIF logs. A secret scanner's result usually carries the secret itself — in its
 * region snippet, in context lines, sometimes in the message or a property (gitleaks' `Secret`,
 * trufflehog's `Raw`). Gantry redacts two ways: (1) every known secret value (collected by the converters)
 * is replaced wherever it occurs in any string of the log; (2) the snippets and context regions of secret
 * findings are replaced whole, since a tool's native SARIF does not say which part is the secret.
 */
import { secretResults } from './secret-rules.ts';
import type { Log, Region } from './types.ts';

/** What stands in for a redacted value. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for (too likely to match ordinary text). */
const MIN_SECRET_LENGTH = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function that replaces every occurrence of any of `secrets` (and each of their lines, for multi-line
 * values) in a text by {@link REDACTED}. Values shorter than 6 characters are ignored.
 * @returns identity when there is nothing to redact
 */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\r?\n/).map((line) => line.trim())])
      if (part.length >= MIN_SECRET_LENGTH) values.add(part);
  }
  if (values.size === 0) return (text) => text;
  const pattern = new RegExp(
    [...values]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => (text.length < MIN_SECRET_LENGTH ? text : text.replace(pattern, REDACTED));
}

function redactStrings(node: unknown, redact: (text: string) => string): unknown {
  if (typeof node === 'string') return redact(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i];
      if (typeof value === 'string') {
        const redacted = redact(value);
        if (redacted !== value) node[i] = redacted;
      } else if (value !== null && typeof value === 'object') redactStrings(value, redact);
    }
    return node;
  }
  if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    // for…in, not Object.keys: no array per object (a log has millions of objects).
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'string') {
        const redacted = redact(value);
        if (redacted !== value) record[key] = redacted;
      } else if (value !== null && typeof value === 'object') redactStrings(value, redact);
    }
  }
  return node;
}

function blankRegion(region: Region | undefined): void {
  if (region?.snippet !== undefined) region.snippet = { text: REDACTED };
}

/**
 * Redacts a log in place: known secret values everywhere, and the snippets / context regions of every
 * secret finding (see the module doc).
 * @param secrets secret values the converters collected (may be empty)
 * @returns the number of secret findings whose snippets were blanked
 */
export function redactLog(log: Log, secrets: Iterable<string>): number {
  let blanked = 0;
  for (const run of log.runs) {
    for (const result of secretResults(run)) {
      blanked++;
      for (const location of result.locations ?? []) {
        blankRegion(location.physicalLocation?.region);
        blankRegion(location.physicalLocation?.contextRegion);
      }
    }
  }
  const values = [...secrets];
  if (values.length > 0) redactStrings(log, secretRedactor(values));
  return blanked;
}
