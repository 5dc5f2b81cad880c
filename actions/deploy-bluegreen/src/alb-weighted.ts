/**
 * strategy alb-weighted: two ECS services (blue, green) behind two target groups that one ALB listener
 * (or rule) forwards to with weights. Gantry deploys the new revision to the idle colour's service, waits
 * for its rollout and healthy targets, runs the smoke checks on the test listener, then moves production
 * weight in `traffic-steps`, holding each step for `step-interval` while checking health. Any failure
 * after the first shift returns all weight to the previous colour: traffic is never left split.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { formatDuration } from '../../../shared/src/duration.ts';
import { ConfigurationError, describeThrown, TimeoutError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { retry, sleep as realSleep } from '../../../shared/src/retry.ts';
import { prepareRevision, registerRevision, type RenderedRevision } from '../../../shared/src/ecs/prepare.ts';
import { restoreTaskDefinition } from '../../../shared/src/ecs/rollback.ts';
import {
  describeService,
  shortTaskDefinition,
  TAGS,
  tagTaskDefinition,
  updateService,
} from '../../../shared/src/ecs/service.ts';
import {
  readActions,
  setWeights,
  targetGroupHealth,
  targetGroupName,
  TRAFFIC_TAGS,
  weightsOf,
  writeTrafficTags,
  type TrafficLocation,
} from '../../../shared/src/ecs/traffic.ts';
import { defaultPollIntervalMs, watchRollout, type TimelineEntry } from '../../../shared/src/ecs/watch.ts';
import type { Inputs } from './inputs.ts';
import { smokeGate } from './smoke-gate.ts';

export type Color = 'blue' | 'green';

/** One row of the traffic table in the summary. */
export interface StepRecord {
  step: string;
  weights: string;
  checks: string;
}

export interface AlbResult {
  activeColor: Color;
  previousColor: Color;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  steps: StepRecord[];
  timeline: TimelineEntry[];
  revision?: RenderedRevision;
  /** Set when the deployment failed (after traffic was restored). */
  failure?: string;
  /** strategy canary: the percentage at which the canary was paused (traffic left split on purpose). */
  pausedAt?: number;
}

export interface AlbContext {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  inputs: Inputs;
  logger: Logger;
  /** Milliseconds since epoch: the overall deadline (`timeout`). */
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * strategy canary: holds and judges a traffic step below 100 % instead of the health-only hold
   * (see canary.ts). `problem` set = the step failed (traffic then goes back to the stable colour).
   */
  judgeStep?: (step: JudgedStep) => Promise<{ problem?: string; checks: string; pause?: boolean }>;
}

/** What a canary step's judge is told: the percentage, both colours, and a health look at the canary. */
export interface JudgedStep {
  percent: number;
  canary: { color: Color; service: string; targetGroupArn: string };
  baseline: { color: Color; service: string; targetGroupArn: string };
  /** One health look at the canary's target group and service: undefined when healthy, else why not. */
  health: () => Promise<string | undefined>;
}

const other = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

/**
 * Runs the alb-weighted deployment. Returns a result with `failure` set when it failed after changing
 * something (traffic restored by then); throws for problems found before any change.
 * @throws ConfigurationError when the listener does not forward to both target groups, traffic is split
 *   already, or a service is unknown; InputError for a container not in the task definition
 */
