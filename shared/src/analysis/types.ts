/**
 * Metric analysis: the shapes shared by the providers (Prometheus, CloudWatch, Datadog), the check engine
 * and the statistical judge. A *check* is a query, a condition, "failing for N consecutive intervals" and
 * what no data means; it is evaluated once per analysis interval on the canary, and — when its condition
 * is relative — on the baseline (the same query on the stable version).
 */

/** One point of a series: `t` in milliseconds since the epoch, `v` the value (never NaN). */
export interface Point {
  t: number;
  v: number;
}

/** Which side of the comparison a query is for. */
export type Side = 'canary' | 'baseline';

/** A time range in milliseconds since the epoch; `stepMs` is the resolution wanted for range queries. */
export interface TimeRange {
  start: number;
  end: number;
  stepMs: number;
}

/**
 * A metrics backend. `range` answers the points of one series over a time range (several series in an
 * answer are reduced to their largest value per timestamp, the conservative choice for "bad is high").
 * Errors are thrown (bad query, HTTP error); an empty answer is `[]`, which the engine calls "no data".
 */
export interface MetricProvider {
  readonly name: 'prometheus' | 'cloudwatch' | 'datadog';
  /** The latest value of the query at `at` (ms since epoch) over a lookback of `windowMs`; undefined when no data. */
  latest(query: string, at: number, windowMs: number): Promise<number | undefined>;
  /** The points of the query over `range`. */
  range(query: string, range: TimeRange): Promise<Point[]>;
}

/** What no data in an interval means. */
export type NoData = 'inconclusive' | 'pass' | 'fail';

/**
 * A condition that marks an interval as *failing* when true: `value > 0.05` (absolute) or
 * `value > 2 × baseline` (relative; needs the baseline's value).
 */
export interface Condition {
  operator: '>' | '>=' | '<' | '<=';
  /** The absolute threshold, or the factor applied to the baseline when `relative`. */
  threshold: number;
  relative: boolean;
}

/** The providers' names, as the `metrics-provider` input and a check's `provider` spell them. */
export type ProviderName = MetricProvider['name'];

/** One check, ready to run (templates in its queries already expanded for each side). */
export interface Check {
  /** Shown in logs, the summary and outputs; unique in a run. */
  name: string;
  provider: ProviderName;
  /** The query for each side (same text with the side's selector; baseline only needed when relative). */
  query: Record<Side, string>;
  condition: Condition;
  /** The check fails when its condition is true for this many consecutive intervals (≥ 1). */
  failingIntervals: number;
  noData: NoData;
  /** The unit shown beside values (`%`, `s`, `ratio`…), display only. */
  unit?: string;
  /** For the statistical judge: which direction is bad ('higher' for errors, latency, CPU). */
  badDirection?: 'higher' | 'lower' | 'either';
}

/** The evaluation of one check in one interval. */
export interface IntervalResult {
  /** Which interval (1-based, counted over the whole analysis) and when it was evaluated (ms since epoch). */
  interval: number;
  at: number;
  /** Label of the traffic step the interval belongs to, e.g. `5%`. */
  step: string;
  canary: number | undefined;
  baseline: number | undefined;
  /** The threshold the canary value was held to (absolute, or factor × baseline); undefined without data. */
  limit: number | undefined;
  /** 'fail' = the condition held (or no data with noData=fail); 'nodata' = inconclusive interval. */
  outcome: 'pass' | 'fail' | 'nodata';
  /** Failing intervals in a row, this one included. */
  consecutive: number;
  /** Set when the provider failed for this interval (counts as no data). */
  error?: string;
}

/** A check's state after some intervals. */
export interface CheckState {
  check: Check;
  results: IntervalResult[];
  consecutive: number;
  /** Set once the check failed (consecutive reached failingIntervals): the interval that tripped it. */
  failedAt?: IntervalResult;
}

/** The verdict of a check over the whole analysis so far. */
export type Verdict = 'pass' | 'fail' | 'inconclusive';
