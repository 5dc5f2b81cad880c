/**
 * Following workload rollouts on Kubernetes with watches (no polling), explaining failures per pod, and
 * the last-known-good record used to roll back.
 *
 * - Watch: a GET gives the object and a resourceVersion; a watch from there (`fieldSelector
 *   metadata.name=…`) delivers each change, judged by rollout-status.ts (`kubectl rollout status`
 *   semantics). A watch the server closes is re-opened from the last resourceVersion. The deadline is
 *   one timer, honoured exactly: the watch is aborted and the result is TIMED_OUT.
 * - Why: the pods of the new ReplicaSet (Deployment) or of the selector (StatefulSet, DaemonSet) that are
 *   not ready, with their waiting reason (ImagePullBackOff, ErrImagePull, CrashLoopBackOff,
 *   CreateContainerConfigError…), the last log lines of crashed containers, and the pods' Warning events
 *   (failing readiness probes are `Unhealthy` events).
 * - Last-known-good: on success the Deployment's ReplicaSet is annotated `gantry.dev/rollout=COMPLETED`
 *   and the Deployment `gantry.dev/last-completed-revision=<revision>` and `gantry.dev/completed-replicasets`
 *   (the completed ReplicaSets by name, oldest first); a failed one `FAILED`. "Previous" is the newest
 *   completed ReplicaSet other than the running one. Rolling back
 *   copies the pod template of the last completed ReplicaSet back into the Deployment, as `kubectl
 *   rollout undo` does (a JSON patch of /spec/template, without the pod-template-hash label).
 */
