/**
 * smoke-test inputs: a single `url` or a `checks` document, plus the deadline, retry and concurrency
 * settings. A bad `checks` document fails naming the line and the field at fault.
 */
import { parseDuration } from '../../../shared/src/duration.ts';
import { InputError } from '../../../shared/src/errors.ts';
import {
  getDocument,
  getDuration,
  getInteger,
  getList,
  getMap,
  getString,
  type ParsedDocument,
} from '../../../shared/src/inputs.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { LABEL_NAME } from '../../../shared/src/pushgateway.ts';
import { maskSecret } from '../../../shared/src/secrets.ts';
import type { SmokeCheck } from '../../../shared/src/smoke.ts';
import { quote } from '../../../shared/src/output.ts';

import type { ProbeCheck } from '../../../shared/src/smoke-probes.ts';
import type { LoadSettings } from './load.ts';
import { splitProbes } from './probe-inputs.ts';
import {
  pathChecks,
  refuseAuthorizationHeader,
  refuseKubernetesInputs,
  serviceCheckTarget,
  type KubernetesSmokeInputs,
  type ServiceCheck,
} from './service-inputs.ts';
import { getKubernetesConnectionInputs } from '../../../shared/src/kubernetes/connection-inputs.ts';
import {
  parseServiceReference,
  SERVICE_REFERENCE_EXAMPLE,
} from '../../../shared/src/kubernetes/service-proxy.ts';

export interface Inputs {
  /** HTTP checks of URLs (empty with `kubernetes-service`). */
  checks: SmokeCheck[];
  /** `kubernetes-service` mode: paths on in-cluster Services, through the API server's service proxy. */
  kubernetes?: KubernetesSmokeInputs;
  /** `tcp` and `ecs-service` items of `checks`. */
  probes: ProbeCheck[];
  /** The region for `ecs-service` checks ('' → AWS_REGION). */
  'aws-region': string;
  /** Load mode settings, or undefined when `load-requests` is 0 (off). */
  load?: LoadSettings;
  /** milliseconds */
  timeout: number;
  /** milliseconds */
  'request-timeout': number;
  /** milliseconds */
  'retry-delay': number;
  concurrency: number;
}

const CHECK_FIELDS = new Set([
  'name',
  'method',
  'headers',
  'body',
  'expect-status',
  'expect-body',
  'expect-body-regex',
  'expect-json',
  'max-latency',
]);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const CHECKS_EXAMPLE = '- url: https://staging.example.com/health\n  expect-status: 200';

