/**
 * The rollout watcher: follows one ECS deployment with DescribeServices until its rollout state is
 * COMPLETED or FAILED, the deployment disappears, or the deadline passes — instead of the SDK's generic
 * `waitUntilServicesStable` waiter the peer action uses (15 s minimum delay, exponential backoff up to
 * 120 s, so pipelines idle long after the service is stable, its issue #527).
 *
 * - Interval: about 2 s (`GANTRY_ECS_POLL_INTERVAL`, a duration, for tests), doubled on each throttling
 *   error up to 30 s and halved back towards the base after each good answer; never longer than what is
 *   left of the deadline, which is honoured exactly (one last look at the deadline, then TIMED_OUT).
 * - A progress line is printed only when something changes: the deployment's running/pending/desired/
 *   failed counts and rollout state, and each new service event.
 * - On failure, the reasons come from the stopped tasks of the deployment (ListTasks by `startedBy` =
 *   deployment id, DescribeTasks `stoppedReason`, container exit codes), as the ECS console shows them.
 * Rollout states: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 */
import type { Deployment, ECSClient, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { parseDuration } from '../duration.ts';
import { describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { sleep as realSleep } from '../retry.ts';
import { isThrottlingError, isTransientError } from '../aws.ts';
import { ecsSdk, shortTaskDefinition } from './service.ts';

/** How a watched rollout ended. */
export type RolloutState = 'COMPLETED' | 'FAILED' | 'REPLACED' | 'GONE' | 'TIMED_OUT';

/** One stopped task of the deployment and why it stopped. */
export interface StoppedTask {
  taskArn: string;
  stoppedReason: string;
  /** `name exit N (reason)` per container that reported something. */
  containers: string[];
}

/** A line of the rollout timeline: `atMs` since the watch started. */
export interface TimelineEntry {
  atMs: number;
  text: string;
}

export interface RolloutOutcome {
  state: RolloutState;
  /** One line saying why (for the error and the summary). */
  reason: string;
  stoppedTasks: StoppedTask[];
  timeline: TimelineEntry[];
  /** DescribeServices requests sent (including throttled ones). */
  describeCalls: number;
  throttled: number;
  elapsedMs: number;
  /** The deployment as last seen. */
  deployment?: Deployment;
}

export interface WatchOptions {
  cluster: string;
  service: string;
  /** The deployment to follow (`ecs-svc/…`). */
  deploymentId: string;
  /** Milliseconds allowed from the call; honoured exactly. */
  timeoutMs: number;
  /** Base interval in ms (default: `GANTRY_ECS_POLL_INTERVAL` or 2 000). */
  intervalMs?: number;
  /** Largest interval reached by throttling backoff, in ms (default 30 000). */
  maxIntervalMs?: number;
  /**
   * Milliseconds to wait before the first look (default 0). Right after UpdateService its answer already
   * holds the deployment's state, so callers pass the interval and save a call.
   */
  initialDelayMs?: number;
  /** Service events created before this are not printed (default: the watch's start minus 5 s). */
  eventsSince?: Date;
  logger: Logger;
  /** Line prefix, e.g. `rollback: `. */
  prefix?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The default poll interval: `GANTRY_ECS_POLL_INTERVAL` (a duration such as `200ms`) or 2 000 ms. */
export function defaultPollIntervalMs(): number {
  const text = process.env['GANTRY_ECS_POLL_INTERVAL'];
  const parsed = text === undefined || text === '' ? undefined : parseDuration(text);
  return parsed !== undefined && parsed > 0 ? parsed : 2_000;
}

function progressOf(deployment: Deployment): string {
  const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed` : '';
  return (
    `deployment ${deployment.id ?? '?'} (${shortTaskDefinition(deployment.taskDefinition)}): ` +
    `${deployment.rolloutState ?? deployment.status ?? '?'} — running ${deployment.runningCount ?? 0}/` +
    `${deployment.desiredCount ?? 0}, pending ${deployment.pendingCount ?? 0}${failed}`
  );
}

/**
 * Whether a deployment without a `rolloutState` (services without the circuit breaker on older APIs) is
 * done: it is the only deployment and runs its desired count — the condition `servicesStable` uses.
 */
function stableWithoutRolloutState(service: Service, deployment: Deployment): boolean {
  return (
    (service.deployments?.length ?? 0) === 1 &&
    deployment.status === 'PRIMARY' &&
    (deployment.runningCount ?? 0) === (deployment.desiredCount ?? -1) &&
    (deployment.pendingCount ?? 0) === 0
  );
}

/**
 * Collects why the deployment's tasks stopped (at most `limit` tasks, newest first).
 * Failures of these calls are reported as a reason line, never thrown: the rollout result matters more.
 */
export async function stoppedTasksOf(
  ecs: ECSClient,
  cluster: string,
  deploymentId: string,
  limit = 10,
): Promise<StoppedTask[]> {
  const { ListTasksCommand, DescribeTasksCommand } = await ecsSdk();
  const listed = await ecs.send(
    new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED', maxResults: 100 }),
  );
  const arns = (listed.taskArns ?? []).slice(0, limit);
  if (arns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  return (described.tasks ?? [])
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .map((task) => ({
      taskArn: task.taskArn ?? '?',
      stoppedReason: task.stoppedReason ?? task.stopCode ?? 'no reason given',
      containers: (task.containers ?? [])
        .filter((c) => c.exitCode !== undefined || c.reason !== undefined)
        .map(
          (c) =>
            `${c.name ?? '?'}${c.exitCode === undefined ? '' : ` exit ${c.exitCode}`}${c.reason === undefined ? '' : ` (${c.reason})`}`,
        ),
    }));
}

/**
 * Turns stopped tasks into distinct reason lines with counts, e.g.
 * `3 tasks: Essential container in task exited — web exit 1`.
 */
export function summarizeStoppedTasks(tasks: StoppedTask[]): string[] {
  const counts = new Map<string, number>();
  for (const task of tasks) {
    const line = `${task.stoppedReason}${task.containers.length > 0 ? ` — ${task.containers.join('; ')}` : ''}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, count]) => `${count} task${count === 1 ? '' : 's'}: ${line}`);
}

