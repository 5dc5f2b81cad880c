/**
 * The rollback action's Kubernetes side: each Deployment back to the last revision that completed a
 * rollout (or a revision asked for), each StatefulSet or DaemonSet back to its last completed pod template,
 * waited for, and recorded as completed again — rollout.ts does the finding and restoring, as `kubectl
 * rollout undo` does. A canary deploy-bluegreen made for a Deployment (`<deployment>-canary`, paused or left
 * mid-analysis) is ended first (canary.ts endCanary: its traffic back on stable, scaled to 0, its pause
 * cleared), so that a rollback leaves no canary a later `action: promote` could revive.
 */
import { ConfigurationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiStatus } from './apply.ts';
import {
  CANARY_ANNOTATIONS,
  canaryName,
  endCanary,
  isCanaryActive,
  isGantryCanary,
  readDeployment,
  stableImagesValue,
  trafficOf,
  type CanaryTraffic,
  type EndedCanary,
} from './canary.ts';
import type { KubernetesConnection } from './connection.ts';
import { inert } from './inert.ts';
import { ANNOTATIONS } from './manifests.ts';
import {
  findRollbackTarget,
  followRollouts,
  lastCompletedTemplate,
  readWorkload,
  recordCompleted,
  refName,
  restoreTemplate,
  restoreWorkloadTemplate,
  revisionOf,
  templateImages,
  type RecordedObject,
  type RolloutWatch,
  type WorkloadRef,
} from './rollout.ts';
import type { V1Deployment } from '@kubernetes/client-node';

/**
 * What one workload was rolled back from and to: a Deployment's revision numbers (`5` → `4`); a
 * StatefulSet's or DaemonSet's generation before and after the restore (its object has no revision number).
 */
export interface RestoredWorkload {
  ref: WorkloadRef;
  from: number;
  to: number;
  images: string;
  source: string;
}

/** How a restored workload is named in outputs: `deployment/web=4`, `statefulset/db@5` (generation). */
export function restoredLabel(ref: WorkloadRef, value: number): string {
  return ref.kind === 'Deployment' ? `${refName(ref)}=${value}` : `${refName(ref)}@${value}`;
}

/**
 * Restores each workload and (when `wait`) follows the restored rollouts; a completed one is recorded as
 * last-known-good again (rollout.ts recordCompleted).
 * @param to `previous` or a Deployment revision number (StatefulSets and DaemonSets: `previous` only)
 * @param timeoutMs milliseconds for the restored rollouts, exact
 * @returns what was restored, and the watch when waited for
 * @throws ConfigurationError when a workload does not exist or has nothing to return to (nothing was
 *   changed for any workload: every target is found before the first patch)
 */
export async function rollBackDeployments(
  connection: KubernetesConnection,
  refs: WorkloadRef[],
  options: { to: string; reason: string; wait: boolean; timeoutMs: number; logger: Logger },
): Promise<{ restored: RestoredWorkload[]; watch?: RolloutWatch }> {
  const { logger } = options;
  const kube = connection.kubeConfig;
  const plans: { ref: WorkloadRef; object: RecordedObject; restore: () => Promise<RestoredWorkload> }[] = [];
  for (const ref of refs) {
    const object = await readWorkload(kube, ref).catch((error: unknown) => {
      if (apiStatus(error) === 404)
        throw new ConfigurationError(`${refName(ref)} does not exist in namespace ${ref.namespace}`);
      throw error;
    });
    if (ref.kind === 'Deployment') {
      const deployment = object as V1Deployment;
      const target = await findRollbackTarget(kube, deployment, options.to);
      plans.push({
        ref,
        object,
        restore: async () => {
          await restoreTemplate(kube, deployment, target);
          return {
            ref,
            from: revisionOf(deployment),
            to: target.revision,
            images: templateImages(target.replicaSet.spec?.template),
            source: target.source,
          };
        },
      });
    } else {
      if (options.to !== 'previous')
        throw new ConfigurationError(
          `${refName(ref)}: a ${ref.kind} is rolled back to its last completed template only (to: previous), not to revision ${options.to}`,
        );
      const template = lastCompletedTemplate(ref, object);
      plans.push({
        ref,
        object,
        restore: async () => {
          const deleted = await restoreWorkloadTemplate(kube, ref, template, object);
          if (deleted.length > 0)
            logger.info(
              `${refName(ref)}: deleted the failed revision's pods that were not ready: ${deleted.join(', ')}`,
            );
          const generation = object.metadata?.generation ?? 0;
          return {
            ref,
            from: generation,
            to: generation + 1,
            images: templateImages(template as Parameters<typeof templateImages>[0]),
            source: ANNOTATIONS.lastCompletedTemplate,
          };
        },
      });
    }
  }
  const restored: RestoredWorkload[] = [];
  for (const plan of plans) {
    const entry = await plan.restore();
    restored.push(entry);
    logger.info(
      `${restoredLabel(entry.ref, entry.from)} → ${restoredLabel(entry.ref, entry.to)} (${inert(entry.images)}; from ${entry.source})` +
        (options.reason === '' ? '' : `; reason: ${inert(options.reason)}`),
    );
  }
  if (!options.wait) return { restored };
  const watch = await followRollouts(kube, refs, options.timeoutMs, logger);
  if (watch.state === 'COMPLETED')
    await Promise.all(watch.outcomes.map((outcome) => recordCompleted(kube, outcome.ref, outcome.object)));
  return { restored, watch };
}

