/**
 * The HTTP face of the Kubernetes API stand-in: URL layout, discovery, verbs, watch streams, pod logs and the
 * service proxy, as the real API server serves them
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/). Answers JSON only (clients that offer
 * protobuf also accept JSON); errors are Status objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api, Subresource } from './api.ts';
import { patchTypeOf } from './api.ts';
import type { Controllers, LogLine } from './controller.ts';
import { isMap } from './patch.ts';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf.ts';
import {
  apiResourceList,
  apiVersionOf,
  findResource,
  GROUPS,
  openApiV3Doc,
  openApiV3Root,
  type ResourceInfo,
} from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, badRequest, clone, type KubeObject, type StoreEvent } from './store.ts';
import { toTable } from './tables.ts';

/** One request the stand-in received (for tests: e.g. "the rollout was watched, not polled"). */
export interface RequestRecord {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  userAgent: string;
  contentType: string;
  /** Date.now() when it arrived. */
  at: number;
}

/** A fault to answer instead of the real thing (for retry tests). */
export interface FaultRule {
  method?: string;
  /** Matches the request path (string: substring; RegExp: test). */
  path?: string | RegExp;
  /** HTTP status to answer (e.g. 429, 500, 503). */
  status: number;
  /** Retry-After header value in seconds. */
  retryAfterSeconds?: number;
  /** How many requests it answers (default 1). */
  times?: number;
}

/** Everything the HTTP layer needs. */
export interface ServerContext {
  api: Api;
  controllers: Controllers;
  /** Bearer token required on every request but /version and the health endpoints; '' disables the check. */
  token: string;
  /** How often a watch that allows bookmarks gets a BOOKMARK event. */
  bookmarkIntervalMs: number;
  /** Replaces the token check: true lets the request in (e.g. to accept an EKS `k8s-aws-v1.` token). */
  authenticate?: (bearerToken: string) => boolean;
  requests: RequestRecord[];
  faults: FaultRule[];
  /** Service proxy targets by `namespace/name` (a loopback base URL). */
  serviceBackends: Map<string, string>;
  /** Open watch and log streams, ended by stop(). */
  streams: Set<ServerResponse>;
  /** `host:port` the server listens on. */
  address: () => string;
  /** API groups this server does not serve (absent from discovery, 404 on their paths), e.g. the Gateway API's. */
  hiddenGroups?: ReadonlySet<string>;
}

/** The annotation on a Service naming the loopback URL its proxy subresource forwards to. */
export const PROXY_TARGET_ANNOTATION = 'stand-in.gantry.dev/proxy-target';
const MAX_BODY = 3 * 1024 * 1024;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) return send(res, e.code, e.status());
  const err = new ApiError(
    500,
    'InternalError',
    `Internal error occurred: ${(e as Error)?.message ?? String(e)}`,
  );
  send(res, 500, err.status());
}

async function readObject(req: IncomingMessage): Promise<unknown> {
  const ct = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const buf = await readBuffer(req);
  if (ct === PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(buf);
  return parseJson(buf.toString('utf8'));
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBuffer(req)).toString('utf8');
}

async function readBuffer(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function defaultManager(req: IncomingMessage): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0]!.slice(0, 128) || 'unknown';
}

interface Route {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  rest: string;
  watchPath: boolean;
}

function parseRoute(path: string, hiddenGroups: ReadonlySet<string>): Route | undefined {
  let segs = path.split('/').filter(Boolean);
  let group = '';
  let version: string;
  if (segs[0] === 'api') {
    version = segs[1] ?? '';
    segs = segs.slice(2);
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    if (hiddenGroups.has(group)) return undefined;
    segs = segs.slice(3);
  } else return undefined;
  let watchPath = false;
  if (segs[0] === 'watch') {
    watchPath = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3 && findResource(group, version, segs[2]!)) {
    namespace = decodeURIComponent(segs[1]!);
    segs = segs.slice(2);
  }
  const info = findResource(group, version, segs[0] ?? '');
  if (!info) return undefined;
  return {
    info,
    namespace,
    name: segs[1] !== undefined ? decodeURIComponent(segs[1]) : undefined,
    sub: segs[2],
    rest: segs.slice(3).join('/'),
    watchPath,
  };
}

function listKind(info: ResourceInfo): string {
  return `${info.kind}List`;
}

function stripTypeMeta(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(String(req.headers.accept ?? ''));
}

