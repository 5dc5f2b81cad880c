/**
 * The rollback action's Kubernetes side: each Deployment back to the last revision that completed a
 * rollout (or a revision asked for), each StatefulSet or DaemonSet back to its last completed pod template,
 * waited for, and recorded as completed again — rollout.ts does the finding and restoring, as `kubectl
 * rollout undo` does.
 */
import { ConfigurationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiStatus } from './apply.ts';
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