/** A canary of a Deployment that rollback ends, found before any change ({@link findCanaries}). */
export interface CanaryPlan {
  /** The stable Deployment. */
  ref: WorkloadRef;
  /** The canary Deployment's name (`web-canary`). */
  name: string;
  traffic: CanaryTraffic;
  /** Its state when found: `1 replica, weight 25% (paused at 25%)`. */
  state: string;
  /**
   * The stable Deployment runs the images it ran when the canary began (the canary's
   * `gantry.dev/canary-stable-images`) and `to` is `previous`: it is the version to return to and is kept
   * as it is (rolling it back would go one version too far).
   */
  keepStable: boolean;
  /** The stable Deployment's images (`web=registry/web:1`). */
  stableImages: string;
}

/**
 * Finds, for each Deployment in `refs`, a canary deploy-bluegreen made for it that still takes part
 * (canary.ts isGantryCanary and isCanaryActive), reading only. A Deployment named `<deployment>-canary`
 * that Gantry did not make is logged and never touched; a Gantry canary ended already is logged.
 * @param to the rollback's `to`: `previous` keeps a stable Deployment that still runs the images it ran when
 *   the canary began ({@link CanaryPlan.keepStable}); a revision number rolls it back as asked
 * @returns the canaries to end, in the order of `refs`
 * @throws ConfigurationError when a Deployment that has a canary does not exist, or the canary's traffic
 *   annotations are not resource names; the API's error when one cannot be read
 */
export async function findCanaries(
  connection: KubernetesConnection,
  refs: WorkloadRef[],
  options: { to: string; logger: Logger },
): Promise<CanaryPlan[]> {
  const kube = connection.kubeConfig;
  const plans: CanaryPlan[] = [];
  for (const ref of refs) {
    if (ref.kind !== 'Deployment') continue;
    const name = canaryName(ref.name);
    const canary = await readDeployment(kube, ref.namespace, name);
    if (canary === undefined) continue;
    if (!isGantryCanary(canary)) {
      options.logger.info(
        `deployment/${name} is not a canary Gantry made (no gantry.dev/track: canary label and ${CANARY_ANNOTATIONS.stableImages} annotation): left as it is`,
      );
      continue;
    }
    if (!isCanaryActive(canary)) {
      options.logger.info(
        `deployment/${name}: the canary was ended already (0 replicas, weight 0, not paused)`,
      );
      continue;
    }
    const stable = await readDeployment(kube, ref.namespace, ref.name);
    if (stable === undefined)
      throw new ConfigurationError(`${refName(ref)} does not exist in namespace ${ref.namespace}`);
    const annotations = canary.metadata?.annotations ?? {};
    const paused = annotations[CANARY_ANNOTATIONS.paused] ?? '';
    const replicas = canary.spec?.replicas ?? 0;
    const stableImages = templateImages(stable.spec?.template);
    plans.push({
      ref,
      name,
      traffic: trafficOf(canary),
      state:
        `${replicas} replica${replicas === 1 ? '' : 's'}, weight ${inert(annotations[CANARY_ANNOTATIONS.weight] ?? '0')}%` +
        (paused === '' ? '' : ` (paused at ${inert(paused)}%)`),
      keepStable:
        options.to === 'previous' &&
        stableImagesValue(stable.spec?.template) === (annotations[CANARY_ANNOTATIONS.stableImages] ?? ''),
      stableImages,
    });
  }
  return plans;
}

/** A canary rollback ended: its plan and what {@link endCanary} did. */
export interface EndedCanaryOf {
  plan: CanaryPlan;
  ended: EndedCanary;
}

/**
 * Ends each planned canary ({@link findCanaries}) with canary.ts endCanary, the way deploy-bluegreen ends one
 * on an anomaly or `action: abort`: the canary's weight 0 on the HTTPRoute it recorded first, then scaled to
 * 0 with its `gantry.dev/canary-paused` annotation cleared. Never throws: what could not be done is in each
 * entry's `ended.failures`.
 */
export async function endCanaries(
  connection: KubernetesConnection,
  plans: CanaryPlan[],
  logger: Logger,
): Promise<EndedCanaryOf[]> {
  const result: EndedCanaryOf[] = [];
  for (const plan of plans) {
    logger.info(
      `deployment/${plan.name} (${plan.state}; traffic by ${plan.traffic.route === undefined ? 'replica ratio' : `HTTPRoute ${plan.traffic.route.name}`}): ending it`,
    );
    const ended = await endCanary(connection.kubeConfig, plan.ref.namespace, plan.name, plan.traffic, logger);
    result.push({ plan, ended });
  }
  return result;
}
