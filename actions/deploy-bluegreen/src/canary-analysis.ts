/**
 * The metric analysis of a canary, shared by the platforms (ECS: canary.ts moves ALB weights; Kubernetes:
 * kubernetes-canary.ts moves replicas or HTTPRoute weights): providers from the inputs, the judge of each
 * traffic step (shared/src/analysis: checks every interval, the optional Mann–Whitney judge), and how the
 * result is reported — the `analysis-*` outputs notify turns into a PagerDuty incident, and the job
 * summary's verdict table with a Mermaid chart per check.
 */
import * as core from '@actions/core';
import { parseChecks, type CheckContext } from '../../../shared/src/analysis/checks.ts';
import { cloudWatchProvider, createCloudWatchClient } from '../../../shared/src/analysis/cloudwatch.ts';
import { datadogProvider } from '../../../shared/src/analysis/datadog.ts';
import {
  analyseStep,
  newCheckState,
  verdictOf,
  type Providers,
} from '../../../shared/src/analysis/engine.ts';
import { judge as mannWhitney, type Judgement } from '../../../shared/src/analysis/mann-whitney.ts';
import { prometheusProvider } from '../../../shared/src/analysis/prometheus.ts';
import {
  failureReason,
  formatValue,
  mermaidChart,
  VERDICT_HEADERS,
  verdictRows,
} from '../../../shared/src/analysis/report.ts';
import type { CheckState, IntervalResult, Point } from '../../../shared/src/analysis/types.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { describeThrown } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { escapeHtml, writeSummaryTable } from '../../../shared/src/summary.ts';
import type { CanaryInputs } from './canary-inputs.ts';

/** What the analysis of a whole canary found. */
export interface CanaryAnalysis {
  states: CheckState[];
  /** Mann–Whitney judgements per step, when the judge is on. */
  judgements: { step: string; judgement: Judgement }[];
  verdict: 'pass' | 'fail' | 'inconclusive' | 'none';
  failedCheck?: string;
  failedStep?: string;
  /** One line: which check failed at which step with what values. */
  reason?: string;
  /** Milliseconds since the epoch when the failing interval was evaluated. */
  detectedAt?: number;
}

/** Providers for the inputs (the one named by `metrics-provider`). */
export async function createProviders(inputs: CanaryInputs, region: string): Promise<Providers> {
  switch (inputs['metrics-provider']) {
    case 'prometheus':
      return { prometheus: prometheusProvider({ url: inputs['prometheus-url'] }) };
    case 'datadog':
      return {
        datadog: datadogProvider({
          url: inputs['datadog-url'],
          apiKey: inputs['datadog-api-key'],
          applicationKey: inputs['datadog-application-key'],
        }),
      };
    case 'cloudwatch':
      return { cloudwatch: cloudWatchProvider(await createCloudWatchClient(region)) };
    case 'none':
      return {};
  }
}

/** One traffic step to judge, whatever moves the traffic (ALB weights, replicas, HTTPRoute weights). */
export interface AnalysedStep {
  /** The canary's traffic percentage. */
  percent: number;
  /** The canary's name in messages (`green`, `web-canary`). */
  name: string;
  /** The `{{…}}` placeholder values of the canary and the baseline (stable) side, for the checks' queries. */
  sides: CheckContext['sides'];
  /** One health look at the canary: undefined when healthy, else why not. */
  health: () => Promise<string | undefined>;
}

/** What the judge says of one step: `problem` set = the step failed; `pause` = stop here (pause-at). */
export interface StepJudgement {
  problem?: string;
  checks: string;
  pause?: boolean;
}

/**
 * The judge of each canary step, shared by every platform (only the traffic mover differs): builds the
 * checks on the first step (once the sides are known), holds the step for the analysis window evaluating
 * every interval (and the canary's health), then — when on — runs the Mann–Whitney judge on the step's
 * samples, and fills in the analysis (verdict, failed check, step, values) as it goes.
 * @param sleep replaces the wait between intervals (tests)
 * @returns the judge and the analysis it fills in
 * @throws InputError from parseChecks when a check does not fit the sides (first step, before traffic moves)
 */
