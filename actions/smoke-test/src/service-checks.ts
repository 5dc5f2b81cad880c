/**
 * Running smoke-test's Kubernetes mode: connect with the kubeconfig, read each Service once to fail at
 * once what no retry can fix (the Service missing, a port it lacks), then run the other checks through the
 * API server's service proxy with the smoke engine (shared/src/smoke.ts) and the client's credentials.
 */
import type { Logger } from '../../../shared/src/logger.ts';
import { connect } from '../../../shared/src/kubernetes/connection.ts';
import {
  apiServerStatusMessage,
  formatServiceReference,
  serviceProblem,
  serviceProxyFetch,
  serviceProxyUrl,
} from '../../../shared/src/kubernetes/service-proxy.ts';
import {
  runSmokeChecks,
  type SmokeCheck,
  type SmokeOptions,
  type SmokeResult,
} from '../../../shared/src/smoke.ts';
import type { KubernetesSmokeInputs, ServiceCheck } from './service-inputs.ts';

/**
 * Makes the URL of each check once the cluster is known.
 * @param server    the cluster's server URL (kubeconfig)
 * @param namespace the connection's namespace, for Services named without one
 * @returns SmokeChecks whose `url` is `<server>/api/v1/namespaces/<ns>/services/<id>/proxy<path>`
 */
export function resolveServiceChecks(
  checks: readonly ServiceCheck[],
  server: string,
  namespace: string,
): SmokeCheck[] {
  return checks.map(({ service, path, ...check }) => ({
    ...check,
    url: serviceProxyUrl(server, service, namespace, path),
  }));
}

/**
 * Runs the Service checks: connects (kubeconfig input, `KUBECONFIG` or EKS token; credentials masked),
 * reads each distinct Service once (bounded by the request timeout), fails the checks of a missing Service
 * or port at once (0 attempts), and runs the others through the service proxy. A failure the API server
 * answered itself (no endpoints…) says so in the check's reason.
 * @returns one result per check, in the order given
 * @throws ConfigurationError when the kubeconfig cannot be loaded or names no cluster
 */
export async function runServiceChecks(
  kubernetes: KubernetesSmokeInputs,
  settings: SmokeOptions & { logger: Logger },
): Promise<SmokeResult[]> {
  const { logger } = settings;
  const connection = await connect(kubernetes.connection, logger);
  logger.info(
    `Through the Kubernetes API server's service proxy at ${connection.server} (namespace ${connection.namespace})`,
  );
  const checks = resolveServiceChecks(kubernetes.checks, connection.server, connection.namespace);
  const problems = new Map<string, Promise<string | undefined>>();
  const problemOf = (check: ServiceCheck): Promise<string | undefined> => {
    const key = `${check.service.namespace ?? connection.namespace}/${formatServiceReference({ ...check.service, namespace: undefined })}`;
    let problem = problems.get(key);
    if (problem === undefined) {
      problem = serviceProblem(
        connection.kubeConfig,
        check.service,
        connection.namespace,
        settings.requestTimeoutMs ?? 10_000,
      );
      problems.set(key, problem);
    }
    return problem;
  };
  const found = await Promise.all(kubernetes.checks.map(problemOf));
  const results = new Array<SmokeResult>(checks.length);
  const runnable: number[] = [];
  checks.forEach((check, index) => {
    const problem = found[index];
    if (problem === undefined) runnable.push(index);
    else {
      logger.info(`✗ ${check.name}: ${problem}`);
      results[index] = { name: check.name, url: check.url, passed: false, attempts: 0, reason: problem };
    }
  });
  if (runnable.length > 0) {
    const ran = await runSmokeChecks(
      runnable.map((index) => checks[index] as SmokeCheck),
      {
        ...settings,
        fetch: serviceProxyFetch(connection.kubeConfig, logger),
        explainStatus: (_status, body) => apiServerStatusMessage(body),
      },
    );
    ran.forEach((result, position) => {
      results[runnable[position] as number] = result;
    });
  }
  return results;
}
