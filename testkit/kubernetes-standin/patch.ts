/**
 * Patch formats of the Kubernetes API, as the stand-in applies them:
 * - JSON merge patch (`application/merge-patch+json`, RFC 7386);
 * - JSON patch (`application/json-patch+json`, RFC 6902; `kubectl rollout undo` sends one);
 * - strategic merge patch (`application/strategic-merge-patch+json`), for the lists and directives kubectl
 *   and client-node send (https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md).
 *   Merge keys come from the field name (containers, env, volumes, ports, conditions, …) instead of the Go
 *   struct tags the real API server reads; that covers the built-in kinds the stand-in serves.
 */
import { ApiError, badRequest } from './store.ts';

type Json = unknown;
type JsonMap = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: `null` deletes, objects merge, everything else replaces. Returns a new value. */
export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return structuredClone(patch);
  const out: JsonMap = isMap(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge key of a list field for strategic merge patch and server-side apply, from the field name and,
 * for `ports`, the shape of its items; undefined for lists replaced whole (atomic lists).
 */
export function mergeKeyOf(field: string, items: unknown[]): string[] | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'readinessGates':
      return field === 'readinessGates' ? ['conditionType'] : ['name'];
    case 'volumeMounts':
      return ['mountPath'];
    case 'volumeDevices':
      return ['devicePath'];
    case 'hostAliases':
      return ['ip'];
    case 'conditions':
      return ['type'];
    case 'ownerReferences':
      return ['uid'];
    case 'ports': {
      const first = items.find(isMap);
      if (first && 'containerPort' in first) return ['containerPort', 'protocol'];
      if (first && 'port' in first) return ['port', 'protocol'];
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The identity of a list item under `keys` (missing `protocol` counts as TCP, the API default). */
export function itemKey(item: unknown, keys: string[]): string {
  const m = isMap(item) ? item : {};
  const id: JsonMap = {};
  for (const k of keys) {
    if (k === 'protocol' && m[k] === undefined) id[k] = 'TCP';
    else id[k] = m[k];
  }
  return JSON.stringify(id);
}

/** Applies a strategic merge patch to `target`; returns a new value. */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (!isMap(patch)) {
    if (Array.isArray(patch)) return mergeList(Array.isArray(target) ? target : [], patch, field);
    return structuredClone(patch);
  }
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  const out: JsonMap = isMap(target) ? structuredClone(target) : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const name = k.slice('$deleteFromPrimitiveList/'.length);
      const remove = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const list = out[name];
      if (Array.isArray(list)) out[name] = list.filter((x) => !remove.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const merged = strategicMergePatch(out[k], v, k);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function mergeList(target: unknown[], patch: unknown[], field: string): unknown[] {
  const keys = mergeKeyOf(field, [...patch, ...target]);
  const replaceAll = patch.some((x) => isMap(x) && x.$patch === 'replace');
  if (replaceAll) return patch.filter((x) => !(isMap(x) && x.$patch === 'replace')).map(stripDirectives);
  if (!keys) return patch.map(stripDirectives);
  const out = structuredClone(target);
  for (const item of patch) {
    const id = itemKey(item, keys);
    const at = out.findIndex((x) => itemKey(x, keys) === id);
    if (isMap(item) && item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMergePatch(out[at], item, '');
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: invalid path ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, segments: string[], path: string): { parent: unknown; last: string } {
  let cur: unknown = doc;
  for (const s of segments.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isMap(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw badRequest(`json patch: path ${JSON.stringify(path)} does not exist`);
  }
  return { parent: cur, last: segments[segments.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const s of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isMap(cur)) cur = cur[s];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). Returns a new document; throws BadRequest. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch: the body must be an array of operations');
  let out = structuredClone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    const segments = pointer(raw.path);
    const apply = (value: unknown, mode: 'add' | 'replace' | 'remove'): void => {
      if (segments.length === 0) {
        out = structuredClone(value);
        return;
      }
      const { parent, last } = parentOf(out, segments, raw.path);
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (mode === 'add') parent.splice(i, 0, structuredClone(value));
        else if (mode === 'replace') parent[i] = structuredClone(value);
        else parent.splice(i, 1);
      } else if (isMap(parent)) {
        if (mode !== 'add' && !(last in parent)) {
          throw badRequest(`json patch: path ${JSON.stringify(raw.path)} does not exist`);
        }
        if (mode === 'remove') delete parent[last];
        else parent[last] = structuredClone(value);
      } else {
        throw badRequest(`json patch: path ${JSON.stringify(raw.path)} does not exist`);
      }
    };
    switch (raw.op) {
      case 'add':
        apply(raw.value, 'add');
        break;
      case 'replace':
        apply(raw.value, 'replace');
        break;
      case 'remove':
        apply(undefined, 'remove');
        break;
      case 'copy':
        apply(getAt(out, raw.from ?? ''), 'add');
        break;
      case 'move': {
        const value = getAt(out, raw.from ?? '');
        out = jsonPatch(out, [{ op: 'remove', path: raw.from }]);
        apply(value, 'add');
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(out, raw.path)) !== JSON.stringify(raw.value)) {
          throw new ApiError(422, 'Invalid', `json patch: test failed at ${raw.path}`);
        }
        break;
      default:
        throw badRequest(`json patch: unknown op ${JSON.stringify(raw.op)}`);
    }
  }
  return out;
}
