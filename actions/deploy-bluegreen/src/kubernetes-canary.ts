/**
 * strategy canary on platform kubernetes. The traffic mover differs from ECS's; the analysis is the same
 * (canary-analysis.ts). A canary Deployment `<deployment>-canary` is made from the stable one's pod template
 * with the new images (shared/src/kubernetes/canary.ts) and, at each traffic step below 100 %:
 * - replica-ratio mode (no `http-route`): scaled to ceil(stable replicas × weight / 100), at least 1,
 *   behind the stable Service that selects both by their shared labels (Azure/k8s-deploy's pod canary);
 * - `http-route` mode: scaled the same way, then the HTTPRoute's backendRefs weighted stable `100 - w`,
 *   canary `w` on a canary Service (Argo Rollouts' Gateway API traffic routing);
 * then its rollout is watched and the step held and judged. At 100 % the stable Deployment gets the new
 * images, its rollout is watched, all traffic goes to it and the canary Deployment is deleted. On an
 * anomaly the canary's weight goes to 0 and it is scaled to zero at once; the stable Deployment is not
 * touched. Paused canaries (pause-at) keep their state in the canary Deployment's annotations.
 */
import * as core from '@actions/core';
import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import type { StepRecord } from './alb-weighted.ts';
import {
  canaryJudge,
  createProviders,
  settleVerdict,
  writeAnalysisOutputs,
  writeAnalysisSummary,
  type CanaryAnalysis,
  type StepJudgement,
} from './canary-analysis.ts';
import { getCanaryInputs, kubernetesSideValues, type CanaryInputs } from './canary-inputs.ts';
import type { KubernetesInputs } from './inputs.ts';
import { verdictOf } from '../../../shared/src/analysis/engine.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { writeTimeline } from '../../../shared/src/ecs/report.ts';
import type { TimelineEntry } from '../../../shared/src/ecs/watch.ts';
import { serverSideApply } from '../../../shared/src/kubernetes/apply.ts';
import {
  CANARY_ANNOTATIONS,
  canaryDeployment,
  canaryName,
  canaryService,
  deleteDeployment,
  endCanary,
  explainApiError,
  imagesFromText,
  patchDeployment,
  podLabels,
  readDeployment,
  readService,
  selects,
  setImages,
  stableImagesValue,
  TRACK_LABEL,
  trafficAnnotations,
  type CanaryTraffic,
} from '../../../shared/src/kubernetes/canary.ts';
import { connect, type KubernetesConnection } from '../../../shared/src/kubernetes/connection.ts';
import { inert } from '../../../shared/src/kubernetes/inert.ts';
import {
  explainPods,
  followRollouts,
  recordCompleted,
  templateImages,
} from '../../../shared/src/kubernetes/rollout.ts';
import { deploymentStatus } from '../../../shared/src/kubernetes/rollout-status.ts';
import {
  canaryReplicas,
  endpointShare,
  hasGatewayApi,
  readHttpRoute,
  setRouteWeight,
} from '../../../shared/src/kubernetes/traffic.ts';

/** Everything one run works with. */
interface Run {
  inputs: KubernetesInputs;
  canary: CanaryInputs;
  connection: KubernetesConnection;
  kube: KubeConfig;
  namespace: string;
  stable: V1Deployment;
  names: { stable: string; canary: string };
  logger: Logger;
  deadline: number;
  steps: StepRecord[];
  timeline: TimelineEntry[];
  started: number;
  judge: (step: Parameters<ReturnType<typeof canaryJudge>['judge']>[0]) => Promise<StepJudgement>;
  analysis: CanaryAnalysis;
}

const ref = (name: string, namespace: string): { kind: 'Deployment'; name: string; namespace: string } => ({
  kind: 'Deployment',
  name,
  namespace,
});

