/**
 * Rollout status of a workload, with the semantics of `kubectl rollout status` — the status viewers of
 * kubectl (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go): the same checks, in the same order,
 * and the same messages. Pure functions of the object as the API server returns it.
 */

/** The verdict on one look at a workload. */
export interface RolloutVerdict {
  /** true: the rollout is complete. */
  done: boolean;
  /** Set when the rollout failed for good (ProgressDeadlineExceeded) or cannot be followed. */
  error?: string;
  /** What kubectl would print. */
  message: string;
}

/** The fields of a workload the viewers read (apps/v1 Deployment, StatefulSet, DaemonSet). */
export interface WorkloadObject {
  kind?: string;
  metadata?: { name?: string; generation?: number };
  spec?: {
    replicas?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

/**
 * A Deployment's rollout status (kubectl's DeploymentStatusViewer).
 * @returns done when the controller observed the latest generation and all replicas are updated,
 *   old ones gone and updated ones available; error when the Progressing condition says
 *   ProgressDeadlineExceeded
 */
export function deploymentStatus(deployment: WorkloadObject): RolloutVerdict {
  const name = deployment.metadata?.name ?? '';
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0))
    return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = (status.conditions ?? []).find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const error = `deployment "${name}" exceeded its progress deadline`;
    return { done: false, error, message: error };
  }
  const updated = status.updatedReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  const desired = deployment.spec?.replicas;
  if (desired !== undefined && updated < desired)
    return {
      done: false,
      message: `${waiting}${updated} out of ${desired} new replicas have been updated...`,
    };
  if ((status.replicas ?? 0) > updated)
    return {
      done: false,
      message: `${waiting}${(status.replicas ?? 0) - updated} old replicas are pending termination...`,
    };
  if ((status.availableReplicas ?? 0) < updated)
    return {
      done: false,
      message: `${waiting}${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
    };
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

/** A StatefulSet's rollout status (kubectl's StatefulSetStatusViewer). */
export function statefulSetStatus(set: WorkloadObject): RolloutVerdict {
  const spec = set.spec ?? {};
  const status = set.status ?? {};
  if ((spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    const error = 'rollout status is only available for RollingUpdate strategy type';
    return { done: false, error, message: error };
  }
  if (
    (status.observedGeneration ?? 0) === 0 ||
    (set.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)
  )
    return { done: false, message: 'Waiting for statefulset spec update to be observed...' };
  if (spec.replicas !== undefined && (status.readyReplicas ?? 0) < spec.replicas)
    return {
      done: false,
      message: `Waiting for ${spec.replicas - (status.readyReplicas ?? 0)} pods to be ready...`,
    };
  const partition = spec.updateStrategy?.rollingUpdate?.partition;
  if (partition !== undefined && spec.replicas !== undefined && partition > 0) {
    const updated = status.updatedReplicas ?? 0;
    if (updated < spec.replicas - partition)
      return {
        done: false,
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${spec.replicas - partition} new pods have been updated...`,
      };
    return { done: true, message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (status.updateRevision !== status.currentRevision)
    return {
      done: false,
      message: `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision ?? ''}...`,
    };
  return {
    done: true,
    message: `statefulset rolling update complete ${status.currentRevision === undefined ? 0 : (status.replicas ?? 0)} pods at revision ${status.currentRevision ?? ''}...`,
  };
}

/** A DaemonSet's rollout status (kubectl's DaemonSetStatusViewer). */
export function daemonSetStatus(set: WorkloadObject): RolloutVerdict {
  const name = set.metadata?.name ?? '';
  const status = set.status ?? {};
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    const error = 'rollout status is only available for RollingUpdate strategy type';
    return { done: false, error, message: error };
  }
  if ((set.metadata?.generation ?? 0) > (status.observedGeneration ?? 0))
    return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
  const desired = status.desiredNumberScheduled ?? 0;
  const waiting = `Waiting for daemon set "${name}" rollout to finish: `;
  if ((status.updatedNumberScheduled ?? 0) < desired)
    return {
      done: false,
      message: `${waiting}${status.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`,
    };
  if ((status.numberAvailable ?? 0) < desired)
    return {
      done: false,
      message: `${waiting}${status.numberAvailable ?? 0} of ${desired} updated pods are available...`,
    };
  return { done: true, message: `daemon set "${name}" successfully rolled out` };
}

/** The kinds that have a rollout status. */
export const ROLLOUT_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type RolloutKind = (typeof ROLLOUT_KINDS)[number];

/**
 * The rollout status of a workload of one of {@link ROLLOUT_KINDS}.
 * @throws Error for another kind
 */
export function rolloutStatus(kind: RolloutKind, object: WorkloadObject): RolloutVerdict {
  if (kind === 'Deployment') return deploymentStatus(object);
  if (kind === 'StatefulSet') return statefulSetStatus(object);
  return daemonSetStatus(object);
}
