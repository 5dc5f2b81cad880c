/**
 * Requests to an in-cluster Service through the Kubernetes API server's service proxy
 * (`/api/v1/namespaces/<ns>/services/<[scheme:]name[:port]>/proxy/<path>`), for clusters with no public
 * ingress: what `kubectl get --raw /api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>` does.
 * See https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 * and the API server's `ResourceLocation` for Services (`SplitSchemeNamePort`: `name`, `name:port`,
 * `scheme:name:port`; a port number is mapped to the Service port's name).
 *
 * Authentication is the official client's: {@link KubeConfig.applyToHTTPSOptions} gives the bearer token
 * (static, from an exec plugin or an auth provider), basic auth, the client certificate and key, the CA and
 * the agent (including the cluster's `proxy-url`); the request itself is Node's https, so redirects, timeouts
 * and body reads stay under the caller's control (the body is a stream the caller reads capped).
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { quote } from '../output.ts';
import { inert } from './inert.ts';

/** A Service reference as `kubectl get --raw …/services/<id>/proxy/` takes it, plus a namespace. */
export interface ServiceReference {
  /** Namespace given in the reference (`staging/web`); undefined: the connection's namespace. */
  namespace?: string;
  /** `http` or `https` when given (`https:web:443`): the scheme the API server uses to reach the pods. */
  scheme?: 'http' | 'https';
  /** The Service's name (a DNS-1035 label). */
  name: string;
  /** The Service port's name or number, as written; undefined: the Service's only, unnamed port. */
  port?: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** IANA_SVC_NAME (RFC 6335 §5.1): at most 15 characters, a letter at least, no `--`, no edge hyphen. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

/** A good value, quoted in input errors. */
export const SERVICE_REFERENCE_EXAMPLE = 'staging/web:http';

/**
 * Parses `[namespace/][scheme:]name[:port]`: `web`, `web:8080`, `staging/web:http`, `https:web:443`.
 * As the API server splits the id (`SplitSchemeNamePort`), a scheme needs three parts (`https:web:` with
 * an empty port is allowed); `http:web` is the Service `http`, port `web`.
 * @param text  the value as written
 * @param input the input (or `checks` field) named in the error
 * @returns the reference
 * @throws InputError naming `input`, with {@link SERVICE_REFERENCE_EXAMPLE}, for what
 *   {@link readServiceReference} refuses
 */
export function parseServiceReference(text: string, input: string): ServiceReference {
  const read = readServiceReference(text);
  if ('problem' in read) throw new InputError(input, read.problem, SERVICE_REFERENCE_EXAMPLE);
  return read;
}

/**
 * Reads `[namespace/][scheme:]name[:port]` (see {@link parseServiceReference}).
 * @returns the reference, or `{ problem }` for an empty value, more than one `/`, a namespace that is not
 *   a DNS label, a name that is not a DNS-1035 label, a port that is neither 1-65535 nor an IANA service
 *   name, a scheme other than http/https
 */
export function readServiceReference(text: string): ServiceReference | { problem: string } {
  const value = text.trim();
  if (value === '') return { problem: 'names no Service' };
  const slash = value.split('/');
  if (slash.length > 2)
    return { problem: `${quote(value)} has more than one "/" (write namespace/name:port)` };
  const reference: ServiceReference = { name: '' };
  if (slash.length === 2) {
    const namespace = slash[0] ?? '';
    if (!NAMESPACE.test(namespace))
      return { problem: `${quote(namespace)} is not a namespace name (a DNS label)` };
    reference.namespace = namespace;
  }
  const parts = (slash.at(-1) ?? '').split(':');
  if (parts.length > 3)
    return { problem: `${quote(value)} has more than two ":" (write [scheme:]name[:port])` };
  if (parts.length === 3) {
    const scheme = parts.shift() ?? '';
    if (scheme !== 'http' && scheme !== 'https')
      return { problem: `${quote(scheme)} is not a scheme the service proxy knows (http or https)` };
    reference.scheme = scheme;
  }
  const [name = '', port] = parts;
  if (!SERVICE_NAME.test(name))
    return {
      problem: `${quote(name)} is not a Service name (lowercase letters, digits and "-", a letter first)`,
    };
  reference.name = name;
  if (port !== undefined && port !== '') {
    if (/^\d+$/.test(port)) {
      const number = Number(port);
      if (number < 1 || number > 65_535) return { problem: `port ${port} is not between 1 and 65535` };
    } else if (!PORT_NAME.test(port)) {
      return { problem: `${quote(port)} is neither a port number nor a port name (e.g. http, metrics)` };
    }
    reference.port = port;
  }
  return reference;
}

/** The reference as written back: `[namespace/][scheme:]name[:port]`. */
export function formatServiceReference(reference: ServiceReference): string {
  return `${reference.namespace === undefined ? '' : `${reference.namespace}/`}${serviceId(reference)}`;
}

/** The proxy id of a reference: `name`, `name:port` or `scheme:name:port` (the part after `services/`). */
function serviceId(reference: ServiceReference): string {
  if (reference.scheme !== undefined) return `${reference.scheme}:${reference.name}:${reference.port ?? ''}`;
  return reference.port === undefined ? reference.name : `${reference.name}:${reference.port}`;
}

/**
 * Checks a path for the service proxy: what follows `/proxy` (`/healthz`, `/api/status?verbose=1`).
 * @returns the problem, or undefined when it is fine
 */
export function servicePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `${quote(path)} does not start with "/"`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f#]/.test(path))
    return `${quote(path)} has a space, a control character or a "#"`;
  const pathname = path.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return `${quote(path)} has a bad percent-encoding`;
  }
  // A "." or ".." segment would move the request out of the Service's proxy path, to other API paths.
  if (decoded.split('/').some((segment) => segment === '.' || segment === '..'))
    return `${quote(path)} has a "." or ".." segment`;
  return undefined;
}

