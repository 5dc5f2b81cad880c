/**
 * Server-side apply and field ownership (managedFields) in the Kubernetes API stand-in, after
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/:
 * - an apply merges the applied configuration into the live object (maps recursively, associative lists by
 *   their key — containers by name, ports by port and protocol, … — other lists replaced whole);
 * - fields the manager applied before and no longer applies are removed, unless another manager owns them;
 * - a field another manager owns with a different value is a conflict (409, reason Conflict, one
 *   FieldManagerConflict cause per field) unless `force=true`, which takes the field over;
 * - create, update and patch record the fields they changed for their manager (operation Update) and take
 *   them from the others, so a later apply of a different value conflicts, as on a real cluster.
 * Field sets are written as FieldsV1 (`f:<field>`, `k:<key json>`, `.`). Sets of primitives (`v:`) are
 * treated as atomic lists. Status is not tracked.
 */
import { isMap, itemKey, mergeKeyOf } from './patch.ts';
import {
  ApiError,
  canonicalJson,
  clone,
  nowSeconds,
  type KubeObject,
  type ManagedFieldsEntry,
} from './store.ts';

const SEP = '\u0001';
type Path = string; // segments joined by SEP

const META_TRACKED = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers']);

function collect(value: Record<string, unknown>, prefix: string[], out: Set<Path>): void {
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    const p = [...prefix, `f:${k}`];
    if (isMap(v) && Object.keys(v).length > 0) {
      collect(v, p, out);
      continue;
    }
    const keys = Array.isArray(v) ? mergeKeyOf(k, v) : undefined;
    if (Array.isArray(v) && keys && v.every(isMap)) {
      for (const item of v) {
        const ip = [...p, `k:${itemKey(item, keys)}`];
        out.add([...ip, '.'].join(SEP));
        collect(item as Record<string, unknown>, ip, out);
      }
      continue;
    }
    out.add(p.join(SEP));
  }
}

/** The set of field paths an object sets (metadata labels/annotations/owners/finalizers, and all but status). */
export function fieldSet(obj: Record<string, unknown>): Set<Path> {
  const out = new Set<Path>();
  const top: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status' || k === 'metadata') continue;
    top[k] = v;
  }
  const meta = isMap(obj.metadata) ? obj.metadata : {};
  const trackedMeta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (META_TRACKED.has(k)) trackedMeta[k] = v;
  if (Object.keys(trackedMeta).length) collect({ metadata: trackedMeta }, [], out);
  collect(top, [], out);
  return out;
}

/** FieldsV1 JSON (`{"f:spec":{"f:replicas":{}}}`) of a field set. */
export function toFieldsV1(set: Set<Path>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of [...set].sort()) {
    let node = root;
    for (const seg of path.split(SEP)) {
      node[seg] ??= {};
      node = node[seg] as Record<string, unknown>;
    }
  }
  return root;
}

/** The field set written in a FieldsV1 JSON document. */
export function fromFieldsV1(
  fields: Record<string, unknown>,
  prefix: string[] = [],
  out = new Set<Path>(),
): Set<Path> {
  for (const [seg, child] of Object.entries(fields)) {
    const p = [...prefix, seg];
    if (isMap(child) && Object.keys(child).length > 0) fromFieldsV1(child, p, out);
    else out.add(p.join(SEP));
  }
  return out;
}

function findItem(list: unknown[], keyJson: string): number {
  const key = JSON.parse(keyJson) as Record<string, unknown>;
  const names = Object.keys(key);
  return list.findIndex((x) => itemKey(x, names) === JSON.stringify(key));
}

/** The value at a field path (for a path ending in `.`: true when the list item exists). */
function valueAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const seg of path.split(SEP)) {
    if (seg === '.') return cur === undefined ? undefined : true;
    if (seg.startsWith('f:')) cur = isMap(cur) ? cur[seg.slice(2)] : undefined;
    else if (seg.startsWith('k:')) cur = Array.isArray(cur) ? cur[findItem(cur, seg.slice(2))] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeAt(obj: unknown, path: Path): void {
  const segs = path.split(SEP);
  if (segs[segs.length - 1] === '.') segs.pop();
  let cur: unknown = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    if (seg.startsWith('f:')) cur = isMap(cur) ? cur[seg.slice(2)] : undefined;
    else if (seg.startsWith('k:')) cur = Array.isArray(cur) ? cur[findItem(cur, seg.slice(2))] : undefined;
    if (cur === undefined) return;
  }
  const last = segs[segs.length - 1]!;
  if (last.startsWith('f:') && isMap(cur)) delete cur[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(cur)) {
    const at = findItem(cur, last.slice(2));
    if (at >= 0) cur.splice(at, 1);
  }
}

/** `.spec.template.spec.containers[name="web"].image`: how the API server names a field in a conflict. */
function describePath(path: Path): string {
  let out = '';
  for (const seg of path.split(SEP)) {
    if (seg.startsWith('f:')) out += `.${seg.slice(2)}`;
    else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      out += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return out;
}

function mergeApplied(live: unknown, applied: unknown, field: string): unknown {
  if (isMap(applied)) {
    const out: Record<string, unknown> = isMap(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) continue;
      out[k] = mergeApplied(out[k], v, k);
    }
    return out;
  }
  const keys = Array.isArray(applied) ? mergeKeyOf(field, applied) : undefined;
  if (Array.isArray(applied) && keys && applied.every(isMap)) {
    const out = Array.isArray(live) ? clone(live) : [];
    for (const item of applied) {
      const at = out.findIndex((x) => itemKey(x, keys) === itemKey(item, keys));
      if (at >= 0) out[at] = mergeApplied(out[at], item, '');
      else out.push(clone(item));
    }
    return out;
  }
  return clone(applied);
}

