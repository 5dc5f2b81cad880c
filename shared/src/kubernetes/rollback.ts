/**
 * The rollback action's Kubernetes side: each Deployment back to the last revision that completed a
 * rollout (or a revision asked for), waited for, and recorded as completed again — rollout.ts does the
 * finding and restoring, as `kubectl rollout undo` does.
 */
import { ConfigurationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { KubernetesConnection } from './connection.ts';
import { k8sSdk } from './connection.ts';
import { inert } from './inert.ts';
import {
  findRollbackTarget,
  followRollouts,
  recordRollout,
  refName,
  restoreTemplate,
  revisionOf,
  templateImages,
  type RolloutWatch,
  type WorkloadRef,
} from './rollout.ts';

/** What one Deployment was rolled back from and to. */
export interface RestoredDeployment {
  ref: WorkloadRef;
  from: number;
  to: number;
  images: string;
  source: string;
}

/**
 * Restores each Deployment and (when `wait`) follows the restored rollouts.
 * @param to `previous` or a revision number
 * @param timeoutMs milliseconds for the restored rollouts, exact
 * @returns what was restored, and the watch when waited for
 * @throws ConfigurationError when a Deployment does not exist or has nothing to return to (nothing was
 *   changed for any Deployment: every target is found before the first patch)
 */
export async function rollBackDeployments(
  connection: KubernetesConnection,
  refs: WorkloadRef[],
  options: { to: string; reason: string; wait: boolean; timeoutMs: number; logger: Logger },
): Promise<{ restored: RestoredDeployment[]; watch?: RolloutWatch }> {
  const { AppsV1Api } = await k8sSdk();
  const apps = connection.kubeConfig.makeApiClient(AppsV1Api);
  const { logger } = options;
  const plans = [];
  for (const ref of refs) {
    const deployment = await apps
      .readNamespacedDeployment({ name: ref.name, namespace: ref.namespace })
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 404) {
          throw new ConfigurationError(`${refName(ref)} does not exist in namespace ${ref.namespace}`);
        }
        throw error;
      });
    plans.push({
      ref,
      deployment,
      target: await findRollbackTarget(connection.kubeConfig, deployment, options.to),
    });
  }
  const restored: RestoredDeployment[] = [];
  for (const { ref, deployment, target } of plans) {
    await restoreTemplate(connection.kubeConfig, deployment, target);
    const entry = {
      ref,
      from: revisionOf(deployment),
      to: target.revision,
      images: templateImages(target.replicaSet.spec?.template),
      source: target.source,
    };
    restored.push(entry);
    logger.info(
      `${refName(ref)}: revision ${entry.from} → revision ${entry.to} (${inert(entry.images)}; from ${entry.source})` +
        (options.reason === '' ? '' : `; reason: ${inert(options.reason)}`),
    );
  }
  if (!options.wait) return { restored };
  const watch = await followRollouts(connection.kubeConfig, refs, options.timeoutMs, logger);
  if (watch.state === 'COMPLETED')
    for (const ref of refs) await recordRollout(connection.kubeConfig, ref, 'COMPLETED');
  return { restored, watch };
}
