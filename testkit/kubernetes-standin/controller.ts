/**
 * The controllers of the Kubernetes API stand-in, one loop in-process:
 * - deployment controller: ReplicaSets per pod template (pod-template-hash, `deployment.kubernetes.io/revision`),
 *   RollingUpdate under maxSurge/maxUnavailable (old ReplicaSets scaled down only as new pods become
 *   available) and Recreate, status and the Available / Progressing conditions (ProgressDeadlineExceeded
 *   after progressDeadlineSeconds without progress), after kubernetes/pkg/controller/deployment (rolling.go,
 *   sync.go, progress.go);
 * - replicaset controller: creates and deletes Pods to match spec.replicas, not-ready and newest first;
 * - job controller: one pod at a time up to completions, backoffLimit and activeDeadlineSeconds, conditions
 *   Complete / Failed (+ SuccessCriteriaMet / FailureTarget as 1.31+ write them);
 * - a "kubelet" that moves each Pod through its life from its image, by a rule (PodFate, see defaultPodFate):
 *   ready, ImagePullBackOff, CrashLoopBackOff (restart counts, back-off events, log lines) or never ready
 *   (readiness probe failing); Job pods exit 0 or 1;
 * - statefulset controller: ControllerRevisions (`<set>-<hash>`, numbered, reused and renumbered when a
 *   template returns), Pods `<set>-<ordinal>` labelled `controller-revision-hash`, created in order
 *   (OrderedReady waits for each to be Ready; Parallel does not), RollingUpdate in reverse ordinal order
 *   from `partition`, one pod at a time, waiting while any pod is not Ready — so a pod of a broken template
 *   blocks the rollout until it is deleted, even after the template is reverted (the "forced rollback" of
 *   the StatefulSet docs); status replicas/ready/available/current/updated, currentRevision/updateRevision
 *   (current := update once every pod is updated and Ready), after pkg/controller/statefulset;
 * - daemonset controller: ControllerRevisions as above and one Pod on the one node, replaced when its
 *   revision is old (RollingUpdate, maxSurge 0); status desired/current/updated NumberScheduled,
 *   numberReady/Available/Unavailable, after pkg/controller/daemon (update.go).
 * Times are compressed by options (ControllerOptions) so tests stay fast.
 */
import { randomBytes } from 'node:crypto';
import { Api, randomSuffix } from './api.ts';
import { isMap } from './patch.ts';
import { findResource } from './resources.ts';
import { labelSelectorObject } from './selectors.ts';
import { ApiError, canonicalJson, clone, nowSeconds, type KubeObject } from './store.ts';

type Json = Record<string, unknown>;

/** What a pod does with a container image, by the stand-in's rule. */
export type PodFate = 'ready' | 'image-pull-error' | 'crash-loop' | 'unready';

/**
 * The default readiness-by-image rule. It looks at the image's repository name and tag (not the registry
 * host, not a digest), case-insensitively:
 * - contains `crash` or `fail` → 'crash-loop' (CrashLoopBackOff; a Job pod exits 1);
 * - contains `bad` → 'image-pull-error' (ErrImagePull, then ImagePullBackOff);
 * - contains `unready` → 'unready' (runs, readiness probe fails);
 * - anything else → 'ready' (a Job pod exits 0).
 */
export function defaultPodFate(image: string): PodFate {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const nameAndTag = withoutDigest.slice(lastSlash + 1).toLowerCase();
  if (nameAndTag.includes('crash') || nameAndTag.includes('fail')) return 'crash-loop';
  if (nameAndTag.includes('bad')) return 'image-pull-error';
  if (nameAndTag.includes('unready')) return 'unready';
  return 'ready';
}

/** Timing and the readiness rule of the controllers. */
export interface ControllerOptions {
  /** Time from a pod's creation to its container starting (or failing to pull). Default 300 ms. */
  podStartDelayMs?: number;
  /** Time between restarts of a crash-looping container. Default 1000 ms. */
  crashLoopRestartMs?: number;
  /** How long a Job pod runs before it exits. Default 300 ms. */
  jobPodRunMs?: number;
  /** Period of the controllers' resync (time-driven transitions). Default 100 ms. */
  resyncMs?: number;
  /** The readiness-by-image rule; default defaultPodFate. */
  podFate?: (image: string, pod: KubeObject) => PodFate;
}

/** One log line of a container. */
export interface LogLine {
  time: string;
  text: string;
  /** Which run of the container wrote it (0 for the first; the container's restartCount while it ran). */
  attempt: number;
}

const R = {
  pods: findResource('', 'v1', 'pods')!,
  events: findResource('', 'v1', 'events')!,
  deployments: findResource('apps', 'v1', 'deployments')!,
  replicasets: findResource('apps', 'v1', 'replicasets')!,
  statefulsets: findResource('apps', 'v1', 'statefulsets')!,
  daemonsets: findResource('apps', 'v1', 'daemonsets')!,
  jobs: findResource('batch', 'v1', 'jobs')!,
  controllerrevisions: findResource('apps', 'v1', 'controllerrevisions')!,
};

/** The node every pod runs on. */
export const NODE_NAME = 'stand-in-node';
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

function m(v: unknown): Json {
  return isMap(v) ? v : {};
}
function num(v: unknown, d = 0): number {
  return typeof v === 'number' ? v : d;
}
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Resolves an int-or-percent against a total (percent rounded up when `roundUp`, else down). */
export function intOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const x = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}

