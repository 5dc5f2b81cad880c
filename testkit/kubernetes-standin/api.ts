/**
 * The API semantics of the Kubernetes API stand-in, independent of HTTP: defaulting and validation of the
 * kinds it serves, create / replace / patch / server-side apply / delete with field ownership, the status and
 * scale subresources, garbage collection through ownerReferences, and namespace checks. The HTTP layer
 * (server.ts) and the controllers (controller.ts) both go through it.
 * Defaults follow the real API server's (https://kubernetes.io/docs/reference/kubernetes-api/); only the
 * defaults clients observe are applied.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { recordUpdate, serverSideApply } from './apply.ts';
import { undeclaredForApply, unknownFields } from './fields.ts';
import { isMap, jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, findResource, GATEWAY_GROUP, type ResourceInfo } from './resources.ts';
import { labelSelectorObject } from './selectors.ts';
import {
  ApiError,
  badRequest,
  clone,
  invalid,
  notFound,
  nowSeconds,
  Store,
  type KubeObject,
  type StatusCause,
} from './store.ts';

type Json = Record<string, unknown>;

/** The patch types the stand-in accepts, by Content-Type. */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

/** Maps a request Content-Type to a patch type; undefined when unsupported (the server answers 415). */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+cbor') return 'apply';
  return undefined;
}

/** Options common to writes. */
export interface WriteOptions {
  /** fieldManager (defaults from the client's User-Agent, as the API server does). */
  manager: string;
  /** dryRun=All: validate and answer, store nothing. */
  dryRun?: boolean;
  /** force=true on server-side apply. */
  force?: boolean;
  /** fieldValidation: Strict (unknown fields are a 400), Warn (the default: warnings), Ignore. */
  fieldValidation?: string;
  /** Where Warn puts its warnings (the server sends them as `Warning` headers). */
  warnings?: string[];
}

/** Applies the request's field validation to `obj` (see fields.ts); throws 400 under Strict. */
function checkFields(info: ResourceInfo, obj: unknown, opts: WriteOptions): void {
  const unknown = unknownFields(info, obj, opts.fieldValidation === 'Ignore');
  if (unknown.length === 0 || opts.fieldValidation === 'Ignore') return;
  if (opts.fieldValidation === 'Strict') {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown
        .map((f) => `unknown field "${f}"`)
        .join(', ')}`,
    );
  }
  opts.warnings?.push(...unknown.map((f) => `unknown field "${f}"`));
  unknownFields(info, obj, true);
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters of the alphabet the API server uses for generateName suffixes. */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[Math.floor(Math.random() * SAFE.length)];
  return out;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function asMap(v: unknown): Json {
  return isMap(v) ? v : {};
}

function defaultPodSpec(spec: Json): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const field of ['containers', 'initContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list as Json[]) {
      const image = typeof c.image === 'string' ? c.image : '';
      const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
      c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      if (Array.isArray(c.ports)) for (const p of c.ports as Json[]) p.protocol ??= 'TCP';
    }
  }
}

function defaultTemplate(spec: Json): void {
  const template = asMap(spec.template);
  spec.template = template;
  template.metadata ??= {};
  template.spec ??= {};
  defaultPodSpec(asMap(template.spec));
}

let nextClusterIp = 10;

/** Applies the API server's defaults for the kind, in place. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  const spec = asMap(obj.spec);
  switch (info.kind) {
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'], ...spec };
      obj.status = { phase: 'Active', ...asMap(obj.status) };
      obj.metadata.labels = {
        ...obj.metadata.labels,
        'kubernetes.io/metadata.name': obj.metadata.name ?? '',
      };
      break;
    case 'Deployment': {
      obj.spec = spec;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      const strategy = asMap(spec.strategy);
      spec.strategy = strategy;
      strategy.type ??= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate') {
        const ru = asMap(strategy.rollingUpdate);
        strategy.rollingUpdate = ru;
        ru.maxSurge ??= '25%';
        ru.maxUnavailable ??= '25%';
      }
      defaultTemplate(spec);
      break;
    }
    case 'ReplicaSet':
      obj.spec = spec;
      spec.replicas ??= 1;
      defaultTemplate(spec);
      break;
    case 'StatefulSet': {
      obj.spec = spec;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultTemplate(spec);
      break;
    }
    case 'DaemonSet':
      obj.spec = spec;
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      defaultTemplate(spec);
      break;
    case 'Pod':
      obj.spec = spec;
      defaultPodSpec(spec);
      break;
    case 'Job': {
      obj.spec = spec;
      spec.parallelism ??= 1;
      spec.completions ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= 'NonIndexed';
      spec.suspend ??= false;
      spec.podReplacementPolicy ??= 'TerminatingOrFailed';
      spec.manualSelector ??= undefined;
      if (spec.manualSelector === undefined) delete spec.manualSelector;
      defaultTemplate(spec);
      break;
    }
    case 'Service': {
      obj.spec = spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      spec.internalTrafficPolicy ??= 'Cluster';
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      if (spec.clusterIP === undefined) {
        const n = nextClusterIp++;
        spec.clusterIP = `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      }
      spec.clusterIPs ??= spec.clusterIP === 'None' ? ['None'] : [spec.clusterIP];
      if (Array.isArray(spec.ports)) {
        for (const p of spec.ports as Json[]) {
          p.protocol ??= 'TCP';
          p.targetPort ??= p.port;
        }
      }
      obj.status ??= { loadBalancer: {} };
      break;
    }
    case 'Secret': {
      obj.type ??= 'Opaque';
      if (isMap(obj.stringData)) {
        const data = asMap(obj.data);
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      break;
    }
    default:
      break;
  }
}