/**
 * Runs strategy canary on Kubernetes end to end (deploy, or promote / abort a paused canary) and reports
 * it (outputs `paused`, `canary-weight`, `images`, the `analysis-*` ones; the job summary).
 * @throws InputError for a bad analysis input (before any change); ConfigurationError when the stable
 *   Deployment, the route or a Service is missing, the cluster has no Gateway API for `http-route`, the
 *   stable rollout is not complete or a canary is in progress already (before any change); Error naming the
 *   failed check, step and values after an anomaly (canary at weight 0 and zero replicas by then, or
 *   what could not be done named); Error naming what was and was not done when an abort could not set the
 *   route's weight or scale the canary
 */
export async function runKubernetesCanary(inputs: KubernetesInputs, logger: Logger): Promise<void> {
  const deadline = Date.now() + inputs.timeout;
  const canary = await getCanaryInputs(logger, 'kubernetes', inputs['traffic-steps']);
  const providers = await createProviders(canary, inputs['aws-region']);
  const connection = await logger.group('Connect to the cluster', async () => {
    const made = await connect(inputs, logger);
    logger.info(`API server ${inert(made.server)}; namespace ${made.namespace}`);
    return made;
  });
  const kube = connection.kubeConfig;
  const namespace = connection.namespace;
  const names = { stable: inputs.deployment, canary: canaryName(inputs.deployment) };
  const { stable, existing } = await logger.group(`Read deployment/${names.stable}`, async () => {
    const stable = await readDeployment(kube, namespace, names.stable);
    if (stable === undefined)
      throw new ConfigurationError(`deployment/${names.stable} does not exist in namespace ${namespace}`);
    const existing = await readDeployment(kube, namespace, names.canary);
    logger.info(
      `deployment/${names.stable}: ${stable.spec?.replicas ?? 1} replicas, ${inert(templateImages(stable.spec?.template))}` +
        (existing === undefined
          ? ''
          : `; deployment/${names.canary}: ${existing.spec?.replicas ?? 0} replicas, weight ${existing.metadata?.annotations?.[CANARY_ANNOTATIONS.weight] ?? '0'}%`),
    );
    return { stable, existing };
  });
  const { judge, analysis } = canaryJudge(canary, providers, logger);
  const run: Run = {
    inputs,
    canary,
    connection,
    kube,
    namespace,
    stable,
    names,
    logger,
    deadline,
    steps: [],
    timeline: [],
    started: Date.now(),
    judge,
    analysis,
  };
  await logger.group(
    inputs['http-route'] === ''
      ? 'Check the traffic mode: replica ratio'
      : `Check the traffic mode: HTTPRoute ${inputs['http-route']}`,
    () => checkTraffic(run),
  );
  if (canary.action !== 'deploy') return resume(run, existing);

  const paused = existing?.metadata?.annotations?.[CANARY_ANNOTATIONS.paused] ?? '';
  const weight = Number(existing?.metadata?.annotations?.[CANARY_ANNOTATIONS.weight] ?? '0');
  if (existing !== undefined && (paused !== '' || (existing.spec?.replicas ?? 0) > 0 || weight > 0))
    throw new ConfigurationError(
      `A canary is in progress: deployment/${names.canary} has ${existing.spec?.replicas ?? 0} replicas at ${weight}%` +
        `${paused === '' ? '' : ` (paused at ${paused}%)`}: finish it first with action: promote or action: abort (or end it with the rollback action)`,
    );
  const status = deploymentStatus(stable);
  if (!status.done)
    throw new ConfigurationError(
      `The stable rollout is not complete (${inert(status.error ?? status.message)}): a canary is judged against a steady stable version`,
    );
  // The running version completed its rollout: record it, so that rollback finds it (as deploy-rolling does).
  await recordCompleted(kube, ref(names.stable, namespace));
  const applied = await logger.group(`Create deployment/${names.canary}`, async () => {
    const { manifest, changes } = canaryDeployment(stable, inputs.images, 0, {
      [CANARY_ANNOTATIONS.weight]: '0',
      [CANARY_ANNOTATIONS.paused]: '',
      [CANARY_ANNOTATIONS.stableImages]: stableImagesValue(stable.spec?.template),
      ...trafficAnnotations(trafficOfRun(run)),
    });
    for (const change of changes) logger.info(`image ${inert(change)}`);
    await serverSideApply(connection, [manifest], logger);
    return changes;
  });
  if (applied.length === 0)
    logger.warning(
      `The canary runs the images deployment/${names.stable} runs already: nothing new is judged`,
    );
  await runSteps(run, inputs['traffic-steps'], 0);
}

