/**
 * Conditions of a check, written as the user writes them: `> 5` (absolute), `>= 0.9`, `> 2x baseline`
 * (relative: twice the baseline's value). A `%` after the number is decoration (presets report
 * percentages), so `> 5%` and `> 5` are the same condition.
 */
import type { Condition } from './types.ts';

const CONDITION = /^(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*%?\s*(?:(?:x|×|\*)\s*baseline)?$/i;

/**
 * Parses a condition.
 * @param text e.g. `> 5`, `> 5%`, `>= 0.95`, `> 2x baseline`, `> 1.5 × baseline`
 * @returns the condition, or undefined when `text` is not one
 */
export function parseCondition(text: string): Condition | undefined {
  const trimmed = text.trim();
  const match = CONDITION.exec(trimmed);
  if (match === null) return undefined;
  return {
    operator: match[1] as Condition['operator'],
    threshold: Number(match[2]),
    relative: /baseline$/i.test(trimmed),
  };
}

/** The condition as text, e.g. `> 2× baseline` or `> 5`. */
export function formatCondition(condition: Condition): string {
  return `${condition.operator} ${condition.threshold}${condition.relative ? '× baseline' : ''}`;
}

/**
 * The limit the canary value is held to: the threshold, or threshold × baseline when relative.
 * @returns undefined when relative and the baseline has no value
 */
export function limitOf(condition: Condition, baseline: number | undefined): number | undefined {
  if (!condition.relative) return condition.threshold;
  return baseline === undefined ? undefined : condition.threshold * baseline;
}

/** True when `value` compared to `limit` meets the condition's operator (i.e. the interval is failing). */
export function breaches(condition: Condition, value: number, limit: number): boolean {
  switch (condition.operator) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
  }
}
