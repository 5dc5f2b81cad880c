/**
 * Which SARIF results are secret findings, from what real scanners write:
 * - the tool is a secret scanner (gitleaks, TruffleHog, secretlint, detect-secrets, ggshield, Nosey Parker,
 *   Kingfisher, Talisman, whispers, or any tool whose name says "secret");
 * - the rule id is a secret check: checkov's `CKV_SECRET_<n>` (https://www.checkov.io/5.Policy%20Index/secrets.html)
 *   and `CKV_AWS_41` (AWS keys hard-coded in the provider block),
 *   semgrep's `…secrets.…` rules (`generic.secrets.security.detected-*`, the `p/secrets` ruleset);
 * - the rule or result is tagged `secret`/`secrets` (trivy's secret class: rule tags `[secret, security,
 *   <SEVERITY>]`, see aquasecurity/trivy pkg/report/sarif.go) or carries `class: secret`;
 * - a GitHub secret-scanning style property: `secret_type` / `secretType` / `secret-type`;
 * - a hard-coded credential CWE in its tags or `cwe` property (semgrep writes its metadata CWE as a tag,
 *   `CWE-798: Use of Hard-coded Credentials`; CodeQL as `external/cwe/cwe-798`): CWE-798 (hard-coded
 *   credentials), CWE-259 (hard-coded password), CWE-321 (hard-coded cryptographic key).
 */
import { createHash } from 'node:crypto';
import { resultRuleId } from './merge.ts';
import { secretDigest, setSecretDigest } from './secret-digest.ts';
import type { Log, ReportingDescriptor, Result, Run } from './types.ts';

/** Tools whose every finding is a secret (lower-case `tool.driver.name`). */
export const SECRET_TOOLS: ReadonlySet<string> = new Set([
  'gitleaks',
  'trufflehog',
  'secretlint',
  'detect-secrets',
  'ggshield',
  'gitguardian',
  'noseyparker',
  'nosey parker',
  'kingfisher',
  'talisman',
  'whispers',
]);

const SECRET_TAGS = new Set(['secret', 'secrets', 'secret-detection', 'secret-scanning', 'hardcoded-secret']);
const SECRET_RULE_IDS = [/^CKV\d*_SECRET_\d+$/i, /(^|\.)secrets?\.[a-z0-9]/i];
/** Checkov IaC checks that flag a credential written in the code (seen in checkov 3.2's real output). */
const SECRET_CHECKS = new Set(['CKV_AWS_41']);
const SECRET_CWES = new Set(['798', '259', '321']);
const CWE_PATTERN = /(?:^|[^a-z])cwe[-/ :]?0*(\d+)/i;

type Bag = { [key: string]: unknown } | undefined;

/** Whether a tool (its `tool.driver.name`) is a secret scanner: every result it reports is a secret. */
export function isSecretTool(tool: string): boolean {
  const name = tool.trim().toLowerCase();
  return SECRET_TOOLS.has(name) || name.includes('secret');
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function bagSaysSecret(bag: Bag): boolean {
  if (bag === undefined || bag === null) return false;
  const tags = strings(bag['tags']);
  if (tags.some((tag) => SECRET_TAGS.has(tag.trim().toLowerCase()))) return true;
  for (const key of ['class', 'Class', 'category']) {
    const value = bag[key];
    if (typeof value === 'string' && SECRET_TAGS.has(value.toLowerCase())) return true;
  }
  for (const key of ['secret_type', 'secretType', 'secret-type'])
    if (typeof bag[key] === 'string' && bag[key] !== '') return true;
  for (const text of [...tags, ...strings(bag['cwe']), ...strings(bag['cwes'])]) {
    const cwe = CWE_PATTERN.exec(text)?.[1];
    if (cwe !== undefined && SECRET_CWES.has(cwe)) return true;
  }
  return false;
}

/**
 * Whether a result is a secret finding (see the module doc for what is read).
 * @param tool the run's `tool.driver.name`
 * @param rule the result's rule descriptor, when the run has one
 */
export function isSecretResult(tool: string, result: Result, rule?: ReportingDescriptor): boolean {
  if (isSecretTool(tool)) return true;
  const ruleId = result.ruleId ?? rule?.id ?? '';
  if (SECRET_CHECKS.has(ruleId) || SECRET_RULE_IDS.some((pattern) => pattern.test(ruleId))) return true;
  return bagSaysSecret(result.properties) || bagSaysSecret(rule?.properties);
}

/**
 * The results of a SARIF run that are secret findings ({@link isSecretResult}, each judged with its rule), in
 * the run's order.
 */
export function secretResults(run: Run): Result[] {
  const tool = run.tool.driver.name;
  const rules = run.tool.driver.rules ?? [];
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  return (run.results ?? []).filter((result) =>
    isSecretResult(tool, result, byId.get(resultRuleId(result, rules))),
  );
}

/**
 * Walks every secret result of the logs (before merging): records a digest of its secret (the region
 * snippet's text, else its message, unless a converter already recorded one) and returns the snippet texts,
 * so the caller can mask them and redact them wherever they occur (messages, other results' snippets,
 * properties). Multi-line snippets are returned whole; the redactor also matches each of their lines.
 * @returns the distinct snippet texts of secret results (trimmed; empty ones left out)
 */
export function collectSecretSnippets(logs: readonly Log[]): string[] {
  const values = new Set<string>();
  for (const log of logs)
    for (const run of log.runs) {
      for (const result of secretResults(run)) {
        const texts: string[] = [];
        for (const location of result.locations ?? []) {
          const physical = location.physicalLocation;
          for (const region of [physical?.region, physical?.contextRegion]) {
            const text = region?.snippet?.text?.trim();
            if (text !== undefined && text !== '') texts.push(text);
          }
        }
        for (const text of texts) values.add(text);
        if (secretDigest(result) === undefined)
          setSecretDigest(
            result,
            texts[0] ??
              createHash('sha256')
                .update(result.message.text ?? '')
                .digest('hex'),
          );
      }
    }
  return [...values];
}
