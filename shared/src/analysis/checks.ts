/**
 * Check definitions: the ready-made checks that encode the four rollback triggers, and the parsing of
 * user-written checks (the `analysis-checks` input) into runnable {@link Check}s.
 *
 * The four triggers (the issue's words): error rate above 5 % for 3 consecutive minutes, response time
 * above 2× baseline, CPU above 90 %, memory above 95 %. Their queries per provider:
 * - Prometheus (label `selector` such as `job="web",color="green"`): request error ratio from
 *   `http_requests_total{code=~"5.."}`, p95 latency with `histogram_quantile(0.95, …_bucket)` of
 *   `http_request_duration_seconds`, CPU and memory of the container from cAdvisor's
 *   `container_cpu_usage_seconds_total` / `container_spec_cpu_quota` and `container_memory_working_set_bytes`
 *   / `container_spec_memory_limit_bytes` (the Prometheus naming conventions and cAdvisor's metrics).
 * - CloudWatch: ALB `HTTPCode_Target_5XX_Count` / `RequestCount` and `TargetResponseTime` (p95) per target
 *   group, ECS `CPUUtilization` / `MemoryUtilization` per service (AWS/ApplicationELB and AWS/ECS namespaces).
 * - Datadog (tag `selector` such as `service:web,color:green`): APM `trace.http.request.errors` / `.hits`,
 *   `p95:trace.http.request`, ECS Fargate `ecs.fargate.cpu.percent` and `ecs.fargate.mem.usage` / `.limit`.
 *
 * A user check's query may use `{{name}}` placeholders, filled per side (canary / baseline): `selector`,
 * `color`, `service`, `cluster`, `target-group`, `load-balancer`, `interval` (e.g. `60s`).
 */
import { InputError } from '../errors.ts';
import { parseCondition } from './condition.ts';
import type { Check, NoData, ProviderName, Side } from './types.ts';

export const PRESETS = ['error-rate', 'latency', 'cpu', 'memory'] as const;
export type PresetName = (typeof PRESETS)[number];

/** What the queries are filled with. */
export interface CheckContext {
  provider: ProviderName;
  /** Placeholder values per side (`selector`, `color`, `service`, `cluster`, `target-group`, `load-balancer`). */
  sides: Record<Side, Record<string, string>>;
  /** The analysis interval in milliseconds (rate windows and CloudWatch periods follow it). */
  intervalMs: number;
}

const INPUT = 'analysis-checks';
const EXAMPLE =
  '- error-rate\n- name: queue\n  query: max(queue_depth{ {{selector}} })\n  condition: "> 1000"';

type QueryBuilder = (values: Record<string, string>, context: CheckContext) => string;

interface PresetDefinition {
  condition: string;
  failingIntervals: number;
  unit: string;
  queries: Record<ProviderName, QueryBuilder>;
}

const promSelector = (values: Record<string, string>, extra = ''): string =>
  `{${[values['selector'] ?? '', extra].filter((part) => part !== '').join(',')}}`;
const rateWindow = (context: CheckContext): string =>
  `${Math.max(2, Math.round(context.intervalMs / 1000))}s`;
const cwPeriod = (context: CheckContext): number =>
  Math.max(60, Math.round(context.intervalMs / 60_000) * 60);

function albDimensions(values: Record<string, string>): { Name: string; Value: string }[] {
  return [
    { Name: 'TargetGroup', Value: values['target-group'] ?? '' },
    { Name: 'LoadBalancer', Value: values['load-balancer'] ?? '' },
  ];
}
function ecsDimensions(values: Record<string, string>): { Name: string; Value: string }[] {
  return [
    { Name: 'ClusterName', Value: values['cluster'] ?? '' },
    { Name: 'ServiceName', Value: values['service'] ?? '' },
  ];
}
const metricStat = (
  id: string,
  namespace: string,
  metric: string,
  dimensions: { Name: string; Value: string }[],
  stat: string,
  period: number,
  returnData: boolean,
): Record<string, unknown> => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: namespace, MetricName: metric, Dimensions: dimensions },
    Period: period,
    Stat: stat,
  },
  ReturnData: returnData,
});

