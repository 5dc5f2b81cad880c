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
 * - Last-known-good, recorded when a rollout completes in ONE request (a merge patch of the workload's
 *   annotations, built from the object the watch last saw): a Deployment gets
 *   `gantry.dev/last-completed-revision=<revision>` and `gantry.dev/completed-replicasets` (the completed
 *   ReplicaSets by name, oldest first; the new one named by the Progressing condition); a StatefulSet or
 *   DaemonSet gets `gantry.dev/last-completed-template` (its pod template as JSON). A failed Deployment
 *   revision's ReplicaSet is annotated `gantry.dev/rollout=FAILED`. "Previous" is the newest completed
 *   ReplicaSet other than the running one. Rolling back copies the pod template of the last completed
 *   ReplicaSet (or the recorded template) back into the workload, as `kubectl rollout undo` does (a JSON
 *   patch of /spec/template, without the pod-template-hash label).
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
      resolve(outcome);
      // Closing the watch takes a few milliseconds: after what follows the outcome has started.
      setImmediate(() => controller?.abort());
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

/** The typed client's patch call for a workload or ReplicaSet, with a content type (JSON patch or merge patch). */
async function patchObject(
  kubeConfig: KubeConfig,
  kind: RolloutKind | 'ReplicaSet',
  name: string,
  namespace: string,
  body: unknown,
  contentType: 'application/json-patch+json' | 'application/merge-patch+json',
): Promise<void> {
  const { AppsV1Api, setHeaderOptions } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const options = setHeaderOptions('Content-Type', contentType);
  const request = { name, namespace, body: body as object };
  if (kind === 'Deployment') await apps.patchNamespacedDeployment(request, options);
  else if (kind === 'StatefulSet') await apps.patchNamespacedStatefulSet(request, options);
  else if (kind === 'DaemonSet') await apps.patchNamespacedDaemonSet(request, options);
  else await apps.patchNamespacedReplicaSet(request, options);
}

/**
 * The name of a Deployment's new ReplicaSet as its controller reports it in the Progressing condition
 * (`ReplicaSet "web-5d8f7c" has successfully progressed.` — deploymentutil's NewRSAvailableReason message,
 * k8s.io/kubernetes/pkg/controller/deployment/util), so a completed rollout names its ReplicaSet without
 * listing ReplicaSets. undefined when the condition does not say (no progress deadline, another reason).
 */
export function newReplicaSetName(deployment: WorkloadObject): string | undefined {
  const progressing = (deployment.status?.conditions ?? []).find((c) => c.type === 'Progressing');
  if (progressing?.reason !== 'NewReplicaSetAvailable') return undefined;
  return /^ReplicaSet "([^"]+)" has successfully progressed\.$/.exec(progressing.message ?? '')?.[1];
}

/** A workload object as the API returns it, with what recording reads. */
export type RecordedObject = WorkloadObject & {
  metadata?: { annotations?: Record<string, string> };
  spec?: { template?: unknown };
};

/**
 * The annotations that record a completed rollout of `object` (pure):
 * - Deployment: `gantry.dev/last-completed-revision` = its `deployment.kubernetes.io/revision`, and
 *   `gantry.dev/completed-replicasets` with its new ReplicaSet (`replicaSet`) appended (at most 10, oldest
 *   first, by name: names stay when the controller renumbers a revision);
 * - StatefulSet, DaemonSet: `gantry.dev/last-completed-template` = the pod template (spec.template) as JSON.
 * Both: `gantry.dev/rollout-completed-at` (ISO 8601).
 * @returns undefined when there is nothing to record (a Deployment without a revision or ReplicaSet name)
 */
export function completedAnnotations(
  kind: RolloutKind,
  object: RecordedObject,
  replicaSet: string | undefined,
  now: Date = new Date(),
): Record<string, string> | undefined {
  const stamp = { [ANNOTATIONS.completedAt]: now.toISOString() };
  if (kind !== 'Deployment') {
    if (object.spec?.template === undefined) return undefined;
    return { [ANNOTATIONS.lastCompletedTemplate]: JSON.stringify(object.spec.template), ...stamp };
  }
  const revision = revisionOf(object);
  if (revision === 0 || replicaSet === undefined) return undefined;
  const history = completedReplicaSets(object).filter((name) => name !== replicaSet);
  history.push(replicaSet);
  return {
    [ANNOTATIONS.lastCompletedRevision]: String(revision),
    [ANNOTATIONS.completedReplicaSets]: history.slice(-10).join(','),
    ...stamp,
  };
}

