/**
 * Merging SARIF logs into one log with one run per tool.
 *
 * GitHub code scanning keys alerts on the tool, the run's category (`runAutomationDetails.id`, the part up
 * to the last `/`) and the result's fingerprints, and rejects several runs of one tool and category in one
 * upload. So the merged log holds exactly one run per tool (`tool.driver.name`), its category is
 * `<category>/<tool>/` (stable across commits), rules are de-duplicated by id with every `ruleIndex`
 * re-pointed, artifact indexes are resolved to URIs (the merged run has no `artifacts` table), and each
 * result keeps its `partialFingerprints`; a result without any gets `gantry/v1`, a hash of tool, rule,
 * file and the flagged text — for a secret finding, the digest of its secret (secret-digest.ts) — not the
 * line number, so it survives code moving.
 * References: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 * and SARIF 2.1.0 §3.14 (run), §3.27.5–7 (ruleId / ruleIndex / rule), §3.4.5 (artifact index).
 */
import { hash } from 'node:crypto';
import type { ArtifactLocation, Location, Log, ReportingDescriptor, Result, Run } from './types.ts';
import { SARIF_SCHEMA } from './types.ts';
import { secretDigest } from './secret-digest.ts';

/** The fingerprint key Gantry adds to results that carry none. */
export const GANTRY_FINGERPRINT = 'gantry/v1';

/** A tool name as a category path segment: lower-case, runs of other characters as `-`. */
export function toolSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'tool'
  );
}

/** The rule id a result refers to (§3.27.5–7): `ruleId`, `rule.id`, else the id at its rule index. */
export function resultRuleId(result: Result, rules: readonly ReportingDescriptor[] | undefined): string {
  if (result.ruleId !== undefined) return result.ruleId;
  if (result.rule?.id !== undefined) return result.rule.id;
  const index = result.ruleIndex ?? result.rule?.index;
  return (index !== undefined && index >= 0 ? rules?.[index]?.id : undefined) ?? 'unknown';
}

/** The first location's file URI of a result, if any. */
export function resultUri(result: Result): string | undefined {
  return result.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
}

interface RunBuilder {
  run: Run;
  rules: ReportingDescriptor[];
  ruleIndex: Map<string, number>;
  fingerprintCounts: Map<string, number>;
}

function resolveLocation(location: Location, run: Run): Location {
  const artifact = location.physicalLocation?.artifactLocation;
  if (artifact === undefined || artifact.index === undefined) return location;
  const fromTable = run.artifacts?.[artifact.index]?.location;
  const resolved: ArtifactLocation = { ...artifact };
  delete resolved.index;
  if (resolved.uri === undefined && fromTable?.uri !== undefined) {
    resolved.uri = fromTable.uri;
    if (fromTable.uriBaseId !== undefined) resolved.uriBaseId = fromTable.uriBaseId;
  }
  return { ...location, physicalLocation: { ...location.physicalLocation, artifactLocation: resolved } };
}

function withoutZeroRegions(location: Location): Location {
  const physical = location.physicalLocation;
  const region = physical?.region;
  if (physical === undefined || region === undefined) return location;
  const fixed = { ...region };
  if ((fixed.startLine ?? 1) < 1) {
    delete fixed.startLine;
    delete fixed.endLine;
  }
  if ((fixed.startColumn ?? 1) < 1) {
    delete fixed.startColumn;
    delete fixed.endColumn;
  }
  const physicalLocation = { ...physical };
  if (Object.keys(fixed).length === 0) delete physicalLocation.region;
  else physicalLocation.region = fixed;
  return { ...location, physicalLocation };
}

function fingerprintKey(tool: string, ruleId: string, result: Result): string {
  const physical = result.locations?.[0]?.physicalLocation;
  // A secret finding is keyed on its secret's digest, never on the text that holds the secret.
  const digest = secretDigest(result);
  const text =
    digest !== undefined
      ? `secret:${digest}`
      : (physical?.region?.snippet?.text?.trim() ?? result.message.text ?? result.message.id ?? '');
  return `${tool}\u0000${ruleId}\u0000${physical?.artifactLocation?.uri ?? ''}\u0000${text}`;
}