const PRESET_DEFINITIONS: Record<PresetName, PresetDefinition> = {
  'error-rate': {
    condition: '> 5',
    failingIntervals: 3,
    unit: '%',
    queries: {
      prometheus: (v, c) =>
        // `or vector(0)`: a service that never answered 5xx has no such series, and its error rate is 0, not "no data".
        `100 * (sum(rate(http_requests_total${promSelector(v, 'code=~"5.."')}[${rateWindow(c)}])) or vector(0)) / ` +
        `sum(rate(http_requests_total${promSelector(v)}[${rateWindow(c)}]))`,
      cloudwatch: (v, c) =>
        JSON.stringify([
          metricStat(
            'errors',
            'AWS/ApplicationELB',
            'HTTPCode_Target_5XX_Count',
            albDimensions(v),
            'Sum',
            cwPeriod(c),
            false,
          ),
          metricStat(
            'requests',
            'AWS/ApplicationELB',
            'RequestCount',
            albDimensions(v),
            'Sum',
            cwPeriod(c),
            false,
          ),
          {
            Id: 'ratio',
            Expression: '100 * FILL(errors, 0) / requests',
            Label: 'error rate %',
            ReturnData: true,
          },
        ]),
      datadog: (v) =>
        `100 * sum:trace.http.request.errors{${v['selector'] ?? '*'}}.as_count() / sum:trace.http.request.hits{${v['selector'] ?? '*'}}.as_count()`,
    },
  },
  latency: {
    condition: '> 2x baseline',
    failingIntervals: 2,
    unit: 's',
    queries: {
      prometheus: (v, c) =>
        `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket${promSelector(v)}[${rateWindow(c)}])))`,
      cloudwatch: (v, c) =>
        JSON.stringify([
          metricStat(
            'p95',
            'AWS/ApplicationELB',
            'TargetResponseTime',
            albDimensions(v),
            'p95',
            cwPeriod(c),
            true,
          ),
        ]),
      datadog: (v) => `p95:trace.http.request{${v['selector'] ?? '*'}}`,
    },
  },
  cpu: {
    condition: '> 90',
    failingIntervals: 2,
    unit: '%',
    queries: {
      prometheus: (v, c) =>
        `100 * sum(rate(container_cpu_usage_seconds_total${promSelector(v)}[${rateWindow(c)}])) / ` +
        `sum(container_spec_cpu_quota${promSelector(v)} / container_spec_cpu_period${promSelector(v)})`,
      cloudwatch: (v, c) =>
        JSON.stringify([
          metricStat('cpu', 'AWS/ECS', 'CPUUtilization', ecsDimensions(v), 'Average', cwPeriod(c), true),
        ]),
      datadog: (v) => `avg:ecs.fargate.cpu.percent{${v['selector'] ?? '*'}}`,
    },
  },
  memory: {
    condition: '> 95',
    failingIntervals: 2,
    unit: '%',
    queries: {
      prometheus: (v) =>
        `100 * sum(container_memory_working_set_bytes${promSelector(v)}) / sum(container_spec_memory_limit_bytes${promSelector(v)})`,
      cloudwatch: (v, c) =>
        JSON.stringify([
          metricStat(
            'memory',
            'AWS/ECS',
            'MemoryUtilization',
            ecsDimensions(v),
            'Average',
            cwPeriod(c),
            true,
          ),
        ]),
      datadog: (v) =>
        `100 * avg:ecs.fargate.mem.usage{${v['selector'] ?? '*'}} / avg:ecs.fargate.mem.limit{${v['selector'] ?? '*'}}`,
    },
  },
};

/**
 * A ready-made check.
 * @param name one of {@link PRESETS}
 * @returns the check with the preset's query for `context.provider`, condition, intervals and `no-data: inconclusive`
 */
export function presetCheck(name: PresetName, context: CheckContext): Check {
  const preset = PRESET_DEFINITIONS[name];
  const build = preset.queries[context.provider];
  return {
    name,
    provider: context.provider,
    query: { canary: build(context.sides.canary, context), baseline: build(context.sides.baseline, context) },
    condition: parseCondition(preset.condition) ?? { operator: '>', threshold: 0, relative: false },
    failingIntervals: preset.failingIntervals,
    noData: 'inconclusive',
    unit: preset.unit,
    badDirection: 'higher',
  };
}

/**
 * Fills `{{name}}` placeholders from `values`.
 * @throws Error naming an unknown placeholder
 */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (_whole, key: string) => {
    const value = values[key];
    if (value === undefined)
      throw new Error(`unknown placeholder {{${key}}} (known: ${Object.keys(values).sort().join(', ')})`);
    return value;
  });
}

const FIELDS = new Set([
  'name',
  'preset',
  'provider',
  'query',
  'baseline-query',
  'condition',
  'failing-intervals',
  'no-data',
  'unit',
]);

/**
 * Turns the `analysis-checks` document into checks. Each item is a preset name (`error-rate`), a preset
 * with overrides (`{preset: latency, condition: "> 1.5x baseline"}`), or a check of its own:
 * `{name, query, condition, failing-intervals?: 1, no-data?: inconclusive, baseline-query?, provider?, unit?}`.
 * An empty document means the four presets.
 * @param document the parsed YAML/JSON value (undefined when the input is empty)
 * @param locate the line of a path in the document, for error messages
 * @throws InputError (`analysis-checks`) naming the item and field at fault
 */
