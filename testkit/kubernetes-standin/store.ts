/**
 * The object store of the Kubernetes API stand-in: objects by resource, namespace and name, one global
 * resourceVersion counter (as etcd's revision is for the real API server), a bounded history of watch events
 * so a watch can resume from a resourceVersion, and Status errors shaped as the real API server returns them
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions,
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/).
 */
import { randomUUID } from 'node:crypto';
import { qualifiedName, type ResourceInfo } from './resources.ts';

/** An owner reference (metadata.ownerReferences[]). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One managedFields entry, as server-side apply records it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** metadata of every object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
}

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** One change, as a watch reports it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The resourceVersion this change produced. */
  rv: number;
  resource: ResourceInfo;
}

/** A Status cause (details.causes[]). */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** An error the stand-in answers with a Status body and an HTTP code, as the real API server does. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The Status object (kind Status, apiVersion v1) sent as the body. */
  status(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** 404 NotFound: `deployments.apps "web" not found`. */
export function notFound(info: ResourceInfo, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(info)} "${name}" not found`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.resource,
  });
}

/** 409 AlreadyExists: `deployments.apps "web" already exists`. */
export function alreadyExists(info: ResourceInfo, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedName(info)} "${name}" already exists`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.resource,
  });
}

/** 409 Conflict on a stale resourceVersion. */
export function staleConflict(info: ResourceInfo, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(info.group ? { group: info.group } : {}), kind: info.resource },
  );
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.selector: Required value`. */
export function invalid(info: ResourceInfo, name: string, causes: StatusCause[]): ApiError {
  const kindName = info.group ? `${info.kind}.${info.group}` : info.kind;
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const joined = causes.length > 1 ? `[${text}]` : text;
  return new ApiError(422, 'Invalid', `${kindName} "${name}" is invalid: ${joined}`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.kind,
    causes,
  });
}

/** 400 BadRequest with a message. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** A deep copy of JSON data. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

type Listener = (event: StoreEvent) => void;

/** Keeps objects, the resourceVersion counter and the watch history. */
export class Store {
  private revision = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  /** How many events are kept for resuming watches; an older resourceVersion gets 410 Gone. */
  readonly historyLimit: number;

  constructor(historyLimit = 10_000) {
    this.historyLimit = historyLimit;
  }

  /** The current resourceVersion (the last one handed out). */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumable(): number {
    return this.history.length ? this.history[0]!.rv - 1 : this.revision;
  }

  private bucket(info: ResourceInfo): Map<string, KubeObject> {
    const key = `${info.group}/${info.resource}`;
    let map = this.objects.get(key);
    if (!map) {
      map = new Map();
      this.objects.set(key, map);
    }
    return map;
  }

  /** A copy of one object, or undefined. */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(info).get(`${namespace ?? ''}/${name}`);
    return found ? clone(found) : undefined;
  }

  /** Copies of all objects of a resource, in one namespace or all, sorted by namespace and name. */
  list(info: ResourceInfo, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(info).values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(clone(obj));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  /**
   * Stores a new object: sets uid, creationTimestamp, generation 1 and a resourceVersion; emits ADDED.
   * Throws AlreadyExists when the name is taken.
   */
  create(info: ResourceInfo, obj: KubeObject): KubeObject {
    const map = this.bucket(info);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (map.has(key)) throw alreadyExists(info, obj.metadata.name ?? '');
    const stored = clone(obj);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp = nowSeconds();
    stored.metadata.generation = 1;
    stored.metadata.resourceVersion = String(++this.revision);
    map.set(key, stored);
    this.emit({ type: 'ADDED', object: clone(stored), rv: this.revision, resource: info });
    return clone(stored);
  }

  /**
   * Replaces a stored object. When `obj.metadata.resourceVersion` is set and differs from the stored one,
   * throws Conflict. Bumps generation when anything outside metadata and status changed. Emits MODIFIED
   * (nothing when the object did not change at all).
   */
  update(info: ResourceInfo, obj: KubeObject): KubeObject {
    const map = this.bucket(info);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const current = map.get(key);
    if (!current) throw notFound(info, obj.metadata.name ?? '');
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw staleConflict(info, obj.metadata.name ?? '');
    }
    const next = clone(obj);
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    next.metadata.generation = current.metadata.generation ?? 1;
    if (current.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (canonicalJson(withoutMetaStatus(next)) !== canonicalJson(withoutMetaStatus(current))) {
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (canonicalJson(next) === canonicalJson(current)) return clone(current);
    next.metadata.resourceVersion = String(++this.revision);
    map.set(key, next);
    this.emit({ type: 'MODIFIED', object: clone(next), rv: this.revision, resource: info });
    return clone(next);
  }

  /** Removes an object; emits DELETED with a new resourceVersion. Throws NotFound. */
  delete(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const map = this.bucket(info);
    const key = `${namespace ?? ''}/${name}`;
    const current = map.get(key);
    if (!current) throw notFound(info, name);
    map.delete(key);
    const gone = clone(current);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', object: clone(gone), rv: this.revision, resource: info });
    return gone;
  }

  /** Events after `rv` (exclusive) for one resource; undefined when `rv` is older than the history kept. */
  since(info: ResourceInfo, rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestResumable) return undefined;
    return this.history.filter((e) => e.rv > rv && e.resource === info);
  }

  /** Calls `listener` for every change from now on; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit)
      this.history.splice(0, this.history.length - this.historyLimit);
    for (const l of [...this.listeners]) l(event);
  }
}

function withoutMetaStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** The time now as RFC 3339 with whole seconds, as Kubernetes writes timestamps. */
export function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** JSON with object keys sorted at every level, to compare documents regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
