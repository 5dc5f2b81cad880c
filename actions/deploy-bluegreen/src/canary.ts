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
import { verdictOf, type Providers } from '../../../shared/src/analysis/engine.ts';
import { createEcsClient, createElbv2Client } from '../../../shared/src/aws.ts';
import { ConfigurationError, describeThrown } from '../../../shared/src/errors.ts';
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
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import {
  deployAlbWeighted,
  type AlbContext,
  type AlbResult,
  type Color,
  type JudgedStep,
  type StepRecord,
} from './alb-weighted.ts';
import {
  canaryJudge,
  createProviders,
  settleVerdict,
  writeAnalysisOutputs,
  writeAnalysisSummary,
  type CanaryAnalysis,
} from './canary-analysis.ts';
import { getCanaryInputs, type CanaryInputs } from './canary-inputs.ts';
import type { Inputs } from './inputs.ts';

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

/**
 * The shared canary judge (canary-analysis.ts) as deployAlbWeighted's step hook: the sides' placeholder
 * values are the colours' (service, target group, load balancer).
 */
export function ecsJudge(
  inputs: Inputs,
  canary: CanaryInputs,
  providers: Providers,
  logger: Logger,
): { judgeStep: NonNullable<AlbContext['judgeStep']>; analysis: CanaryAnalysis } {
  const { judge, analysis } = canaryJudge(canary, providers, logger);
  const values = (side: JudgedStep['canary']): Record<string, string> =>
    sideValues(canary['metrics-selector'], inputs.cluster, inputs['listener-arn'], side);
  const judgeStep = (step: JudgedStep): ReturnType<typeof judge> =>
    judge({
      percent: step.percent,
      name: step.canary.color,
      sides: { canary: values(step.canary), baseline: values(step.baseline) },
      health: step.health,
    });
  return { judgeStep, analysis };
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
  const canary = await getCanaryInputs(logger, 'ecs', inputs['traffic-steps']);
  const providers = await createProviders(canary, inputs['aws-region']);
  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const elb = await createElbv2Client({ region: inputs['aws-region'] });
  const { judgeStep, analysis } = ecsJudge(inputs, canary, providers, logger);
  if (canary.action !== 'deploy')
    return resumeCanary({ ecs, elb, inputs, canary, judgeStep, analysis, logger, deadline });
  const result = await deployAlbWeighted({ ecs, elb, inputs, logger, deadline, judgeStep });
  if (result.pausedAt !== undefined) {
    await writeTrafficTags(elb, locationOf(inputs), { [PAUSED_TAG]: String(result.pausedAt) });
    if (analysis.states.some((state) => verdictOf(state) === 'pass')) analysis.verdict = 'pass';
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
  } else settleVerdict(analysis);
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
  await writeAnalysisSummary(analysis);
  if (result.revision !== undefined)
    await writeImageDiff(result.revision.beforeImages, result.revision.afterImages);
  await writeTimeline('Rollout timeline', result.timeline);
}

/** The listener tag that marks a paused canary (its value: the percentage on the canary). */
export const PAUSED_TAG = TRAFFIC_TAGS.canaryPaused;

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
  writeAnalysisOutputs(analysis, failure);
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
  // A paused canary always carries traffic (pause-at is one of the traffic-steps, all above 0): none means
  // it was rolled back or its traffic moved since, and promoting would shift production onto it unasked.
  if (current === 0 && canary.action === 'promote')
    throw new ConfigurationError(
      `There is no paused canary on ${location.ruleArn ?? location.listenerArn}: ${canaryColor} has 0% of the traffic ` +
        `(rolled back or aborted since it paused at ${tags[PAUSED_TAG]}%), so there is nothing to promote; deploy again`,
    );
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
  settleVerdict(analysis);
  await report(canaryColor);
  logger.info(
    `Canary promoted: all production traffic is on ${canaryColor} (${shortTaskDefinition(canaryArn)})`,
  );
}