export async function deployAlbWeighted(context: AlbContext): Promise<AlbResult> {
  const { ecs, elb, inputs, logger } = context;
  const wait = context.sleep ?? realSleep;
  const location: TrafficLocation = { listenerArn: inputs['listener-arn'] };
  if (inputs['rule-arn'] !== '') location.ruleArn = inputs['rule-arn'];
  const groups: Record<Color, string> = {
    blue: inputs['blue-target-group-arn'],
    green: inputs['green-target-group-arn'],
  };
  const services: Record<Color, string> = { blue: inputs['blue-service'], green: inputs['green-service'] };
  const weightsText = (weights: Map<string, number>): string =>
    `blue ${weights.get(groups.blue) ?? 0}% / green ${weights.get(groups.green) ?? 0}%`;

  // 1. Where does traffic go now? Nothing is changed before this is clear.
  const state = await logger.group('Read listener weights and colour services', async () => {
    const actions = await readActions(elb, location);
    const weights = weightsOf(actions);
    for (const color of ['blue', 'green'] as const)
      if (!weights.has(groups[color]))
        throw new ConfigurationError(
          `The listener's forward action does not include the ${color} target group ${targetGroupName(groups[color])} ` +
            `(it forwards to: ${[...weights.keys()].map(targetGroupName).join(', ')})`,
        );
    const active: Color | undefined =
      weights.get(groups.blue) === 100 ? 'blue' : weights.get(groups.green) === 100 ? 'green' : undefined;
    if (active === undefined)
      throw new ConfigurationError(
        `Traffic is split (${weightsText(weights)}): finish or roll back the previous deployment first (rollback with listener-arn)`,
      );
    const activeService = await describeService(ecs, inputs.cluster, services[active]);
    const idleService = await describeService(ecs, inputs.cluster, services[other(active)]);
    logger.info(
      `Production traffic: ${weightsText(weights)}; active colour ${active} (${services[active]}), idle ${other(active)}`,
    );
    return {
      actions,
      weights,
      active,
      idle: other(active),
      activeArn: activeService.taskDefinition ?? '',
      idlePreviousArn: idleService.taskDefinition ?? '',
    };
  });
  const { active, idle } = state;
  const result: AlbResult = {
    activeColor: active,
    previousColor: active,
    taskDefinitionArn: '',
    previousTaskDefinitionArn: state.activeArn,
    steps: [{ step: 'before', weights: weightsText(state.weights), checks: '' }],
    timeline: [],
  };

  const { revision } = await logger.group('Render task definition', () =>
    prepareRevision(ecs, state.activeArn, inputs, logger),
  );
  result.revision = revision;
  const registered = await logger.group('Register task definition', () =>
    registerRevision(ecs, revision, logger),
  );
  result.taskDefinitionArn = registered;

  // 2. Deploy to the idle colour and wait for it.
  const restoreIdle = async (why: string): Promise<string> => {
    if (!inputs['rollback-on-failure'] || state.idlePreviousArn === '') return why;
    const restored = await restoreTaskDefinition(ecs, {
      cluster: inputs.cluster,
      service: services[idle],
      taskDefinitionArn: state.idlePreviousArn,
      wait: false,
      timeoutMs: 0,
      logger,
    }).catch((error: unknown) => ({ deploymentId: `failed: ${describeThrown(error)}` }));
    return `${why}; ${services[idle]} set back to ${shortTaskDefinition(state.idlePreviousArn)} (${restored.deploymentId})`;
  };
  const rollout = await logger.group(
    `Deploy ${shortTaskDefinition(registered)} to ${idle} (${services[idle]})`,
    async () => {
      const { deployment } = await updateService(ecs, {
        cluster: inputs.cluster,
        service: services[idle],
        taskDefinition: registered,
      });
      return watchRollout(ecs, {
        cluster: inputs.cluster,
        service: services[idle],
        deploymentId: deployment.id ?? '',
        timeoutMs: Math.max(0, context.deadline - Date.now()),
        logger,
        prefix: `${idle}: `,
        initialDelayMs: defaultPollIntervalMs(),
      });
    },
  );
  result.timeline.push(...rollout.timeline);
  if (rollout.state !== 'COMPLETED') {
    await tagTaskDefinition(ecs, registered, { [TAGS.rollout]: 'FAILED' }, logger);
    result.failure = await restoreIdle(
      `the ${idle} rollout ${rollout.state}: ${rollout.reason}; production traffic was not moved`,
    );
    result.steps.push({
      step: `deploy to ${idle}`,
      weights: weightsText(state.weights),
      checks: rollout.reason,
    });
    return result;
  }

  // 3. Healthy targets and passing smoke checks on the test listener, before any production traffic.
  const ready = await logger.group(`Check ${idle} before production traffic`, async () => {
    const health = await waitHealthy(
      elb,
      groups[idle],
      Math.min(inputs['smoke-timeout'], context.deadline - Date.now()),
      logger,
      wait,
    );
    if (health !== undefined) return { ok: false, why: health };
    const gate = await smokeGate(
      inputs['test-url'],
      Math.min(inputs['smoke-timeout'], Math.max(1_000, context.deadline - Date.now())),
      logger,
    );
    return { ok: gate.passed, why: gate.lines.join('; ') };
  });
  result.steps.push({
    step: `${idle} on the test listener`,
    weights: weightsText(state.weights),
    checks: ready.why || 'healthy',
  });
  if (!ready.ok) {
    result.failure = await restoreIdle(
      `the ${idle} colour failed its checks before any production traffic: ${ready.why}`,
    );
    return result;
  }

  // 4. Shift production traffic step by step; any failure puts it all back.
  await writeTrafficTags(elb, location, {
    [TRAFFIC_TAGS.previousColor]: active,
    [TRAFFIC_TAGS.previousTargetGroup]: groups[active],
    [TRAFFIC_TAGS.previousTaskDefinition]: state.activeArn,
  });
  let actions = state.actions;
  let shifted = false;
  try {
    for (const percent of inputs['traffic-steps']) {
      const next = new Map([
        [groups[idle], percent],
        [groups[active], 100 - percent],
      ]);
      await logger.group(`Shift ${percent}% of production traffic to ${idle}`, async () => {
        actions = await setWeights(elb, location, actions, next);
        shifted = true;
        const now = weightsOf(await readActions(elb, location));
        if (now.get(groups[idle]) !== percent)
          throw new Error(`the listener reports ${weightsText(now)} after the change`);
        logger.info(`Weights now ${weightsText(now)}`);
        if (percent < 100 && context.judgeStep !== undefined) {
          const judged = await context.judgeStep({
            percent,
            canary: { color: idle, service: services[idle], targetGroupArn: groups[idle] },
            baseline: { color: active, service: services[active], targetGroupArn: groups[active] },
            health: () => healthNow(context, groups[idle], services[idle]),
          });
          if (judged.problem !== undefined) throw new Error(judged.problem);
          result.steps.push({ step: `${percent}%`, weights: weightsText(now), checks: judged.checks });
          if (judged.pause === true) result.pausedAt = percent;
          return;
        }
        const checks =
          percent < 100
            ? await hold(context, groups[idle], services[idle], inputs['step-interval'], wait)
            : await healthNow(context, groups[idle], services[idle]);
        if (checks !== undefined) throw new Error(`${idle} became unhealthy at ${percent}%: ${checks}`);
        result.steps.push({
          step: `${percent}%`,
          weights: weightsText(now),
          checks: percent < 100 ? `healthy for ${formatDuration(inputs['step-interval'])}` : 'healthy',
        });
      });
      if (result.pausedAt !== undefined) return result;
    }
  } catch (error) {
    const why = describeThrown(error);
    if (shifted) {
      const restored = await restoreTraffic(elb, location, actions, groups[active], groups[idle], logger);
      result.steps.push({ step: 'restore', weights: restored, checks: why });
    }
    result.failure = await restoreIdle(
      `traffic shift failed: ${why}; all production traffic is back on ${active}`,
    );
    return result;
  }
  await writeTrafficTags(elb, location, {
    [TRAFFIC_TAGS.activeColor]: idle,
    [TRAFFIC_TAGS.activeTargetGroup]: groups[idle],
    [TRAFFIC_TAGS.activeTaskDefinition]: registered,
  });
  await tagTaskDefinition(
    ecs,
    registered,
    { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() },
    logger,
  );
  result.activeColor = idle;
  result.previousColor = active;
  return result;
}