/** The stable Service's selector must reach the canary's pods (replica ratio) or must not (HTTPRoute). */
async function checkTraffic(run: Run): Promise<void> {
  const { inputs, kube, namespace, logger } = run;
  const canaryPods = { ...podLabels(run.stable), [TRACK_LABEL]: 'canary' };
  if (inputs['http-route'] === '') {
    logger.info(
      `Traffic by replica ratio: deployment/${run.names.canary} gets ceil(${run.stable.spec?.replicas ?? 1} × weight / 100) replicas behind the Service that selects both`,
    );
    if (inputs['stable-service'] === '') return;
    const service = await readService(kube, namespace, inputs['stable-service']);
    if (!selects(service.spec?.selector, canaryPods))
      throw new ConfigurationError(
        `Service ${inputs['stable-service']} does not select the canary's pods (selector ${labelText(service.spec?.selector)}; canary pod labels ${labelText(canaryPods)}): by replica ratio the stable Service must select the labels both Deployments share`,
      );
    return;
  }
  if (!(await hasGatewayApi(kube)))
    throw new ConfigurationError(
      `http-route is set, but the cluster does not serve the Gateway API (gateway.networking.k8s.io/v1 is not in its discovery): install the Gateway API CRDs and a Gateway controller, or leave http-route empty to move traffic by replica ratio`,
    );
  const route = await readHttpRoute(kube, namespace, inputs['http-route']);
  const sends = (route.spec?.rules ?? []).some((rule) =>
    (rule.backendRefs ?? []).some((backend) => backend.name === inputs['stable-service']),
  );
  if (!sends)
    throw new ConfigurationError(
      `HTTPRoute ${inputs['http-route']} has no rule with a backendRef to the stable Service ${inputs['stable-service']}`,
    );
  const stableService = await readService(kube, namespace, inputs['stable-service']);
  if (selects(stableService.spec?.selector, canaryPods))
    throw new ConfigurationError(
      `Service ${inputs['stable-service']} selects the canary's pods too (selector ${labelText(stableService.spec?.selector)}), so HTTPRoute weights would not hold: ` +
        `label the stable pods ${TRACK_LABEL}: stable in deployment/${run.names.stable}'s template and add it to the Service's selector (the canary's pods get ${TRACK_LABEL}: canary)`,
    );
  await serverSideApply(run.connection, [canaryService(stableService, inputs['canary-service'])], logger);
  logger.info(
    `Traffic by HTTPRoute ${inputs['http-route']} weights: ${inputs['stable-service']} 100 - w / ${inputs['canary-service']} w`,
  );
}

/** The traffic mode of this run's inputs: an HTTPRoute's weights, or replica ratio. */
function trafficOfRun(run: { inputs: KubernetesInputs }): CanaryTraffic {
  const { inputs } = run;
  return inputs['http-route'] === ''
    ? {}
    : {
        route: {
          name: inputs['http-route'],
          stable: inputs['stable-service'],
          canary: inputs['canary-service'],
        },
      };
}