/** [maxSurge, maxUnavailable] of a Deployment, as deploymentutil.ResolveFenceposts computes them. */
export function fenceposts(spec: Json): [number, number] {
  const replicas = num(spec.replicas, 1);
  const ru = m(m(spec.strategy).rollingUpdate);
  const surge = intOrPercent(ru.maxSurge ?? '25%', replicas, true);
  let unavailable = intOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function templateWithoutHash(template: unknown): Json {
  const t = clone(m(template));
  const meta = m(t.metadata);
  if (isMap(meta.labels)) {
    const labels = { ...meta.labels };
    delete labels[HASH_LABEL];
    meta.labels = labels;
  }
  t.metadata = meta;
  return t;
}

/** The pod-template-hash of a template: FNV-32a of its canonical JSON, in the API server's safe alphabet. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const sum = fnv32a(
    canonicalJson(templateWithoutHash(template)) + (collisionCount ? String(collisionCount) : ''),
  );
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(sum)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

function sameTemplate(a: unknown, b: unknown): boolean {
  return canonicalJson(templateWithoutHash(a)) === canonicalJson(templateWithoutHash(b));
}

function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.[REVISION] ?? 0) || 0;
}

function ownedBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller);
}

function podReady(pod: KubeObject): boolean {
  const conds = (m(pod.status).conditions ?? []) as Json[];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function podAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!podReady(pod)) return false;
  if (!minReadySeconds) return true;
  const cond = ((m(pod.status).conditions ?? []) as Json[]).find((c) => c.type === 'Ready');
  const since = Date.parse(String(cond?.lastTransitionTime ?? ''));
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

function terminal(pod: KubeObject): boolean {
  const phase = m(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Drops zero and empty values, as the API's omitempty fields are absent when zero. */
function omitEmpty(status: Json, keep: string[] = []): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(status)) {
    if (keep.includes(k) || !(v === 0 || v === undefined || (Array.isArray(v) && v.length === 0))) out[k] = v;
  }
  return out;
}

interface PodClock {
  created: number;
  fates: PodFate[];
}

/** The controller loop; see the module comment. */
export class Controllers {
  private readonly api: Api;
  private readonly opts: Required<ControllerOptions>;
  private readonly clocks = new Map<string, PodClock>();
  private readonly logs = new Map<string, Map<string, LogLine[]>>();
  private readonly logListeners = new Set<(podUid: string) => void>();
  /** Event names by `involvedObject uid|reason|message`, so repeated events count up instead of piling up. */
  private readonly eventNames = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private running = false;
  private unsubscribe: (() => void) | undefined;
  /** Errors thrown inside the loop (kept for tests; the loop goes on). */
  readonly errors: unknown[] = [];

  constructor(api: Api, options: ControllerOptions = {}) {
    this.api = api;
    this.opts = {
      podStartDelayMs: options.podStartDelayMs ?? 300,
      crashLoopRestartMs: options.crashLoopRestartMs ?? 1000,
      jobPodRunMs: options.jobPodRunMs ?? 300,
      resyncMs: options.resyncMs ?? 100,
      podFate: options.podFate ?? ((image) => defaultPodFate(image)),
    };
  }

  /** Starts the loop: on every change, and every resyncMs. */
  start(): void {
    this.unsubscribe = this.api.store.subscribe((e) => {
      if (e.resource !== R.events) this.schedule();
    });
    this.timer = setInterval(() => this.schedule(), this.opts.resyncMs);
    this.timer.unref();
    this.schedule();
  }

