/**
 * The Kubernetes adapter of the deploy flow (shared/src/deploy/flow.ts): a rolling update of the
 * workloads in a set of manifests.
 * prepare = connect + load the manifests (images substituted, commit and run annotated) + read the
 * workloads (Deployments, StatefulSets, DaemonSets); apply = server-side apply (field manager `gantry`);
 * watch = watches with `kubectl rollout status` semantics and per-pod reasons on failure; last-known-good =
 * one merge patch of the workload's annotations from the object the watch saw complete (rollout.ts:
 * recordCompleted); roll back = the last completed ReplicaSet's pod template (Deployment) or the recorded
 * template (StatefulSet, DaemonSet) restored, then watched.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { DeployAdapter, FlowReport, WatchResult } from '../deploy/flow.ts';
import { ConfigurationError } from '../errors.ts';
import { formatDuration } from '../duration.ts';
import type { Logger } from '../logger.ts';
import { writeSummaryTable } from '../summary.ts';
import { runUrl } from '../ecs/service.ts';
import { writeTimeline } from '../ecs/report.ts';
import { apiStatus, objectName, placeInNamespace, serverSideApply } from './apply.ts';
import { connect, k8sSdk, type KubernetesConnection } from './connection.ts';
import type { KubernetesConnectionInputs } from './connection-inputs.ts';
import { inert } from './inert.ts';
import {
  annotate,
  ANNOTATIONS,
  loadManifests,
  substituteImages,
  type ImageSubstitution,
  type Manifest,
} from './manifests.ts';
import {
  explainPods,
  findRollbackTarget,
  followRollouts,
  isRecorded,
  lastCompletedTemplate,
  readWorkload,
  recordCompleted,
  recordFailed,
  refName,
  restoreTemplate,
  restoreWorkloadTemplate,
  revisionOf,
  templateImages,
  type RecordedObject,
  type RolloutWatch,
  type WorkloadOutcome,
  type WorkloadRef,
} from './rollout.ts';
import { rolloutStatus, ROLLOUT_KINDS, type RolloutKind } from './rollout-status.ts';

/** What the Kubernetes rolling deploy needs (deploy-rolling's Kubernetes inputs). */
export interface KubernetesRollingOptions extends KubernetesConnectionInputs {
  manifests: string[];
  images: ImageSubstitution[];
}

/** A workload as it was before the apply. */
interface Before {
  ref: WorkloadRef;
  object: RecordedObject;
  images: string;
  /** Its rollout was complete (and its revision can be recorded as last-known-good). */
  steady: boolean;
}

/**
 * How a workload's revision is named in outputs and messages: a Deployment by its revision number
 * (`deployment/web=5`, the `deployment.kubernetes.io/revision` that `kubectl rollout history` lists); a
 * StatefulSet or DaemonSet, whose object carries no revision number, by its generation (`statefulset/db@3`).
 * A Deployment whose controller has not yet observed its generation has no current revision: ''.
 */
export function revisionLabel(ref: WorkloadRef, object: RecordedObject | undefined): string {
  if (object === undefined) return '';
  if (ref.kind !== 'Deployment') return `${refName(ref)}@${object.metadata?.generation ?? 0}`;
  const observed = (object.status?.observedGeneration ?? 0) >= (object.metadata?.generation ?? 0);
  const revision = revisionOf(object);
  return observed && revision > 0 ? `${refName(ref)}=${revision}` : '';
}

/**
 * Builds the Kubernetes rolling adapter.
 * @param action the action's name, for the job-summary heading
 * @param options.connectOptions passed to {@link connect} (tests: fixed AWS credentials and clock)
 */
