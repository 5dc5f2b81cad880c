/**
 * One deploy flow for every platform: prepare the revision → apply it → watch the rollout → verify →
 * roll back on failure → record last-known-good. The flow owns the order, the deadline and the failure
 * handling; a {@link DeployAdapter} per platform (shared/src/ecs/adapter.ts for ECS services,
 * shared/src/kubernetes/adapter.ts for Kubernetes workloads) owns the API calls. This is the shape
 * Argo Rollouts gives its strategies (reconcilers of one rollout) and Azure/k8s-deploy its deploy entry.
 */
import { describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The platforms a deploy runs on (the `platform` input of deploy-rolling and rollback). */
export const PLATFORMS = ['ecs', 'kubernetes'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A line of a rollout timeline: `atMs` milliseconds since the watch started. */
export interface TimelineEntry {
  atMs: number;
  text: string;
}

/** How a watched rollout ended. */
export type WatchState = 'COMPLETED' | 'FAILED' | 'TIMED_OUT' | 'REPLACED';

/** What an adapter's watch reports. */
export interface WatchResult {
  state: WatchState;
  /** One line saying why it ended (for the error and the summary). */
  reason: string;
  /** One line per failing unit (stopped ECS task, failing pod), printed as errors on failure. */
  failures: string[];
  /** Milliseconds the watch took. */
  elapsedMs: number;
  timeline: TimelineEntry[];
  /**
   * The revision the rollout ran, when the platform numbers it only as it acts on the change (Kubernetes:
   * the Deployment controller's `deployment.kubernetes.io/revision`); it replaces what apply reported.
   */
  revision?: string;
}

/** The final state the flow reports as the `rollout-state` output. */
export type FlowState = WatchState | 'IN_PROGRESS' | 'DRY_RUN';

/** What the flow reports; each field is set as soon as it is known (see `onProgress`). */
export interface FlowReport {
  /** The revision running before (task-definition ARN; `deployment/web revision 4`). */
  previous: string;
  /** The revision applied ('' before apply and on a dry run). */
  revision: string;
  /** The platform's deployment handle (ECS deployment id; Kubernetes Deployment generation). */
  deploymentId: string;
  /** Undefined until the flow ends (or stops waiting). */
  state?: FlowState;
  /** Seconds from apply to the end of the rollout (or of the rollback). */
  durationSeconds: number;
  /** The watch's result, when it ran. */
  watch?: WatchResult;
  /** What happened to the rollback: "rolled back to …", "not rolled back (…)". */
  rollback?: string;
}

/**
 * A platform's part of the flow. Methods are called in this order, each at most once:
 * prepare → (dryRun | apply → watch → verify? → recordLastKnownGood | recordFailed → rollBack) → summarize.
 */
export interface DeployAdapter {
  /** Reads what runs now and renders the new revision; changes nothing. @returns the running revision */
  prepare(logger: Logger): Promise<string>;
  /** Prints what would change and writes the dry-run summary; changes nothing. */
  dryRun(logger: Logger): Promise<void>;
  /** Applies the new revision. @returns the revision and the deployment handle */
  apply(logger: Logger): Promise<{ revision: string; deploymentId: string }>;
  /** Follows the rollout until it completes, fails, or `timeoutMs` (milliseconds, exact) passes. */
  watch(timeoutMs: number, logger: Logger): Promise<WatchResult>;
  /** Optional check after a completed rollout; throwing turns the deploy into FAILED (and rolls back). */
  verify?(logger: Logger): Promise<void>;
  /** Records the applied revision as completed: the target of a later `rollback to: previous`. */
  recordLastKnownGood(logger: Logger): Promise<void>;
  /** Records the applied revision as failed, so it is never chosen as a rollback target. */
  recordFailed(logger: Logger): Promise<void>;
  /**
   * Restores the revision that ran before and waits for it (up to `timeoutMs`).
   * @returns a note for the summary; throws when the restore failed
   */
  rollBack(reason: string, timeoutMs: number, logger: Logger): Promise<{ note: string; watch?: WatchResult }>;
  /** Writes the job summary for the final report. */
  summarize(report: FlowReport): Promise<void>;
  /** Names the applied revision in messages (`web:8`, `deployment/web`). */
  describe(revision: string): string;
  /** Names the target in messages (`web`, `deployment/web in staging`). */
  readonly target: string;
}

/** How the flow runs. */
export interface FlowOptions {
  /** Wait for the rollout (false: return right after apply, state IN_PROGRESS). */
  wait: boolean;
  rollbackOnFailure: boolean;
  dryRun: boolean;
  /** Milliseconds allowed for the rollout, and again for the rollback; honoured exactly. */
  timeoutMs: number;
  logger: Logger;
  /** Called each time the report gains a field, so outputs are set before an error is thrown. */
  onProgress?: (report: FlowReport) => void;
  now?: () => number;
}

/**
 * Runs the deploy flow with one adapter.
 * @returns the report of a completed (or not waited for, or dry-run) deploy
 * @throws whatever `prepare`/`apply` throw (InputError, ConfigurationError: nothing changed or nothing
 *   started); Error naming the rollout's failure and what the rollback did, after the summary is written
 */
export async function runDeployFlow(adapter: DeployAdapter, options: FlowOptions): Promise<FlowReport> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const report: FlowReport = { previous: '', revision: '', deploymentId: '', durationSeconds: 0 };
  const progress = (fields: Partial<FlowReport>): void => {
    Object.assign(report, fields);
    options.onProgress?.(report);
  };

  progress({ previous: await adapter.prepare(logger) });
  if (options.dryRun) {
    await adapter.dryRun(logger);
    progress({ state: 'DRY_RUN', durationSeconds: 0 });
    return report;
  }

  const started = now();
  const seconds = (): number => Math.round((now() - started) / 1000);
  progress(await adapter.apply(logger));
  if (!options.wait) {
    progress({ state: 'IN_PROGRESS', durationSeconds: seconds() });
    await adapter.summarize(report);
    return report;
  }

  let watch = await adapter.watch(options.timeoutMs, logger);
  if (watch.revision !== undefined && watch.revision !== '') progress({ revision: watch.revision });
  if (watch.state === 'COMPLETED' && adapter.verify !== undefined)
    watch = await verify(adapter, watch, logger);
  report.watch = watch;
  if (watch.state === 'COMPLETED') {
    await adapter.recordLastKnownGood(logger);
    progress({ state: 'COMPLETED', durationSeconds: seconds() });
    await adapter.summarize(report);
    return report;
  }

  // The rollout failed: say why, roll back, and fail the step.
  progress({ state: watch.state, durationSeconds: seconds() });
  await adapter.recordFailed(logger);
  for (const line of watch.failures.slice(0, 5)) logger.error(line);
  let rollback = 'not rolled back (rollback-on-failure: false)';
  if (options.rollbackOnFailure && report.previous !== '') {
    rollback = await rollBack(adapter, report, options);
    progress({ durationSeconds: seconds() });
  }
  progress({ rollback });
  await adapter.summarize(report);
  throw new Error(
    `Rollout of ${adapter.describe(report.revision)} to ${adapter.target} ${watch.state}: ${watch.reason}. The service was ${rollback}.`,
  );
}

async function verify(adapter: DeployAdapter, watch: WatchResult, logger: Logger): Promise<WatchResult> {
  try {
    await adapter.verify?.(logger);
    return watch;
  } catch (error) {
    return { ...watch, state: 'FAILED', reason: `verification failed: ${describeThrown(error)}` };
  }
}

async function rollBack(adapter: DeployAdapter, report: FlowReport, options: FlowOptions): Promise<string> {
  const { logger } = options;
  const state = report.watch?.state ?? 'FAILED';
  return logger.group(`Roll back to ${adapter.describe(report.previous)}`, async () => {
    try {
      const restored = await adapter.rollBack(
        `rollout of ${adapter.describe(report.revision)} ${state}`,
        options.timeoutMs,
        logger,
      );
      const elapsed = report.watch?.elapsedMs ?? 0;
      report.watch?.timeline.push(
        ...(restored.watch?.timeline ?? []).map((entry) => ({
          atMs: entry.atMs + elapsed,
          text: `rollback: ${entry.text}`,
        })),
      );
      return restored.note;
    } catch (error) {
      return `rollback to ${adapter.describe(report.previous)} failed: ${describeThrown(error)}`;
    }
  });
}
