/**
 * The non-HTTP items of smoke-test's `checks` document: `tcp: host:port` (a port that must accept
 * connections) and `ecs-service: { cluster, service }` (a service that must be steady). They are split off
 * before the HTTP checks are parsed, keeping line numbers in errors right for both.
 */
import { InputError } from '../../../shared/src/errors.ts';
import type { ParsedDocument } from '../../../shared/src/inputs.ts';
import type { ProbeCheck } from '../../../shared/src/smoke-probes.ts';

const PROBE_KEYS = ['tcp', 'ecs-service'] as const;
const PROBE_FIELDS = new Set(['name', ...PROBE_KEYS]);
const TCP_EXAMPLE = '- name: database\n  tcp: db.internal:5432';
const ECS_EXAMPLE = '- ecs-service: { cluster: app-production, service: app }';

const isProbe = (item: unknown): boolean =>
  item !== null &&
  typeof item === 'object' &&
  !Array.isArray(item) &&
  PROBE_KEYS.some((key) => key in (item as Record<string, unknown>));

/**
 * Splits the document into its HTTP checks (a view of the document without the probe items, whose
 * `locate` still answers with the original lines) and its probes.
 * @returns `http` undefined when every item is a probe
 * @throws InputError naming `checks` and the line for a malformed probe
 */
export function splitProbes(document: ParsedDocument): {
  http: ParsedDocument | undefined;
  probes: ProbeCheck[];
} {
  let root = document.value;
  const prefix: (string | number)[] = [];
  if (root !== null && typeof root === 'object' && !Array.isArray(root) && 'checks' in root) {
    root = (root as { checks: unknown }).checks;
    prefix.push('checks');
  }
  if (!Array.isArray(root) || !root.some(isProbe)) return { http: document, probes: [] };
  const kept: number[] = [];
  const probes: ProbeCheck[] = [];
  root.forEach((item: unknown, index) => {
    if (isProbe(item))
      probes.push(parseProbe(item as Record<string, unknown>, [...prefix, index], document, index));
    else kept.push(index);
  });
  if (kept.length === 0) return { http: undefined, probes };
  const items = kept.map((index) => (root as unknown[])[index]);
  const view: ParsedDocument = {
    value: prefix.length > 0 ? { ...(document.value as object), checks: items } : items,
    locate: (path) => {
      const at = path.slice();
      const slot = prefix.length;
      if (typeof at[slot] === 'number') at[slot] = kept[at[slot]] ?? at[slot];
      return document.locate(at);
    },
  };
  return { http: view, probes };
}

function parseProbe(
  fields: Record<string, unknown>,
  at: (string | number)[],
  document: ParsedDocument,
  index: number,
): ProbeCheck {
  const fail = (path: (string | number)[], problem: string, example: string): never => {
    const where = document.locate(path);
    throw new InputError('checks', `${where === undefined ? '' : `line ${where.line}: `}${problem}`, example);
  };
  for (const key of Object.keys(fields))
    if (!PROBE_FIELDS.has(key))
      fail(
        [...at, key],
        `check ${index + 1} has "${key}", which a tcp/ecs-service check does not take`,
        TCP_EXAMPLE,
      );
  if ('tcp' in fields && 'ecs-service' in fields)
    fail(at, `check ${index + 1} has both "tcp" and "ecs-service"`, TCP_EXAMPLE);
  if ('tcp' in fields) {
    const text = String(fields['tcp'] ?? '').trim();
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
    const port = Number(match?.[2]);
    if (match === null || !(port >= 1 && port <= 65_535))
      return fail([...at, 'tcp'], `check ${index + 1} "tcp": "${text}" is not host:port`, TCP_EXAMPLE);
    const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    return { kind: 'tcp', name: fields['name'] === undefined ? text : String(fields['name']), host, port };
  }
  const spec = fields['ecs-service'];
  const map =
    spec !== null && typeof spec === 'object' && !Array.isArray(spec)
      ? (spec as Record<string, unknown>)
      : {};
  const cluster = typeof map['cluster'] === 'string' ? map['cluster'].trim() : '';
  const service = typeof map['service'] === 'string' ? map['service'].trim() : '';
  if (
    cluster === '' ||
    service === '' ||
    Object.keys(map).some((key) => key !== 'cluster' && key !== 'service')
  )
    return fail(
      [...at, 'ecs-service'],
      `check ${index + 1} "ecs-service" needs exactly cluster and service`,
      ECS_EXAMPLE,
    );
  return {
    kind: 'ecs-service',
    name: fields['name'] === undefined ? `${cluster}/${service}` : String(fields['name']),
    cluster,
    service,
  };
}