export function canaryJudge(
  canary: CanaryInputs,
  providers: Providers,
  logger: Logger,
  sleep?: (ms: number) => Promise<void>,
): { judge: (step: AnalysedStep) => Promise<StepJudgement>; analysis: CanaryAnalysis } {
  const analysis: CanaryAnalysis = { states: [], judgements: [], verdict: 'none' };
  let intervals = 0;
  const provider = canary['metrics-provider'];
  const judge = async (step: AnalysedStep): Promise<StepJudgement> => {
    const label = `${step.percent}%`;
    if (provider !== 'none' && analysis.states.length === 0) {
      const context: CheckContext = {
        provider,
        intervalMs: canary['analysis-interval'],
        sides: step.sides,
      };
      const checks = parseChecks(
        canary['analysis-checks']?.value,
        context,
        canary['analysis-checks']?.locate,
      );
      analysis.states = checks.map(newCheckState);
      for (const check of checks)
        logger.info(`Check ${check.name} (${provider}): ${check.query.canary.replace(/\s+/g, ' ')}`);
    }
    const started = Date.now();
    logger.info(
      `Holding ${label} for ${formatDuration(canary['analysis-window'])}` +
        (provider === 'none'
          ? ' (no metrics-provider: health only)'
          : `, judged every ${formatDuration(canary['analysis-interval'])} on ${analysis.states.length} check(s)`),
    );
    const result = await analyseStep({
      states: analysis.states,
      providers,
      step: label,
      windowMs: canary['analysis-window'],
      intervalMs: canary['analysis-interval'],
      firstInterval: intervals + 1,
      guard: step.health,
      onInterval: (results) => logInterval(results, analysis.states, logger),
      ...(sleep === undefined ? {} : { sleep }),
    });
    intervals += result.intervals;
    const failed = result.failed[0];
    if (failed !== undefined) {
      analysis.verdict = 'fail';
      analysis.failedCheck = failed.check.name;
      analysis.failedStep = label;
      analysis.reason = failureReason(failed);
      analysis.detectedAt = failed.failedAt?.at ?? Date.now();
      return { problem: `anomaly at ${label}: ${analysis.reason}`, checks: analysis.reason };
    }
    if (result.guardProblem !== undefined) {
      analysis.verdict = 'fail';
      analysis.failedCheck = 'health';
      analysis.failedStep = label;
      analysis.reason = `health failed at ${label}: ${result.guardProblem}`;
      analysis.detectedAt = Date.now();
      return {
        problem: `${step.name} became unhealthy at ${label}: ${result.guardProblem}`,
        checks: analysis.reason,
      };
    }
    let judged = '';
    if (canary['analysis-judge'] === 'mann-whitney') {
      const judgement = await judgeSamples(analysis.states, providers, started, Date.now(), canary, logger);
      analysis.judgements.push({ step: label, judgement });
      judged = `; judge ${judgement.verdict} (score ${judgement.score})`;
      if (judgement.verdict === 'fail') {
        const high = judgement.metrics.filter(
          (metric) => metric.classification === 'High' || metric.classification === 'Low',
        );
        analysis.verdict = 'fail';
        analysis.failedCheck = high.map((metric) => metric.check).join(',') || 'judge';
        analysis.failedStep = label;
        analysis.reason =
          `Mann–Whitney judge scored ${judgement.score} (< ${canary['judge-marginal-score']}) at ${label}: ` +
          high
            .map(
              (metric) =>
                `${metric.check} ${metric.classification} (median canary ${formatValue(metric.canaryMedian)} vs baseline ${formatValue(metric.baselineMedian)}, p=${metric.result?.p.toPrecision(3) ?? '?'})`,
            )
            .join('; ');
        analysis.detectedAt = Date.now();
        return { problem: `anomaly at ${label}: ${analysis.reason}`, checks: analysis.reason };
      }
      if (judgement.verdict === 'marginal')
        logger.warning(`Mann–Whitney judge scored ${judgement.score} at ${label} (marginal): continuing`);
    }
    const verdicts = analysis.states.map((state) => `${state.check.name} ${verdictOf(state)}`);
    const inconclusive = analysis.states.filter((state) => verdictOf(state) === 'inconclusive');
    if (inconclusive.length > 0)
      logger.warning(
        `No data yet for ${inconclusive.map((state) => state.check.name).join(', ')} at ${label}: these checks judged nothing (set no-data: fail to require data)`,
      );
    return {
      checks:
        `healthy for ${formatDuration(Date.now() - started)}` +
        (verdicts.length > 0 ? `; ${verdicts.join(', ')}` : '') +
        judged,
      pause: canary['pause-at'] === step.percent,
    };
  };
  return { judge, analysis };
}