/** All weight back to `previous`, checked by reading it back; says so loudly when it cannot. */
async function restoreTraffic(
  elb: ElasticLoadBalancingV2Client,
  location: TrafficLocation,
  actions: Awaited<ReturnType<typeof readActions>>,
  previous: string,
  next: string,
  logger: Logger,
): Promise<string> {
  try {
    await retry(
      async () => {
        await setWeights(
          elb,
          location,
          actions,
          new Map([
            [previous, 100],
            [next, 0],
          ]),
        );
        const now = weightsOf(await readActions(elb, location));
        if (now.get(previous) !== 100)
          throw new Error(`read back ${now.get(previous) ?? 0}% on ${targetGroupName(previous)}`);
      },
      {
        attempts: 3,
        baseDelayMs: 200,
        onRetry: (error, attempt) =>
          logger.warning(`Restoring the weights failed (attempt ${attempt}): ${describeThrown(error)}`),
      },
    );
    logger.info(`All production traffic is back on ${targetGroupName(previous)}`);
    return `${targetGroupName(previous)} 100% / ${targetGroupName(next)} 0%`;
  } catch (error) {
    logger.warning(`Restoring the weights failed (attempt 3): ${describeThrown(error)}`);
  }
  logger.error(
    `TRAFFIC MAY BE SPLIT: could not return all weight to ${targetGroupName(previous)}; run rollback with listener-arn`,
  );
  return 'restore FAILED';
}

