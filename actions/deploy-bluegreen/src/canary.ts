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
import { ConfigurationError, describeThrown, InputError } from '../../../shared/src/errors.ts';
import { retry } from '../../../shared/src/retry.ts';
import {
  readActions,
  readTrafficTags,
  setWeights,
  targetGroupHealth,
  TRAFFIC_TAGS,
  weightsOf,
  writeTrafficTags,
  type TrafficLocation,
} from '../../../shared/src/ecs/traffic.ts';
import { writeImageDiff, writeTimeline } from '../../../shared/src/ecs/report.ts';
import {
  describeService,
  ecsSdk,
  shortTaskDefinition,
  TAGS,
  tagTaskDefinition,
} from '../../../shared/src/ecs/service.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { escapeHtml, writeSummaryTable } from '../../../shared/src/summary.ts';
import {
  deployAlbWeighted,
  type AlbContext,
  type AlbResult,
  type Color,
  type JudgedStep,
  type StepRecord,
} from './alb-weighted.ts';
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
  const judgeStep = async (
    step: JudgedStep,
  ): Promise<{ problem?: string; checks: string; pause?: boolean }> => {
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
      pause: canary['pause-at'] === step.percent,
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
  const pauseAt = canary['pause-at'];
  if (pauseAt !== undefined && !inputs['traffic-steps'].includes(pauseAt))
    throw new InputError(
      'pause-at',
      `${pauseAt} is not one of the traffic-steps (${inputs['traffic-steps'].join(',')})`,
      '25',
    );
  const providers = await createProviders(canary, inputs['aws-region']);
  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const elb = await createElbv2Client({ region: inputs['aws-region'] });
  const { judgeStep, analysis } = canaryJudge(inputs, canary, providers, logger);
  if (canary.action !== 'deploy')
    return resumeCanary({ ecs, elb, inputs, canary, judgeStep, analysis, logger, deadline });
  const result = await deployAlbWeighted({ ecs, elb, inputs, logger, deadline, judgeStep });
  if (result.pausedAt !== undefined) {
    await writeTrafficTags(elb, locationOf(inputs), { [PAUSED_TAG]: String(result.pausedAt) });
    analysis.verdict = analysis.states.some((state) => verdictOf(state) === 'pass')
      ? 'pass'
      : analysis.verdict;
    writeOutputs(
      result.previousColor,
      result.previousColor,
      result.taskDefinitionArn,
      result.previousTaskDefinitionArn,
      analysis,
      true,
    );
    await writeCanarySummary(inputs, result, analysis);
    logger.notice(
      `Canary paused at ${result.pausedAt}%: traffic stays split until a run with action: promote (the remaining steps, judged) or action: abort (all traffic back on ${result.previousColor})`,
    );
    return;
  }
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
  writeOutputs(
    result.activeColor,
    result.previousColor,
    result.taskDefinitionArn,
    result.previousTaskDefinitionArn,
    analysis,
    false,
    result.failure,
  );
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

/** The listener tag that marks a paused canary (its value: the percentage on the canary). */
export const PAUSED_TAG = 'gantry:canary-paused';

function locationOf(inputs: Inputs): TrafficLocation {
  return inputs['rule-arn'] === ''
    ? { listenerArn: inputs['listener-arn'] }
    : { listenerArn: inputs['listener-arn'], ruleArn: inputs['rule-arn'] };
}

function writeOutputs(
  active: Color,
  previous: Color,
  taskDefinitionArn: string,
  previousTaskDefinitionArn: string,
  analysis: CanaryAnalysis,
  paused: boolean,
  failure?: string,
): void {
  core.setOutput('active-color', active);
  core.setOutput('previous-color', previous);
  core.setOutput('task-definition-arn', taskDefinitionArn);
  core.setOutput('previous-task-definition-arn', previousTaskDefinitionArn);
  core.setOutput('deployment-arn', '');
  core.setOutput('paused', String(paused));
  core.setOutput('analysis-verdict', analysis.verdict);
  core.setOutput('analysis-failed-check', analysis.failedCheck ?? '');
  core.setOutput('analysis-failed-step', analysis.failedStep ?? '');
  core.setOutput('analysis-report', analysis.reason ?? failure ?? '');
}

/** Sets the weights and reads them back (3 attempts). @throws Error when the listener does not read back `percent` on `group` */
async function shift(
  elb: AlbContext['elb'],
  location: TrafficLocation,
  groups: { canary: string; stable: string },
  percent: number,
): Promise<void> {
  await retry(
    async () => {
      const actions = await readActions(elb, location);
      await setWeights(
        elb,
        location,
        actions,
        new Map([
          [groups.canary, percent],
          [groups.stable, 100 - percent],
        ]),
      );
      const now = weightsOf(await readActions(elb, location));
      if (now.get(groups.canary) !== percent)
        throw new Error(
          `the listener reads ${now.get(groups.canary) ?? 0}% on the canary after setting ${percent}%`,
        );
    },
    { attempts: 3, baseDelayMs: 200 },
  );
}

/** One health look at a target group: undefined when healthy, else why not. */
async function groupHealth(elb: AlbContext['elb'], targetGroupArn: string): Promise<string | undefined> {
  const health = await targetGroupHealth(elb, targetGroupArn);
  if (health.healthy > 0 && health.problems.length === 0) return undefined;
  return `${health.healthy}/${health.total} targets healthy${health.problems.length > 0 ? `: ${health.problems.join(', ')}` : ''}`;
}

/**
 * action promote | abort: continues or ends the canary an earlier run paused (the listener carries the
 * `gantry:canary-paused` tag and traffic is split between the colours). promote runs the remaining
 * traffic steps, judged like the first run's; abort puts all traffic back on the stable colour and scales
 * the canary to zero.
 * @throws ConfigurationError when there is no paused canary; Error naming the failed check (after the
 *   traffic went back to stable) when a promoted step fails
 */
async function resumeCanary(context: {
  ecs: AlbContext['ecs'];
  elb: AlbContext['elb'];
  inputs: Inputs;
  canary: CanaryInputs;
  judgeStep: NonNullable<AlbContext['judgeStep']>;
  analysis: CanaryAnalysis;
  logger: Logger;
  deadline: number;
}): Promise<void> {
  const { ecs, elb, inputs, canary, judgeStep, analysis, logger } = context;
  const location = locationOf(inputs);
  const tags = await readTrafficTags(elb, location);
  const weights = weightsOf(await readActions(elb, location));
  const stable = tags[TRAFFIC_TAGS.previousColor];
  if ((tags[PAUSED_TAG] ?? '') === '' || (stable !== 'blue' && stable !== 'green'))
    throw new ConfigurationError(
      `There is no paused canary on ${location.ruleArn ?? location.listenerArn} (no ${PAUSED_TAG} tag): nothing to ${canary.action}`,
    );
  const canaryColor: Color = stable === 'blue' ? 'green' : 'blue';
  const side = (color: Color): JudgedStep['canary'] => ({
    color,
    service: inputs[`${color}-service`],
    targetGroupArn: inputs[`${color}-target-group-arn`],
  });
  const groups = { canary: side(canaryColor).targetGroupArn, stable: side(stable).targetGroupArn };
  const current = weights.get(groups.canary) ?? 0;
  const steps: StepRecord[] = [
    {
      step: 'paused',
      weights: `${stable} ${100 - current}% / ${canaryColor} ${current}%`,
      checks: `paused at ${tags[PAUSED_TAG]}%`,
    },
  ];
  const canaryArn =
    (await describeService(ecs, inputs.cluster, side(canaryColor).service)).taskDefinition ?? '';
  const stableArn = tags[TRAFFIC_TAGS.previousTaskDefinition] ?? '';
  const report = async (active: Color, failure?: string): Promise<void> => {
    writeOutputs(active, stable, canaryArn, stableArn, analysis, false, failure);
    await writeCanarySummary(
      inputs,
      {
        activeColor: active,
        previousColor: stable,
        taskDefinitionArn: canaryArn,
        previousTaskDefinitionArn: stableArn,
        steps,
        timeline: [],
        ...(failure === undefined ? {} : { failure }),
      },
      analysis,
    );
  };
  const rollBack = async (why: string): Promise<string> => {
    await shift(elb, location, groups, 0);
    await writeTrafficTags(elb, location, { [PAUSED_TAG]: '' });
    const scaled = await scaleToZero(ecs, inputs.cluster, side(canaryColor).service, logger);
    steps.push({
      step: 'restore',
      weights: `${stable} 100% / ${canaryColor} 0%`,
      checks: `${why}; ${scaled}`,
    });
    return `${why}; all production traffic is back on ${stable}; ${scaled}`;
  };
  if (canary.action === 'abort') {
    const done = await logger.group(`Abort the canary: all traffic back on ${stable}`, () =>
      rollBack('aborted by request'),
    );
    await report(stable);
    logger.info(`Canary aborted: ${done}`);
    return;
  }
  const remaining = inputs['traffic-steps'].filter((percent) => percent > current);
  logger.info(`Promoting the canary (${canaryColor}, ${current}% now) through ${remaining.join(', ')}%`);
  for (const percent of remaining) {
    const outcome = await logger.group(
      `Shift ${percent}% of production traffic to ${canaryColor}`,
      async () => {
        try {
          await shift(elb, location, groups, percent);
          const text = `${stable} ${100 - percent}% / ${canaryColor} ${percent}%`;
          if (percent < 100) {
            const judged = await judgeStep({
              percent,
              canary: side(canaryColor),
              baseline: side(stable),
              health: () => groupHealth(elb, groups.canary),
            });
            if (judged.problem !== undefined) return judged.problem;
            steps.push({ step: `${percent}%`, weights: text, checks: judged.checks });
            return undefined;
          }
          const problem = await groupHealth(elb, groups.canary);
          if (problem !== undefined) return `${canaryColor} unhealthy at 100%: ${problem}`;
          steps.push({ step: '100%', weights: text, checks: 'healthy' });
          return undefined;
        } catch (error) {
          return describeThrown(error);
        }
      },
    );
    if (outcome !== undefined) {
      const failure = await rollBack(outcome);
      await report(stable, failure);
      throw new Error(`Canary promotion failed: ${failure}`);
    }
  }
  await writeTrafficTags(elb, location, {
    [PAUSED_TAG]: '',
    [TRAFFIC_TAGS.activeColor]: canaryColor,
    [TRAFFIC_TAGS.activeTargetGroup]: groups.canary,
    [TRAFFIC_TAGS.activeTaskDefinition]: canaryArn,
  });
  await tagTaskDefinition(
    ecs,
    canaryArn,
    { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() },
    logger,
  );
  if (analysis.states.length > 0)
    analysis.verdict = analysis.states.some((state) => verdictOf(state) === 'pass') ? 'pass' : 'inconclusive';
  await report(canaryColor);
  logger.info(
    `Canary promoted: all production traffic is on ${canaryColor} (${shortTaskDefinition(canaryArn)})`,
  );
}