function logInterval(results: IntervalResult[], states: CheckState[], logger: Logger): void {
  results.forEach((result, index) => {
    const check = states[index]?.check;
    if (check === undefined) return;
    const unit = check.unit ?? '';
    logger.info(
      `  [${result.step} #${result.interval}] ${check.name}: canary ${formatValue(result.canary, unit)}` +
        (check.condition.relative ? `, baseline ${formatValue(result.baseline, unit)}` : '') +
        `, limit ${formatValue(result.limit, unit)} → ${result.outcome}` +
        (result.outcome === 'fail' ? ` (${result.consecutive}/${check.failingIntervals})` : '') +
        (result.error === undefined ? '' : ` (${result.error})`),
    );
  });
}

async function judgeSamples(
  states: CheckState[],
  providers: Providers,
  start: number,
  end: number,
  canary: CanaryInputs,
  logger: Logger,
): Promise<Judgement> {
  const samples = new Map<string, { canary: Point[]; baseline: Point[] }>();
  const stepMs = Math.max(1_000, Math.floor(canary['analysis-interval'] / 6));
  await Promise.all(
    states.map(async (state) => {
      const provider = providers[state.check.provider];
      if (provider === undefined) return;
      try {
        const range = { start, end, stepMs };
        const [canarySeries, baselineSeries] = await Promise.all([
          provider.range(state.check.query.canary, range),
          provider.range(state.check.query.baseline, range),
        ]);
        samples.set(state.check.name, { canary: canarySeries, baseline: baselineSeries });
      } catch (error) {
        logger.warning(`Judge: no samples for ${state.check.name}: ${describeThrown(error)}`);
      }
    }),
  );
  const judgement = mannWhitney(
    states.map((state) => state.check),
    samples,
    { pass: canary['judge-pass-score'], marginal: canary['judge-marginal-score'] },
  );
  for (const metric of judgement.metrics)
    logger.info(
      `  judge ${metric.check}: ${metric.classification} (canary median ${formatValue(metric.canaryMedian)} of ${metric.canaryCount}, ` +
        `baseline median ${formatValue(metric.baselineMedian)} of ${metric.baselineCount}` +
        (metric.result === undefined ? ')' : `, U=${metric.result.u}, p=${metric.result.p.toPrecision(3)})`),
    );
  return judgement;
}

/**
 * Settles the verdict of a canary that ran without an anomaly: `pass` when at least one check passed an
 * interval, `inconclusive` when every check lacked data; unchanged when there are no checks or it failed.
 */
export function settleVerdict(analysis: CanaryAnalysis): void {
  if (analysis.states.length === 0 || analysis.verdict === 'fail') return;
  analysis.verdict = analysis.states.some((state) => verdictOf(state) === 'pass') ? 'pass' : 'inconclusive';
}

/** Sets the `analysis-*` outputs (`analysis-report`: the failing check's line, else `failure`, else ''). */
export function writeAnalysisOutputs(analysis: CanaryAnalysis, failure?: string): void {
  core.setOutput('analysis-verdict', analysis.verdict);
  core.setOutput('analysis-failed-check', analysis.failedCheck ?? '');
  core.setOutput('analysis-failed-step', analysis.failedStep ?? '');
  core.setOutput('analysis-report', analysis.reason ?? failure ?? '');
}

/** Adds the verdict table, a Mermaid xychart per check and the judge's scores to the job summary. */
export async function writeAnalysisSummary(analysis: CanaryAnalysis): Promise<void> {
  if (analysis.states.length === 0) return;
  await writeSummaryTable('Canary analysis', VERDICT_HEADERS, verdictRows(analysis.states));
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  for (const state of analysis.states) {
    const chart = mermaidChart(state);
    if (chart !== '') core.summary.addRaw(`\n${chart}\n`, true);
  }
  for (const { step, judgement } of analysis.judgements)
    core.summary.addRaw(
      `<p>${escapeHtml(`Mann–Whitney judge at ${step}: score ${judgement.score}, ${judgement.verdict}`)}</p>`,
      true,
    );
  await core.summary.write();
}