/** Waits until the target group has healthy targets and none unhealthy. @returns undefined when healthy, else why not */
async function waitHealthy(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  timeoutMs: number,
  logger: Logger,
  wait: (ms: number) => Promise<void>,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const health = await targetGroupHealth(elb, targetGroupArn);
    const text = `${targetGroupName(targetGroupArn)}: ${health.healthy}/${health.total} targets healthy${health.problems.length > 0 ? ` (${health.problems.join(', ')})` : ''}`;
    if (text !== last) logger.info(text);
    last = text;
    if (health.healthy > 0 && health.problems.length === 0) return undefined;
    if (Date.now() >= deadline) return `not healthy in time: ${text}`;
    await wait(Math.min(defaultPollIntervalMs(), Math.max(0, deadline - Date.now())));
  }
}

/** One health look: target group and ECS service. @returns undefined when healthy, else why not */
async function healthNow(
  context: AlbContext,
  targetGroupArn: string,
  service: string,
): Promise<string | undefined> {
  const health = await targetGroupHealth(context.elb, targetGroupArn);
  if (health.healthy === 0 || health.problems.length > 0)
    return `${health.healthy}/${health.total} targets healthy${health.problems.length > 0 ? `: ${health.problems.join(', ')}` : ''}`;
  const described = await describeService(context.ecs, context.inputs.cluster, service);
  if ((described.runningCount ?? 0) < (described.desiredCount ?? 0))
    return `service ${service} runs ${described.runningCount ?? 0} of ${described.desiredCount ?? 0} tasks`;
  return undefined;
}

/** Holds a traffic step for `holdMs`, looking at health about every poll interval. */
async function hold(
  context: AlbContext,
  targetGroupArn: string,
  service: string,
  holdMs: number,
  wait: (ms: number) => Promise<void>,
): Promise<string | undefined> {
  const until = Date.now() + holdMs;
  if (until > context.deadline)
    throw new TimeoutError(`holding this step for ${formatDuration(holdMs)} would pass the timeout`);
  for (;;) {
    const problem = await healthNow(context, targetGroupArn, service);
    if (problem !== undefined) return problem;
    const left = until - Date.now();
    if (left <= 0) return undefined;
    await wait(Math.min(defaultPollIntervalMs(), left));
  }
}
