/**
 * The resource table of the Kubernetes API stand-in: which groups, versions and resources it serves, as the
 * real API server lists them in discovery (`/api/v1`, `/apis/<group>/<version>`).
 * Names, kinds, short names and verbs follow the real API server 1.32
 * (https://kubernetes.io/docs/reference/kubernetes-api/).
 */

/** One served resource (a row of an APIResourceList). */
export interface ResourceInfo {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  /** Plural resource name as used in URLs, e.g. `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served (`status`, `scale`, `log`, `proxy`). */
  subresources: string[];
}

/** The Gateway API's group; the stand-in serves it unless started with `gatewayApi: false`. */
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function res(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
  categories: string[] = [],
): ResourceInfo {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    categories,
    subresources,
  };
}

/** Every resource the stand-in serves. */
export const RESOURCES: readonly ResourceInfo[] = [
  res('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status']),
  res('', 'v1', 'pods', 'Pod', true, ['po'], ['status', 'log'], ['all']),
  res('', 'v1', 'events', 'Event', true, ['ev']),
  res('', 'v1', 'secrets', 'Secret', true),
  res('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  res('', 'v1', 'services', 'Service', true, ['svc'], ['status', 'proxy'], ['all']),
  res('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  res('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
  res('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['status', 'scale'], ['all']),
  res('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['status', 'scale'], ['all']),
  res('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['status', 'scale'], ['all']),
  res('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['status'], ['all']),
  res('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  res('batch', 'v1', 'jobs', 'Job', true, [], ['status'], ['all']),
  res('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], ['status'], ['all']),
  // The Gateway API's standard channel (https://gateway-api.sigs.k8s.io/reference/spec/), as its CRDs
  // install it: stored and validated like any custom resource (no schema, no controller programs a gateway).
  res(GATEWAY_GROUP, 'v1', 'gateways', 'Gateway', true, ['gtw'], ['status'], ['gateway-api']),
  res(GATEWAY_GROUP, 'v1', 'httproutes', 'HTTPRoute', true, [], ['status'], ['gateway-api']),
];

/** The groups served under /apis, in discovery order. */
export const GROUPS: readonly { name: string; version: string }[] = [
  { name: 'apps', version: 'v1' },
  { name: 'batch', version: 'v1' },
  { name: GATEWAY_GROUP, version: 'v1' },
];

/** `apiVersion` string of a resource (`v1`, `apps/v1`). */
export function apiVersionOf(info: ResourceInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

/** `deployments.apps` / `pods`: how the API server names a resource in error messages. */
export function qualifiedName(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/** Finds a resource by group, version and plural name; undefined when not served. */
export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** Finds a resource by `apiVersion` and `kind`; undefined when not served. */
export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** The APIResourceList body for one group version (`/api/v1`, `/apis/apps/v1`). */
export function apiResourceList(group: string, version: string): Record<string, unknown> {
  const rows: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    rows.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ALL_VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(`${group}/${version}/${r.kind}`).toString('base64').slice(0, 11),
    });
    for (const sub of r.subresources) {
      if (sub === 'scale') {
        rows.push({
          name: `${r.resource}/scale`,
          singularName: '',
          namespaced: r.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      } else if (sub === 'log') {
        rows.push({
          name: `${r.resource}/log`,
          singularName: '',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get'],
        });
      } else if (sub === 'proxy') {
        rows.push({
          name: `${r.resource}/proxy`,
          singularName: '',
          namespaced: true,
          kind: 'ServiceProxyOptions',
          verbs: ['create', 'delete', 'get', 'patch', 'update'],
        });
      } else {
        rows.push({
          name: `${r.resource}/${sub}`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: rows,
  };
}

/**
 * The OpenAPI v3 discovery document (`/openapi/v3`): one path per group version, as the real API server lists
 * them (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3).
 * @param hiddenGroups groups left out, as on a cluster that does not have them (e.g. no Gateway API CRDs)
 */
export function openApiV3Root(hiddenGroups: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=STANDIN' },
  };
  for (const g of GROUPS.filter((group) => !hiddenGroups.has(group.name))) {
    paths[`apis/${g.name}/${g.version}`] = {
      serverRelativeURL: `/openapi/v3/apis/${g.name}/${g.version}?hash=STANDIN`,
    };
  }
  return { paths };
}

/**
 * A minimal OpenAPI v3 document of one group version: for each resource, the item path with a PATCH operation
 * that carries `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. That is what
 * kubectl reads to learn that the server validates fields itself (so it skips client-side schema
 * validation). No schemas: the stand-in is not a schema source; clients fall back to their built-in types.
 */
export function openApiV3Doc(group: string, version: string): Record<string, unknown> | undefined {
  const rows = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rows.length) return undefined;
  const paths: Record<string, unknown> = {};
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  }));
  for (const r of rows) {
    const item = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
      : `${prefix}/${r.resource}/{name}`;
    const op = (verb: string): Record<string, unknown> => ({
      operationId: `${verb}${r.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
      parameters: params,
      responses: { '200': { description: 'OK' } },
    });
    paths[item] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (Gantry stand-in)', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}
