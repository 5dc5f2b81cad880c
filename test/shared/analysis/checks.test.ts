import { describe, expect, test } from 'vitest';
import { parseDocumentText } from '../../../shared/src/inputs.ts';
import {
  fillTemplate,
  parseChecks,
  presetCheck,
  type CheckContext,
} from '../../../shared/src/analysis/checks.ts';
import { formatCondition, parseCondition } from '../../../shared/src/analysis/condition.ts';
import { parseMetricDataQueries } from '../../../shared/src/analysis/cloudwatch.ts';
import { InputError } from '../../../shared/src/errors.ts';

const context = (provider: CheckContext['provider']): CheckContext => ({
  provider,
  intervalMs: 60_000,
  sides: {
    canary: {
      selector: provider === 'datadog' ? 'service:web,color:green' : 'job="web",color="green"',
      color: 'green',
      service: 'web-green',
      cluster: 'prod',
      'target-group': 'targetgroup/web-green/0123456789abcdef',
      'load-balancer': 'app/web/fedcba9876543210',
    },
    baseline: {
      selector: provider === 'datadog' ? 'service:web,color:blue' : 'job="web",color="blue"',
      color: 'blue',
      service: 'web-blue',
      cluster: 'prod',
      'target-group': 'targetgroup/web-blue/0123456789abcdef',
      'load-balancer': 'app/web/fedcba9876543210',
    },
  },
});

describe('conditions', () => {
  test.each([
    ['> 5', '> 5'],
    ['>5%', '> 5'],
    ['>= 0.95', '>= 0.95'],
    ['> 2x baseline', '> 2× baseline'],
    ['> 1.5 × baseline', '> 1.5× baseline'],
    ['< 10', '< 10'],
  ])('%s', (text, formatted) => {
    const condition = parseCondition(text);
    expect(condition).toBeDefined();
    expect(formatCondition(condition!)).toBe(formatted);
  });
  test.each(['5', '> five', '=> 5', '> 2x canary', ''])('not a condition: %s', (text) => {
    expect(parseCondition(text)).toBeUndefined();
  });
});

describe('presets: the four triggers', () => {
  test('Prometheus queries use the side selector, a rate window of the interval, histogram_quantile for p95', () => {
    const error = presetCheck('error-rate', context('prometheus'));
    expect(error.query.canary).toBe(
      '100 * (sum(rate(http_requests_total{job="web",color="green",code=~"5.."}[60s])) or vector(0)) / sum(rate(http_requests_total{job="web",color="green"}[60s]))',
    );
    expect(error.query.baseline).toContain('color="blue"');
    expect(error).toMatchObject({
      failingIntervals: 3,
      condition: { operator: '>', threshold: 5, relative: false },
    });
    const latency = presetCheck('latency', context('prometheus'));
    expect(latency.query.canary).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="web",color="green"}[60s])))',
    );
    expect(latency.condition).toEqual({ operator: '>', threshold: 2, relative: true });
    expect(presetCheck('cpu', context('prometheus')).condition.threshold).toBe(90);
    expect(presetCheck('memory', context('prometheus')).condition.threshold).toBe(95);
  });

  test('an empty selector gives valid matchers', () => {
    const ctx = context('prometheus');
    ctx.sides.canary['selector'] = '';
    expect(presetCheck('error-rate', ctx).query.canary).toContain('http_requests_total{code=~"5.."}');
    expect(presetCheck('latency', ctx).query.canary).toContain('_bucket{}[');
  });

  test('CloudWatch queries are MetricDataQuery lists on the ALB target group and the ECS service', () => {
    const error = parseMetricDataQueries(presetCheck('error-rate', context('cloudwatch')).query.canary);
    expect(error.map((query) => query.Id)).toEqual(['errors', 'requests', 'ratio']);
    expect(error[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: 'targetgroup/web-green/0123456789abcdef' },
      { Name: 'LoadBalancer', Value: 'app/web/fedcba9876543210' },
    ]);
    expect(error[2]?.Expression).toBe('100 * FILL(errors, 0) / requests');
    const latency = parseMetricDataQueries(presetCheck('latency', context('cloudwatch')).query.baseline);
    expect(latency[0]?.MetricStat).toMatchObject({
      Stat: 'p95',
      Period: 60,
      Metric: { MetricName: 'TargetResponseTime' },
    });
    const cpu = parseMetricDataQueries(presetCheck('cpu', context('cloudwatch')).query.canary);
    expect(cpu[0]?.MetricStat?.Metric).toMatchObject({
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: [
        { Name: 'ClusterName', Value: 'prod' },
        { Name: 'ServiceName', Value: 'web-green' },
      ],
    });
    expect(
      parseMetricDataQueries(presetCheck('memory', context('cloudwatch')).query.canary)[0]?.MetricStat?.Metric
        ?.MetricName,
    ).toBe('MemoryUtilization');
  });

  test('Datadog queries use the tag selector', () => {
    expect(presetCheck('error-rate', context('datadog')).query.canary).toBe(
      '100 * sum:trace.http.request.errors{service:web,color:green}.as_count() / sum:trace.http.request.hits{service:web,color:green}.as_count()',
    );
  });
});