/**
 * The service proxy's base path of a Service: `/api/v1/namespaces/<ns>/services/<id>/proxy`.
 * @param namespace used when the reference names none
 */
export function serviceProxyBasePath(reference: ServiceReference, namespace: string): string {
  const ns = reference.namespace ?? namespace;
  return `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${serviceId(reference)}/proxy`;
}

/**
 * The URL of `path` on a Service through the API server at `server` (which may have a path prefix, as
 * Rancher's `https://rancher.example.com/k8s/clusters/c-abc` has).
 * @param server    the cluster's `server` URL from the kubeconfig
 * @param namespace the namespace for a reference that names none
 * @param path      a path that passes {@link servicePathProblem} (`/healthz?full=1`)
 * @returns `<server>/api/v1/namespaces/<ns>/services/<[scheme:]name[:port]>/proxy/<path>`
 * @throws Error when the server is not an absolute http(s) URL or the path leaves the proxy path
 */
export function serviceProxyUrl(
  server: string,
  reference: ServiceReference,
  namespace: string,
  path: string,
): string {
  const base = new URL(server);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`The cluster's server ${quote(server)} is not an http(s) URL`);
  const prefix = `${base.pathname.replace(/\/+$/, '')}${serviceProxyBasePath(reference, namespace)}`;
  const url = new URL(`${base.origin}${prefix}${path}`);
  if (!url.pathname.startsWith(`${prefix}/`))
    throw new Error(`The path ${quote(path)} leaves the service proxy path ${prefix}/`);
  return url.toString();
}

/**
 * The message of a Kubernetes `Status` body (`{"kind":"Status","apiVersion":"v1","message":…}`): the
 * answer of the API server itself (no endpoints, no such port, forbidden, could not reach the pod) rather
 * than of the Service behind it. Folded onto one line and cut to 300 characters.
 * @param body the response body (as read, capped)
 * @returns `API server: <message>`, or undefined when the body is not a Status
 */
export function apiServerStatusMessage(body: string): string | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const status = JSON.parse(body) as { kind?: unknown; apiVersion?: unknown; message?: unknown };
    if (status.kind !== 'Status' || status.apiVersion !== 'v1' || typeof status.message !== 'string')
      return undefined;
    return `API server: ${inert(status.message).slice(0, 300)}`;
  } catch {
    return undefined;
  }
}

/** A Service port as the API returns it (`spec.ports[]`). */
export interface ServicePortSpec {
  name?: string;
  port: number;
}

/**
 * What the service proxy will refuse for good, known from the Service's ports before any check: the API
 * server maps a port number to the port's name (none: 503 `no service port N found`), then needs an
 * endpoint port of that name (a name the Service lacks, or no port given for a Service whose port is
 * named: 503 `no endpoints available`, which the checks would retry until the deadline).
 * @param ports the Service's `spec.ports`
 * @returns the problem, naming the ports the Service has, or undefined when the port can be reached
 */
export function servicePortProblem(
  reference: ServiceReference,
  ports: readonly ServicePortSpec[],
): string | undefined {
  const list = ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ') || 'none';
  const port = reference.port;
  if (port === undefined) {
    if (ports.length === 1 && !ports[0]?.name) return undefined;
    return `the Service's ports are named, so name one (its ports: ${list}), e.g. ${reference.name}:${ports[0]?.name ?? 'http'}`;
  }
  const found = /^\d+$/.test(port)
    ? ports.find((p) => p.port === Number(port))
    : ports.find((p) => (p.name ?? '') === port);
  return found === undefined ? `the Service has no port ${quote(port)} (its ports: ${list})` : undefined;
}

/**
 * Reads the Service a reference names, to find what no retry can fix before the checks run: the Service
 * missing, or a port it does not have ({@link servicePortProblem}).
 * @param namespace the namespace for a reference that names none
 * @param timeoutMs how long the read may take (milliseconds); past it the checks run
 * @returns the problem, or undefined when the checks may run — also when the Service cannot be read for
 *   another reason (no RBAC `get` on `services`, a network error, no answer in `timeoutMs`): the checks
 *   then speak for themselves
 */