/**
 * Records a workload's completed rollout as last-known-good, in ONE request: a JSON merge patch
 * (RFC 7386) of the workload's annotations ({@link completedAnnotations}), built from `object` — the
 * workload as the watch last saw it (its revision, template and Progressing condition). A Deployment whose
 * condition does not name its ReplicaSet costs one more request (the ReplicaSets listed).
 * @param object the workload as last seen (default: read now, one more request)
 * @returns the Deployment's revision recorded (0 for a StatefulSet or DaemonSet, or when nothing was recorded)
 * @throws the API error of the patch (or read)
 */
export async function recordCompleted(
  kubeConfig: KubeConfig,
  ref: WorkloadRef,
  object?: RecordedObject,
): Promise<number> {
  const latest = object ?? (await readWorkload(kubeConfig, ref));
  let replicaSet: string | undefined;
  if (ref.kind === 'Deployment') {
    replicaSet = newReplicaSetName(latest);
    if (replicaSet === undefined) {
      const revision = revisionOf(latest);
      replicaSet = (await replicaSetsOf(kubeConfig, latest as V1Deployment)).find(
        (rs) => revisionOf(rs) === revision,
      )?.metadata?.name;
    }
  }
  const annotations = completedAnnotations(ref.kind, latest, replicaSet);
  if (annotations === undefined) return 0;
  await patchObject(
    kubeConfig,
    ref.kind,
    ref.name,
    ref.namespace,
    { metadata: { annotations } },
    'application/merge-patch+json',
  );
  return ref.kind === 'Deployment' ? revisionOf(latest) : 0;
}

/**
 * True when the running revision of `object` is already recorded as completed: a Deployment's new
 * ReplicaSet is in its completed-replicasets (or, unnamed, its revision is the last completed one); a
 * StatefulSet's or DaemonSet's template equals its last-completed-template.
 */
export function isRecorded(kind: RolloutKind, object: RecordedObject): boolean {
  const annotations = object.metadata?.annotations ?? {};
  if (kind !== 'Deployment')
    return (
      annotations[ANNOTATIONS.lastCompletedTemplate] !== undefined &&
      sameJson(parseJson(annotations[ANNOTATIONS.lastCompletedTemplate]), object.spec?.template)
    );
  const name = newReplicaSetName(object);
  if (name !== undefined) return completedReplicaSets(object).includes(name);
  return annotations[ANNOTATIONS.lastCompletedRevision] === String(revisionOf(object));
}

/** Reads a workload (typed client). @throws the API error (404 when it does not exist) */
export async function readWorkload(kubeConfig: KubeConfig, ref: WorkloadRef): Promise<RecordedObject> {
  const { AppsV1Api } = await k8sSdk();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const request = { name: ref.name, namespace: ref.namespace };
  if (ref.kind === 'Deployment') return (await apps.readNamespacedDeployment(request)) as RecordedObject;
  if (ref.kind === 'StatefulSet') return (await apps.readNamespacedStatefulSet(request)) as RecordedObject;
  return (await apps.readNamespacedDaemonSet(request)) as RecordedObject;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** Deep equality of two JSON values, key order ignored (typed client objects compared by their JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined && v !== null)
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([k, v]) => [k, canonical(v)]),
      );
    return value;
  };
  return (
    JSON.stringify(canonical(JSON.parse(JSON.stringify(a ?? null)))) ===
    JSON.stringify(canonical(JSON.parse(JSON.stringify(b ?? null))))
  );
}

/**
 * Records a Deployment's current revision as FAILED on its ReplicaSet (`gantry.dev/rollout=FAILED`, one
 * merge patch after reading the Deployment and its ReplicaSets), so the record says which revision failed.
 * StatefulSets and DaemonSets keep no failure record (their last-completed-template is left as it is).
 * @returns the Deployment's revision (0 when none, or not a Deployment)
 */
