/**
 * Running a batch/v1 Job to completion — the in-cluster mode of migrations, for databases only the
 * cluster can reach: server-side apply the Job, follow it with a watch until its `Complete` or `Failed`
 * condition (https://kubernetes.io/docs/concepts/workloads/controllers/job/#terminal-job-conditions) or the
 * deadline, print its pod's log (bounded, inert), and on failure say why: the condition's reason and
 * message, and the failed pod's container exit code and reason.
 */
import type { V1Job } from '@kubernetes/client-node';
import { TimeoutError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiMessage, serverSideApply } from './apply.ts';
import { k8sSdk, type KubernetesConnection } from './connection.ts';
import { inert, inertLogLines } from './inert.ts';
import type { Manifest } from './manifests.ts';

/** How a Job ended. */
export interface JobOutcome {
  state: 'COMPLETE' | 'FAILED';
  /** The terminal condition's reason (`BackoffLimitExceeded`, `DeadlineExceeded`…), '' when complete. */
  reason: string;
  message: string;
  /** The last log lines of the Job's newest pod (each `| …`, inert). */
  logLines: string[];
  /** Milliseconds from apply to the terminal condition. */
  elapsedMs: number;
}

function terminal(job: V1Job): { state: 'COMPLETE' | 'FAILED'; reason: string; message: string } | undefined {
  for (const condition of job.status?.conditions ?? []) {
    if (condition.status !== 'True') continue;
    if (condition.type === 'Complete')
      return { state: 'COMPLETE', reason: '', message: condition.message ?? '' };
    if (condition.type === 'Failed')
      return { state: 'FAILED', reason: condition.reason ?? 'Failed', message: condition.message ?? '' };
  }
  return undefined;
}

/**
 * Applies `job` (a batch/v1 Job manifest; its namespace set) and waits for it.
 * @param timeoutMs milliseconds from the call, exact
 * @param logLines how many log lines of the pod to keep and print (default 50)
 * @returns the outcome (a failed Job is an outcome, not a throw)
 * @throws TimeoutError when neither condition is reached in time; ConfigurationError when the apply is refused
 */
export async function runJob(
  connection: KubernetesConnection,
  job: Manifest,
  timeoutMs: number,
  logger: Logger,
  logLines = 50,
): Promise<JobOutcome> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const namespace = job.metadata.namespace ?? connection.namespace;
  const name = job.metadata.name;
  await serverSideApply(connection, [{ ...job, metadata: { ...job.metadata, namespace } }], logger);
  const { Watch, BatchV1Api, CoreV1Api } = await k8sSdk();
  const batch = connection.kubeConfig.makeApiClient(BatchV1Api);
  const core = connection.kubeConfig.makeApiClient(CoreV1Api);
  const first = await batch.readNamespacedJob({ name, namespace });
  const end =
    terminal(first) ??
    (await new Promise<ReturnType<typeof terminal>>((resolve) => {
      let abort: AbortController | undefined;
      let settled = false;
      const settle = (value: ReturnType<typeof terminal>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort?.abort();
        resolve(value);
      };
      const timer = setTimeout(() => settle(undefined), Math.max(0, deadline - Date.now()));
      const open = (resourceVersion: string | undefined): void => {
        if (settled) return;
        void new Watch(connection.kubeConfig)
          .watch(
            `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
            { fieldSelector: `metadata.name=${name}`, resourceVersion },
            (_phase: string, object: V1Job) => {
              const result = terminal(object);
              if (result !== undefined) settle(result);
            },
            () => {
              // closed by the server: re-read (the condition may have been set meanwhile) and re-open
              if (settled) return;
              batch
                .readNamespacedJob({ name, namespace })
                .then((job) => {
                  const result = terminal(job);
                  if (result !== undefined) settle(result);
                  else setTimeout(() => open(job.metadata?.resourceVersion), 200);
                })
                .catch(() => setTimeout(() => open(undefined), 500));
            },
          )
          .then((controller) => {
            abort = controller;
            if (settled) controller.abort();
          });
      };
      open(first.metadata?.resourceVersion);
    }));
  const pods = await core
    .listNamespacedPod({ namespace, labelSelector: `job-name=${name}` })
    .then((list) => list.items)
    .catch(() => []);
  const newest = pods.sort((a, b) =>
    String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')),
  )[0];
  let lines: string[] = [];
  if (newest?.metadata?.name !== undefined) {
    const log = await core
      .readNamespacedPodLog({
        name: newest.metadata.name,
        namespace,
        tailLines: logLines,
        limitBytes: 65_536,
      })
      .catch((error: unknown) => `(could not read the log: ${apiMessage(error)})`);
    lines = inertLogLines(String(log), logLines);
    for (const line of lines) logger.info(line);
  }
  if (end === undefined)
    throw new TimeoutError(
      `Job ${name} did not complete or fail within ${Math.round(timeoutMs / 1000)} s` +
        (lines.length > 0 ? `; last log line: ${lines.at(-1) ?? ''}` : ''),
    );
  let message = inert(end.message);
  if (end.state === 'FAILED') {
    const terminated = newest?.status?.containerStatuses
      ?.map((status) => status.state?.terminated ?? status.lastState?.terminated)
      .find((state) => state !== undefined);
    if (terminated !== undefined)
      message += `${message === '' ? '' : '; '}container exited ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`;
  }
  return { state: end.state, reason: end.reason, message, logLines: lines, elapsedMs: Date.now() - started };
}