export function parseChecks(
  document: unknown,
  context: CheckContext,
  locate: (path: (string | number)[]) => { line: number } | undefined = () => undefined,
): Check[] {
  if (document === undefined || document === null) return PRESETS.map((name) => presetCheck(name, context));
  if (!Array.isArray(document)) throw new InputError(INPUT, 'must be a list of checks', EXAMPLE);
  const checks = document.map((item: unknown, index): Check => {
    const at = (field?: string): string => {
      const line = locate(field === undefined ? [index] : [index, field])?.line;
      return `item ${index + 1}${line === undefined ? '' : ` (line ${line})`}`;
    };
    if (typeof item === 'string') {
      if (!(PRESETS as readonly string[]).includes(item))
        throw new InputError(
          INPUT,
          `${at()}: "${item}" is not a ready-made check (${PRESETS.join(', ')})`,
          EXAMPLE,
        );
      return presetCheck(item as PresetName, context);
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new InputError(INPUT, `${at()}: a check is a preset name or a mapping`, EXAMPLE);
    const fields = item as Record<string, unknown>;
    for (const key of Object.keys(fields))
      if (!FIELDS.has(key))
        throw new InputError(
          INPUT,
          `${at(key)}: unknown field "${key}" (known: ${[...FIELDS].join(', ')})`,
          EXAMPLE,
        );
    const text = (key: string): string | undefined => {
      const value = fields[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new InputError(INPUT, `${at(key)}: "${key}" must be text`, EXAMPLE);
      return String(value);
    };
    const provider = text('provider') ?? context.provider;
    if (provider !== context.provider)
      throw new InputError(
        INPUT,
        `${at('provider')}: provider "${provider}" is not the metrics-provider (${context.provider})`,
        EXAMPLE,
      );
    let check: Check;
    const preset = text('preset');
    if (preset !== undefined) {
      if (!(PRESETS as readonly string[]).includes(preset))
        throw new InputError(
          INPUT,
          `${at('preset')}: "${preset}" is not a ready-made check (${PRESETS.join(', ')})`,
          EXAMPLE,
        );
      check = presetCheck(preset as PresetName, context);
    } else {
      const query = text('query');
      if (query === undefined)
        throw new InputError(INPUT, `${at()}: a check needs "query" (or "preset")`, EXAMPLE);
      if (text('name') === undefined) throw new InputError(INPUT, `${at()}: a check needs a "name"`, EXAMPLE);
      if (text('condition') === undefined)
        throw new InputError(INPUT, `${at()}: a check needs a "condition"`, '> 0.05, or > 2x baseline');
      const baselineQuery = text('baseline-query') ?? query;
      const values = (side: Side): Record<string, string> => ({
        interval: `${Math.max(1, Math.round(context.intervalMs / 1000))}s`,
        ...context.sides[side],
      });
      try {
        check = {
          name: '',
          provider: context.provider,
          query: {
            canary: fillTemplate(query, values('canary')),
            baseline: fillTemplate(baselineQuery, values('baseline')),
          },
          condition: { operator: '>', threshold: 0, relative: false },
          failingIntervals: 1,
          noData: 'inconclusive',
          badDirection: 'higher',
        };
      } catch (error) {
        throw new InputError(INPUT, `${at('query')}: ${(error as Error).message}`, EXAMPLE);
      }
    }
    const name = text('name');
    if (name !== undefined) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name))
        throw new InputError(
          INPUT,
          `${at('name')}: "${name}" is not a check name (letters, digits, . _ -)`,
          'error-rate',
        );
      check.name = name;
    }
    const condition = text('condition');
    if (condition !== undefined) {
      const parsed = parseCondition(condition);
      if (parsed === undefined)
        throw new InputError(
          INPUT,
          `${at('condition')}: "${condition}" is not a condition`,
          '> 5, >= 0.9, or > 2x baseline',
        );
      check.condition = parsed;
      check.badDirection = parsed.operator.startsWith('>') ? 'higher' : 'lower';
    }
    const intervals = text('failing-intervals');
    if (intervals !== undefined) {
      if (!/^\d+$/.test(intervals) || Number(intervals) < 1 || Number(intervals) > 1000)
        throw new InputError(
          INPUT,
          `${at('failing-intervals')}: "${intervals}" is not a whole number from 1 to 1000`,
          '3',
        );
      check.failingIntervals = Number(intervals);
    }
    const noData = text('no-data');
    if (noData !== undefined) {
      if (!['inconclusive', 'pass', 'fail'].includes(noData))
        throw new InputError(
          INPUT,
          `${at('no-data')}: "${noData}" is not one of inconclusive, pass, fail`,
          'inconclusive',
        );
      check.noData = noData as NoData;
    }
    const unit = text('unit');
    if (unit !== undefined) check.unit = unit;
    return check;
  });
  const seen = new Set<string>();
  checks.forEach((check, index) => {
    if (check.name === '') throw new InputError(INPUT, `item ${index + 1}: a check needs a "name"`, EXAMPLE);
    if (seen.has(check.name))
      throw new InputError(INPUT, `item ${index + 1}: the name "${check.name}" is used twice`, EXAMPLE);
    seen.add(check.name);
  });
  if (checks.length === 0) throw new InputError(INPUT, 'the list is empty', EXAMPLE);
  return checks;
}
