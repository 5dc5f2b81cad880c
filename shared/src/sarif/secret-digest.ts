/**
 * A per-result digest of the secret a result found, kept beside the log (never written into it), so that
 * duplicates of one secret can be merged and fingerprints computed without the secret itself.
 *
 * The digest is SHA-256 (hex) of the secret value; results are keyed by object identity (a WeakMap), so
 * nothing of the value or its digest reaches the SARIF file, a summary or an output.
 */
import { hash } from 'node:crypto';
import type { Result } from './types.ts';

const digests = new WeakMap<Result, string>();

/**
 * Records the secret a result found (its SHA-256 digest only).
 * @param value the secret value as the tool reported it; an empty value is ignored
 */
export function setSecretDigest(result: Result, value: string): void {
  if (value !== '') digests.set(result, hash('sha256', value, 'hex'));
}

/** The SHA-256 (hex) of the secret a result found, when one was recorded with {@link setSecretDigest}. */
export function secretDigest(result: Result): string | undefined {
  return digests.get(result);
}