  /** Stops the loop. */
  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.reconcileAll();
    });
  }

  /** One pass over everything (synchronous: no request interleaves with it). */
  reconcileAll(): void {
    if (this.running) return;
    this.running = true;
    try {
      const guard = (fn: () => void): void => {
        try {
          fn();
        } catch (e) {
          if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return; // deleted or changed meanwhile
          this.errors.push(e);
          if (this.errors.length <= 3) console.error('kubernetes stand-in controller:', e);
        }
      };
      for (const pod of this.api.store.list(R.pods)) guard(() => this.kubelet(pod));
      for (const job of this.api.store.list(R.jobs)) guard(() => this.reconcileJob(job));
      for (const d of this.api.store.list(R.deployments)) guard(() => this.reconcileDeployment(d));
      for (const rs of this.api.store.list(R.replicasets)) guard(() => this.reconcileReplicaSet(rs));
      for (const s of this.api.store.list(R.statefulsets)) guard(() => this.reconcileStatefulSet(s));
      for (const s of this.api.store.list(R.daemonsets)) guard(() => this.reconcileDaemonSet(s));
      const live = new Set(this.api.store.list(R.pods).map((p) => p.metadata.uid));
      for (const uid of this.clocks.keys()) if (!live.has(uid)) this.clocks.delete(uid);
    } finally {
      this.running = false;
    }
  }

  // ---------------------------------------------------------------- events and logs

  /**
   * Records a core/v1 Event about `obj` (the same reason and message again increments count), as the
   * kubelet and controllers do.
   */
  event(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${obj.metadata.uid}|${reason}|${message}`;
    const known = this.eventNames.get(key);
    const existing = known ? this.api.store.get(R.events, ns, known) : undefined;
    const now = nowSeconds();
    if (existing) {
      existing.count = num(existing.count, 1) + 1;
      existing.lastTimestamp = now;
      this.api.writeObject(R.events, existing);
      return;
    }
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        namespace: ns,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component, ...(component === 'kubelet' ? { host: NODE_NAME } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? NODE_NAME : '',
    };
    this.api.store.create(R.events, ev);
    this.eventNames.set(key, ev.metadata.name!);
  }

  private eventOnce(
    pod: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component = 'kubelet',
  ): void {
    const name = this.eventNames.get(`${pod.metadata.uid}|${reason}|${message}`);
    const seen =
      name !== undefined && this.api.store.get(R.events, pod.metadata.namespace, name) !== undefined;
    if (!seen) this.event(pod, type, reason, message, component);
  }

  /** The log lines of a pod's container ([] when none). */
  podLog(podUid: string, container: string): LogLine[] {
    return [...(this.logs.get(podUid)?.get(container) ?? [])];
  }

  /** Appends a log line to a pod's container (tests may add their own); attempt defaults to the latest run. */
  appendLog(podUid: string, container: string, text: string, time = nowSeconds(), attempt?: number): void {
    let byContainer = this.logs.get(podUid);
    if (!byContainer) {
      byContainer = new Map();
      this.logs.set(podUid, byContainer);
    }
    const lines = byContainer.get(container) ?? [];
    lines.push({ time, text, attempt: attempt ?? lines.at(-1)?.attempt ?? 0 });
    byContainer.set(container, lines);
    for (const l of [...this.logListeners]) l(podUid);
  }

  /** Calls `listener(podUid)` on every new log line; returns the function that stops it. */
  onLog(listener: (podUid: string) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  // ---------------------------------------------------------------- kubelet

  private kubelet(pod: KubeObject): void {
    if (terminal(pod)) return;
    const uid = pod.metadata.uid ?? '';
    const spec = m(pod.spec);
    const containers = (Array.isArray(spec.containers) ? spec.containers : []) as Json[];
    let clock = this.clocks.get(uid);
    if (!clock) {
      clock = {
        created: Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now(),
        fates: containers.map((c) => this.opts.podFate(String(c.image ?? ''), pod)),
      };
      // creationTimestamp has whole seconds; count from when the kubelet first saw the pod instead.
      clock.created = Math.max(clock.created, Date.now() - 50);
      this.clocks.set(uid, clock);
    }
    const now = Date.now();
    const { podStartDelayMs: delay, crashLoopRestartMs: crashMs, jobPodRunMs: runMs } = this.opts;
    const elapsed = now - clock.created;
    const runsToCompletion = spec.restartPolicy === 'Never' || spec.restartPolicy === 'OnFailure';
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const started = clock.created + delay;
    const old = m(pod.status);

    if (!spec.nodeName) {
      spec.nodeName = NODE_NAME;
      this.api.writeObject(R.pods, pod);
      this.eventOnce(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${name} to ${NODE_NAME}`,
        'default-scheduler',
      );
      return;
    }

    const statuses: Json[] = [];
    let anyWaiting = false;
    let anyPulled = false;
    let allReady = containers.length > 0;
    let allTerminated = containers.length > 0;
    let anyFailed = false;
    containers.forEach((c, i) => {
      const cname = String(c.name ?? '');
      const image = String(c.image ?? '');
      const fate = clock.fates[i] ?? 'ready';
      const base: Json = { name: cname, image, imageID: '', restartCount: 0, started: false, ready: false };
      if (elapsed < delay) {
        anyWaiting = true;
        allReady = false;
        allTerminated = false;
        statuses.push({ ...base, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} });
        return;
      }
      this.eventOnce(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      if (fate === 'image-pull-error') {
        anyWaiting = true;
        allReady = false;
        allTerminated = false;
        const backoff = elapsed >= delay * 2;
        this.eventOnce(
          pod,
          'Warning',
          'Failed',
          `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found (stand-in rule: image name contains "bad")`,
        );
        this.eventOnce(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
        if (backoff) {
          this.eventOnce(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
          this.eventOnce(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
        }
        statuses.push({
          ...base,
          state: {
            waiting: backoff
              ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` }
              : {
                  reason: 'ErrImagePull',
                  message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
                },
          },
          lastState: {},
        });
        return;
      }
      anyPulled = true;
      const imageID = `${image.split('@')[0]}@sha256:${fnv32a(image).toString(16).padStart(8, '0').repeat(8)}`;
      this.eventOnce(
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: 0 bytes.`,
      );
      const logs = this.logs.get(uid)?.get(cname)?.length ?? 0;
      if (runsToCompletion) {
        const exitCode = fate === 'crash-loop' ? 1 : 0;
        if (logs === 0) {
          this.eventOnce(pod, 'Normal', 'Created', `Created container: ${cname}`);
          this.eventOnce(pod, 'Normal', 'Started', `Started container ${cname}`);
          this.appendLog(
            uid,
            cname,
            `stand-in: container ${cname} started from image ${image}`,
            iso(started),
          );
          const args = [...((c.command as string[]) ?? []), ...((c.args as string[]) ?? [])].join(' ');
          if (args) this.appendLog(uid, cname, `running: ${args}`, iso(started));
        }
        if (elapsed < delay + runMs) {
          allReady = false;
          allTerminated = false;
          statuses.push({
            ...base,
            imageID,
            started: true,
            ready: true,
            state: { running: { startedAt: iso(started) } },
            lastState: {},
          });
          return;
        }
        if (
          logs <= 2 &&
          !this.logs
            .get(uid)
            ?.get(cname)
            ?.some((l) => l.text.startsWith('exit'))
        ) {
          this.appendLog(
            uid,
            cname,
            exitCode === 0
              ? 'done'
              : `error: the stand-in's rule failed this container (image name contains "crash" or "fail")`,
            iso(started + runMs),
          );
          this.appendLog(uid, cname, `exit ${exitCode}`, iso(started + runMs));
        }
        if (exitCode) anyFailed = true;
        allReady = false;
        statuses.push({
          ...base,
          imageID,
          state: {
            terminated: {
              exitCode,
              reason: exitCode ? 'Error' : 'Completed',
              startedAt: iso(started),
              finishedAt: iso(started + runMs),
            },
          },
          lastState: {},
        });
        return;
      }
      allTerminated = false;
      if (fate === 'crash-loop') {
        allReady = false;
        const restarts = Math.floor((elapsed - delay) / crashMs);
        const logged = Math.max(-1, ...(this.logs.get(uid)?.get(cname) ?? []).map((l) => l.attempt));
        for (let r = logged + 1; r <= restarts; r++) {
          const at = iso(started + r * crashMs);
          this.appendLog(
            uid,
            cname,
            `stand-in: container ${cname} started from image ${image} (attempt ${r + 1})`,
            at,
            r,
          );
          this.appendLog(
            uid,
            cname,
            `panic: cannot start: the stand-in's rule crashes this container (image name contains "crash" or "fail")`,
            at,
            r,
          );
        }
        this.eventOnce(pod, 'Normal', 'Created', `Created container: ${cname}`);
        this.eventOnce(pod, 'Normal', 'Started', `Started container ${cname}`);
        if (restarts === 0) {
          statuses.push({
            ...base,
            imageID,
            started: true,
            state: { running: { startedAt: iso(started) } },
            lastState: {},
          });
          return;
        }
        anyWaiting = true;
        const prevCount = num(
          ((old.containerStatuses ?? []) as Json[]).find((s) => s.name === cname)?.restartCount,
          0,
        );
        if (restarts > prevCount) {
          this.event(
            pod,
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${cname} in pod ${name}_${ns}(${uid})`,
            'kubelet',
          );
        }
        statuses.push({
          ...base,
          imageID,
          restartCount: restarts,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 10s restarting failed container=${cname} pod=${name}_${ns}(${uid})`,
            },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: iso(started + (restarts - 1) * crashMs),
              finishedAt: iso(started + restarts * crashMs - 1),
            },
          },
        });
        return;
      }
      if ((this.logs.get(uid)?.get(cname)?.length ?? 0) === 0) {
        this.eventOnce(pod, 'Normal', 'Created', `Created container: ${cname}`);
        this.eventOnce(pod, 'Normal', 'Started', `Started container ${cname}`);
        const port = m(((c.ports ?? []) as Json[])[0]).containerPort ?? 8080;
        this.appendLog(uid, cname, `stand-in: container ${cname} started from image ${image}`, iso(started));
        this.appendLog(uid, cname, `listening on :${String(port)}`, iso(started));
      }
      const ready = fate === 'ready';
      if (!ready) {
        allReady = false;
        this.eventOnce(
          pod,
          'Warning',
          'Unhealthy',
          `Readiness probe failed: HTTP probe failed with statuscode: 503 (stand-in rule: image name contains "unready")`,
        );
      }
      statuses.push({
        ...base,
        imageID,
        started: true,
        ready,
        state: { running: { startedAt: iso(started) } },
        lastState: {},
      });
    });

    let phase = 'Pending';
    if (allTerminated) phase = anyFailed ? 'Failed' : 'Succeeded';
    else if (anyPulled && !(anyWaiting && statuses.every((s) => isMap(m(s.state).waiting))))
      phase = 'Running';
    else if (statuses.some((s) => m(m(s.state).waiting).reason === 'CrashLoopBackOff')) phase = 'Running';
    const oldConds = (old.conditions ?? []) as Json[];
    const cond = (type: string, ok: boolean, reason?: string): Json => {
      const status = ok ? 'True' : 'False';
      const prev = oldConds.find((c) => c.type === type);
      const since = prev && prev.status === status ? prev.lastTransitionTime : nowSeconds();
      return {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime: since,
        ...(ok || !reason ? {} : { reason }),
      };
    };
    const containersReady = allReady && phase === 'Running';
    const status: Json = {
      phase,
      conditions: [
        cond('PodReadyToStartContainers', elapsed >= delay),
        cond('Initialized', true),
        cond('Ready', containersReady, allTerminated ? 'PodCompleted' : 'ContainersNotReady'),
        cond('ContainersReady', containersReady, allTerminated ? 'PodCompleted' : 'ContainersNotReady'),
        cond('PodScheduled', true),
      ],
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      ...(elapsed >= delay ? { podIP: podIp(uid), podIPs: [{ ip: podIp(uid) }] } : {}),
      startTime: iso(clock.created),
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
    if (canonicalJson(status) !== canonicalJson(old)) this.api.writeStatus(R.pods, pod, status);
  }

  // ---------------------------------------------------------------- replicasets

  private reconcileReplicaSet(rs: KubeObject): void {
    const ns = rs.metadata.namespace ?? 'default';
    const spec = m(rs.spec);
    const want = num(spec.replicas, 1);
    let pods = this.api.store.list(R.pods, ns).filter((p) => ownedBy(p, rs) && !terminal(p));
    const template = m(spec.template);
    for (let i = pods.length; i < want; i++) {
      const pod = this.createOwnedPod(rs, 'apps/v1', 'ReplicaSet', template);
      this.event(
        rs,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${pod.metadata.name}`,
        'replicaset-controller',
      );
      pods.push(pod);
    }
    if (pods.length > want) {
      const ranked = [...pods].sort((a, b) => {
        const ra = podReady(a) ? 1 : 0;
        const rb = podReady(b) ? 1 : 0;
        if (ra !== rb) return ra - rb;
        return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
      });
      for (const pod of ranked.slice(0, pods.length - want)) {
        this.api.delete(R.pods, ns, pod.metadata.name ?? '');
        this.event(
          rs,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${pod.metadata.name}`,
          'replicaset-controller',
        );
      }
      const gone = new Set(ranked.slice(0, pods.length - want).map((p) => p.metadata.uid));
      pods = pods.filter((p) => !gone.has(p.metadata.uid));
    }
    const now = Date.now();
    const minReady = num(spec.minReadySeconds);
    const matches = labelSelectorObject(spec.selector);
    const status = omitEmpty(
      {
        replicas: pods.length,
        fullyLabeledReplicas: pods.filter((p) => matches(p.metadata.labels ?? {})).length,
        readyReplicas: pods.filter(podReady).length,
        availableReplicas: pods.filter((p) => podAvailable(p, minReady, now)).length,
        observedGeneration: rs.metadata.generation,
      },
      ['replicas'],
    );
    if (canonicalJson(status) !== canonicalJson(rs.status ?? {}))
      this.api.writeStatus(R.replicasets, rs, status);
  }

  // ---------------------------------------------------------------- deployments

  private scaleReplicaSet(d: KubeObject, rs: KubeObject, to: number): KubeObject {
    const from = num(m(rs.spec).replicas);
    const [surge] = fenceposts(m(d.spec));
    const replicas = num(m(d.spec).replicas, 1);
    const next = clone(rs);
    m(next.spec).replicas = to;
    next.metadata.annotations = {
      ...next.metadata.annotations,
      'deployment.kubernetes.io/desired-replicas': String(replicas),
      'deployment.kubernetes.io/max-replicas': String(replicas + surge),
    };
    const stored = this.api.writeObject(R.replicasets, next);
    if (from !== to) {
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
        'deployment-controller',
      );
    }
    return stored;
  }

  private reconcileDeployment(d: KubeObject): void {
    const ns = d.metadata.namespace ?? 'default';
    const spec = m(d.spec);
    const replicas = num(spec.replicas, 1);
    const template = m(spec.template);
    const listOwned = (): KubeObject[] =>
      this.api.store
        .list(R.replicasets, ns)
        .filter((rs) => ownedBy(rs, d))
        .sort(
          (a, b) =>
            (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
            revisionOf(a) - revisionOf(b),
        );
    let all = listOwned();
    let newRS = all.find((rs) => sameTemplate(m(rs.spec).template, template));
    const maxOldRevision = Math.max(0, ...all.filter((rs) => rs !== newRS).map(revisionOf));
    let progressing: { reason: string; message: string } | undefined;
    const [surge, unavailable] = fenceposts(spec);
    const copiedAnnotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
      if (!SKIP_ANNOTATIONS.has(k)) copiedAnnotations[k] = v;

    if (!spec.paused) {
      if (!newRS) {
        const collision = num(m(d.status).collisionCount);
        const hash = podTemplateHash(template, collision);
        const t = clone(template);
        const tmeta = m(t.metadata);
        tmeta.labels = { ...(tmeta.labels as Record<string, string>), [HASH_LABEL]: hash };
        t.metadata = tmeta;
        const selector = clone(m(spec.selector));
        selector.matchLabels = { ...(selector.matchLabels as Record<string, string>), [HASH_LABEL]: hash };
        newRS = this.api.create(
          R.replicasets,
          ns,
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: `${d.metadata.name}-${hash}`,
              namespace: ns,
              labels: { ...(tmeta.labels as Record<string, string>) },
              annotations: {
                ...copiedAnnotations,
                'deployment.kubernetes.io/desired-replicas': String(replicas),
                'deployment.kubernetes.io/max-replicas': String(replicas + surge),
                [REVISION]: String(maxOldRevision + 1),
              },
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  name: d.metadata.name ?? '',
                  uid: d.metadata.uid ?? '',
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: {
              replicas: 0,
              ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
              selector,
              template: t,
            },
          },
          { manager: 'kube-controller-manager' },
        );
        progressing = {
          reason: 'NewReplicaSetCreated',
          message: `Created new replica set "${newRS.metadata.name}"`,
        };
        all = listOwned();
      } else {
        const wanted = { ...copiedAnnotations };
        const rev = revisionOf(newRS);
        const nextRev = rev <= maxOldRevision ? maxOldRevision + 1 : rev;
        const annotations = { ...newRS.metadata.annotations };
        // Deployment annotations are copied over, never removed (copyDeploymentAnnotationsToReplicaSet).
        Object.assign(annotations, wanted, { [REVISION]: String(nextRev) });
        if (nextRev !== rev) {
          const history = newRS.metadata.annotations?.['deployment.kubernetes.io/revision-history'];
          annotations['deployment.kubernetes.io/revision-history'] = history
            ? `${history},${rev}`
            : String(rev);
          progressing = {
            reason: 'FoundNewReplicaSet',
            message: `Found new replica set "${newRS.metadata.name}"`,
          };
        }
        if (canonicalJson(annotations) !== canonicalJson(newRS.metadata.annotations ?? {})) {
          newRS = this.api.writeObject(R.replicasets, {
            ...newRS,
            metadata: { ...newRS.metadata, annotations },
          });
          all = listOwned();
        }
      }
      const revision = String(revisionOf(newRS));
      if (d.metadata.annotations?.[REVISION] !== revision) {
        d = this.api.writeObject(R.deployments, {
          ...d,
          metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION]: revision } },
        });
      }

      const nrs = newRS;
      const old = (): KubeObject[] => listOwned().filter((rs) => rs.metadata.uid !== nrs.metadata.uid);
      const fresh = (): KubeObject => this.api.get(R.replicasets, ns, nrs.metadata.name ?? '');
      const strategy = String(m(spec.strategy).type ?? 'RollingUpdate');
      if (strategy === 'Recreate') {
        const olds = old();
        const active = olds.filter((rs) => num(m(rs.spec).replicas) > 0);
        for (const rs of active) this.scaleReplicaSet(d, rs, 0);
        const oldUids = new Set(olds.map((rs) => rs.metadata.uid));
        const oldPods = this.api.store
          .list(R.pods, ns)
          .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => oldUids.has(r.uid)));
        if (active.length === 0 && oldPods.length === 0 && num(m(fresh().spec).replicas) !== replicas) {
          this.scaleReplicaSet(d, fresh(), replicas);
        }
      } else {
        // Scale up the new ReplicaSet within maxSurge (rolling.go reconcileNewReplicaSet).
        let n = fresh();
        const newReplicas = num(m(n.spec).replicas);
        if (newReplicas > replicas) this.scaleReplicaSet(d, n, replicas);
        else if (newReplicas < replicas) {
          const total = listOwned().reduce((s, rs) => s + num(m(rs.spec).replicas), 0);
          const room = replicas + surge - total;
          if (room > 0) this.scaleReplicaSet(d, n, newReplicas + Math.min(room, replicas - newReplicas));
        }
        // Scale down old ReplicaSets only as far as availability allows (rolling.go reconcileOldReplicaSets).
        n = fresh();
        const allNow = listOwned();
        const allPods = allNow.reduce((s, rs) => s + num(m(rs.spec).replicas), 0);
        const minAvailable = replicas - unavailable;
        const newUnavailable = num(m(n.spec).replicas) - num(m(n.status).availableReplicas);
        const maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown > 0) {
          let cleaned = 0;
          for (const rs of old()) {
            if (cleaned >= maxScaledDown) break;
            const want = num(m(rs.spec).replicas);
            const unhealthy = want - num(m(rs.status).availableReplicas);
            if (want === 0 || unhealthy <= 0) continue;
            const down = Math.min(maxScaledDown - cleaned, unhealthy);
            this.scaleReplicaSet(d, rs, want - down);
            cleaned += down;
          }
          const availablePods = listOwned().reduce((s, rs) => s + num(m(rs.status).availableReplicas), 0);
          if (availablePods > minAvailable) {
            const total = availablePods - minAvailable;
            let done = 0;
            for (const rs of old()) {
              if (done >= total) break;
              const want = num(m(rs.spec).replicas);
              if (want === 0) continue;
              const down = Math.min(want, total - done);
              this.scaleReplicaSet(d, rs, want - down);
              done += down;
            }
          }
        }
      }
      // Old ReplicaSets beyond revisionHistoryLimit go, oldest first (sync.go cleanupDeployment).
      const limit = num(spec.revisionHistoryLimit, 10);
      const idle = old().filter((rs) => num(m(rs.spec).replicas) === 0 && num(m(rs.status).replicas) === 0);
      idle.sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
        this.api.delete(R.replicasets, ns, rs.metadata.name ?? '');
    }
    this.syncDeploymentStatus(d, newRS, progressing, unavailable);
  }

  private syncDeploymentStatus(
    d: KubeObject,
    newRS: KubeObject | undefined,
    progressing: { reason: string; message: string } | undefined,
    maxUnavailable: number,
  ): void {
    const ns = d.metadata.namespace ?? 'default';
    const spec = m(d.spec);
    const replicas = num(spec.replicas, 1);
    const all = this.api.store.list(R.replicasets, ns).filter((rs) => ownedBy(rs, d));
    const fresh = newRS ? all.find((rs) => rs.metadata.uid === newRS.metadata.uid) : undefined;
    const sum = (f: (rs: KubeObject) => number): number => all.reduce((s, rs) => s + f(rs), 0);
    const actual = sum((rs) => num(m(rs.status).replicas));
    const updated = fresh ? num(m(fresh.status).replicas) : 0;
    const ready = sum((rs) => num(m(rs.status).readyReplicas));
    const available = sum((rs) => num(m(rs.status).availableReplicas));
    const total = sum((rs) => num(m(rs.spec).replicas));
    const old = m(d.status);
    const oldConds = (old.conditions ?? []) as Json[];
    const now = nowSeconds();
    const condition = (
      type: string,
      status: string,
      reason: string,
      message: string,
      touch: boolean,
    ): Json => {
      const prev = oldConds.find((c) => c.type === type);
      const sameStatus = prev && prev.status === status;
      const unchanged = prev && sameStatus && prev.reason === reason && prev.message === message;
      return {
        type,
        status,
        lastUpdateTime: unchanged && !touch ? prev.lastUpdateTime : now,
        lastTransitionTime: sameStatus ? prev.lastTransitionTime : now,
        reason,
        message,
      };
    };
    const availableOk = available >= replicas - maxUnavailable;
    const availableCond = availableOk
      ? condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          false,
        )
      : condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          false,
        );
    const prevProgress = oldConds.find((c) => c.type === 'Progressing');
    const rsName = fresh?.metadata.name ?? '';
    let progressCond: Json | undefined = prevProgress;
    const generationSeen = num(old.observedGeneration) >= num(d.metadata.generation);
    const complete =
      updated === replicas &&
      actual === replicas &&
      available >= replicas &&
      !!fresh &&
      num(m(fresh.spec).replicas) === replicas;
    if (spec.paused) {
      progressCond = condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', false);
    } else if (progressing) {
      progressCond = condition('Progressing', 'True', progressing.reason, progressing.message, true);
    } else if (complete) {
      progressCond =
        prevProgress?.reason === 'NewReplicaSetAvailable' && prevProgress.status === 'True'
          ? prevProgress
          : condition(
              'Progressing',
              'True',
              'NewReplicaSetAvailable',
              `ReplicaSet "${rsName}" has successfully progressed.`,
              true,
            );
    } else {
      const moved =
        !generationSeen ||
        updated > num(old.updatedReplicas) ||
        ready > num(old.readyReplicas) ||
        available > num(old.availableReplicas) ||
        actual - updated < num(old.replicas) - num(old.updatedReplicas);
      const deadline = num(spec.progressDeadlineSeconds, 600);
      const since = Date.parse(String(prevProgress?.lastUpdateTime ?? now));
      if (moved && fresh) {
        progressCond = condition(
          'Progressing',
          'True',
          'ReplicaSetUpdated',
          `ReplicaSet "${rsName}" is progressing.`,
          true,
        );
      } else if (
        prevProgress &&
        prevProgress.status === 'True' &&
        prevProgress.reason !== 'NewReplicaSetAvailable' &&
        Date.now() > since + deadline * 1000
      ) {
        progressCond = condition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
          true,
        );
      } else if (!prevProgress && fresh) {
        progressCond = condition(
          'Progressing',
          'True',
          'ReplicaSetUpdated',
          `ReplicaSet "${rsName}" is progressing.`,
          true,
        );
      }
    }
    const conditions = [availableCond, ...(progressCond ? [progressCond] : [])];
    const status = omitEmpty({
      observedGeneration: d.metadata.generation,
      replicas: actual,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions,
      ...(old.collisionCount !== undefined ? { collisionCount: old.collisionCount } : {}),
    });
    if (canonicalJson(status) !== canonicalJson(old)) this.api.writeStatus(R.deployments, d, status);
  }

  // ---------------------------------------------------------------- jobs

  private reconcileJob(job: KubeObject): void {
    const ns = job.metadata.namespace ?? 'default';
    const spec = m(job.spec);
    const old = m(job.status);
    const conds = (old.conditions ?? []) as Json[];
    const finished = conds.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const pods = this.api.store.list(R.pods, ns).filter((p) => ownedBy(p, job));
    const succeeded = pods.filter((p) => m(p.status).phase === 'Succeeded').length;
    const failed = pods.filter((p) => m(p.status).phase === 'Failed').length;
    let active = pods.filter((p) => !terminal(p));
    const completions = num(spec.completions, 1);
    const parallelism = num(spec.parallelism, 1);
    const backoffLimit = num(spec.backoffLimit, 6);
    const now = nowSeconds();
    const startTime = (old.startTime as string | undefined) ?? (spec.suspend ? undefined : now);
    const condition = (type: string, reason: string, message: string): Json => ({
      type,
      status: 'True',
      lastProbeTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });
    let conditions = conds;
    let completionTime = old.completionTime as string | undefined;
    if (!finished && !spec.suspend) {
      const deadline = num(spec.activeDeadlineSeconds);
      const overDeadline =
        deadline > 0 && startTime !== undefined && Date.now() > Date.parse(startTime) + deadline * 1000;
      if (succeeded >= completions) {
        conditions = [
          condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
        ];
        completionTime = now;
        this.event(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
      } else if (failed > backoffLimit || overDeadline) {
        const [reason, message] = overDeadline
          ? ['DeadlineExceeded', 'Job was active longer than specified deadline']
          : ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
        conditions = [condition('FailureTarget', reason, message), condition('Failed', reason, message)];
        for (const p of active) this.api.delete(R.pods, ns, p.metadata.name ?? '');
        active = [];
        this.event(job, 'Warning', reason, message, 'job-controller');
      } else {
        const lastFailure = Math.max(
          0,
          ...pods
            .filter((p) => m(p.status).phase === 'Failed')
            .map((p) => Date.parse(p.metadata.creationTimestamp ?? '') || 0),
        );
        const backoffOver = Date.now() >= lastFailure + this.opts.jobPodRunMs;
        const wanted = Math.min(parallelism, completions - succeeded) - active.length;
        for (let i = 0; i < wanted && backoffOver; i++) {
          const pod = this.createOwnedPod(job, 'batch/v1', 'Job', m(spec.template));
          this.event(
            job,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${pod.metadata.name}`,
            'job-controller',
          );
          active.push(pod);
        }
      }
    }
    const status = omitEmpty(
      {
        conditions,
        startTime,
        completionTime,
        active: active.length,
        succeeded,
        failed,
        terminating: 0,
        ready: active.filter(podReady).length,
        uncountedTerminatedPods: {},
      },
      ['ready', 'terminating'],
    );
    if (canonicalJson(status) !== canonicalJson(old)) this.api.writeStatus(R.jobs, job, status);
  }

  // ---------------------------------------------------------------- statefulsets, daemonsets

  /**
   * The ControllerRevision of a StatefulSet's or DaemonSet's current template: `<set>-<hash>`, created with
   * the next revision number, or renumbered to the newest when an older one is reused (history.go).
   * @returns its name (the `controller-revision-hash` of its pods)
   */
  private ensureRevision(kind: 'StatefulSet' | 'DaemonSet', set: KubeObject): string {
    const ns = set.metadata.namespace ?? 'default';
    const template = m(m(set.spec).template);
    const hash = podTemplateHash(template);
    const name = `${set.metadata.name}-${hash}`;
    const owned = this.api.store.list(R.controllerrevisions, ns).filter((cr) => ownedBy(cr, set));
    const newest = Math.max(0, ...owned.map((cr) => num(cr.revision)));
    const existing = owned.find((cr) => cr.metadata.name === name);
    if (existing !== undefined) {
      const isNewest = num(existing.revision) === newest;
      if (!isNewest) this.api.writeObject(R.controllerrevisions, { ...existing, revision: newest + 1 });
      return name;
    }
    this.api.create(
      R.controllerrevisions,
      ns,
      {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: ns,
          labels: {
            ...((m(template.metadata).labels ?? {}) as Record<string, string>),
            'controller.kubernetes.io/hash': hash,
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind,
              name: set.metadata.name ?? '',
              uid: set.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { spec: { template: { ...clone(template), $patch: 'replace' } } },
        revision: newest + 1,
      },
      { manager: 'kube-controller-manager' },
    );
    return name;
  }

  /**
   * Creates a pod from `template` owned (controller reference) by `owner`, as the owning controller does: the
   * template's labels (plus `labels`) and annotations, its spec, and a generated name unless `name` is given.
   */
  private createOwnedPod(
    owner: KubeObject,
    apiVersion: string,
    kind: string,
    template: Record<string, unknown>,
    options: { name?: string; labels?: Record<string, string> } = {},
  ): KubeObject {
    const ns = owner.metadata.namespace ?? 'default';
    const tmeta = m(template.metadata);
    return this.api.create(
      R.pods,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...(options.name === undefined
            ? { name: `${owner.metadata.name}-${randomSuffix()}`, generateName: `${owner.metadata.name}-` }
            : { name: options.name }),
          namespace: ns,
          labels: { ...clone((tmeta.labels ?? {}) as Record<string, string>), ...options.labels },
          ...(isMap(tmeta.annotations) ? { annotations: clone(tmeta.annotations) } : {}),
          ownerReferences: [
            {
              apiVersion,
              kind,
              name: owner.metadata.name ?? '',
              uid: owner.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: clone(template.spec ?? {}),
      },
      { manager: 'kube-controller-manager' },
    );
  }

  /** A pod of a StatefulSet or DaemonSet at `revision`, from the set's template. */
  private createSetPod(
    kind: 'StatefulSet' | 'DaemonSet',
    set: KubeObject,
    name: string,
    revision: string,
    extraLabels: Record<string, string>,
  ): KubeObject {
    const pod = this.createOwnedPod(set, 'apps/v1', kind, m(m(set.spec).template), {
      name,
      labels: { 'controller-revision-hash': revision, ...extraLabels },
    });
    this.event(
      set,
      'Normal',
      'SuccessfulCreate',
      kind === 'StatefulSet'
        ? `create Pod ${name} in StatefulSet ${set.metadata.name} successful`
        : `Created pod: ${name}`,
      kind === 'StatefulSet' ? 'statefulset-controller' : 'daemonset-controller',
    );
    return pod;
  }

  private deleteSetPod(set: KubeObject, pod: KubeObject, component: string): void {
    this.api.delete(R.pods, pod.metadata.namespace, pod.metadata.name ?? '');
    this.event(
      set,
      'Normal',
      'SuccessfulDelete',
      component === 'statefulset-controller'
        ? `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`
        : `Deleted pod: ${pod.metadata.name}`,
      component,
    );
  }

  /** One pass of the statefulset controller (stateful_set_control.go updateStatefulSet, simplified). */
  private reconcileStatefulSet(set: KubeObject): void {
    const ns = set.metadata.namespace ?? 'default';
    const spec = m(set.spec);
    const replicas = num(spec.replicas, 1);
    const updateRevision = this.ensureRevision('StatefulSet', set);
    const old = m(set.status);
    const currentRevision = (old.currentRevision as string | undefined) ?? updateRevision;
    const monotonic = spec.podManagementPolicy !== 'Parallel';
    const strategy = m(spec.updateStrategy);
    const partition = num(m(strategy.rollingUpdate).partition);
    const revisionOfPod = (pod: KubeObject): string =>
      pod.metadata.labels?.['controller-revision-hash'] ?? '';
    const podsNow = (): Map<number, KubeObject> => {
      const byOrdinal = new Map<number, KubeObject>();
      for (const pod of this.api.store.list(R.pods, ns).filter((p) => ownedBy(p, set))) {
        const ordinal = Number(/-(\d+)$/.exec(pod.metadata.name ?? '')?.[1] ?? -1);
        if (ordinal >= 0) byOrdinal.set(ordinal, pod);
      }
      return byOrdinal;
    };
    const step = (): void => {
      const pods = podsNow();
      for (let i = 0; i < replicas; i++) {
        const pod = pods.get(i);
        if (pod === undefined) {
          this.createSetPod('StatefulSet', set, `${set.metadata.name}-${i}`, updateRevision, {
            'statefulset.kubernetes.io/pod-name': `${set.metadata.name}-${i}`,
            'apps.kubernetes.io/pod-index': String(i),
          });
          if (monotonic) return;
          continue;
        }
        if (m(pod.status).phase === 'Failed') {
          this.deleteSetPod(set, pod, 'statefulset-controller');
          return;
        }
        // OrderedReady: a pod that is not Ready stops everything after it (and the update below).
        if (monotonic && !podReady(pod)) return;
      }
      const extra = [...pods.keys()].filter((ordinal) => ordinal >= replicas).sort((a, b) => b - a);
      if (extra.length > 0) {
        if (monotonic && [...pods.values()].some((pod) => !podReady(pod))) return;
        this.deleteSetPod(set, pods.get(extra[0]!)!, 'statefulset-controller');
        return;
      }
      if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
      if ([...pods.values()].some((pod) => !podReady(pod))) return;
      for (let i = replicas - 1; i >= partition; i--) {
        const pod = pods.get(i);
        if (pod === undefined) return;
        if (revisionOfPod(pod) !== updateRevision) {
          this.deleteSetPod(set, pod, 'statefulset-controller');
          return;
        }
        if (!podReady(pod)) return;
      }
    };
    step();
    const pods = [...podsNow().values()];
    const ready = pods.filter(podReady).length;
    const updated = pods.filter((pod) => revisionOfPod(pod) === updateRevision).length;
    let current = currentRevision;
    let currentReplicas = pods.filter((pod) => revisionOfPod(pod) === currentRevision).length;
    if (updated === pods.length && ready === pods.length && pods.length === replicas) {
      current = updateRevision;
      currentReplicas = updated;
    }
    const status = omitEmpty(
      {
        observedGeneration: set.metadata.generation,
        replicas: pods.length,
        readyReplicas: ready,
        currentReplicas,
        updatedReplicas: updated,
        availableReplicas: ready,
        currentRevision: current,
        updateRevision,
        collisionCount: 0,
      },
      ['replicas', 'availableReplicas', 'collisionCount'],
    );
    if (canonicalJson(status) !== canonicalJson(set.status ?? {}))
      this.api.writeStatus(R.statefulsets, set, status);
  }

  /** One pass of the daemonset controller for the one node (daemon_controller.go, update.go; maxSurge 0). */
  private reconcileDaemonSet(set: KubeObject): void {
    const ns = set.metadata.namespace ?? 'default';
    const spec = m(set.spec);
    const revision = this.ensureRevision('DaemonSet', set);
    const hash = revision.slice((set.metadata.name ?? '').length + 1);
    const revisionOfPod = (pod: KubeObject): string =>
      pod.metadata.labels?.['controller-revision-hash'] ?? '';
    const owned = (): KubeObject[] =>
      this.api.store.list(R.pods, ns).filter((p) => ownedBy(p, set) && !terminal(p));
    let pods = owned();
    if ((m(spec.updateStrategy).type ?? 'RollingUpdate') === 'RollingUpdate')
      for (const pod of pods.filter((p) => revisionOfPod(p) !== hash))
        this.deleteSetPod(set, pod, 'daemonset-controller');
    pods = owned();
    if (pods.length === 0) {
      const pod = this.createSetPod('DaemonSet', set, `${set.metadata.name}-${randomSuffix()}`, hash, {
        'pod-template-generation': String(set.metadata.generation ?? 1),
      });
      pods = [pod];
    }
    const now = Date.now();
    const minReady = num(spec.minReadySeconds);
    const ready = pods.filter(podReady).length;
    const available = pods.filter((pod) => podAvailable(pod, minReady, now)).length;
    const status = omitEmpty(
      {
        observedGeneration: set.metadata.generation,
        currentNumberScheduled: pods.length > 0 ? 1 : 0,
        desiredNumberScheduled: 1,
        numberMisscheduled: 0,
        numberReady: ready,
        updatedNumberScheduled: pods.filter((pod) => revisionOfPod(pod) === hash).length,
        numberAvailable: available,
        numberUnavailable: 1 - available,
      },
      ['currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady'],
    );
    if (canonicalJson(status) !== canonicalJson(set.status ?? {}))
      this.api.writeStatus(R.daemonsets, set, status);
  }
}

function podIp(uid: string): string {
  const n = fnv32a(uid);
  return `10.244.${(n >>> 8) & 0xff}.${(n & 0xfe) + 1}`;
}
