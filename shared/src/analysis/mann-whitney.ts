/**
 * The statistical judge: compares a canary's samples with the baseline's by the Mann–Whitney U test
 * (Wilcoxon rank-sum), as Kayenta's NetflixACAJudge does (https://github.com/spinnaker/kayenta, module
 * kayenta-judge: each metric is classified Pass / High / Low / NoData by a Mann–Whitney classifier, the
 * canary score is the share of passing metrics, 0–100, and the run is judged against `pass` and
 * `marginal` score thresholds).
 *
 * The test: ranks of the pooled samples (ties get their average rank), U₁ = R₁ − n₁(n₁+1)/2 for the
 * canary, and the two-sided p-value from the normal approximation with tie correction and continuity
 * correction — the same as SciPy's `mannwhitneyu(x, y, alternative='two-sided', method='asymptotic',
 * use_continuity=True)` (https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.mannwhitneyu.html).
 */
import type { Check, Point } from './types.ts';

/** The result of one test. */
export interface MannWhitneyResult {
  /** U of the first sample (the canary): how often one of its values beats one of the other's (ties ½). */
  u: number;
  /** Two-sided p-value, in [0, 1]. */
  p: number;
  /** The standardized statistic (continuity-corrected), signed: > 0 when the first sample tends higher. */
  z: number;
}

/**
 * The Mann–Whitney U test of `x` against `y`.
 * @param x first sample (e.g. canary), at least 1 value
 * @param y second sample (e.g. baseline), at least 1 value
 * @throws RangeError when a sample is empty
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann–Whitney U needs at least one value in each sample');
  const pooled = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort(
    (a, b) => a.v - b.v,
  );
  const n = n1 + n2;
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]?.v === pooled[i]?.v) j++;
    const rank = (i + j) / 2 + 1;
    const count = j - i + 1;
    tieTerm += count ** 3 - count;
    for (let k = i; k <= j; k++) if (pooled[k]?.first === true) rankSum += rank;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1) || 1));
  if (variance <= 0) return { u, p: 1, z: 0 };
  const sd = Math.sqrt(variance);
  const deviation = u - mean;
  const z = (Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)) / sd;
  const p = Math.min(1, 2 * normalSurvival(Math.abs(z)));
  return { u, p, z };
}

/**
 * The standard normal survival function 1 − Φ(z), from the complementary error function (W. J. Cody's
 * rational approximations as in Numerical Recipes' `erfcc`, relative error < 1.2e-7).
 */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}

/** Kayenta's metric classes. */
export type Classification = 'Pass' | 'High' | 'Low' | 'NoData';

/** One metric's judgement. */
export interface MetricJudgement {
  check: string;
  classification: Classification;
  canaryMedian: number | undefined;
  baselineMedian: number | undefined;
  result?: MannWhitneyResult;
  /** Samples used. */
  canaryCount: number;
  baselineCount: number;
}

/** Options of {@link judge}. */
export interface JudgeOptions {
  /** Significance level: a difference counts when p < alpha (default 0.05). */
  alpha?: number;
  /** Relative change of the median tolerated even when significant (default 0.1 = 10 %). */
  tolerance?: number;
  /** Score thresholds, 0–100 (defaults pass 95, marginal 75). */
  pass?: number;
  marginal?: number;
  /** Fewest samples per side for a metric to be judged (default 3). */
  minSamples?: number;
}

/** The judge's verdict. */
export interface Judgement {
  /** 0–100: the share of judged metrics classified Pass (NoData metrics are left out). */
  score: number;
  verdict: 'pass' | 'marginal' | 'fail' | 'nodata';
  metrics: MetricJudgement[];
}

/**
 * Classifies each check by comparing its canary and baseline samples, and scores the whole.
 * A metric is High (Low) when the samples differ significantly (p < alpha) and the canary's median is
 * above (below) the baseline's by more than `tolerance`; it fails when that is its bad direction.
 * @param samples per check name: the canary's and the baseline's points over the window
 */
export function judge(
  checks: readonly Check[],
  samples: ReadonlyMap<string, { canary: Point[]; baseline: Point[] }>,
  options: JudgeOptions = {},
): Judgement {
  const alpha = options.alpha ?? 0.05;
  const tolerance = options.tolerance ?? 0.1;
  const minSamples = options.minSamples ?? 3;
  const metrics = checks.map((check): MetricJudgement => {
    const pair = samples.get(check.name);
    const canary = (pair?.canary ?? []).map((point) => point.v);
    const baseline = (pair?.baseline ?? []).map((point) => point.v);
    const base: MetricJudgement = {
      check: check.name,
      classification: 'NoData',
      canaryMedian: median(canary),
      baselineMedian: median(baseline),
      canaryCount: canary.length,
      baselineCount: baseline.length,
    };
    if (canary.length < minSamples || baseline.length < minSamples) return base;
    const result = mannWhitneyU(canary, baseline);
    const cm = base.canaryMedian ?? 0;
    const bm = base.baselineMedian ?? 0;
    const scale = Math.max(Math.abs(bm), Number.EPSILON);
    const change = (cm - bm) / scale;
    let classification: Classification = 'Pass';
    if (result.p < alpha && change > tolerance) classification = 'High';
    else if (result.p < alpha && change < -tolerance) classification = 'Low';
    const bad = check.badDirection ?? 'higher';
    if (classification === 'High' && bad === 'lower') classification = 'Pass';
    if (classification === 'Low' && bad === 'higher') classification = 'Pass';
    return { ...base, classification, result };
  });
  const judged = metrics.filter((metric) => metric.classification !== 'NoData');
  if (judged.length === 0) return { score: 0, verdict: 'nodata', metrics };
  const score = Math.round(
    (100 * judged.filter((metric) => metric.classification === 'Pass').length) / judged.length,
  );
  const verdict =
    score >= (options.pass ?? 95) ? 'pass' : score >= (options.marginal ?? 75) ? 'marginal' : 'fail';
  return { score, verdict, metrics };
}

/** The median of `values`, or undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