export function kubernetesRollingAdapter(
  inputs: KubernetesRollingOptions,
  action: string,
  _logger: Logger,
  options: { workspace?: string; connectOptions?: Parameters<typeof connect>[2] } = {},
): DeployAdapter {
  let connection: KubernetesConnection | undefined;
  let objects: Manifest[] = [];
  let refs: WorkloadRef[] = [];
  let imageChanges: string[] = [];
  const before = new Map<string, Before>();
  const after = new Map<string, number>();
  let watched: RolloutWatch | undefined;
  let rollbackWatch: RolloutWatch | undefined;
  const kube = (): KubeConfig => {
    if (connection === undefined) throw new Error('the Kubernetes adapter was used before prepare');
    return connection.kubeConfig;
  };
  const target = (): string =>
    `${refs.map(refName).join(', ') || 'no workload'} in ${connection?.namespace ?? '?'}`;

  return {
    get target() {
      return target();
    },
    describe: (revision) => revision || 'the manifests',

    async prepare(logger) {
      connection = await logger.group('Connect to the cluster', async () => {
        const made = await connect(inputs, logger, options.connectOptions);
        logger.info(`API server ${inert(made.server)}; namespace ${made.namespace}`);
        return made;
      });
      const namespace = connection.namespace;
      await logger.group('Load manifests', async () => {
        const workspace = options.workspace ?? (process.env['GITHUB_WORKSPACE'] || process.cwd());
        const loaded = loadManifests(inputs.manifests, workspace);
        objects = placeInNamespace(
          loaded.map((entry) => entry.object),
          namespace,
        );
        imageChanges = substituteImages(objects, inputs.images);
        annotate(objects, {
          [ANNOTATIONS.commit]: process.env['GITHUB_SHA'] ?? '',
          [ANNOTATIONS.runUrl]: runUrl(),
        });
        refs = objects
          .filter((object) => (ROLLOUT_KINDS as readonly string[]).includes(object.kind))
          .map((object) => ({
            kind: object.kind as RolloutKind,
            name: object.metadata.name,
            namespace: object.metadata.namespace ?? namespace,
          }));
        logger.info(`${objects.length} objects: ${objects.map(objectName).join(', ')}`);
        for (const change of imageChanges) logger.info(`image ${inert(change)}`);
      });
      await logger.group('Read workloads', async () => {
        for (const ref of refs) {
          try {
            const object = await readWorkload(kube(), ref);
            const entry: Before = {
              ref,
              object,
              images: templateImages(object.spec?.template as Parameters<typeof templateImages>[0]),
              steady: rolloutStatus(ref.kind, object).done,
            };
            before.set(refName(ref), entry);
            logger.info(
              `${revisionLabel(ref, object) || refName(ref)} (${inert(entry.images)})${entry.steady ? '' : ', rollout not complete'}`,
            );
          } catch (error) {
            if (apiStatus(error) !== 404) throw error;
            logger.info(`${refName(ref)}: new`);
          }
        }
      });
      return [...before.values()]
        .map((entry) => revisionLabel(entry.ref, entry.object))
        .filter((label) => label !== '')
        .join(', ');
    },

    async dryRun(logger) {
      if (connection === undefined) throw new Error('dry run before prepare');
      const done = connection;
      await logger.group('Server-side apply (dry run)', () =>
        serverSideApply(done, objects, logger, { dryRun: true }),
      );
      await writeSummaryTable(
        `${action} (dry run): ${target()}`,
        ['', ''],
        [
          ['Objects', objects.map(objectName).join(', ')],
          ['Image changes', imageChanges.join('; ') || 'none'],
        ],
      );
      logger.notice('Dry run: the API server validated the manifests; nothing was changed');
    },

    async apply(logger) {
      if (connection === undefined) throw new Error('apply before prepare');
      const done = connection;
      for (const entry of before.values())
        // The running revision completed its rollout: record it, so that a rollback finds it.
        if (entry.steady && !isRecorded(entry.ref.kind, entry.object))
          await recordCompleted(kube(), entry.ref, entry.object);
      const applied = await logger.group('Server-side apply (field manager gantry)', () =>
        serverSideApply(done, objects, logger),
      );
      const handles = applied
        .filter((object) => (ROLLOUT_KINDS as readonly string[]).includes(object.kind))
        .map((object) => `${object.kind.toLowerCase()}/${object.name}@${object.generation}`)
        .join(', ');
      // The Deployment controller numbers the revision when it acts on the change: the watch reports it.
      return { revision: '', deploymentId: handles };
    },

    async watch(timeoutMs, logger) {
      watched = await logger.group(`Watch rollout (timeout ${formatDuration(timeoutMs)})`, () =>
        followRollouts(kube(), refs, timeoutMs, logger),
      );
      const failures: string[] = [];
      if (watched.state !== 'COMPLETED')
        for (const outcome of watched.outcomes.filter((o) => o.state !== 'COMPLETED'))
          failures.push(...(await explainPods(kube(), outcome.ref)));
      return toWatchResult(watched, failures);
    },

    async recordLastKnownGood(logger) {
      // One merge patch per workload, from the object the watch saw complete (no re-read).
      const outcomes = watched?.outcomes ?? [];
      const revisions = await Promise.all(
        outcomes.map((outcome) => recordCompleted(kube(), outcome.ref, outcome.object)),
      );
      outcomes.forEach((outcome, index) => {
        if (outcome.ref.kind === 'Deployment') after.set(refName(outcome.ref), revisions[index] ?? 0);
      });
      if (watched !== undefined)
        logger.info(
          `Rollout COMPLETED in ${formatDuration(watched.elapsedMs)}` +
            (after.size > 0
              ? ` (${[...after].map(([name, revision]) => `${name} revision ${revision}`).join(', ')})`
              : ''),
        );
    },

    async recordFailed(logger) {
      for (const ref of refs.filter((r) => r.kind === 'Deployment')) {
        try {
          after.set(refName(ref), await recordFailed(kube(), ref));
        } catch (error) {
          logger.warning(`Could not record the failed revision of ${refName(ref)}: ${String(error)}`);
        }
      }
    },

    async rollBack(reason, timeoutMs, logger) {
      const { AppsV1Api } = await k8sSdk();
      const apps = kube().makeApiClient(AppsV1Api);
      const restored: WorkloadRef[] = [];
      const notes: string[] = [];
      for (const ref of refs) {
        if (!before.has(refName(ref))) {
          notes.push(`${refName(ref)} is new: nothing to roll back to`);
          continue;
        }
        try {
          if (ref.kind === 'Deployment') {
            const deployment = await apps.readNamespacedDeployment({
              name: ref.name,
              namespace: ref.namespace,
            });
            const found = await findRollbackTarget(kube(), deployment, 'previous');
            await restoreTemplate(kube(), deployment, found);
            logger.info(
              `${refName(ref)}: restoring revision ${found.revision} (${inert(templateImages(found.replicaSet.spec?.template))}; from ${found.source}); reason: ${inert(reason)}`,
            );
            notes.push(`${refName(ref)} to revision ${found.revision}`);
          } else {
            const current = await readWorkload(kube(), ref);
            const template = lastCompletedTemplate(ref, current);
            const deleted = await restoreWorkloadTemplate(kube(), ref, template, current);
            const images = templateImages(template as Parameters<typeof templateImages>[0]);
            logger.info(
              `${refName(ref)}: restoring the last completed template (${inert(images)}; from ${ANNOTATIONS.lastCompletedTemplate}); reason: ${inert(reason)}` +
                (deleted.length > 0
                  ? `; deleted the failed revision's pods that were not ready: ${deleted.join(', ')}`
                  : ''),
            );
            notes.push(`${refName(ref)} to its last completed template (${inert(images)})`);
          }
          restored.push(ref);
        } catch (error) {
          // Nothing recorded to return to: say so, and still restore the other workloads.
          if (!(error instanceof ConfigurationError)) throw error;
          notes.push(`${refName(ref)} not rolled back (${inert(error.message)})`);
        }
      }
      if (restored.length === 0) return { note: `not rolled back: ${notes.join('; ')}` };
      rollbackWatch = await followRollouts(kube(), restored, timeoutMs, logger, 'rollback: ');
      const result = toWatchResult(rollbackWatch, []);
      if (rollbackWatch.state !== 'COMPLETED')
        throw new Error(`${notes.join('; ')}: ${rollbackWatch.state}: ${rollbackWatch.reason}`);
      await Promise.all(
        rollbackWatch.outcomes.map((outcome) => recordCompleted(kube(), outcome.ref, outcome.object)),
      );
      return { note: `rolled back (${notes.join('; ')}: ${rollbackWatch.state})`, watch: result };
    },

    async summarize(report: FlowReport) {
      const result =
        report.state === 'IN_PROGRESS'
          ? 'IN_PROGRESS (not waited for)'
          : report.rollback === undefined
            ? (report.state ?? '')
            : `${report.state ?? ''}; ${report.rollback}`;
      const rows = [
        ['Namespace', connection?.namespace ?? ''],
        ['Workloads', refs.map(refName).join(', ') || 'none'],
        ['Before', report.previous || 'new'],
        ['Applied', report.revision],
        ...(after.size > 0
          ? [['After', [...after].map(([name, revision]) => `${name}=${revision}`).join(', ')]]
          : []),
        ['Result', result],
      ];
      if (watched !== undefined) {
        rows.push(['Rollout time', formatDuration(watched.elapsedMs)]);
        if (watched.state !== 'COMPLETED') rows.push(['Why', watched.reason]);
      }
      await writeSummaryTable(`${action}: ${target()}`, ['', ''], rows);
      if (imageChanges.length > 0)
        await writeSummaryTable(
          'Images',
          ['change'],
          imageChanges.map((change) => [change]),
        );
      if (watched !== undefined) await writeTimeline('Rollout timeline', watched.timeline);
    },
  };
}

function toWatchResult(watch: RolloutWatch, failures: string[]): WatchResult {
  return {
    state: watch.state,
    reason: watch.reason,
    failures,
    elapsedMs: watch.elapsedMs,
    timeline: watch.timeline,
    revision: revisionsOf(watch.outcomes),
  };
}

/** `deployment/web=5, statefulset/db@3`: each workload's revision as the watch last saw it. */
function revisionsOf(outcomes: WorkloadOutcome[]): string {
  return outcomes
    .map((outcome) => revisionLabel(outcome.ref, outcome.object))
    .filter((label) => label !== '')
    .join(', ');
}