export async function recordFailed(kubeConfig: KubeConfig, ref: WorkloadRef): Promise<number> {
  if (ref.kind !== 'Deployment') return 0;
  const deployment = (await readWorkload(kubeConfig, ref)) as V1Deployment;
  const revision = revisionOf(deployment);
  const set = (await replicaSetsOf(kubeConfig, deployment)).find((rs) => revisionOf(rs) === revision);
  if (set?.metadata?.name !== undefined)
    await patchObject(
      kubeConfig,
      'ReplicaSet',
      set.metadata.name,
      ref.namespace,
      { metadata: { annotations: { [ANNOTATIONS.rollout]: 'FAILED' } } },
      'application/merge-patch+json',
    );
  return revision;
}

/** The ReplicaSet names a Deployment's completed-replicasets annotation lists, oldest first. */
export function completedReplicaSets(deployment: {
  metadata?: { annotations?: Record<string, string> };
}): string[] {
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

/**
 * The pod template to return a StatefulSet or DaemonSet to: its `gantry.dev/last-completed-template`
 * (recorded when a rollout completed), when it differs from the running template.
 * @throws ConfigurationError when there is none, it cannot be read, or it is the running template
 */
export function lastCompletedTemplate(ref: WorkloadRef, object: RecordedObject): Record<string, unknown> {
  const text = object.metadata?.annotations?.[ANNOTATIONS.lastCompletedTemplate];
  const template = parseJson(text);
  if (template === null || typeof template !== 'object' || Array.isArray(template))
    throw new ConfigurationError(
      `Nothing to roll back to for ${refName(ref)}: ${text === undefined ? `no ${ANNOTATIONS.lastCompletedTemplate} annotation` : `its ${ANNOTATIONS.lastCompletedTemplate} annotation is not a pod template`} (Gantry records the template when a rollout completes)`,
    );
  if (sameJson(template, object.spec?.template))
    throw new ConfigurationError(
      `Nothing to roll back to for ${refName(ref)}: the last completed template is the running one`,
    );
  return template as Record<string, unknown>;
}

/**
 * Puts a pod template back into a StatefulSet or DaemonSet (a JSON patch replacing /spec/template, RFC
 * 6902), as `kubectl rollout undo` does with a ControllerRevision's template. For a StatefulSet it then
 * deletes its pods of the failed revision (`controller-revision-hash` = the `status.updateRevision` it had)
 * that are not Ready: under OrderedReady the controller waits for such a pod forever, even once the
 * template is reverted — the "forced rollback" step of
 * https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#forced-rollback.
 * @param before the workload as read before the restore
 * @returns the names of the pods deleted
 * @throws the API error of the patch (a failed pod delete is left to the watch that follows)
 */
export async function restoreWorkloadTemplate(
  kubeConfig: KubeConfig,
  ref: WorkloadRef,
  template: Record<string, unknown>,
  before: RecordedObject,
): Promise<string[]> {
  await patchObject(
    kubeConfig,
    ref.kind,
    ref.name,
    ref.namespace,
    [{ op: 'replace', path: '/spec/template', value: template }],
    'application/json-patch+json',
  );
  const failed = before.status?.updateRevision;
  if (ref.kind !== 'StatefulSet' || failed === undefined || failed === before.status?.currentRevision)
    return [];
  const { CoreV1Api } = await k8sSdk();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const selector = labelSelector(
    (before.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
      ?.matchLabels,
  );
  const pods = await core.listNamespacedPod({
    namespace: ref.namespace,
    labelSelector: `${selector}${selector === '' ? '' : ','}controller-revision-hash=${failed}`,
  });
  const broken = pods.items.filter(
    (pod) => !(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const deleted: string[] = [];
  for (const pod of broken) {
    const name = pod.metadata?.name ?? '';
    await core
      .deleteNamespacedPod({ name, namespace: ref.namespace })
      .then(() => deleted.push(name))
      .catch(() => undefined);
  }
  return deleted;
}

/** The image of each container of a pod template: `name=image`, comma separated. */
export function templateImages(
  template: { spec?: { containers?: { name?: string; image?: string }[] } } | undefined,
): string {
  return (template?.spec?.containers ?? []).map((c) => `${c.name ?? '?'}=${c.image ?? '?'}`).join(', ');
}
