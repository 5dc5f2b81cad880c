/**
 * smoke-test's Kubernetes mode: checks of paths on in-cluster Services, sent through the Kubernetes API
 * server's service proxy (for clusters with no public ingress). `kubernetes-service` names the Service
 * (`[namespace/][scheme:]name[:port]`), `paths` (or `checks` items with `path`) the paths; the connection
 * inputs are the ones deploy-rolling takes (shared/src/kubernetes/connection-inputs.ts).
 */
import { InputError } from '../../../shared/src/errors.ts';
import { rawInput } from '../../../shared/src/inputs.ts';
import type { KubernetesConnectionInputs } from '../../../shared/src/kubernetes/connection-inputs.ts';
import {
  formatServiceReference,
  readServiceReference,
  servicePathProblem,
  SERVICE_REFERENCE_EXAMPLE,
  type ServiceReference,
} from '../../../shared/src/kubernetes/service-proxy.ts';
import { quote } from '../../../shared/src/output.ts';
import type { SmokeCheck } from '../../../shared/src/smoke.ts';
import type { CheckTarget } from './inputs.ts';

/** A check of a path on an in-cluster Service: a SmokeCheck whose URL is made once connected. */
export interface ServiceCheck extends Omit<SmokeCheck, 'url'> {
  service: ServiceReference;
  /** What follows `/proxy` in the proxy URL: `/healthz`, `/status?verbose=1`. */
  path: string;
}

/** The Kubernetes mode's inputs. */
export interface KubernetesSmokeInputs {
  connection: KubernetesConnectionInputs;
  checks: ServiceCheck[];
}

/** Inputs that only mean something with `kubernetes-service`. */
export const KUBERNETES_ONLY_INPUTS = ['paths', 'kubeconfig', 'context', 'namespace', 'eks-cluster'] as const;

/**
 * Refuses the Kubernetes-only inputs when `kubernetes-service` is not given: a set `kubeconfig` or `paths`
 * without a Service is a mistake, not something to ignore.
 * @throws InputError naming the first such input that is set
 */
export function refuseKubernetesInputs(): void {
  for (const name of KUBERNETES_ONLY_INPUTS) {
    if (rawInput(name).trim() !== '')
      throw new InputError(
        name,
        'is only used with `kubernetes-service` (checks of an in-cluster Service through the API server)',
        `kubernetes-service: ${SERVICE_REFERENCE_EXAMPLE}`,
      );
  }
}

/**
 * Refuses an `Authorization` header on a service-proxy check: the API server takes that header as the
 * caller's cluster credentials and does not pass it on to the Service.
 * @param input the input named in the error (`headers`, `checks`)
 * @throws InputError naming `input`
 */
export function refuseAuthorizationHeader(headers: Record<string, string>, input: string, where = ''): void {
  if (Object.keys(headers).some((key) => key.toLowerCase() === 'authorization'))
    throw new InputError(
      input,
      `${where}an Authorization header cannot reach a Service through the API server's proxy (the API server takes it as your cluster credentials); use another header`,
      'X-Smoke-Token: ${{ secrets.SMOKE_TOKEN }}',
    );
}

/**
 * The check for each of `paths` (default `/`) on `service`, each named `<service><path>`.
 * @param common the request and expectations from the single-check inputs
 * @throws InputError naming `paths` for a path that is not one, or a path given twice
 */
export function pathChecks(
  paths: readonly string[],
  service: ServiceReference,
  common: Omit<SmokeCheck, 'url' | 'name'>,
): ServiceCheck[] {
  const seen = new Set<string>();
  return (paths.length > 0 ? paths : ['/']).map((path) => {
    const problem = servicePathProblem(path);
    if (problem !== undefined) throw new InputError('paths', problem, '/healthz');
    if (seen.has(path)) throw new InputError('paths', `${quote(path)} is listed twice`, '/healthz');
    seen.add(path);
    return {
      ...common,
      headers: { ...common.headers },
      name: `${formatServiceReference(service)}${path}`,
      service,
      path,
    };
  });
}

/**
 * How a `checks` item names its target in Kubernetes mode: `path` (default `/`) on the Service of the
 * `kubernetes-service` input, or of the item's own `kubernetes-service`. A `url` is refused.
 */
export function serviceCheckTarget(
  service: ServiceReference,
): CheckTarget<{ service: ServiceReference; path: string }> {
  return {
    fields: ['path', 'kubernetes-service'],
    read(fields, index, fail) {
      if (fields['url'] !== undefined)
        fail(
          ['url'],
          `check ${index + 1} has a "url": with the kubernetes-service input, each check gives a "path" on the Service`,
          '- path: /healthz\n  expect-status: 200',
        );
      let target = service;
      const own = fields['kubernetes-service'];
      if (own !== undefined) {
        const read = readServiceReference(String(own));
        if ('problem' in read)
          return fail(
            ['kubernetes-service'],
            `check ${index + 1} "kubernetes-service": ${read.problem}`,
            `kubernetes-service: ${SERVICE_REFERENCE_EXAMPLE}`,
          );
        target = read;
      }
      const path = fields['path'] === undefined ? '/' : String(fields['path']);
      const problem = servicePathProblem(path);
      if (problem !== undefined) fail(['path'], `check ${index + 1} "path": ${problem}`, 'path: /healthz');
      return { target: { service: target, path }, name: `${formatServiceReference(target)}${path}` };
    },
  };
}