export async function serviceProblem(
  kubeConfig: KubeConfig,
  reference: ServiceReference,
  namespace: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const ns = reference.namespace ?? namespace;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs);
  });
  try {
    const read = kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: reference.name, namespace: ns });
    read.catch(() => undefined);
    const service = await Promise.race([read, late]);
    const ports = (service.spec?.ports ?? []).map((p) => ({
      port: p.port,
      ...(p.name ? { name: p.name } : {}),
    }));
    return servicePortProblem(reference, ports);
  } catch (error) {
    if ((error as { code?: unknown }).code === 404)
      return `the Service ${quote(`${ns}/${reference.name}`)} does not exist`;
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** A `fetch`-shaped function: the URL and init of one request, a web Response whose body is unread. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const MAX_REDIRECTS = 10;

/**
 * A `fetch` that sends requests to the API server with the kubeconfig's current context (token, client
 * certificate, CA, proxy), for URLs made by {@link serviceProxyUrl}.
 *
 * - Headers: the caller's, then the client's (`Authorization` and impersonation headers win). The API
 *   server consumes `Authorization` and does not pass it on to the Service.
 * - Redirects (`redirect: 'follow'`): followed, at most 10, only while they stay on the API server and
 *   under the same Service's proxy path (the API server rewrites a Service's own redirects there); any
 *   other redirect is returned as it is, so credentials never go elsewhere. 303, and 301/302 after a POST,
 *   continue as a GET without a body, as fetch does.
 * - `signal` aborts the request and the body stream with its reason (a `TimeoutError` stays one).
 * - Network errors reject with `TypeError('fetch failed', { cause })`, as fetch does (`cause.code` is
 *   `ECONNREFUSED`, `ECONNRESET`…).
 * - A bearer token the client adds beyond the kubeconfig's own `token` (e.g. from an exec plugin or a
 *   token file) is masked through `logger` before use; the kubeconfig's `token` is masked once by
 *   `connect()` (connection.ts), so it is not registered a second time.
 * @returns a function that resolves to a web Response whose body is a stream, not yet read
 */
export function serviceProxyFetch(kubeConfig: KubeConfig, logger: Logger): FetchLike {
  // connect() masked the kubeconfig's static token already (maskKubeconfigCredentials).
  const masked = new Set<string>([kubeConfig.getCurrentUser()?.token ?? '']);
  const mask = (value: string): void => {
    if (value === '' || masked.has(value)) return;
    masked.add(value);
    logger.mask(value);
  };
  return async (url, init) => {
    let current = new URL(url);
    const proxyPath = /^(.*\/services\/[^/]+\/proxy)(\/|$)/.exec(current.pathname)?.[1];
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await requestOnce(kubeConfig, mask, current, { ...init, method, body });
      const location = response.headers.get('location');
      if (init.redirect === 'manual' || !REDIRECTS.has(response.status) || location === null) return response;
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return response;
      }
      const staysOnService =
        proxyPath !== undefined &&
        next.origin === current.origin &&
        (next.pathname === proxyPath || next.pathname.startsWith(`${proxyPath}/`));
      if (!staysOnService || hop >= MAX_REDIRECTS) return response;
      await response.body?.cancel().catch(() => undefined);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
      }
      current = next;
    }
  };
}

/** One request, no redirects followed. */
async function requestOnce(
  kubeConfig: KubeConfig,
  mask: (value: string) => void,
  url: URL,
  init: RequestInit & { method: string },
): Promise<Response> {
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  delete headers['authorization'];
  const options: https.RequestOptions = { method: init.method, headers };
  await kubeConfig.applyToHTTPSOptions(options);
  const authorization = (options.headers as Record<string, string>)['Authorization'];
  if (authorization !== undefined) mask(authorization.replace(/^Bearer\s+/i, ''));
  const body = typeof init.body === 'string' ? init.body : undefined;
  return new Promise<Response>((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, options);
    let incoming: http.IncomingMessage | undefined;
    const onAbort = (): void => {
      const reason: unknown = signal?.reason;
      const error = reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
      incoming?.destroy(error);
      request.destroy(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error instanceof DOMException ? error : new TypeError('fetch failed', { cause: error }));
    });
    request.on('response', (response) => {
      incoming = response;
      response.on('close', () => signal?.removeEventListener('abort', onAbort));
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(response.headers)) {
        if (Array.isArray(value)) for (const item of value) responseHeaders.append(key, item);
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const status = response.statusCode ?? 502;
      const empty = NULL_BODY.has(status) || init.method === 'HEAD';
      if (empty) response.resume();
      const stream = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
      try {
        resolve(
          new Response(stream, {
            status,
            statusText: response.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      } catch (error) {
        response.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    request.end(body);
  });
}
