/**
 * Label and field selectors of the Kubernetes API stand-in, with the syntax of
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors (equality- and
 * set-based) and https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
 * (`=`, `==`, `!=` on dotted field paths such as `metadata.name`, `status.phase`, `involvedObject.name`).
 */
import { badRequest, type KubeObject } from './store.ts';

type Test = (labels: Record<string, string>) => boolean;

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Parses a label selector string into a predicate over a label map. Throws BadRequest on bad syntax. */
export function parseLabelSelector(selector: string | null | undefined): Test {
  if (!selector) return () => true;
  const tests: Test[] = [];
  for (const part of splitTopLevel(selector)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      tests.push(
        op === 'in'
          ? (l) => key in l && values.includes(l[key]!)
          : (l) => !(key in l) || !values.includes(l[key]!),
      );
    } else if ((m = part.match(/^([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = part.match(/^!\s*([\w./-]+)$/))) {
      const key = m[1]!;
      tests.push((l) => !(key in l));
    } else if ((m = part.match(/^([\w./-]+)$/))) {
      const key = m[1]!;
      tests.push((l) => key in l);
    } else {
      throw badRequest(`unable to parse requirement: ${JSON.stringify(part)}`);
    }
  }
  return (labels) => tests.every((t) => t(labels));
}

/** A LabelSelector object (matchLabels, matchExpressions) as a predicate; an empty selector matches all. */
export function labelSelectorObject(sel: unknown): Test {
  const s = (sel ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  return (labels) => {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of s.matchExpressions ?? []) {
      const has = e.key in labels;
      const v = labels[e.key];
      if (e.operator === 'In' && !(has && (e.values ?? []).includes(v!))) return false;
      if (e.operator === 'NotIn' && has && (e.values ?? []).includes(v!)) return false;
      if (e.operator === 'Exists' && !has) return false;
      if (e.operator === 'DoesNotExist' && has) return false;
    }
    return true;
  };
}

/** Parses a field selector into a predicate over an object. Throws BadRequest on bad syntax. */
export function parseFieldSelector(selector: string | null | undefined): (obj: KubeObject) => boolean {
  if (!selector) return () => true;
  const tests: ((obj: KubeObject) => boolean)[] = [];
  for (const part of selector
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = part.match(/^([\w.]+)\s*(!=|==|=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    tests.push((obj) => {
      let cur: unknown = obj;
      for (const seg of path.split('.'))
        cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
      const actual = cur === undefined || cur === null ? '' : String(cur);
      return op === '!=' ? actual !== value : actual === value;
    });
  }
  return (obj) => tests.every((t) => t(obj));
}