/** Builds the request handler over a context. */
export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, e);
      else res.destroy();
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = (req.method ?? 'GET').toUpperCase();
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  ctx.requests.push({
    method,
    path: url.pathname,
    query,
    userAgent: String(req.headers['user-agent'] ?? ''),
    contentType: String(req.headers['content-type'] ?? ''),
    at: Date.now(),
  });
  const path = url.pathname.replace(/\/+$/, '') || '/';

  if (['/healthz', '/readyz', '/livez'].includes(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (path === '/version') {
    return send(res, 200, {
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.0-gantry-stand-in',
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2026-01-01T00:00:00Z',
      goVersion: 'go1.23.0',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  }
  const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
  const allowed = ctx.authenticate ? ctx.authenticate(bearer) : !ctx.token || bearer === ctx.token;
  if (!allowed) {
    return send(res, 401, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  }
  const fault = ctx.faults.find(
    (f) =>
      (!f.method || f.method.toUpperCase() === method) &&
      (!f.path || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
  );
  if (fault) {
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) ctx.faults.splice(ctx.faults.indexOf(fault), 1);
    const reason =
      fault.status === 429
        ? 'TooManyRequests'
        : fault.status === 503
          ? 'ServiceUnavailable'
          : 'InternalError';
    if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
    return send(res, fault.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `injected fault (${fault.status})`,
      reason,
      code: fault.status,
    });
  }

  if (path === '/api') {
    return send(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ctx.address() }],
    });
  }
  const hidden = ctx.hiddenGroups ?? new Set<string>();
  if (path === '/apis') {
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: GROUPS.filter((g) => !hidden.has(g.name)).map((g) => ({
        name: g.name,
        versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
        preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
      })),
    });
  }
  if (path === '/api/v1') return send(res, 200, apiResourceList('', 'v1'));
  if (path === '/openapi/v3') return send(res, 200, openApiV3Root(hidden));
  if (path.startsWith('/openapi/v3/')) {
    const parts = path.slice('/openapi/v3/'.length).split('/');
    const doc =
      parts[0] === 'api'
        ? openApiV3Doc('', parts[1] ?? '')
        : hidden.has(parts[1] ?? '')
          ? undefined
          : openApiV3Doc(parts[1] ?? '', parts[2] ?? '');
    if (doc) return send(res, 200, doc);
  }
  const groupMatch = path.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
  if (groupMatch) {
    const g = GROUPS.find((x) => x.name === groupMatch[1] && !hidden.has(x.name));
    if (g && !groupMatch[2]) {
      return send(res, 200, {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: g.name,
        versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
        preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
      });
    }
    if (g && groupMatch[2] === g.version) return send(res, 200, apiResourceList(g.name, g.version));
  }

  const route = parseRoute(path, hidden);
  if (!route) {
    return send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  }
  await handleResource(ctx, req, res, route, method, query);
}