function newBuilder(source: Run, category: string): RunBuilder {
  const driver = source.tool.driver;
  const run: Run = {
    tool: {
      driver: {
        name: driver.name,
        ...(driver.version === undefined ? {} : { version: driver.version }),
        ...(driver.semanticVersion === undefined ? {} : { semanticVersion: driver.semanticVersion }),
        ...(driver.informationUri === undefined ? {} : { informationUri: driver.informationUri }),
        rules: [],
      },
    },
    automationDetails: { id: `${category}/${toolSlug(driver.name)}/` },
    results: [],
  };
  if (source.originalUriBaseIds !== undefined) run.originalUriBaseIds = source.originalUriBaseIds;
  return { run, rules: run.tool.driver.rules ?? [], ruleIndex: new Map(), fingerprintCounts: new Map() };
}

function addRun(builder: RunBuilder, source: Run, inPlace: boolean): void {
  const sourceRules = source.tool.driver.rules ?? [];
  const toolName = source.tool.driver.name;
  const results = builder.run.results ?? [];
  for (const rule of sourceRules) {
    if (!builder.ruleIndex.has(rule.id)) {
      builder.ruleIndex.set(rule.id, builder.rules.length);
      builder.rules.push(rule);
    }
  }
  for (const original of source.results ?? []) {
    const ruleId = resultRuleId(original, sourceRules);
    let index = builder.ruleIndex.get(ruleId);
    if (index === undefined) {
      index = builder.rules.length;
      builder.ruleIndex.set(ruleId, index);
      builder.rules.push({ id: ruleId });
    }
    const result: Result = inPlace ? original : { ...original };
    result.ruleId = ruleId;
    result.ruleIndex = index;
    delete result.rule;
    if (result.locations?.some((l) => l.physicalLocation?.artifactLocation?.index !== undefined))
      result.locations = result.locations.map((location) => resolveLocation(location, source));
    for (const location of result.locations ?? []) {
      const region = location.physicalLocation?.region;
      // Some tools write line/column 0 for "whole file"; SARIF regions are 1-based (§3.30.5).
      if (region !== undefined && ((region.startLine ?? 1) < 1 || (region.startColumn ?? 1) < 1))
        result.locations = result.locations?.map(withoutZeroRegions);
    }
    // Code scanning tracks alerts by partialFingerprints (it does not read `fingerprints`).
    // gitleaks writes `{commitSha: "", author: "", …}` for a directory scan: empty values tell nothing apart.
    const hasFingerprint =
      result.partialFingerprints !== undefined &&
      Object.values(result.partialFingerprints).some((value) => value !== '');
    if (!hasFingerprint) {
      const key = fingerprintKey(toolName, ruleId, result);
      const seen = builder.fingerprintCounts.get(key) ?? 0;
      builder.fingerprintCounts.set(key, seen + 1);
      const digest = hash('sha256', key, 'hex').slice(0, 32);
      result.partialFingerprints = {
        ...result.partialFingerprints,
        [GANTRY_FINGERPRINT]: `${digest}:${seen + 1}`,
      };
    }
    results.push(result);
  }
}

/**
 * Merges SARIF logs into one log with one run per tool (see the module doc).
 *
 * @param logs     parsed SARIF 2.1.0 logs; not modified (results are shallow-copied) unless `inPlace`
 * @param category the category prefix, e.g. `gantry-security-scan`; each run's
 *                 `automationDetails.id` becomes `<category>/<tool-slug>/`
 * @param options.inPlace reuse (and modify) the input result objects instead of copying them — for
 *                 callers that drop the inputs, it saves one object per result (100,000 results: ~100 MB)
 * @returns a new log; runs in order of each tool's first appearance
 */
export function mergeLogs(logs: readonly Log[], category: string, options: { inPlace?: boolean } = {}): Log {
  const builders = new Map<string, RunBuilder>();
  const prefix = category.replace(/\/+$/, '');
  for (const log of logs) {
    for (const run of log.runs) {
      const key = run.tool.driver.name;
      let builder = builders.get(key);
      if (builder === undefined) {
        builder = newBuilder(run, prefix);
        builders.set(key, builder);
      }
      addRun(builder, run, options.inPlace === true);
    }
  }
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [...builders.values()].map((b) => b.run) };
}