/**
 * Follows a deployment to its end. Never throws for a failed rollout — the outcome says how it ended —
 * only for errors that are neither throttling nor transient (access denied, unknown cluster), or after
 * 5 transient errors in a row.
 * @returns the outcome with its timeline and the number of DescribeServices calls
 */
export async function watchRollout(ecs: ECSClient, options: WatchOptions): Promise<RolloutOutcome> {
  const { DescribeServicesCommand } = await ecsSdk();
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? realSleep;
  const base = options.intervalMs ?? defaultPollIntervalMs();
  const maxInterval = Math.max(base, options.maxIntervalMs ?? 30_000);
  const prefix = options.prefix ?? '';
  const started = now();
  const deadline = started + options.timeoutMs;
  const eventsSince = options.eventsSince ?? new Date(started - 5_000);
  const seenEvents = new Set<string>();
  const timeline: TimelineEntry[] = [];
  const note = (text: string): void => {
    timeline.push({ atMs: now() - started, text });
    options.logger.info(`${prefix}${text}`);
  };
  let interval = base;
  let describeCalls = 0;
  let throttled = 0;
  let transientInARow = 0;
  let lastProgress = '';
  let last: Deployment | undefined;

  const finish = async (state: RolloutState, reason: string, withTasks: boolean): Promise<RolloutOutcome> => {
    let stoppedTasks: StoppedTask[] = [];
    let why = reason;
    if (withTasks) {
      try {
        stoppedTasks = await stoppedTasksOf(ecs, options.cluster, options.deploymentId);
        const lines = summarizeStoppedTasks(stoppedTasks);
        if (lines.length > 0) why = `${reason}; stopped tasks: ${lines.join(' | ')}`;
      } catch (error) {
        why = `${reason}; the stopped tasks could not be read: ${describeThrown(error)}`;
      }
    }
    const outcome: RolloutOutcome = {
      state,
      reason: why,
      stoppedTasks,
      timeline,
      describeCalls,
      throttled,
      elapsedMs: now() - started,
    };
    if (last !== undefined) outcome.deployment = last;
    return outcome;
  };

  if ((options.initialDelayMs ?? 0) > 0) await wait(Math.min(options.initialDelayMs ?? 0, options.timeoutMs));
  for (;;) {
    let service: Service | undefined;
    let missing = false;
    try {
      describeCalls++;
      const response = await ecs.send(
        new DescribeServicesCommand({ cluster: options.cluster, services: [options.service] }),
      );
      service = response.services?.[0];
      missing = service === undefined || service.status === 'INACTIVE';
      transientInARow = 0;
      interval = Math.max(base, Math.floor(interval / 2));
    } catch (error) {
      if (isThrottlingError(error)) {
        throttled++;
        interval = Math.min(maxInterval, interval * 2);
        note(`throttled by ECS (${describeThrown(error)}); next look in ${(interval / 1000).toFixed(1)}s`);
      } else if (isTransientError(error) && ++transientInARow < 5) {
        note(`DescribeServices failed (${describeThrown(error)}); trying again`);
      } else throw error;
    }

    if (missing)
      return finish('GONE', `service ${options.service} no longer exists (deleted or INACTIVE)`, true);
    if (service !== undefined) {
      for (const event of newEvents(service.events ?? [], seenEvents, eventsSince))
        note(`event: ${event.message ?? ''}`);
      const deployment = service.deployments?.find((d) => d.id === options.deploymentId);
      if (deployment === undefined) {
        const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
        return finish(
          'REPLACED',
          `deployment ${options.deploymentId} is gone from the service` +
            (primary === undefined
              ? ''
              : `; the primary deployment is now ${primary.id ?? '?'} running ${shortTaskDefinition(primary.taskDefinition)}` +
                ' (the circuit breaker rolled back, or another deployment replaced this one)'),
          true,
        );
      }
      last = deployment;
      const progress = progressOf(deployment);
      if (progress !== lastProgress) {
        lastProgress = progress;
        note(progress);
      }
      if (
        deployment.rolloutState === 'COMPLETED' ||
        (deployment.rolloutState === undefined && stableWithoutRolloutState(service, deployment))
      )
        return finish('COMPLETED', deployment.rolloutStateReason ?? 'rollout completed', false);
      if (deployment.rolloutState === 'FAILED')
        return finish(
          'FAILED',
          `rollout FAILED: ${deployment.rolloutStateReason ?? 'no reason given'}`,
          true,
        );
    }

    const remaining = deadline - now();
    if (remaining <= 0)
      return finish(
        'TIMED_OUT',
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for deployment ${options.deploymentId}` +
          (lastProgress === '' ? '' : `; last state: ${lastProgress}`),
        true,
      );
    await wait(Math.min(interval, remaining));
  }
}

/** Service events not seen yet and newer than `since`, oldest first (ECS lists them newest first). */
function newEvents(events: ServiceEvent[], seen: Set<string>, since: Date): ServiceEvent[] {
  const fresh: ServiceEvent[] = [];
  for (const event of events) {
    const key = event.id ?? `${event.createdAt?.toISOString() ?? ''}${event.message ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (event.createdAt !== undefined && event.createdAt < since) continue;
    fresh.push(event);
  }
  return fresh.reverse();
}