async function handleResource(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  method: string,
  query: Record<string, string>,
): Promise<void> {
  const { api } = ctx;
  const { info, namespace, name, sub } = route;
  const manager = query.fieldManager || defaultManager(req);
  const warnings: string[] = [];
  const write = {
    manager,
    dryRun: query.dryRun === 'All',
    force: query.force === 'true',
    fieldValidation: query.fieldValidation ?? 'Warn',
    warnings,
  };
  // Warnings reach the client as `Warning: 299 - "<text>"` headers (RFC 7234), as the API server sends them.
  const writeHead = res.writeHead.bind(res);
  res.writeHead = ((...args: Parameters<typeof res.writeHead>) => {
    if (warnings.length)
      res.setHeader(
        'Warning',
        warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
    return writeHead(...args);
  }) as typeof res.writeHead;

  if (name === undefined) {
    if (method === 'GET') {
      if (route.watchPath || query.watch === 'true' || query.watch === '1')
        return watch(ctx, req, res, info, namespace, query);
      return list(ctx, req, res, info, namespace, query);
    }
    if (method === 'POST') {
      const obj = api.create(info, namespace, await readObject(req), write);
      return send(res, 201, obj);
    }
    if (method === 'DELETE') {
      const labels = parseLabelSelector(query.labelSelector);
      const fields = parseFieldSelector(query.fieldSelector);
      const gone = api.store
        .list(info, namespace)
        .filter((o) => labels(o.metadata.labels ?? {}) && fields(o))
        .map((o) => api.delete(info, o.metadata.namespace, o.metadata.name ?? ''));
      return send(res, 200, {
        kind: listKind(info),
        apiVersion: apiVersionOf(info),
        metadata: { resourceVersion: String(api.store.resourceVersion) },
        items: gone,
      });
    }
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  }

  if (route.watchPath && sub === undefined && method === 'GET') {
    // the deprecated /watch/<resource>/<name> form: a watch of one object
    const fieldSelector = [query.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(',');
    return watch(ctx, req, res, info, namespace, { ...query, fieldSelector });
  }
  if (sub === 'log' && info.kind === 'Pod') return podLog(ctx, res, namespace, name, query);
  if (sub === 'proxy' && info.kind === 'Service')
    return serviceProxy(ctx, req, res, namespace, name, route.rest, method);
  if (sub !== undefined && sub !== 'status' && sub !== 'scale') {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (sub !== undefined && !info.subresources.includes(sub)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const subresource = (sub ?? '') as Subresource;
  if (method === 'GET') {
    const obj = api.get(info, namespace, name);
    if (subresource === 'scale') {
      const { scaleOf } = await import('./api.ts');
      return send(res, 200, scaleOf(obj));
    }
    if (wantsTable(req)) return send(res, 200, toTable(info, [obj], obj.metadata.resourceVersion ?? ''));
    return send(res, 200, obj);
  }
  if (method === 'PUT') {
    return send(res, 200, api.replace(info, namespace, name, await readObject(req), write, subresource));
  }
  if (method === 'PATCH') {
    const type = patchTypeOf(req.headers['content-type']);
    if (!type) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    }
    const body = await readBody(req);
    const existed = !!api.store.get(info, info.namespaced ? namespace : undefined, name);
    // An apply names its field manager itself; others default to the client's User-Agent.
    const patchWrite = type === 'apply' ? { ...write, manager: query.fieldManager ?? '' } : write;
    const obj = api.patch(info, namespace, name, type, body, patchWrite, subresource);
    return send(res, existed ? 200 : 201, obj);
  }
  if (method === 'DELETE') {
    const body = String(req.headers['content-type'] ?? '').startsWith(PROTOBUF_MEDIA_TYPE)
      ? ''
      : await readBody(req);
    let propagation = query.propagationPolicy ?? 'Background';
    if (body.trim()) {
      const opts = parseJson(body);
      if (isMap(opts) && typeof opts.propagationPolicy === 'string') propagation = opts.propagationPolicy;
      if (isMap(opts) && opts.orphanDependents === true) propagation = 'Orphan';
    }
    if (query.dryRun === 'All') return send(res, 200, api.get(info, namespace, name));
    const obj = api.delete(info, namespace, name, propagation);
    return send(res, 200, obj);
  }
  throw new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    // kubectl and client-node send JSON; YAML is accepted as well, as the API server's yaml serializer does.
    throw badRequest(`json: cannot unmarshal the request body: ${body.slice(0, 80)}`);
  }
}

function selected(
  info: ResourceInfo,
  namespace: string | undefined,
  query: Record<string, string>,
): (o: KubeObject) => boolean {
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector);
  return (o) =>
    (!info.namespaced || namespace === undefined || o.metadata.namespace === namespace) &&
    labels(o.metadata.labels ?? {}) &&
    fields(o);
}

function list(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: ResourceInfo,
  namespace: string | undefined,
  query: Record<string, string>,
): void {
  const match = selected(info, namespace, query);
  const items = ctx.api.store.list(info, info.namespaced ? namespace : undefined).filter(match);
  const rv = String(ctx.api.store.resourceVersion);
  if (wantsTable(req)) return send(res, 200, toTable(info, items, rv));
  send(res, 200, {
    kind: listKind(info),
    apiVersion: apiVersionOf(info),
    metadata: { resourceVersion: rv },
    items: items.map(stripTypeMeta),
  });
}

function watch(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: ResourceInfo,
  namespace: string | undefined,
  query: Record<string, string>,
): void {
  const match = selected(info, namespace, query);
  const store = ctx.api.store;
  const rvParam = query.resourceVersion;
  let backlog: StoreEvent[] | undefined;
  const known = new Set<string>();
  const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const current = store.list(info, info.namespaced ? namespace : undefined).filter(match);
  if (rvParam && rvParam !== '0') {
    const rv = Number(rvParam);
    if (!Number.isFinite(rv)) throw badRequest(`invalid resource version: ${rvParam}`);
    backlog = store.since(info, rv);
    if (!backlog) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `too old resource version: ${rv} (${store.oldestResumable})`,
            reason: 'Expired',
            code: 410,
          },
        })}\n`,
      );
      return;
    }
    // Objects that existed at rv and matched: approximated by those that match now and were not added since.
    const addedSince = new Set(backlog.filter((e) => e.type === 'ADDED').map((e) => keyOf(e.object)));
    for (const o of current) if (!addedSince.has(keyOf(o))) known.add(keyOf(o));
  }
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  ctx.streams.add(res);
  const writeEvent = (type: string, object: KubeObject): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const deliver = (e: StoreEvent): void => {
    const key = keyOf(e.object);
    const now = e.type !== 'DELETED' && match(e.object);
    const was = known.has(key);
    if (e.type === 'DELETED') {
      if (was || match(e.object)) writeEvent('DELETED', e.object);
      known.delete(key);
      return;
    }
    if (now) {
      writeEvent(was ? (e.type === 'ADDED' ? 'ADDED' : 'MODIFIED') : 'ADDED', e.object);
      known.add(key);
    } else if (was) {
      writeEvent('DELETED', e.object);
      known.delete(key);
    }
  };
  if (backlog) {
    for (const e of backlog) deliver(e);
  } else {
    for (const o of current) {
      writeEvent('ADDED', o);
      known.add(keyOf(o));
    }
  }
  const unsubscribe = store.subscribe((e) => {
    if (e.resource === info) deliver(clone(e));
  });
  let timer: NodeJS.Timeout | undefined;
  // allowWatchBookmarks: BOOKMARK events carry only the current resourceVersion (clients must skip them).
  const bookmarks =
    query.allowWatchBookmarks === 'true'
      ? setInterval(() => {
          writeEvent('BOOKMARK', {
            apiVersion: apiVersionOf(info),
            kind: info.kind,
            metadata: { resourceVersion: String(store.resourceVersion) },
          });
        }, ctx.bookmarkIntervalMs)
      : undefined;
  const end = (): void => {
    unsubscribe();
    if (bookmarks) clearInterval(bookmarks);
    if (timer) clearTimeout(timer);
    ctx.streams.delete(res);
    if (!res.writableEnded) res.end();
  };
  const timeout = Number(query.timeoutSeconds);
  if (Number.isFinite(timeout) && timeout > 0) timer = setTimeout(end, timeout * 1000);
  req.on('close', end);
  res.on('close', end);
}

function podLog(
  ctx: ServerContext,
  res: ServerResponse,
  namespace: string | undefined,
  name: string,
  query: Record<string, string>,
): void {
  const pods = findResource('', 'v1', 'pods')!;
  const pod = ctx.api.get(pods, namespace, name);
  const containers =
    ((isMap(pod.spec) ? pod.spec.containers : []) as { name: string; image: string }[]) ?? [];
  const cname = query.container || (containers.length === 1 ? containers[0]!.name : '');
  if (!cname) {
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  }
  const container = containers.find((c) => c.name === cname);
  if (!container) throw badRequest(`container ${cname} is not valid for pod ${name}`);
  const statuses = (
    isMap(pod.status) && Array.isArray(pod.status.containerStatuses) ? pod.status.containerStatuses : []
  ) as {
    name: string;
    state?: { waiting?: { reason?: string } };
  }[];
  const waiting = statuses.find((s) => s.name === cname)?.state?.waiting;
  const uid = pod.metadata.uid ?? '';
  const lines = ctx.controllers.podLog(uid, cname);
  if (lines.length === 0 && (waiting || statuses.length === 0)) {
    const reason = waiting?.reason ?? 'ContainerCreating';
    const detail =
      reason === 'ImagePullBackOff' || reason === 'ErrImagePull'
        ? 'trying and failing to pull image'
        : 'ContainerCreating';
    throw badRequest(`container "${cname}" in pod "${name}" is waiting to start: ${detail}`);
  }
  // One run of the container: the current one (its restartCount), or with previous=true the one before.
  const restarts = Number(
    (statuses.find((s) => s.name === cname) as { restartCount?: number } | undefined)?.restartCount ?? 0,
  );
  const attempt = query.previous === 'true' ? restarts - 1 : restarts;
  if (attempt < 0) throw badRequest(`previous terminated container "${cname}" in pod "${name}" not found`);
  const ofAttempt = (all: LogLine[]): LogLine[] => all.filter((l) => l.attempt === attempt);
  const stamps = query.timestamps === 'true';
  const format = (l: { time: string; text: string }): string =>
    `${stamps ? `${l.time.replace('Z', '.000000000Z')} ` : ''}${l.text}\n`;
  let selectedLines = ofAttempt(lines);
  const tail = Number(query.tailLines);
  if (Number.isFinite(tail) && tail >= 0 && query.tailLines !== undefined)
    selectedLines = selectedLines.slice(Math.max(0, selectedLines.length - tail));
  let text = selectedLines.map(format).join('');
  const limit = Number(query.limitBytes);
  if (query.limitBytes !== undefined && Number.isFinite(limit) && limit > 0) {
    text = Buffer.from(text).subarray(0, limit).toString('utf8');
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.write(text);
  const phase = isMap(pod.status) ? pod.status.phase : undefined;
  if (query.follow !== 'true' || phase === 'Succeeded' || phase === 'Failed') {
    res.end();
    return;
  }
  let sent = lines.length;
  ctx.streams.add(res);
  const stopLog = ctx.controllers.onLog((podUid) => {
    if (podUid !== uid) return;
    const all = ctx.controllers.podLog(uid, cname);
    for (const l of ofAttempt(all.slice(sent))) res.write(format(l));
    sent = all.length;
  });
  const stopStore = ctx.api.store.subscribe((e) => {
    if (e.resource !== pods || e.object.metadata.uid !== uid) return;
    const phase = isMap(e.object.status) ? e.object.status.phase : undefined;
    if (e.type === 'DELETED' || phase === 'Succeeded' || phase === 'Failed') finish();
  });
  const finish = (): void => {
    stopLog();
    stopStore();
    ctx.streams.delete(res);
    if (!res.writableEnded) res.end();
  };
  res.on('close', finish);
}

async function serviceProxy(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string | undefined,
  nameAndPort: string,
  rest: string,
  method: string,
): Promise<void> {
  const services = findResource('', 'v1', 'services')!;
  // `[scheme:]name[:port]` split as the API server's SplitSchemeNamePort does, then its ResourceLocation:
  // a port number is mapped to the Service port's name (503 when no port has it), and the endpoints must
  // have a port of that name — the stand-in's endpoints are the backend URL, on every port of the Service
  // (https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/).
  const parts = nameAndPort.split(':');
  const [name = '', port = ''] = parts.length === 3 ? parts.slice(1) : parts;
  if (parts.length > 3 || (parts.length === 3 && !['http', 'https', ''].includes(parts[0]!)) || name === '')
    throw new ApiError(400, 'BadRequest', `invalid service request "${nameAndPort}"`);
  const portsOf = (obj: KubeObject): { name?: string; port?: number }[] => {
    const spec = (obj as { spec?: unknown }).spec;
    return isMap(spec) && Array.isArray(spec.ports) ? (spec.ports as { name?: string; port?: number }[]) : [];
  };
  let portName = port;
  if (/^\d+$/.test(port)) {
    const found = portsOf(ctx.api.get(services, namespace, name)).find((p) => p.port === Number(port));
    if (!found)
      throw new ApiError(503, 'ServiceUnavailable', `no service port ${port} found for service "${name}"`);
    portName = found.name ?? '';
  }
  // No Endpoints objects here: a Service's endpoints exist with it.
  const svc = ctx.api.store.get(services, namespace, name);
  if (!svc) throw new ApiError(404, 'NotFound', `endpoints "${name}" not found`, { name, kind: 'endpoints' });
  const target =
    ctx.serviceBackends.get(`${namespace}/${name}`) ?? svc.metadata.annotations?.[PROXY_TARGET_ANNOTATION];
  if (!target) {
    throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
  }
  if (!portsOf(svc).some((p) => (p.name ?? '') === portName)) {
    throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${nameAndPort}"`);
  }
  const base = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
    throw new ApiError(
      503,
      'ServiceUnavailable',
      `the stand-in proxies only to loopback addresses, not ${base.hostname}`,
    );
  }
  const incoming = new URL(req.url ?? '/', 'http://stand-in');
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/${rest}${incoming.search}`, base);
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (['authorization', 'host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) continue;
    if (typeof v === 'string') headers[k] = v;
  }
  let answer: Response;
  try {
    answer = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${(e as Error).message}`);
  }
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((v, k) => {
    if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k))
      outHeaders[k] = v;
  });
  const buf = Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, { ...outHeaders, 'Content-Length': buf.length });
  res.end(buf);
}