function labelText(labels: Record<string, string> | undefined): string {
  return (
    Object.entries(labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(',') || '(none)'
  );
}

/** Milliseconds left before the `timeout`; @throws Error when none are */
function remaining(run: Run): number {
  const left = run.deadline - Date.now();
  if (left <= 0) throw new Error(`timeout ${formatDuration(run.inputs.timeout)} reached`);
  return left;
}

/**
 * Moves the canary to `weight`: scales it to its replicas, waits for its rollout, then (HTTPRoute) sets the
 * route's weights. @returns the traffic text for the step row
 * @throws Error naming why the canary's rollout did not complete (its pods' reasons)
 */
async function shift(run: Run, weight: number): Promise<string> {
  const { kube, namespace, names, inputs, logger } = run;
  const stableReplicas = run.stable.spec?.replicas ?? 1;
  const replicas = canaryReplicas(stableReplicas, weight);
  await patchDeployment(kube, namespace, names.canary, {
    replicas,
    annotations: { [CANARY_ANNOTATIONS.weight]: String(weight), ...trafficAnnotations(trafficOfRun(run)) },
  });
  logger.info(`deployment/${names.canary} scaled to ${replicas} replica(s) for ${weight}%`);
  const watch = await followRollouts(kube, [ref(names.canary, namespace)], remaining(run), logger);
  run.timeline.push(
    ...watch.timeline.map((entry) => ({
      ...entry,
      atMs: entry.atMs + Date.now() - run.started - watch.elapsedMs,
    })),
  );
  if (watch.state !== 'COMPLETED') {
    const pods = await explainPods(kube, ref(names.canary, namespace)).catch(() => []);
    throw new Error(
      `the canary's rollout ${watch.state}: ${watch.reason}${pods.length > 0 ? `; ${pods.join('; ')}` : ''}`,
    );
  }
  if (inputs['http-route'] === '')
    return `${names.stable} ${stableReplicas} pods / ${names.canary} ${replicas} pod${replicas === 1 ? '' : 's'} (${endpointShare(stableReplicas, replicas)}% of endpoints)`;
  await setRouteWeight(
    kube,
    namespace,
    inputs['http-route'],
    { stable: inputs['stable-service'], canary: inputs['canary-service'] },
    weight,
  );
  logger.info(
    `HTTPRoute ${inputs['http-route']}: ${inputs['stable-service']} ${100 - weight} / ${inputs['canary-service']} ${weight}`,
  );
  return `${inputs['stable-service']} ${100 - weight}% / ${inputs['canary-service']} ${weight}% (HTTPRoute ${inputs['http-route']}; ${replicas} canary pod${replicas === 1 ? '' : 's'})`;
}

/** One health look at the canary: undefined when all its replicas are ready, else how many are. */
async function canaryHealth(run: Run): Promise<string | undefined> {
  const now = await readDeployment(run.kube, run.namespace, run.names.canary);
  if (now === undefined) return `deployment/${run.names.canary} was deleted`;
  const want = now.spec?.replicas ?? 0;
  const ready = now.status?.readyReplicas ?? 0;
  return ready >= want ? undefined : `${ready}/${want} canary pods ready`;
}

/**
 * Traffic back on stable at once: the canary ended by shared/src/kubernetes/canary.ts endCanary (canary
 * weight 0 on the route first, then scaled to zero and its pause cleared). Never throws: a step that cannot
 * be done is a warning and in the text.
 * @returns what was done, for the failure message, and whether everything was
 */
async function restore(run: Run, why: string): Promise<{ text: string; complete: boolean }> {
  const { kube, namespace, names, logger } = run;
  const { steps, failures } = await endCanary(kube, namespace, names.canary, trafficOfRun(run), logger);
  run.steps.push({
    step: 'restore',
    weights:
      failures.length === 0
        ? `${names.stable} 100% / ${names.canary} 0%`
        : `NOT fully restored: ${failures.join('; ')}`,
    checks: `${why}; ${steps.join('; ')}`,
  });
  const traffic =
    failures.length === 0
      ? `all traffic is back on deployment/${names.stable}`
      : `traffic is NOT fully back on deployment/${names.stable} (${failures.join('; ')})`;
  return { text: `${why}; ${traffic}; ${steps.join('; ')}`, complete: failures.length === 0 };
}

/**
 * Promotion at 100 %: the stable Deployment gets the images the canary ran and was judged with (those of
 * the canary Deployment; `images` only when it is gone), so a later `action: promote` run promotes the
 * paused canary's images whatever `images` it is given; its rollout is watched; then all traffic goes to
 * it (HTTPRoute: canary weight 0) and the canary Deployment is deleted. A stable rollout that fails gets
 * its previous images back.
 * @throws Error when the stable rollout did not complete (its images restored by then)
 */
async function promote(run: Run): Promise<string> {
  const { kube, namespace, names, inputs, logger } = run;
  const live = (await readDeployment(kube, namespace, names.stable)) ?? run.stable;
  const canaryNow = await readDeployment(kube, namespace, names.canary);
  const before = imagesFromText(canaryNow?.metadata?.annotations?.[CANARY_ANNOTATIONS.stableImages] ?? '');
  const judged = imagesFromText(templateImages(canaryNow?.spec?.template));
  const changes = await setImages(kube, live, judged.length > 0 ? judged : inputs.images);
  for (const change of changes) logger.info(`image ${inert(change)}`);
  const watch = await followRollouts(kube, [ref(names.stable, namespace)], remaining(run), logger);
  if (watch.state !== 'COMPLETED') {
    const pods = await explainPods(kube, ref(names.stable, namespace)).catch(() => []);
    const restored = await readDeployment(kube, namespace, names.stable);
    if (restored !== undefined && before.length > 0) {
      await setImages(kube, restored, before);
      logger.info(
        `deployment/${names.stable}: previous images restored (${inert(before.map((b) => `${b.container}=${b.image}`).join(', '))})`,
      );
    }
    throw new Error(
      `the stable rollout with the new images ${watch.state}: ${watch.reason}${pods.length > 0 ? `; ${pods.join('; ')}` : ''}`,
    );
  }
  await recordCompleted(kube, ref(names.stable, namespace));
  if (inputs['http-route'] !== '')
    await setRouteWeight(
      kube,
      namespace,
      inputs['http-route'],
      { stable: inputs['stable-service'], canary: inputs['canary-service'] },
      0,
    );
  await deleteDeployment(kube, namespace, names.canary);
  logger.info(`deployment/${names.canary} deleted`);
  return `deployment/${names.stable} rolled out in ${formatDuration(watch.elapsedMs)}; deployment/${names.canary} deleted`;
}

/**
 * The traffic steps above `from`: shift, judge (below 100 %), pause (pause-at) or promote (100 %). An
 * anomaly or a failed rollout restores traffic to stable and throws.
 */
async function runSteps(run: Run, steps: number[], from: number): Promise<void> {
  const { logger, names, inputs, namespace } = run;
  for (const weight of steps.filter((step) => step > from)) {
    let pause = false;
    const outcome = await logger.group(
      weight < 100
        ? `Shift ${weight}% of traffic to ${names.canary}`
        : `Promote: deployment/${names.stable} gets the new images`,
      async (): Promise<string | undefined> => {
        try {
          if (weight === 100) {
            const text = await promote(run);
            run.steps.push({ step: '100%', weights: `${names.stable} 100% (new images)`, checks: text });
            return undefined;
          }
          const traffic = await shift(run, weight);
          const judged = await run.judge({
            percent: weight,
            name: names.canary,
            sides: {
              canary: kubernetesSideValues(run.canary['metrics-selector'], 'canary', names.canary, namespace),
              baseline: kubernetesSideValues(
                run.canary['metrics-selector'],
                'stable',
                names.stable,
                namespace,
              ),
            },
            health: () => canaryHealth(run),
          });
          if (judged.problem !== undefined) return judged.problem;
          run.steps.push({ step: `${weight}%`, weights: traffic, checks: judged.checks });
          pause = judged.pause === true;
          return undefined;
        } catch (error) {
          return explainApiError(error);
        }
      },
    );
    if (outcome !== undefined) {
      const failure = (await restore(run, outcome)).text;
      if (run.analysis.detectedAt !== undefined)
        logger.info(
          `Traffic back on deployment/${names.stable} ${Date.now() - run.analysis.detectedAt} ms after the failing interval was evaluated`,
        );
      await report(run, failure);
      throw new Error(`Canary deployment failed: ${failure}`);
    }
    if (pause) {
      await patchDeployment(run.kube, namespace, names.canary, {
        annotations: { [CANARY_ANNOTATIONS.paused]: String(weight) },
      });
      if (run.analysis.states.some((state) => verdictOf(state) === 'pass')) run.analysis.verdict = 'pass';
      await report(run, undefined, weight);
      logger.notice(
        `Canary paused at ${weight}%: traffic stays split until a run with action: promote (the remaining steps, judged) or action: abort (all traffic back on deployment/${names.stable})`,
      );
      return;
    }
  }
  settleVerdict(run.analysis);
  await report(run);
  logger.info(
    `Canary promoted: deployment/${names.stable} runs ${inert(inputs.images.map((image) => image.image).join(', '))} and serves all traffic`,
  );
}

/**
 * action promote | abort: continues or ends the canary an earlier run paused (its Deployment carries the
 * `gantry.dev/canary-paused` annotation).
 * @throws ConfigurationError when there is no paused canary; Error naming what was and was not done when
 *   an abort could not set the route's weight or scale the canary
 */
async function resume(run: Run, existing: V1Deployment | undefined): Promise<void> {
  const paused = existing?.metadata?.annotations?.[CANARY_ANNOTATIONS.paused] ?? '';
  if (existing === undefined || paused === '')
    throw new ConfigurationError(
      `There is no paused canary for deployment/${run.names.stable} in ${run.namespace} (` +
        (existing === undefined
          ? `deployment/${run.names.canary} does not exist`
          : `deployment/${run.names.canary} has no ${CANARY_ANNOTATIONS.paused} value: it was ended by an abort, an anomaly or a rollback, or promoted; ${existing.spec?.replicas ?? 0} replicas`) +
        `): nothing to ${run.canary.action}`,
    );
  const current = Number(existing.metadata?.annotations?.[CANARY_ANNOTATIONS.weight] ?? paused) || 0;
  run.steps.push({
    step: 'paused',
    weights: `${run.names.canary} ${current}%`,
    checks: `paused at ${paused}%`,
  });
  if (run.canary.action === 'abort') {
    const done = await run.logger.group(
      `Abort the canary: all traffic back on deployment/${run.names.stable}`,
      () => restore(run, 'aborted by request'),
    );
    if (!done.complete) {
      await report(run, done.text);
      throw new Error(`Canary abort not complete: ${done.text}`);
    }
    await report(run);
    run.logger.info(`Canary aborted: ${done.text}`);
    return;
  }
  await patchDeployment(run.kube, run.namespace, run.names.canary, {
    annotations: { [CANARY_ANNOTATIONS.paused]: '' },
  });
  run.logger.info(
    `Promoting the canary (${current}% now) through ${run.inputs['traffic-steps'].filter((s) => s > current).join(', ')}%`,
  );
  await runSteps(run, run.inputs['traffic-steps'], current);
}

/** Outputs and job summary of a run (failure set: it failed; pausedAt set: it paused there). */
async function report(run: Run, failure?: string, pausedAt?: number): Promise<void> {
  const stableNow = await readDeployment(run.kube, run.namespace, run.names.stable).catch(() => undefined);
  const canaryNow = await readDeployment(run.kube, run.namespace, run.names.canary).catch(() => undefined);
  core.setOutput('paused', String(pausedAt !== undefined));
  core.setOutput('canary-weight', canaryNow?.metadata?.annotations?.[CANARY_ANNOTATIONS.weight] ?? '0');
  core.setOutput('images', templateImages(stableNow?.spec?.template));
  writeAnalysisOutputs(run.analysis, failure);
  await writeSummaryTable(
    `deploy-bluegreen (canary on Kubernetes): deployment/${run.names.stable} in ${run.namespace}`,
    ['step', 'traffic', 'checks'],
    run.steps.map((step) => [step.step, step.weights, step.checks]),
    failure !== undefined
      ? `FAILED: ${failure}`
      : pausedAt !== undefined
        ? `paused at ${pausedAt}%: promote or abort in a later run`
        : `deployment/${run.names.stable} runs ${templateImages(stableNow?.spec?.template)}`,
  );
  await writeAnalysisSummary(run.analysis);
  await writeTimeline('Rollout timeline', run.timeline);
}