/**
 * Checks that `text` is an absolute http(s) URL.
 * @returns the problem, or undefined when it is fine
 */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${quote(text)} is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${quote(text)} is not an http(s) URL`;
  return undefined;
}

/**
 * Normalises an expected-status value: `200`, `"2xx"`, `"200,204"` or a list of those.
 * @returns the patterns, or undefined when the value is not a status
 */
export function parseStatusPatterns(value: unknown): string[] | undefined {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  const patterns: string[] = [];
  for (const item of items) {
    const text = String(item).trim().toLowerCase();
    if (!/^[1-5](\d\d|xx)$/.test(text)) return undefined;
    patterns.push(text);
  }
  return patterns.length > 0 ? patterns : undefined;
}

/** Where a check item's request goes: read from the item's own fields, with the default name. */
export interface CheckTarget<T> {
  /** The item fields that say where (`url`; `path`, `kubernetes-service`). */
  fields: readonly string[];
  /**
   * Reads the target from an item.
   * @param fail throws an InputError naming `checks` and the line of `path`
   */
  read(
    fields: Record<string, unknown>,
    index: number,
    fail: (path: (string | number)[], problem: string, example?: string) => never,
  ): { target: T; name: string };
}

const URL_TARGET: CheckTarget<{ url: string }> = {
  fields: ['url'],
  read(fields, index, fail) {
    const url = fields['url'];
    if (fields['path'] !== undefined || fields['kubernetes-service'] !== undefined)
      fail(
        ['path' in fields ? 'path' : 'kubernetes-service'],
        `check ${index + 1}: "path" and "kubernetes-service" go with the kubernetes-service input (a check without it takes a "url")`,
      );
    if (typeof url !== 'string' || url.trim() === '') return fail([], `check ${index + 1} has no "url"`);
    const badUrl = urlProblem(url.trim());
    if (badUrl !== undefined) fail(['url'], `check ${index + 1} "url": ${badUrl}`);
    return { target: { url: url.trim() }, name: url.trim() };
  },
};

/**
 * Turns a parsed `checks` document into checks, validating every field.
 * @param document the parsed YAML/JSON (a list, or a map with a `checks` list)
 * @param defaultMaxLatencyMs the `max-latency` input, applied to checks that set none
 * @throws InputError naming `checks`, the line and the field at fault
 */
export function parseChecksDocument(document: ParsedDocument, defaultMaxLatencyMs?: number): SmokeCheck[] {
  return parseCheckItems(document, URL_TARGET, defaultMaxLatencyMs);
}

/**
 * Turns a parsed `checks` document into checks whose target `target` reads (a URL, or a path on an
 * in-cluster Service), validating every field; the expectation fields are the same for every target.
 * @throws InputError naming `checks`, the line and the field at fault
 */
export function parseCheckItems<T extends object>(
  document: ParsedDocument,
  target: CheckTarget<T>,
  defaultMaxLatencyMs?: number,
): (Omit<SmokeCheck, 'url'> & T)[] {
  const fail = (path: (string | number)[], problem: string, example = CHECKS_EXAMPLE): never => {
    const at = document.locate(path);
    const where = at === undefined ? '' : `line ${at.line}: `;
    throw new InputError('checks', `${where}${problem}`, example);
  };
  const known = new Set([...CHECK_FIELDS, ...target.fields]);
  let root = document.value;
  const prefix: (string | number)[] = [];
  if (root !== null && typeof root === 'object' && !Array.isArray(root) && 'checks' in root) {
    root = (root as { checks: unknown }).checks;
    prefix.push('checks');
  }
  if (!Array.isArray(root)) return fail(prefix, 'must be a list of checks');
  if (root.length === 0) return fail(prefix, 'lists no checks');
  const names = new Set<string>();
  return root.map((item: unknown, index): Omit<SmokeCheck, 'url'> & T => {
    const at = [...prefix, index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return fail(at, `check ${index + 1} must be a map with at least a ${target.fields[0] ?? 'url'}`);
    }
    const fields = item as Record<string, unknown>;
    const read = target.read(fields, index, (path, problem, example) =>
      fail([...at, ...path], problem, example),
    );
    for (const key of Object.keys(fields)) {
      if (!known.has(key)) {
        fail(
          [...at, key],
          `check ${index + 1} has an unknown field ${quote(key)} (known: ${[...known].join(', ')})`,
        );
      }
    }
    const name = fields['name'] === undefined ? read.name : String(fields['name']);
    if (names.has(name)) fail([...at, 'name'], `check ${index + 1}: the name ${quote(name)} is used twice`);
    names.add(name);
    const method = String(fields['method'] ?? 'GET').toUpperCase();
    if (!METHODS.has(method))
      fail(
        [...at, 'method'],
        `check ${quote(name)} "method": ${quote(method)} is not an HTTP method`,
        'method: GET',
      );
    const check: Omit<SmokeCheck, 'url'> & T = {
      name,
      method,
      headers: {},
      expectStatus: ['2xx'],
      ...read.target,
    };
    const headers = fields['headers'];
    if (headers !== undefined) {
      if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
        fail(
          [...at, 'headers'],
          `check ${quote(name)} "headers" must be a map`,
          'headers: { Accept: application/json }',
        );
      }
      for (const [key, value] of Object.entries(headers as Record<string, unknown>))
        check.headers[key] = String(value);
    }
    if (fields['body'] !== undefined) {
      const body = fields['body'];
      check.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    if (fields['expect-status'] !== undefined) {
      const patterns = parseStatusPatterns(fields['expect-status']);
      if (patterns === undefined) {
        fail(
          [...at, 'expect-status'],
          `check ${quote(name)} "expect-status": ${JSON.stringify(fields['expect-status'])} is not a status`,
          'expect-status: [200, 204] or "2xx"',
        );
      }
      check.expectStatus = patterns ?? [];
    }
    const contains = fields['expect-body'];
    const regex = fields['expect-body-regex'];
    if (contains !== undefined || regex !== undefined) {
      check.expectBody = {};
      if (contains !== undefined) check.expectBody.contains = String(contains);
      if (regex !== undefined) {
        try {
          new RegExp(String(regex));
        } catch (error) {
          fail(
            [...at, 'expect-body-regex'],
            `check ${quote(name)} "expect-body-regex": ${(error as Error).message}`,
            'expect-body-regex: "^ok$"',
          );
        }
        check.expectBody.regex = String(regex);
      }
    }
    const json = fields['expect-json'];
    if (json !== undefined) {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        fail(
          [...at, 'expect-json'],
          `check ${quote(name)} "expect-json" must be a map of JSON path to value`,
          'expect-json: { "$.status": ok }',
        );
      }
      check.expectJson = Object.entries(json as Record<string, unknown>).map(([path, equals]) => ({
        path,
        equals,
      }));
    }
    const latency = fields['max-latency'];
    if (latency !== undefined) {
      const ms = typeof latency === 'string' ? parseDuration(latency) : undefined;
      if (ms === undefined)
        fail(
          [...at, 'max-latency'],
          `check ${quote(name)} "max-latency": ${JSON.stringify(latency)} is not a duration`,
          'max-latency: 500ms',
        );
      check.maxLatencyMs = ms;
    } else if (defaultMaxLatencyMs !== undefined) {
      check.maxLatencyMs = defaultMaxLatencyMs;
    }
    return check;
  });
}

/**
 * Reads and validates every smoke-test input. With `kubernetes-service`, the checks are paths on an
 * in-cluster Service (service-inputs.ts) and the Kubernetes connection inputs are read; without it those
 * inputs are refused.
 * @throws InputError for the first bad input
 */
export async function getInputs(): Promise<Inputs> {
  const url = getString('url');
  const document = getDocument('checks');
  const maxLatency = getDuration('max-latency');
  const kubernetes = await getKubernetesTarget(url, document, maxLatency);
  if (kubernetes === undefined && url === '' && document === undefined) {
    throw new InputError(
      'url',
      'one of `url`, `checks` or `kubernetes-service` is required',
      'https://staging.example.com/health',
    );
  }
  if (url !== '' && document !== undefined) {
    throw new InputError('checks', 'give either `url` or `checks`, not both', CHECKS_EXAMPLE);
  }
  let checks: SmokeCheck[] = [];
  let probes: ProbeCheck[] = [];
  if (kubernetes !== undefined) probes = kubernetes.probes;
  else if (document !== undefined) {
    const split = splitProbes(document);
    probes = split.probes;
    checks = split.http === undefined ? [] : parseChecksDocument(split.http, maxLatency);
  } else {
    const problem = urlProblem(url);
    if (problem !== undefined) throw new InputError('url', problem, 'https://staging.example.com/health');
    checks = [{ name: url, url, ...singleCheckExpectations(maxLatency) }];
  }
  const requestTimeout = getDuration('request-timeout', { default: '10s', min: 1 }) ?? 10_000;
  return {
    checks,
    probes,
    ...(kubernetes === undefined ? {} : { kubernetes: kubernetes.inputs }),
    'aws-region': getString('aws-region'),
    ...loadSettings(url, checks, requestTimeout),
    timeout: getDuration('timeout', { default: '2m', min: 1 }) ?? 120_000,
    'request-timeout': requestTimeout,
    'retry-delay': getDuration('retry-delay', { default: '1s' }) ?? 1_000,
    concurrency: getInteger('concurrency', { default: 10, min: 1, max: 100 }) ?? 10,
  };
}

/**
 * The request and expectations of a check made from the single-check inputs (`url`, or each of `paths`):
 * GET with `headers`, `expected-status`, `expected-body` and `max-latency`.
 * @throws InputError naming `expected-status` or `headers` for a bad value
 */
export function singleCheckExpectations(maxLatencyMs: number | undefined): Omit<SmokeCheck, 'url' | 'name'> {
  const patterns = parseStatusPatterns(getList('expected-status').join(','));
  if (patterns === undefined)
    throw new InputError(
      'expected-status',
      `${quote(getString('expected-status'))} is not a status list`,
      '200,204 or 2xx',
    );
  const headersDoc = getDocument('headers');
  const headers: Record<string, string> = {};
  if (headersDoc !== undefined) {
    const value = headersDoc.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(
        'headers',
        'must be a YAML map of header names to values',
        'Accept: application/json',
      );
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) headers[key] = String(item);
  }
  const check: Omit<SmokeCheck, 'url' | 'name'> = { method: 'GET', headers, expectStatus: patterns };
  const body = getString('expected-body');
  if (body !== '') check.expectBody = { contains: body };
  if (maxLatencyMs !== undefined) check.maxLatencyMs = maxLatencyMs;
  return check;
}

/**
 * The Kubernetes mode (`kubernetes-service` set): its Service checks (from `paths` with the single-check
 * inputs, or from `checks` items with `path`), the probes of `checks`, and the connection inputs.
 * @returns undefined without `kubernetes-service` (after refusing the inputs that need it)
 * @throws InputError for `url` given too, `paths` with `checks`, a bad Service, path or item, an
 *   `Authorization` header, or a bad connection input
 */
async function getKubernetesTarget(
  url: string,
  document: ParsedDocument | undefined,
  maxLatencyMs: number | undefined,
): Promise<{ inputs: KubernetesSmokeInputs; probes: ProbeCheck[] } | undefined> {
  const text = getString('kubernetes-service');
  if (text === '') {
    refuseKubernetesInputs();
    return undefined;
  }
  if (url !== '')
    throw new InputError(
      'kubernetes-service',
      'give either `url` (a public URL) or `kubernetes-service` (an in-cluster Service), not both',
      SERVICE_REFERENCE_EXAMPLE,
    );
  const service = parseServiceReference(text, 'kubernetes-service');
  const paths = getList('paths', { separator: 'newline' });
  let checks: ServiceCheck[];
  let probes: ProbeCheck[] = [];
  if (document !== undefined) {
    if (paths.length > 0)
      throw new InputError('paths', 'give either `paths` or `checks`, not both', '/healthz');
    const split = splitProbes(document);
    probes = split.probes;
    checks =
      split.http === undefined ? [] : parseCheckItems(split.http, serviceCheckTarget(service), maxLatencyMs);
    for (const check of checks)
      refuseAuthorizationHeader(check.headers, 'checks', `check ${quote(check.name)}: `);
  } else {
    const common = singleCheckExpectations(maxLatencyMs);
    refuseAuthorizationHeader(common.headers, 'headers');
    checks = pathChecks(paths, service, common);
  }
  return { inputs: { connection: await getKubernetesConnectionInputs(), checks }, probes };
}

/**
 * Load mode inputs: `load-requests` (0: off), `load-concurrency`, `load-url` (default: `url`, else the
 * first HTTP check's URL), `load-max-p95`, `load-max-error-ratio`, `load-timeout`.
 * @throws InputError for a bad value, or load mode with no URL to load
 */
function loadSettings(
  url: string,
  checks: readonly SmokeCheck[],
  requestTimeoutMs: number,
): { load?: LoadSettings } {
  const requests = getInteger('load-requests', { default: 0, min: 0, max: 1_000_000 }) ?? 0;
  if (requests === 0) return {};
  const target = getString('load-url') || url || checks[0]?.url || '';
  if (target === '')
    throw new InputError(
      'load-url',
      'load mode needs a public URL: give load-url or url (load is not sent through the Kubernetes API server)',
      'https://staging.example.com/',
    );
  const problem = urlProblem(target);
  if (problem !== undefined) throw new InputError('load-url', problem, 'https://staging.example.com/');
  const ratioText = getString('load-max-error-ratio', { default: '0.01' });
  const ratio = /^(0(\.\d+)?|1(\.0+)?)$/.test(ratioText) ? Number(ratioText) : Number.NaN;
  if (Number.isNaN(ratio))
    throw new InputError('load-max-error-ratio', `"${ratioText}" is not a ratio between 0 and 1`, '0.01');
  const check = checks.find((item) => item.url === target);
  const settings: LoadSettings = {
    url: target,
    method: check?.method ?? 'GET',
    headers: check?.headers ?? {},
    requests,
    concurrency: getInteger('load-concurrency', { default: 10, min: 1, max: 1_000 }) ?? 10,
    requestTimeoutMs,
    timeoutMs: getDuration('load-timeout', { default: '5m', min: 1_000, max: 3_600_000 }) ?? 300_000,
    maxP95Ms: getDuration('load-max-p95', { default: '500ms', min: 1 }) ?? 500,
    maxErrorRatio: ratio,
  };
  if (check?.body !== undefined) settings.body = check.body;
  return { load: settings };
}

/** Where the results go when `pushgateway-url` is set. */
export interface PushgatewayInputs {
  /** `pushgateway-url`, checked as an absolute http(s) URL (userinfo allowed: it becomes Basic auth). */
  url: string;
  /** `pushgateway-job`: the `job` label. */
  job: string;
  /** `pushgateway-grouping`: further grouping labels (label name → value), in order. */
  grouping: Map<string, string>;
  /** `pushgateway-auth` as an Authorization header value (`Basic …` for `user:password`, or as given). */
  authorization?: string;
  /** `pushgateway-timeout`, milliseconds. */
  timeoutMs: number;
}

const GROUPING_EXAMPLE = 'environment=production\nservice=api';

/**
 * Reads the Pushgateway inputs: undefined when `pushgateway-url` is empty (no push, nothing else read).
 * `pushgateway-auth` is masked before anything else happens and may be a `vault:<path>#<key>` reference;
 * a password in the URL's userinfo is masked too. The secret-input module (and with it Vault) is loaded
 * only when a Pushgateway is configured.
 * @throws InputError for a URL that is not absolute http(s), an empty job, a grouping label that is not
 *   a Prometheus label name (or is `job`, or starts with `__`), or a timeout outside 1s–2m
 */
