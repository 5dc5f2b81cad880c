/**
 * Merging duplicate results before they are fingerprinted. Tools report one finding several times (TruffleHog
 * reports a secret once per decoder and chunk that holds it; several reports of one tool may overlap), and
 * each copy would become its own code scanning alert. Two results of one tool are duplicates when they have
 * the same rule, the same location (file, start/end line and column of the first location) and — for
 * secret findings — the same secret (its digest, see secret-digest.ts), otherwise the same message text.
 */
import { resultRuleId, resultUri } from './merge.ts';
import { secretDigest } from './secret-digest.ts';
import type { Log } from './types.ts';

function key(tool: string, ruleId: string, result: Parameters<typeof secretDigest>[0]): string {
  const region = result.locations?.[0]?.physicalLocation?.region;
  const where = [region?.startLine, region?.startColumn, region?.endLine, region?.endColumn].join(':');
  const what = secretDigest(result) ?? `text:${result.message.text ?? result.message.id ?? ''}`;
  const file =
    resultUri(result) ?? `#${result.locations?.[0]?.physicalLocation?.artifactLocation?.index ?? ''}`;
  return [tool, ruleId, file, where, what].join('\u0000');
}

/**
 * Removes duplicate results (see the module doc) from the logs, in place, keeping the first of each.
 * Logs may come from several reports: duplicates are found across all runs of one tool.
 * @returns the number of results removed
 */
export function dedupeResults(logs: readonly Log[]): number {
  const seen = new Set<string>();
  let removed = 0;
  for (const log of logs)
    for (const run of log.runs) {
      if (run.results === undefined) continue;
      const tool = run.tool.driver.name;
      const rules = run.tool.driver.rules ?? [];
      const kept = run.results.filter((result) => {
        const k = key(tool, resultRuleId(result, rules), result);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      removed += run.results.length - kept.length;
      run.results = kept;
    }
  return removed;
}