function entriesOf(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  return clone(obj?.metadata.managedFields ?? []);
}

function owners(entries: ManagedFieldsEntry[]): { entry: ManagedFieldsEntry; set: Set<Path> }[] {
  return entries.map((entry) => ({ entry, set: fromFieldsV1(entry.fieldsV1) }));
}

function finish(
  previous: ManagedFieldsEntry[],
  next: { entry: ManagedFieldsEntry; set: Set<Path> }[],
): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const { entry, set } of next) {
    if (set.size === 0) continue;
    const fieldsV1 = toFieldsV1(set);
    const before = previous.find((p) => p.manager === entry.manager && p.operation === entry.operation);
    const same = before && canonicalJson(before.fieldsV1) === canonicalJson(fieldsV1);
    out.push({ ...entry, fieldsV1, time: same ? before.time : entry.time });
  }
  return out;
}

/** Options of one server-side apply. */
export interface ApplyRequest {
  /** The live object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (the request body). */
  applied: KubeObject;
  /** fieldManager query parameter (required). */
  manager: string;
  /** force query parameter: take conflicting fields over. */
  force: boolean;
}

/**
 * Merges an applied configuration into the live object with field ownership. Returns the object to store
 * (managedFields updated; metadata name/namespace/resourceVersion as given). Throws ApiError 409 Conflict
 * listing every conflicting field when another manager owns a field with a different value and `force` is
 * false.
 */
export function serverSideApply(req: ApplyRequest): KubeObject {
  const { live, applied, manager, force } = req;
  const appliedSet = fieldSet(applied);
  const previous = entriesOf(live);
  const all = owners(previous);
  const mine = all.find((o) => o.entry.manager === manager && o.entry.operation === 'Apply');
  const others = all.filter((o) => o !== mine);

  const conflicts: { path: Path; manager: string; apiVersion: string }[] = [];
  if (live) {
    for (const path of appliedSet) {
      if (path.endsWith('.')) continue;
      for (const o of others) {
        if (!o.set.has(path)) continue;
        const liveValue = valueAt(live, path);
        if (liveValue === undefined) continue;
        if (canonicalJson(liveValue) !== canonicalJson(valueAt(applied, path))) {
          conflicts.push({ path, manager: o.entry.manager, apiVersion: o.entry.apiVersion });
        }
      }
    }
  }
  if (conflicts.length && !force) {
    const causes = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: describePath(c.path),
    }));
    const lines = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${causes.length === 1 ? `${causes[0]!.message}: ${causes[0]!.field}` : `\n${lines}`}`,
      { causes },
    );
  }
  if (force) for (const c of conflicts) for (const o of others) o.set.delete(c.path);

  const merged = mergeApplied(live ?? {}, applied, '') as KubeObject;
  merged.metadata.name = applied.metadata.name ?? live?.metadata.name;
  if (live) {
    // Fields this manager applied before and no longer applies go, unless someone else owns them.
    const removed = [...(mine?.set ?? [])]
      .filter((p) => !appliedSet.has(p))
      .sort((a, b) => b.length - a.length);
    for (const path of removed) {
      const ownedElsewhere = others.some((o) =>
        [...o.set].some((q) => q === path || q.startsWith(path.replace(/\.$/, ''))),
      );
      if (!ownedElsewhere) removeAt(merged, path);
    }
    merged.metadata.resourceVersion = applied.metadata.resourceVersion;
  }
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: nowSeconds(),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  const next = [...others.map((o) => o), { entry, set: appliedSet }];
  // Keep the original order: existing entries first, this manager's where it was.
  const ordered = mine ? all.map((o) => (o === mine ? { entry, set: appliedSet } : o)) : next;
  merged.metadata.managedFields = finish(previous, ordered);
  return merged;
}

/**
 * Records an Update by `manager` (create, replace or patch): the fields that changed from `before` to
 * `after` become this manager's and leave every other manager. Returns `after` with managedFields set.
 */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, manager: string): KubeObject {
  const previous = entriesOf(before);
  const beforeSet = before ? fieldSet(before) : new Set<Path>();
  const afterSet = fieldSet(after);
  const changed = new Set<Path>();
  for (const p of afterSet) {
    if (!beforeSet.has(p) || canonicalJson(valueAt(before, p)) !== canonicalJson(valueAt(after, p)))
      changed.add(p);
  }
  const all = owners(previous);
  for (const o of all) for (const p of [...o.set]) if (!afterSet.has(p)) o.set.delete(p);
  if (changed.size === 0) {
    after.metadata.managedFields = finish(previous, all);
    return after;
  }
  let mine = all.find((o) => o.entry.manager === manager && o.entry.operation === 'Update');
  for (const o of all) if (o !== mine) for (const p of changed) o.set.delete(p);
  if (!mine) {
    mine = {
      entry: {
        manager,
        operation: 'Update',
        apiVersion: after.apiVersion,
        time: nowSeconds(),
        fieldsType: 'FieldsV1',
        fieldsV1: {},
      },
      set: new Set(),
    };
    all.push(mine);
  } else {
    mine.entry.time = nowSeconds();
  }
  for (const p of changed) mine.set.add(p);
  after.metadata.managedFields = finish(previous, all);
  return after;
}