export async function getPushgatewayInputs(logger: Logger): Promise<PushgatewayInputs | undefined> {
  const url = getString('pushgateway-url', { singleLine: true });
  if (url === '') return undefined;
  const example = 'http://pushgateway.monitoring:9091';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('pushgateway-url', `${quote(redactUserinfo(url))} is not an absolute URL`, example);
  }
  if (parsed.password !== '') maskSecret(decodeURIComponent(parsed.password), logger);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError('pushgateway-url', `${quote(redactUserinfo(url))} is not an http(s) URL`, example);
  if (parsed.search !== '' || parsed.hash !== '')
    throw new InputError(
      'pushgateway-url',
      'give the base URL only: the push path (/metrics/job/…) is built from pushgateway-job and pushgateway-grouping',
      example,
    );
  const job = getString('pushgateway-job', {
    default: 'gantry_health',
    singleLine: true,
    example: 'gantry_health',
  });
  const grouping = getMap('pushgateway-grouping', { keyPattern: LABEL_NAME, example: GROUPING_EXAMPLE });
  for (const name of grouping.keys())
    if (name === 'job' || name.startsWith('__'))
      throw new InputError(
        'pushgateway-grouping',
        `${quote(name)} is reserved (the job label comes from pushgateway-job; __ names are Prometheus's own)`,
        GROUPING_EXAMPLE,
      );
  const timeoutMs =
    getDuration('pushgateway-timeout', { default: '10s', min: 1_000, max: 120_000 }) ?? 10_000;
  const { getSecret } = await import('../../../shared/src/secret-inputs.ts');
  const auth = await getSecret('pushgateway-auth', { logger });
  const inputs: PushgatewayInputs = { url, job, grouping, timeoutMs };
  if (auth !== '') {
    const authorization = /^(basic|bearer)\s+\S/i.test(auth)
      ? auth
      : `Basic ${Buffer.from(auth, 'utf8').toString('base64')}`;
    maskSecret(authorization, logger);
    inputs.authorization = authorization;
  }
  return inputs;
}

/** A URL as it may be quoted in an error: its userinfo replaced by `***`. */
function redactUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
