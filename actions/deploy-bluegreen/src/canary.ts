/**
 * strategy canary: the alb-weighted colours, with each traffic step below 100 % (default 5 %, 25 %) held
 * for `analysis-window` and judged every `analysis-interval` by metric checks (shared/src/analysis): the
 * four rollback triggers by default when a `metrics-provider` is given, or the `analysis-checks` written
 * by the user, plus an optional Mann–Whitney judge at the end of each step. On an anomaly the traffic goes
 * back to 100 % stable at once (deployAlbWeighted's restore), the canary colour's service is scaled to
 * zero, and the step fails naming the check, the step and the values; the `analysis-*` outputs carry it
 * to notify (a PagerDuty incident). The job summary shows the verdict table and a Mermaid chart per check.
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
import { judge, type Judgement } from '../../../shared/src/analysis/mann-whitney.ts';
import { prometheusProvider } from '../../../shared/src/analysis/prometheus.ts';
import {
  failureReason,
  formatValue,
  mermaidChart,
  VERDICT_HEADERS,
  verdictRows,
} from '../../../shared/src/analysis/report.ts';
import type { CheckState, IntervalResult, Point } from '../../../shared/src/analysis/types.ts';
import { createEcsClient, createElbv2Client } from '../../../shared/src/aws.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { describeThrown } from '../../../shared/src/errors.ts';
import { writeImageDiff, writeTimeline } from '../../../shared/src/ecs/report.ts';
import { ecsSdk, shortTaskDefinition } from '../../../shared/src/ecs/service.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { escapeHtml, writeSummaryTable } from '../../../shared/src/summary.ts';
import { deployAlbWeighted, type AlbContext, type AlbResult, type JudgedStep } from './alb-weighted.ts';
import { getCanaryInputs, type CanaryInputs } from './canary-inputs.ts';
import type { Inputs } from './inputs.ts';

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

/** The `{{…}}` values of one side: selector, colour, service, cluster, target group and load balancer dimensions. */
export function sideValues(
  selector: string,
  cluster: string,
  listenerArn: string,
  side: JudgedStep['canary'],
): Record<string, string> {
  const fill = (text: string): string =>
    text.replace(/\{\{\s*color\s*\}\}/g, side.color).replace(/\{\{\s*service\s*\}\}/g, side.service);
  return {
    selector: fill(selector),
    color: side.color,
    service: side.service,
    cluster,
    // CloudWatch's ALB dimensions are the ARN suffixes: targetgroup/<name>/<id> and app/<name>/<id>.
    'target-group': /targetgroup\/.+$/.exec(side.targetGroupArn)?.[0] ?? side.targetGroupArn,
    'load-balancer': /listener(?:-rule)?\/(app\/[^/]+\/[^/]+)/.exec(listenerArn)?.[1] ?? '',
  };
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

/**
 * The judge of each canary step: builds the checks once the colours are known (first step), holds the
 * step for the analysis window evaluating every interval (and the canary's health), then — when on —
 * runs the Mann–Whitney judge on the step's samples.
 * @returns the hook for deployAlbWeighted and the analysis it fills in
 */
export function canaryJudge(
  inputs: Inputs,
  canary: CanaryInputs,
  providers: Providers,
  logger: Logger,
  sleep?: (ms: number) => Promise<void>,
): { judgeStep: NonNullable<AlbContext['judgeStep']>; analysis: CanaryAnalysis } {
  const analysis: CanaryAnalysis = { states: [], judgements: [], verdict: 'none' };
  let intervals = 0;
  const provider = canary['metrics-provider'];
  const judgeStep = async (step: JudgedStep): Promise<{ problem?: string; checks: string }> => {
    const label = `${step.percent}%`;
    if (provider !== 'none' && analysis.states.length === 0) {
      const context: CheckContext = {
        provider,
        intervalMs: canary['analysis-interval'],
        sides: {
          canary: sideValues(canary['metrics-selector'], inputs.cluster, inputs['listener-arn'], step.canary),
          baseline: sideValues(
            canary['metrics-selector'],
            inputs.cluster,
            inputs['listener-arn'],
            step.baseline,
          ),
        },
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
        problem: `${step.canary.color} became unhealthy at ${label}: ${result.guardProblem}`,
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
    };
  };
  return { judgeStep, analysis };
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
  const judgement = judge(
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

/** Scales the canary colour's service to zero tasks (after its traffic went back to stable). */
async function scaleToZero(
  ecs: AlbContext['ecs'],
  cluster: string,
  service: string,
  logger: Logger,
): Promise<string> {
  try {
    const { UpdateServiceCommand } = await ecsSdk();
    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
    logger.info(`Canary service ${service} scaled to 0 tasks`);
    return `${service} scaled to 0`;
  } catch (error) {
    logger.warning(`Could not scale the canary service ${service} to 0: ${describeThrown(error)}`);
    return `scaling ${service} to 0 FAILED`;
  }
}

/**
 * Runs strategy canary end to end and reports it (outputs, summary).
 * @throws InputError before any change for a bad analysis input; Error naming the failed check, step
 *   and values after an anomaly (traffic back on the stable colour, canary at zero)
 */
export async function runCanary(inputs: Inputs, deadline: number, logger: Logger): Promise<void> {
  const canary = await getCanaryInputs(logger);
  const providers = await createProviders(canary, inputs['aws-region']);
  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const elb = await createElbv2Client({ region: inputs['aws-region'] });
  const { judgeStep, analysis } = canaryJudge(inputs, canary, providers, logger);
  const result = await deployAlbWeighted({ ecs, elb, inputs, logger, deadline, judgeStep });
  if (result.failure !== undefined) {
    const canaryColor = result.previousColor === 'blue' ? 'green' : 'blue';
    const restoredAt = Date.now();
    if (analysis.detectedAt !== undefined)
      logger.info(
        `Traffic back on ${result.previousColor} ${restoredAt - analysis.detectedAt} ms after the failing interval was evaluated`,
      );
    const scaled = await scaleToZero(ecs, inputs.cluster, inputs[`${canaryColor}-service`], logger);
    result.steps.push({ step: 'canary', weights: '', checks: scaled });
  } else if (analysis.states.length > 0) {
    analysis.verdict = analysis.states.some((state) => verdictOf(state) === 'pass') ? 'pass' : 'inconclusive';
  }
  core.setOutput('active-color', result.activeColor);
  core.setOutput('previous-color', result.previousColor);
  core.setOutput('task-definition-arn', result.taskDefinitionArn);
  core.setOutput('previous-task-definition-arn', result.previousTaskDefinitionArn);
  core.setOutput('deployment-arn', '');
  core.setOutput('analysis-verdict', analysis.verdict);
  core.setOutput('analysis-failed-check', analysis.failedCheck ?? '');
  core.setOutput('analysis-failed-step', analysis.failedStep ?? '');
  core.setOutput('analysis-report', analysis.reason ?? result.failure ?? '');
  await writeCanarySummary(inputs, result, analysis);
  if (result.failure !== undefined) throw new Error(`Canary deployment failed: ${result.failure}`);
  logger.info(
    `Canary promoted: all production traffic is on ${result.activeColor} (${shortTaskDefinition(result.taskDefinitionArn)})`,
  );
}

async function writeCanarySummary(
  inputs: Inputs,
  result: AlbResult,
  analysis: CanaryAnalysis,
): Promise<void> {
  await writeSummaryTable(
    `deploy-bluegreen (canary): ${inputs['blue-service']} / ${inputs['green-service']}`,
    ['step', 'weights', 'checks'],
    result.steps.map((step) => [step.step, step.weights, step.checks]),
    result.failure === undefined
      ? `${result.activeColor} now serves all traffic with ${shortTaskDefinition(result.taskDefinitionArn)}`
      : `FAILED: ${result.failure}`,
  );
  if (analysis.states.length > 0) {
    await writeSummaryTable('Canary analysis', VERDICT_HEADERS, verdictRows(analysis.states));
    if (process.env['GITHUB_STEP_SUMMARY']) {
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
  }
  if (result.revision !== undefined)
    await writeImageDiff(result.revision.beforeImages, result.revision.afterImages);
  await writeTimeline('Rollout timeline', result.timeline);
}
