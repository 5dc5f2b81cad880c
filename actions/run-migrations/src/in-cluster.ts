/**
 * In-cluster mode: the migrations run as a Kubernetes Job (`kubernetes-job`, a Job manifest in the
 * workspace: the image with the migrations, its credentials from a Secret the manifest references), for
 * databases only the cluster can reach. The Job gets a name unique to the run, is applied, followed to
 * Complete or Failed (shared/src/kubernetes/job.ts), its log printed; a failed Job fails the step with the
 * Job's reason, as a failed runner-side migration does.
 */
import { InputError } from '../../../shared/src/errors.ts';
import { getDuration, getList, getString } from '../../../shared/src/inputs.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import {
  getKubernetesConnectionInputs,
  type KubernetesConnectionInputs,
} from '../../../shared/src/kubernetes/connection-inputs.ts';
import { parseImagesInput, type ImageSubstitution } from '../../../shared/src/kubernetes/manifests.ts';

/** The in-cluster inputs. */
export interface JobInputs extends KubernetesConnectionInputs {
  /** The Job manifest's path, relative to GITHUB_WORKSPACE. */
  'kubernetes-job': string;
  images: ImageSubstitution[];
  /** Milliseconds. */
  'job-timeout': number;
}

/**
 * Reads the in-cluster inputs.
 * @returns undefined when `kubernetes-job` is empty (the runner-side mode)
 * @throws InputError naming a bad input
 */
export async function getJobInputs(): Promise<JobInputs | undefined> {
  const job = getString('kubernetes-job');
  if (job === '') return undefined;
  return {
    'kubernetes-job': job,
    images: parseImagesInput(getList('images', { separator: 'newline' }), 'images'),
    'job-timeout': getDuration('job-timeout', { default: '30m', min: 1_000 }) ?? 1_800_000,
    ...(await getKubernetesConnectionInputs()),
  };
}

/**
 * Runs the migrations Job.
 * @throws InputError when the manifest is not exactly one batch/v1 Job; Error with the Job's reason when it
 *   fails; TimeoutError when `job-timeout` passes first
 */
export async function runInCluster(inputs: JobInputs, logger: Logger): Promise<void> {
  const { connect } = await import('../../../shared/src/kubernetes/connection.ts');
  const { loadManifests, substituteImages, annotate, ANNOTATIONS } =
    await import('../../../shared/src/kubernetes/manifests.ts');
  const { runUrl } = await import('../../../shared/src/ecs/service.ts');
  const { runJob } = await import('../../../shared/src/kubernetes/job.ts');
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const loaded = loadManifests([inputs['kubernetes-job']], workspace, 'kubernetes-job');
  const job = loaded[0]?.object;
  if (loaded.length !== 1 || job === undefined || job.kind !== 'Job')
    throw new InputError(
      'kubernetes-job',
      `${inputs['kubernetes-job']} must hold exactly one batch/v1 Job (it holds ${loaded.map((l) => l.object.kind).join(', ')})`,
      'k8s/migrate-job.yaml',
    );
  substituteImages([job], inputs.images);
  annotate([job], { [ANNOTATIONS.commit]: process.env['GITHUB_SHA'] ?? '', [ANNOTATIONS.runUrl]: runUrl() });
  // A Job's template cannot change once created: each run gets its own Job.
  const suffix = `${process.env['GITHUB_RUN_ID'] ?? Date.now().toString(36)}-${process.env['GITHUB_RUN_ATTEMPT'] ?? '1'}`;
  job.metadata.name = `${job.metadata.name.slice(0, 62 - suffix.length)}-${suffix}`.toLowerCase();
  const connection = await logger.group('Connect to the cluster', () => connect(inputs, logger));
  if (job.metadata.namespace === undefined) job.metadata.namespace = connection.namespace;
  const outcome = await logger.group(`Run Job ${job.metadata.name} in ${job.metadata.namespace}`, () =>
    runJob(connection, job, inputs['job-timeout'], logger),
  );
  if (outcome.state === 'FAILED')
    throw new Error(
      `Migrations Job ${job.metadata.name} failed: ${outcome.reason}${outcome.message === '' ? '' : ` — ${outcome.message}`}`,
    );
  logger.info(`Migrations Job ${job.metadata.name} completed in ${Math.round(outcome.elapsedMs / 1000)} s`);
}
