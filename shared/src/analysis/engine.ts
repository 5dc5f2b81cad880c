/**
 * The check engine: evaluates checks interval by interval and decides when one has failed.
 *
 * Each interval, a check's query is asked for the canary's latest value (and the baseline's, for a
 * relative condition). The interval is *failing* when the condition holds, or when there is no data and
 * the check says `no-data: fail`; it *passes* when the condition does not hold or with no data and
 * `no-data: pass`; with `no-data: inconclusive` it is neither and leaves the count of consecutive failing
 * intervals as it was (a gap in a scrape neither condemns nor clears a canary). A provider error counts
 * as no data for that interval (and is reported). The check **fails** once `failingIntervals` failing
 * intervals come in a row; a passing interval resets the count — so flapping data under N in a row passes.
 * This is the "failure limit / consecutive errors" model of Argo Rollouts' AnalysisRun and of CloudWatch
 * alarms' "M out of N datapoints" with M = N.
 */
import { describeThrown } from '../errors.ts';
import { breaches, limitOf } from './condition.ts';
import type { Check, CheckState, IntervalResult, MetricProvider, ProviderName, Verdict } from './types.ts';

/** A fresh state for a check (no interval evaluated yet). */
export function newCheckState(check: Check): CheckState {
  return { check, results: [], consecutive: 0 };
}

/** The observed values of one interval. */
export interface Observation {
  interval: number;
  /** Milliseconds since the epoch. */
  at: number;
  step: string;
  canary: number | undefined;
  baseline: number | undefined;
  /** A provider error (the interval then counts as no data). */
  error?: string;
}

/**
 * Records one interval's values on a check's state (mutates `state`) and judges it.
 * @returns the interval's result; `state.failedAt` is set when this interval made the check fail
 */
export function recordInterval(state: CheckState, observation: Observation): IntervalResult {
  const { check } = state;
  const canary = finite(observation.canary);
  const baseline = finite(observation.baseline);
  const limit = limitOf(check.condition, baseline);
  let outcome: IntervalResult['outcome'];
  if (canary === undefined || limit === undefined)
    outcome = check.noData === 'inconclusive' ? 'nodata' : check.noData;
  else outcome = breaches(check.condition, canary, limit) ? 'fail' : 'pass';
  if (outcome === 'fail') state.consecutive++;
  else if (outcome === 'pass') state.consecutive = 0;
  const result: IntervalResult = {
    interval: observation.interval,
    at: observation.at,
    step: observation.step,
    canary,
    baseline,
    limit,
    outcome,
    consecutive: state.consecutive,
    ...(observation.error === undefined ? {} : { error: observation.error }),
  };
  state.results.push(result);
  if (state.failedAt === undefined && state.consecutive >= check.failingIntervals) state.failedAt = result;
  return result;
}

/**
 * A check's verdict so far: `fail` once it failed, `inconclusive` when no interval had data (or none was
 * evaluated), else `pass`.
 */
export function verdictOf(state: CheckState): Verdict {
  if (state.failedAt !== undefined) return 'fail';
  if (state.results.every((result) => result.outcome === 'nodata')) return 'inconclusive';
  return 'pass';
}

/**
 * Runs a check over recorded series, one value per interval (undefined = no data), e.g. for tests and
 * for replaying an incident.
 * @param canary the canary's values per interval
 * @param baseline the baseline's values per interval (same length; only read for relative conditions)
 * @returns the check's final state
 */
export function evaluateSeries(
  check: Check,
  canary: readonly (number | undefined)[],
  baseline: readonly (number | undefined)[] = [],
  step = 'replay',
): CheckState {
  const state = newCheckState(check);
  canary.forEach((value, index) =>
    recordInterval(state, {
      interval: index + 1,
      at: index,
      step,
      canary: value,
      baseline: baseline[index],
    }),
  );
  return state;
}

/** Providers by name, for checks that may use different ones. */
export type Providers = Partial<Record<ProviderName, MetricProvider>>;

/**
 * Evaluates every check once, now: asks the providers concurrently for the canary's (and, for relative
 * conditions, the baseline's) latest value over `windowMs`, and records the interval on each state.
 * @param at the evaluation time, ms since the epoch
 * @param windowMs how far back a value may come from (the analysis interval), in milliseconds
 * @returns the results, in the order of `states`
 */
export async function evaluateInterval(
  states: CheckState[],
  providers: Providers,
  at: number,
  windowMs: number,
  interval: number,
  step: string,
): Promise<IntervalResult[]> {
  return Promise.all(
    states.map(async (state) => {
      const { check } = state;
      const provider = providers[check.provider];
      let canary: number | undefined;
      let baseline: number | undefined;
      let error: string | undefined;
      try {
        if (provider === undefined) throw new Error(`no ${check.provider} provider is configured`);
        [canary, baseline] = await Promise.all([
          provider.latest(check.query.canary, at, windowMs),
          check.condition.relative
            ? provider.latest(check.query.baseline, at, windowMs)
            : Promise.resolve(undefined),
        ]);
      } catch (thrown) {
        error = describeThrown(thrown);
      }
      return recordInterval(state, {
        interval,
        at,
        step,
        canary,
        baseline,
        ...(error === undefined ? {} : { error }),
      });
    }),
  );
}

/** How {@link analyseStep} runs. */
export interface StepAnalysisOptions {
  states: CheckState[];
  providers: Providers;
  /** The step's label, e.g. `5%`. */
  step: string;
  /** How long the step is held and analysed, in milliseconds. */
  windowMs: number;
  /** Time between evaluations, in milliseconds (≤ windowMs). */
  intervalMs: number;
  /** The number of the first interval of this step (intervals are counted over the whole analysis). */
  firstInterval: number;
  /** Called after each interval with its results (for logging). */
  onInterval?: (results: IntervalResult[]) => void;
  /**
   * Looked at after each interval (e.g. the canary's target health): a string is a problem that ends
   * the step as failed, like a failed check.
   */
  guard?: () => Promise<string | undefined>;
  /** Sleeps (tests shorten it); default a timer. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What a step's analysis found. */
export interface StepAnalysis {
  /** Checks that failed during this step (analysis stops at the interval where the first one failed). */
  failed: CheckState[];
  /** Intervals evaluated in this step. */
  intervals: number;
  /** What the guard reported, when it stopped the step. */
  guardProblem?: string;
}

/**
 * Holds a traffic step for `windowMs`, evaluating every check each `intervalMs` (the first evaluation
 * one interval after the start), and stops at the first interval in which a check fails — so an anomaly
 * is acted on within one interval of the check's condition being met.
 */
export async function analyseStep(options: StepAnalysisOptions): Promise<StepAnalysis> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = Math.max(1, Math.min(options.intervalMs, options.windowMs));
  const end = now() + options.windowMs;
  let intervals = 0;
  for (;;) {
    const next = Math.min(end, now() + intervalMs);
    await sleep(Math.max(0, next - now()));
    intervals++;
    const results = await evaluateInterval(
      options.states,
      options.providers,
      now(),
      intervalMs,
      options.firstInterval + intervals - 1,
      options.step,
    );
    options.onInterval?.(results);
    const failed = options.states.filter(
      (state) => state.failedAt !== undefined && state.failedAt.step === options.step,
    );
    if (failed.length > 0) return { failed, intervals };
    const guardProblem = await options.guard?.();
    if (guardProblem !== undefined) return { failed, intervals, guardProblem };
    if (now() >= end - 1) return { failed, intervals };
  }
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
