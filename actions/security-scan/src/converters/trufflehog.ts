/**
 * TruffleHog v3's JSON lines (`--json`) to SARIF.
 *
 * Format: the TruffleHog README (`-j, --json  Output in JSON format`) and `pkg/output/json.go`, which
 * writes one JSON object per result and line: `{SourceMetadata: {Data: {<Source>: {file, line, commit,
 * repository, …}}}, SourceID, SourceType, SourceName, DetectorType, DetectorName, DetectorDescription,
 * DecoderName, Verified, VerificationError, Raw, RawV2, Redacted, ExtraData, StructuredData}`.
 * https://github.com/trufflesecurity/trufflehog#octocat-trufflehog-github-action-and-json-output.
 * Verified secrets are critical, unverified ones high; `Raw`/`RawV2` are collected for redaction and the
 * log only says which detector fired where.
 */
import {
  newRun,
  type Log,
  type ReportingDescriptor,
  type Result,
} from '../../../../shared/src/sarif/types.ts';
import { setSecretDigest } from '../../../../shared/src/sarif/secret-digest.ts';
import { buildResult, field, int, str, type Converted } from './common.ts';

/**
 * Converts TruffleHog JSON-lines output. Lines that are not JSON objects (log lines) are skipped.
 * @param text the tool's stdout
 */
export function trufflehogToSarif(text: string): Converted {
  const secrets: string[] = [];
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    let record: unknown;
    try {
      record = JSON.parse(trimmed);
    } catch {
      continue;
    }
    if (field(record, 'DetectorName') === undefined && field(record, 'SourceMetadata') === undefined)
      continue;
    for (const key of ['Raw', 'RawV2']) {
      const value = str(record, key);
      if (value !== '') secrets.push(value);
    }
    const detector = str(record, 'DetectorName') || `detector-${str(record, 'DetectorType')}`;
    const ruleId = `trufflehog/${detector}`;
    const verified = field(record, 'Verified') === true;
    if (!rules.has(ruleId))
      rules.set(ruleId, {
        id: ruleId,
        name: detector,
        shortDescription: { text: str(record, 'DetectorDescription') || `${detector} credential` },
        properties: { tags: ['security', 'secret'] },
      });
    const data = field(field(record, 'SourceMetadata'), 'Data');
    const source = data !== null && typeof data === 'object' ? Object.values(data as object)[0] : undefined;
    const file = str(source, 'file') || str(source, 'path');
    const lineNumber = int(source, 'line');
    const commit = str(source, 'commit');
    const result = buildResult({
      ruleId,
      message: `${verified ? 'Verified' : 'Unverified'} ${detector} credential found by TruffleHog (${str(record, 'DecoderName') || 'PLAIN'} decoder)${commit === '' ? '' : ` in commit ${commit.slice(0, 12)}`}`,
      severity: verified ? 'critical' : 'high',
      file,
      ...(lineNumber === undefined ? {} : { startLine: lineNumber }),
      tags: ['security', 'secret', verified ? 'verified' : 'unverified'],
      properties: { verified, ...(commit === '' ? {} : { commit }) },
    });
    setSecretDigest(result, str(record, 'Raw') || str(record, 'RawV2'));
    results.push(result);
  }
  const log: Log = {
    version: '2.1.0',
    runs: [
      newRun(
        { name: 'trufflehog', informationUri: 'https://github.com/trufflesecurity/trufflehog' },
        results,
        [...rules.values()],
      ),
    ],
  };
  return { log, secrets };
}