import type { KubeConfig, V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { ConfigurationError, describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { TimelineEntry } from '../deploy/flow.ts';
import { apiMessage, apiStatus } from './apply.ts';
import { k8sSdk } from './connection.ts';
import { inert, inertLogLines } from './inert.ts';
import { ANNOTATIONS } from './manifests.ts';
import {
  rolloutStatus,
  type RolloutKind,
  type RolloutVerdict,
  type WorkloadObject,
} from './rollout-status.ts';

/** The revision annotation the Deployment controller writes on Deployments and ReplicaSets. */
export const REVISION = 'deployment.kubernetes.io/revision';

/** One workload to follow. */
export interface WorkloadRef {
  kind: RolloutKind;
  name: string;
  namespace: string;
}

/** How following one workload ended. */
export interface WorkloadOutcome {
  ref: WorkloadRef;
  state: 'COMPLETED' | 'FAILED' | 'TIMED_OUT';
  /** The last status message (kubectl's words), or the failure. */
  message: string;
  /** The object as last seen. */
  object?: WorkloadObject;
}

const PLURAL: Record<RolloutKind, string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

/** `deployment/web` (kubectl's resource/name form). */
export function refName(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

/**
 * Follows one workload until its rollout is complete, fails (ProgressDeadlineExceeded), or `deadline`
 * (epoch milliseconds) passes.
 * @param onStatus called with each new status message
 * @returns the outcome; never throws for the workload's state (API errors after the first read are
 *   retried by re-opening the watch until the deadline)
 * @throws ConfigurationError when the workload does not exist
 */
export async function followWorkload(
  kubeConfig: KubeConfig,
  ref: WorkloadRef,
  deadline: number,
  onStatus: (message: string) => void,
  signal?: AbortSignal,
): Promise<WorkloadOutcome> {
  const { Watch, KubernetesObjectApi } = await k8sSdk();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  let latest: WorkloadObject & { metadata?: { resourceVersion?: string } };
  try {
    latest = (await objects.read({
      apiVersion: 'apps/v1',
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    })) as typeof latest;
  } catch (error) {
    if (apiStatus(error) === 404)
      throw new ConfigurationError(`${refName(ref)} does not exist in namespace ${ref.namespace}`);
    throw error;
  }
  let lastMessage = '';
  const judge = (object: WorkloadObject): RolloutVerdict => {
    const verdict = rolloutStatus(ref.kind, object);
    if (verdict.message !== lastMessage) {
      lastMessage = verdict.message;
      onStatus(verdict.message);
    }
    return verdict;
  };
  const first = judge(latest);
  if (first.done) return { ref, state: 'COMPLETED', message: first.message, object: latest };
  if (first.error !== undefined) return { ref, state: 'FAILED', message: first.error, object: latest };

  const watch = new Watch(kubeConfig);
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(ref.namespace)}/${PLURAL[ref.kind]}`;
  return new Promise<WorkloadOutcome>((resolve) => {
    let controller: AbortController | undefined;
    let finished = false;
    const finish = (outcome: WorkloadOutcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ref, state: 'TIMED_OUT', message: lastMessage, object: latest }),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = (): void => finish({ ref, state: 'TIMED_OUT', message: lastMessage, object: latest });
    signal?.addEventListener('abort', onAbort);
    const open = (): void => {
      if (finished) return;
      watch
        .watch(
          path,
          {
            fieldSelector: `metadata.name=${ref.name}`,
            resourceVersion: latest.metadata?.resourceVersion,
            allowWatchBookmarks: true,
          },
          (phase: string, object: WorkloadObject & { metadata?: { resourceVersion?: string } }) => {
            if (finished) return;
            if (phase === 'BOOKMARK') {
              latest = { ...latest, metadata: { ...latest.metadata, ...object.metadata } };
              return;
            }
            if (phase === 'DELETED') {
              finish({
                ref,
                state: 'FAILED',
                message: `${refName(ref)} was deleted during the rollout`,
                object,
              });
              return;
            }
            if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
            latest = object;
            const verdict = judge(object);
            if (verdict.done) finish({ ref, state: 'COMPLETED', message: verdict.message, object });
            else if (verdict.error !== undefined)
              finish({ ref, state: 'FAILED', message: verdict.error, object });
          },
          (error: unknown) => {
            // The server closed the watch (timeout, restart) or it failed (410 Gone): re-read and re-open.
            if (finished) return;
            const gone = apiStatus(error) === 410 || /410|Gone|too old/i.test(describeThrown(error ?? ''));
            setTimeout(() => void reopen(gone), Math.min(500, Math.max(0, deadline - Date.now())));
          },
        )
        .then((abort) => {
          controller = abort;
          if (finished) abort.abort();
        })
        .catch(() => setTimeout(() => void reopen(true), Math.min(1000, Math.max(0, deadline - Date.now()))));
    };
    const reopen = async (reread: boolean): Promise<void> => {
      if (finished) return;
      if (reread) {
        try {
          latest = (await objects.read({
            apiVersion: 'apps/v1',
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          })) as typeof latest;
          const verdict = judge(latest);
          if (verdict.done)
            return finish({ ref, state: 'COMPLETED', message: verdict.message, object: latest });
          if (verdict.error !== undefined)
            return finish({ ref, state: 'FAILED', message: verdict.error, object: latest });
        } catch {
          // keep the last resourceVersion; the next attempt re-reads again
        }
      }
      open();
    };
    open();
  });
}

/** What follows several workloads reports. */
export interface RolloutWatch {
  state: 'COMPLETED' | 'FAILED' | 'TIMED_OUT';
  reason: string;
  outcomes: WorkloadOutcome[];
  timeline: TimelineEntry[];
  elapsedMs: number;
}

/**
 * Follows every workload at once until all completed, one failed (the others are then stopped) or the
 * deadline passed.
 * @param timeoutMs milliseconds from the call, exact
 * @param prefix line prefix (`rollback: `)
 */
export async function followRollouts(
  kubeConfig: KubeConfig,
  refs: WorkloadRef[],
  timeoutMs: number,
  logger: Logger,
  prefix = '',
): Promise<RolloutWatch> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const timeline: TimelineEntry[] = [];
  const stop = new AbortController();
  const outcomes = await Promise.all(
    refs.map(async (ref) => {
      const outcome = await followWorkload(
        kubeConfig,
        ref,
        deadline,
        (message) => {
          const text = `${prefix}${refName(ref)}: ${inert(message)}`;
          timeline.push({ atMs: Date.now() - started, text });
          logger.info(text);
        },
        stop.signal,
      );
      if (outcome.state === 'FAILED') stop.abort();
      return outcome;
    }),
  );
  const failed = outcomes.find((outcome) => outcome.state === 'FAILED');
  const late = outcomes.filter((outcome) => outcome.state === 'TIMED_OUT');
  const elapsedMs = Date.now() - started;
  if (failed !== undefined)
    return {
      state: 'FAILED',
      reason: `${refName(failed.ref)}: ${inert(failed.message)}`,
      outcomes,
      timeline,
      elapsedMs,
    };
  if (late.length > 0)
    return {
      state: 'TIMED_OUT',
      reason: `not complete after ${Math.round(timeoutMs / 1000)} s: ${late.map((o) => `${refName(o.ref)} (${inert(o.message)})`).join('; ')}`,
      outcomes,
      timeline,
      elapsedMs,
    };
  return { state: 'COMPLETED', reason: 'every rollout complete', outcomes, timeline, elapsedMs };
}

function labelSelector(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * The ReplicaSets a Deployment owns, newest revision first.
 */
export async function replicaSetsOf(
  kubeConfig: KubeConfig,
  deployment: V1Deployment,
): Promise<V1ReplicaSet[]> {
  const { AppsV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const list = await apps.listNamespacedReplicaSet({
    namespace: deployment.metadata?.namespace ?? 'default',
    labelSelector: labelSelector(deployment.spec?.selector.matchLabels),
  });
  const uid = deployment.metadata?.uid;
  return list.items
    .filter(
      (set) => uid === undefined || (set.metadata?.ownerReferences ?? []).some((owner) => owner.uid === uid),
    )
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** The `deployment.kubernetes.io/revision` of a Deployment or ReplicaSet (0 when none). */
export function revisionOf(object: { metadata?: { annotations?: Record<string, string> } }): number {
  const value = Number(object.metadata?.annotations?.[REVISION] ?? '0');
  return Number.isInteger(value) ? value : 0;
}

/** The pods of a workload that are not ready: the new ReplicaSet's for a Deployment. */
async function unreadyPods(kubeConfig: KubeConfig, ref: WorkloadRef): Promise<V1Pod[]> {
  const { AppsV1Api, CoreV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let selector: string;
  if (ref.kind === 'Deployment') {
    const deployment = await apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace });
    const newest = (await replicaSetsOf(kubeConfig, deployment))[0];
    selector = labelSelector(newest?.spec?.selector.matchLabels ?? deployment.spec?.selector.matchLabels);
    const hash = newest?.metadata?.labels?.['pod-template-hash'];
    if (hash !== undefined && !selector.includes('pod-template-hash'))
      selector += `,pod-template-hash=${hash}`;
  } else {
    const set =
      ref.kind === 'StatefulSet'
        ? await apps.readNamespacedStatefulSet({ name: ref.name, namespace: ref.namespace })
        : await apps.readNamespacedDaemonSet({ name: ref.name, namespace: ref.namespace });
    selector = labelSelector(set.spec?.selector.matchLabels);
  }
  const pods = await core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selector });
  return pods.items.filter(
    (pod) => !(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

/**
 * Says why a workload's pods are not ready, one line per pod (at most `maxPods`), with the last log lines
 * of crashed containers and the pods' Warning events. Errors while asking become a line, never a throw.
 */
export async function explainPods(
  kubeConfig: KubeConfig,
  ref: WorkloadRef,
  maxPods = 3,
  logLines = 10,
): Promise<string[]> {
  try {
    const { CoreV1Api } = await k8sSdk();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const pods = (await unreadyPods(kubeConfig, ref)).slice(0, maxPods);
    const lines: string[] = [];
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '?';
      const reasons: string[] = [];
      for (const status of pod.status?.containerStatuses ?? []) {
        const waiting = status.state?.waiting;
        const terminated = status.state?.terminated ?? status.lastState?.terminated;
        if (waiting?.reason !== undefined)
          reasons.push(`${status.name}: ${waiting.reason}${waiting.message ? ` — ${waiting.message}` : ''}`);
        else if (status.state?.running !== undefined && status.ready !== true)
          reasons.push(`${status.name}: running, not ready`);
        if (terminated !== undefined)
          reasons.push(
            `${status.name} last exited ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`,
          );
        if (waiting?.reason === 'CrashLoopBackOff' || terminated !== undefined) {
          const log = await core
            .readNamespacedPodLog({
              name,
              namespace: ref.namespace,
              container: status.name,
              previous: terminated !== undefined && status.state?.terminated === undefined,
              tailLines: logLines,
              limitBytes: 16_384,
            })
            .catch(() => '');
          const tail = inertLogLines(String(log), logLines);
          if (tail.length > 0) reasons.push(`last log lines of ${status.name}:\n    ${tail.join('\n    ')}`);
        }
      }
      if (reasons.length === 0 && pod.status?.phase === 'Pending')
        reasons.push(`Pending${pod.status.reason ? ` (${pod.status.reason})` : ''}`);
      const events = await core
        .listNamespacedEvent({
          namespace: ref.namespace,
          fieldSelector: `involvedObject.name=${name},type=Warning`,
        })
        .then((list) => list.items.slice(-3).map((event) => `${event.reason ?? ''}: ${event.message ?? ''}`))
        .catch(() => [] as string[]);
      for (const event of events) reasons.push(`event ${event}`);
      lines.push(
        `Pod ${inert(name)} (${refName(ref)}) not ready: ${
          reasons
            .map((r) =>
              r
                .split('\n')
                .map((part, i) => (i === 0 ? inert(part) : part))
                .join('\n'),
            )
            .join('; ') || 'no reason reported'
        }`,
      );
    }
    if (lines.length === 0)
      lines.push(`${refName(ref)}: no pod of the new revision is failing (it may not have been created)`);
    return lines;
  } catch (error) {
    return [`${refName(ref)}: could not read its pods: ${apiMessage(error)}`];
  }
}

/** A JSON-patch path segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

async function annotateObject(
  kubeConfig: KubeConfig,
  kind: 'Deployment' | 'ReplicaSet',
  name: string,
  namespace: string,
  existing: Record<string, string> | undefined,
  values: Record<string, string>,
): Promise<void> {
  const { AppsV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const body: { op: string; path: string; value: unknown }[] =
    existing === undefined ? [{ op: 'add', path: '/metadata/annotations', value: {} }] : [];
  for (const [key, value] of Object.entries(values))
    body.push({ op: 'add', path: `/metadata/annotations/${pointer(key)}`, value });
  if (kind === 'Deployment') await apps.patchNamespacedDeployment({ name, namespace, body });
  else await apps.patchNamespacedReplicaSet({ name, namespace, body });
}

/**
 * Records a Deployment's current revision as completed (its ReplicaSet annotated COMPLETED, the
 * Deployment's last-completed-revision set), or as FAILED (the ReplicaSet only).
 * @returns the revision recorded (0 when the Deployment has none yet)
 */
export async function recordRollout(
  kubeConfig: KubeConfig,
  ref: WorkloadRef,
  result: 'COMPLETED' | 'FAILED',
): Promise<number> {
  const { AppsV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace });
  const revision = revisionOf(deployment);
  const set = (await replicaSetsOf(kubeConfig, deployment)).find((rs) => revisionOf(rs) === revision);
  const stamp: Record<string, string> =
    result === 'COMPLETED' ? { [ANNOTATIONS.completedAt]: new Date().toISOString() } : {};
  if (set?.metadata?.name !== undefined)
    await annotateObject(
      kubeConfig,
      'ReplicaSet',
      set.metadata.name,
      ref.namespace,
      set.metadata.annotations,
      {
        [ANNOTATIONS.rollout]: result,
        ...stamp,
      },
    );
  if (result === 'COMPLETED' && revision > 0) {
    const name = set?.metadata?.name;
    const history = completedReplicaSets(deployment).filter((entry) => entry !== name);
    if (name !== undefined) history.push(name);
    await annotateObject(
      kubeConfig,
      'Deployment',
      ref.name,
      ref.namespace,
      deployment.metadata?.annotations,
      {
        [ANNOTATIONS.lastCompletedRevision]: String(revision),
        [ANNOTATIONS.completedReplicaSets]: history.slice(-10).join(','),
      },
    );
  }
  return revision;
}

/** The ReplicaSet names a Deployment's completed-replicasets annotation lists, oldest first. */
export function completedReplicaSets(deployment: V1Deployment): string[] {
  return (deployment.metadata?.annotations?.[ANNOTATIONS.completedReplicaSets] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** The revision to restore and where the answer came from. */
export interface RollbackTarget {
  replicaSet: V1ReplicaSet;
  revision: number;
  source: string;
}

/**
 * The ReplicaSet to return a Deployment to: `to` = `previous` — the newest ReplicaSet other than the
 * current revision that Gantry recorded as COMPLETED (or the Deployment's last-completed-revision) —, or
 * an explicit revision number.
 * @throws ConfigurationError when there is nothing to return to (saying what was checked)
 */
export async function findRollbackTarget(
  kubeConfig: KubeConfig,
  deployment: V1Deployment,
  to: string,
): Promise<RollbackTarget> {
  const current = revisionOf(deployment);
  const sets = await replicaSetsOf(kubeConfig, deployment);
  const name = `deployment/${deployment.metadata?.name ?? ''}`;
  if (to !== 'previous') {
    const wanted = Number(to);
    const set = sets.find((rs) => revisionOf(rs) === wanted);
    if (set === undefined)
      throw new ConfigurationError(
        `${name} has no revision ${to} (it has: ${sets.map(revisionOf).join(', ') || 'none'})`,
      );
    return { replicaSet: set, revision: wanted, source: 'revision asked for' };
  }
  const running = sets.find((rs) => revisionOf(rs) === current)?.metadata?.name;
  const history = completedReplicaSets(deployment).reverse();
  for (const name of history) {
    const set = name === running ? undefined : sets.find((rs) => rs.metadata?.name === name);
    if (set !== undefined)
      return { replicaSet: set, revision: revisionOf(set), source: ANNOTATIONS.completedReplicaSets };
  }
  const completed = sets.find(
    (rs) => revisionOf(rs) !== current && rs.metadata?.annotations?.[ANNOTATIONS.rollout] === 'COMPLETED',
  );
  if (completed !== undefined)
    return {
      replicaSet: completed,
      revision: revisionOf(completed),
      source: `${ANNOTATIONS.rollout}=COMPLETED`,
    };
  const recorded = Number(deployment.metadata?.annotations?.[ANNOTATIONS.lastCompletedRevision] ?? '0');
  const fromRecord = sets.find((rs) => revisionOf(rs) === recorded && recorded !== current);
  if (fromRecord !== undefined)
    return { replicaSet: fromRecord, revision: recorded, source: ANNOTATIONS.lastCompletedRevision };
  throw new ConfigurationError(
    `Nothing to roll back to for ${name}: ${ANNOTATIONS.completedReplicaSets} names no ReplicaSet other than ` +
      `the running one (revision ${current}), none is annotated ${ANNOTATIONS.rollout}=COMPLETED and ` +
      `${ANNOTATIONS.lastCompletedRevision} names none ` +
      '(Gantry records a revision when its rollout completes; give `to: <revision>` to pick one)',
  );
}

/**
 * Puts a ReplicaSet's pod template back into its Deployment (a JSON patch of /spec/template, without the
 * pod-template-hash label), as `kubectl rollout undo` does.
 * @returns the Deployment after the patch
 */
export async function restoreTemplate(
  kubeConfig: KubeConfig,
  deployment: V1Deployment,
  target: RollbackTarget,
): Promise<V1Deployment> {
  const { AppsV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const template = structuredClone(target.replicaSet.spec?.template ?? {});
  if (template.metadata?.labels !== undefined) delete template.metadata.labels['pod-template-hash'];
  return apps.patchNamespacedDeployment({
    name: deployment.metadata?.name ?? '',
    namespace: deployment.metadata?.namespace ?? 'default',
    body: [{ op: 'replace', path: '/spec/template', value: template }],
  });
}

/** The image of each container of a pod template: `name=image`, comma separated. */
export function templateImages(
  template: { spec?: { containers?: { name?: string; image?: string }[] } } | undefined,
): string {
  return (template?.spec?.containers ?? []).map((c) => `${c.name ?? '?'}=${c.image ?? '?'}`).join(', ');
}