describe('parseChecks (the analysis-checks input)', () => {
  const parse = (yaml: string | undefined, provider: CheckContext['provider'] = 'prometheus') => {
    const document = yaml === undefined ? undefined : parseDocumentText(yaml, { input: 'analysis-checks' });
    return parseChecks(document?.value, context(provider), document?.locate);
  };

  test('empty: the four presets', () => {
    expect(parse(undefined).map((check) => check.name)).toEqual(['error-rate', 'latency', 'cpu', 'memory']);
  });

  test('presets by name, presets with overrides, checks of their own with placeholders', () => {
    const checks = parse(`
- error-rate
- preset: latency
  condition: "> 1.5x baseline"
  failing-intervals: 4
- name: queue
  query: max(queue_depth{ {{selector}} }) / {{interval}}
  baseline-query: max(queue_depth{color="{{color}}"})
  condition: "> 1000"
  no-data: fail
  unit: jobs
`);
    expect(checks.map((check) => check.name)).toEqual(['error-rate', 'latency', 'queue']);
    expect(checks[1]).toMatchObject({ failingIntervals: 4, condition: { threshold: 1.5, relative: true } });
    expect(checks[2]).toMatchObject({
      query: {
        canary: 'max(queue_depth{ job="web",color="green" }) / 60s',
        baseline: 'max(queue_depth{color="blue"})',
      },
      noData: 'fail',
      failingIntervals: 1,
      unit: 'jobs',
    });
  });

  test.each([
    ['- errors', /item 1 \(line 1\): "errors" is not a ready-made check/],
    ['- name: a\n  query: up\n', /needs a "condition"/],
    ['- name: a\n  condition: "> 1"\n', /needs "query"/],
    ['- name: a\n  query: up\n  condition: "about 5"\n', /line 3.*"about 5" is not a condition/],
    [
      '- name: a\n  query: up\n  condition: "> 1"\n  failing-intervals: 0\n',
      /not a whole number from 1 to 1000/,
    ],
    [
      '- name: a\n  query: up\n  condition: "> 1"\n  no-data: ignore\n',
      /not one of inconclusive, pass, fail/,
    ],
    ['- name: a\n  query: "{{nope}}"\n  condition: "> 1"\n', /unknown placeholder \{\{nope\}\}/],
    ['- name: a\n  query: up\n  condition: "> 1"\n  treshold: 5\n', /unknown field "treshold"/],
    ['- error-rate\n- error-rate\n', /"error-rate" is used twice/],
    ['- preset: cpu\n  provider: datadog\n', /not the metrics-provider/],
    ['name: a', /must be a list/],
    ['[]', /the list is empty/],
  ])('%s → InputError', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(InputError);
    expect(() => parse(yaml)).toThrow(message);
  });

  test('fillTemplate', () => {
    expect(fillTemplate('a{{ x }}b{{y}}', { x: '1', y: '2' })).toBe('a1b2');
  });
});