function containerCauses(prefix: string, podSpec: Json, causes: StatusCause[]): void {
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${prefix}.containers` });
    return;
  }
  containers.forEach((c: unknown, i) => {
    const m = asMap(c);
    if (typeof m.name !== 'string' || !m.name) {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `${prefix}.containers[${i}].name`,
      });
    }
    if (typeof m.image !== 'string' || !m.image) {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `${prefix}.containers[${i}].image`,
      });
    }
  });
}

function labelsText(labels: Record<string, string>): string {
  return `map[string]string{${Object.entries(labels)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** Validates an object of the kind; throws 422 Invalid with one cause per problem. */
export function validate(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name ?? '';
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      field: 'metadata.name',
    });
  }
  const spec = asMap(obj.spec);
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(info.kind)) {
    const selector = spec.selector;
    const template = asMap(spec.template);
    const labels = (asMap(template.metadata).labels ?? {}) as Record<string, string>;
    if (!isMap(selector)) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
    } else if (!labelSelectorObject(selector)(labels)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${labelsText(labels)}: \`selector\` does not match template \`labels\``,
        field: 'spec.template.metadata.labels',
      });
    }
    if (
      old &&
      isMap(asMap(old.spec).selector) &&
      JSON.stringify(asMap(old.spec).selector) !== JSON.stringify(selector)
    ) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: field is immutable',
        field: 'spec.selector',
      });
    }
    containerCauses('spec.template.spec', asMap(template.spec), causes);
    if (typeof spec.replicas === 'number' && spec.replicas < 0) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
        field: 'spec.replicas',
      });
    }
  }
  if (info.kind === 'Job') {
    const podSpec = asMap(asMap(spec.template).spec);
    containerCauses('spec.template.spec', podSpec, causes);
    if (podSpec.restartPolicy !== 'OnFailure' && podSpec.restartPolicy !== 'Never') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(podSpec.restartPolicy)}: supported values: "OnFailure", "Never"`,
        field: 'spec.template.spec.restartPolicy',
      });
    }
  }
  if (info.kind === 'Pod') containerCauses('spec', spec, causes);
  if (info.kind === 'HTTPRoute') httpRouteCauses(spec, causes);
  if (causes.length) throw invalid(info, name, causes);
}

/**
 * The checks of the HTTPRoute CRD's schema a weighted canary meets (gateway-api v1.2 standard channel):
 * at most 16 rules, each backendRef names a backend and has a weight from 0 to 1000000.
 */
function httpRouteCauses(spec: Json, causes: StatusCause[]): void {
  const rules = Array.isArray(spec.rules) ? (spec.rules as unknown[]) : [];
  if (rules.length > 16)
    causes.push({
      reason: 'FieldValueTooMany',
      message: `Too many: ${rules.length}: must have at most 16 items`,
      field: 'spec.rules',
    });
  rules.forEach((rule, r) => {
    const refs = Array.isArray(asMap(rule).backendRefs) ? (asMap(rule).backendRefs as unknown[]) : [];
    refs.forEach((ref, b) => {
      const field = `spec.rules[${r}].backendRefs[${b}]`;
      const backend = asMap(ref);
      if (typeof backend.name !== 'string' || backend.name === '')
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.name` });
      const weight = backend.weight;
      if (
        weight !== undefined &&
        (!Number.isInteger(weight) || Number(weight) < 0 || Number(weight) > 1_000_000)
      )
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(weight)}: must be an integer from 0 to 1000000`,
          field: `${field}.weight`,
        });
    });
  });
}

/** The Scale object (autoscaling/v1) of a Deployment, ReplicaSet or StatefulSet. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = asMap(obj.spec);
  const status = asMap(obj.status);
  const matchLabels = (asMap(spec.selector).matchLabels ?? {}) as Record<string, string>;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: status.replicas ?? 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

/** Where a write lands: the object itself, or its status or scale subresource. */
export type Subresource = '' | 'status' | 'scale';

/** The API semantics over a store; see the module comment. */
export class Api {
  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** Throws NotFound when a namespaced object names a namespace that does not exist. */
  private checkNamespace(info: ResourceInfo, namespace: string | undefined): void {
    if (!info.namespaced || namespace === undefined) return;
    const nsInfo = findResource('', 'v1', 'namespaces')!;
    if (!this.store.get(nsInfo, undefined, namespace)) throw notFound(nsInfo, namespace);
  }

  /** Gets one object; throws NotFound. */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(info, info.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(info, name);
    return obj;
  }

  private normalize(info: ResourceInfo, namespace: string | undefined, body: unknown): KubeObject {
    if (!isMap(body)) throw badRequest('the request body must be a JSON object');
    // Typed fields decode null as absent on the real API server (`creationTimestamp: null` from Go clients).
    const obj = dropNulls(clone(body)) as KubeObject;
    obj.apiVersion = apiVersionOf(info);
    if (body.kind !== undefined && body.kind !== info.kind) {
      throw badRequest(
        `the kind of the provided object (${String(body.kind)}) does not match the request (${info.kind})`,
      );
    }
    obj.kind = info.kind;
    obj.metadata = asMap(obj.metadata);
    if (info.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else {
      delete obj.metadata.namespace;
    }
    delete obj.metadata.managedFields;
    return obj;
  }

  /** POST: creates an object (generateName honoured). Throws AlreadyExists, Invalid, NotFound (namespace). */
  create(info: ResourceInfo, namespace: string | undefined, body: unknown, opts: WriteOptions): KubeObject {
    const obj = this.normalize(info, namespace, body);
    checkFields(info, obj, opts);
    this.checkNamespace(info, obj.metadata.namespace);
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    delete obj.metadata.resourceVersion;
    delete obj.metadata.uid;
    applyDefaults(info, obj);
    if (info.kind === 'Job') this.defaultJobSelector(obj);
    validate(info, obj);
    recordUpdate(undefined, obj, opts.manager);
    if (opts.dryRun)
      return { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: nowSeconds() } };
    return this.store.create(info, obj);
  }

  private defaultJobSelector(obj: KubeObject): void {
    const spec = asMap(obj.spec);
    if (spec.manualSelector === true) return;
    const uid = (obj.metadata.uid ??= randomUUID());
    const template = asMap(spec.template);
    const meta = asMap(template.metadata);
    meta.labels = {
      ...(meta.labels as Record<string, string> | undefined),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': obj.metadata.name ?? '',
      'controller-uid': uid,
      'job-name': obj.metadata.name ?? '',
    };
    template.metadata = meta;
    spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  }

  /**
   * PUT: replaces an object (or its status / scale). A stale metadata.resourceVersion is a Conflict; on the
   * main resource the status is kept from the live object, on the status subresource everything else is.
   */
  replace(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
    sub: Subresource = '',
  ): KubeObject {
    const live = this.get(info, namespace, name);
    if (sub === 'scale') {
      const replicas = asMap(asMap(body).spec).replicas;
      return this.writeScale(info, live, typeof replicas === 'number' ? replicas : 0, opts);
    }
    const obj = this.normalize(info, info.namespaced ? namespace : undefined, body);
    if (sub === '') checkFields(info, obj, opts);
    if (obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    return this.write(info, live, obj, opts, sub);
  }

  /** PATCH (merge, strategic, JSON patch) or server-side apply of an object, its status or its scale. */
  patch(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    rawBody: string,
    opts: WriteOptions,
    sub: Subresource = '',
  ): KubeObject {
    let patchDoc: unknown;
    try {
      patchDoc = type === 'apply' ? parseYaml(rawBody) : JSON.parse(rawBody);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    if (type === 'apply') return this.apply(info, namespace, name, patchDoc, opts, sub);
    const live = this.get(info, namespace, name);
    if (sub === 'scale') {
      const scale = scaleOf(live);
      const patched = asMap(this.patchDoc(type, scale, patchDoc));
      const replicas = asMap(patched.spec).replicas;
      return this.writeScale(info, live, typeof replicas === 'number' ? replicas : 0, opts);
    }
    const patched = this.patchDoc(type, live, patchDoc) as KubeObject;
    if (!isMap(patched)) throw badRequest('the patch produced something that is not an object');
    const obj = this.normalize(info, info.namespaced ? namespace : undefined, patched);
    if (sub === '') checkFields(info, obj, opts);
    obj.metadata.name = name;
    if (!isMap(patchDoc) || !isMap(patchDoc.metadata) || patchDoc.metadata.resourceVersion === undefined) {
      delete obj.metadata.resourceVersion;
    }
    return this.write(info, live, obj, opts, sub);
  }

  private patchDoc(type: PatchType, target: unknown, doc: unknown): unknown {
    if (type === 'merge') return jsonMergePatch(target, doc);
    if (type === 'strategic') return strategicMergePatch(target, doc);
    return jsonPatch(target, doc);
  }

  private apply(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    doc: unknown,
    opts: WriteOptions,
    sub: Subresource,
  ): KubeObject {
    if (!opts.manager || opts.manager === '-') {
      throw new ApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    if (!isMap(doc)) throw badRequest('the applied configuration must be an object');
    if (doc.apiVersion !== undefined && doc.apiVersion !== apiVersionOf(info)) {
      throw badRequest(
        `the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (${apiVersionOf(info)})`,
      );
    }
    if (doc.kind !== undefined && doc.kind !== info.kind) {
      throw badRequest(
        `the kind in the data (${String(doc.kind)}) does not match the expected kind (${info.kind})`,
      );
    }
    const undeclared = undeclaredForApply(info, doc);
    if (undeclared.length) {
      const docNamespace =
        isMap(doc.metadata) && typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : '';
      throw new ApiError(
        500,
        '',
        `failed to create typed patch object (${docNamespace}/${name}; ${apiVersionOf(info)}, Kind=${info.kind}): ${undeclared[0]}: field not declared in schema`,
      );
    }
    const applied = this.normalize(info, info.namespaced ? namespace : undefined, doc);
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    applied.metadata.name = name;
    const live = this.store.get(info, info.namespaced ? namespace : undefined, name);
    if (!live) {
      this.checkNamespace(info, applied.metadata.namespace);
      const merged = serverSideApply({
        live: undefined,
        applied,
        manager: opts.manager,
        force: !!opts.force,
      });
      merged.apiVersion = applied.apiVersion;
      merged.kind = applied.kind;
      merged.metadata.namespace = applied.metadata.namespace;
      delete merged.metadata.resourceVersion;
      applyDefaults(info, merged);
      if (info.kind === 'Job') this.defaultJobSelector(merged);
      validate(info, merged);
      if (opts.dryRun) return merged;
      return this.store.create(info, merged);
    }
    const base = sub === 'status' ? live : live;
    const merged = serverSideApply({ live: base, applied, manager: opts.manager, force: !!opts.force });
    merged.metadata.resourceVersion = applied.metadata.resourceVersion;
    return this.write(info, live, merged, { ...opts, manager: '' }, sub);
  }

  /** Writes `obj` over `live` as an update by `opts.manager` ('' keeps managedFields as they are in obj). */
  private write(
    info: ResourceInfo,
    live: KubeObject,
    obj: KubeObject,
    opts: WriteOptions,
    sub: Subresource,
  ): KubeObject {
    let next: KubeObject;
    if (sub === 'status') {
      next = clone(live);
      next.status = obj.status;
      next.metadata.resourceVersion = obj.metadata.resourceVersion;
    } else {
      next = obj;
      if (info.subresources.includes('status')) {
        if (live.status === undefined) delete next.status;
        else next.status = live.status;
      }
      if (info.kind === 'Job') {
        next.metadata.uid = live.metadata.uid;
        const spec = asMap(next.spec);
        spec.selector ??= asMap(live.spec).selector;
      }
      next.metadata.uid = live.metadata.uid;
      applyDefaults(info, next);
      if (info.kind === 'Job') this.defaultJobSelector(next);
      validate(info, next, live);
      if (opts.manager) recordUpdate(live, next, opts.manager);
      else if (!next.metadata.managedFields) next.metadata.managedFields = live.metadata.managedFields;
    }
    if (opts.dryRun) return next;
    return this.store.update(info, next);
  }

  private writeScale(info: ResourceInfo, live: KubeObject, replicas: number, opts: WriteOptions): KubeObject {
    const next = clone(live);
    asMap(next.spec).replicas = replicas;
    delete next.metadata.resourceVersion;
    const stored = this.write(info, live, next, opts, '');
    return scaleOf(stored);
  }

  /**
   * DELETE: removes an object and, unless `propagationPolicy` is Orphan, every object it owns
   * (ownerReferences), recursively; deleting a Namespace removes everything in it.
   */
  delete(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    propagation = 'Background',
  ): KubeObject {
    const obj = this.store.delete(info, info.namespaced ? namespace : undefined, name);
    const uid = obj.metadata.uid;
    if (info.kind === 'Namespace') {
      for (const r of RESOURCES_NAMESPACED()) {
        for (const o of this.store.list(r, name)) this.delete(r, name, o.metadata.name ?? '', 'Background');
      }
      return obj;
    }
    for (const r of RESOURCES_NAMESPACED()) {
      for (const o of this.store.list(r, obj.metadata.namespace)) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.some((ref) => ref.uid === uid)) continue;
        if (propagation === 'Orphan') {
          o.metadata.ownerReferences = refs.filter((ref) => ref.uid !== uid);
          delete o.metadata.resourceVersion;
          this.store.update(r, o);
        } else {
          try {
            this.delete(r, o.metadata.namespace, o.metadata.name ?? '', propagation);
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
      }
    }
    return obj;
  }

  /** A controller's write of an object's status (no field ownership recorded, no conflict check). */
  writeStatus(info: ResourceInfo, obj: KubeObject, status: Json): KubeObject {
    const live = this.get(info, obj.metadata.namespace, obj.metadata.name ?? '');
    live.status = status;
    return this.store.update(info, live);
  }

  /** A controller's write of a whole object (no field ownership recorded, no conflict check). */
  writeObject(info: ResourceInfo, obj: KubeObject): KubeObject {
    const next = clone(obj);
    delete next.metadata.resourceVersion;
    return this.store.update(info, next);
  }
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isMap(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

function RESOURCES_NAMESPACED(): ResourceInfo[] {
  return [
    'pods',
    'replicasets',
    'deployments',
    'statefulsets',
    'daemonsets',
    'jobs',
    'cronjobs',
    'services',
    'configmaps',
    'secrets',
    'events',
    'serviceaccounts',
    'controllerrevisions',
    'httproutes',
    'gateways',
  ].map((r) => {
    const group = [
      'replicasets',
      'deployments',
      'statefulsets',
      'daemonsets',
      'controllerrevisions',
    ].includes(r)
      ? 'apps'
      : ['jobs', 'cronjobs'].includes(r)
        ? 'batch'
        : ['httproutes', 'gateways'].includes(r)
          ? GATEWAY_GROUP
          : '';
    return findResource(group, 'v1', r)!;
  });
}
