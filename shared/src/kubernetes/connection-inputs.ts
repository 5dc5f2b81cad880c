/**
 * The Kubernetes connection inputs every Kubernetes-capable action shares (deploy-rolling, rollback,
 * run-migrations): `kubeconfig` (a secret: masked before use, `vault:` references resolved), `context`,
 * `namespace`, and `eks-cluster` + `aws-region` for an EKS token made from the job's AWS credentials.
 */
import { resolveRegion } from '../aws.ts';
import { InputError } from '../errors.ts';
import { getString } from '../inputs.ts';
import { getSecret } from '../secret-inputs.ts';
import type { PlatformInput } from '../deploy/platform.ts';

/** How to reach the cluster. */
export interface KubernetesConnectionInputs {
  /** kubeconfig file contents ('' : use `KUBECONFIG` or ~/.kube/config). Masked. */
  kubeconfig: string;
  /** kubeconfig context ('' : the current context). */
  context: string;
  /** Namespace for objects without one ('' : the context's namespace, else `default`). */
  namespace: string;
  /** EKS cluster name: authenticate with a token from the AWS credentials ('' : the kubeconfig's user). */
  'eks-cluster': string;
  /** AWS region of the EKS cluster ('' unless `eks-cluster`). */
  'aws-region': string;
}

/** The connection inputs, with their action.yml defaults (all empty), for {@link getPlatform}. */
export const KUBERNETES_CONNECTION_INPUTS: PlatformInput[] = [
  { name: 'kubeconfig', default: '' },
  { name: 'context', default: '' },
  { name: 'namespace', default: '' },
  { name: 'eks-cluster', default: '' },
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Reads the connection inputs; the kubeconfig is masked (each line) before anything else happens.
 * @throws InputError for a namespace that is not a DNS label, an EKS cluster name that is not one, or no
 *   region for `eks-cluster`
 */
export async function getKubernetesConnectionInputs(): Promise<KubernetesConnectionInputs> {
  const namespace = getString('namespace');
  if (namespace !== '' && !DNS_LABEL.test(namespace))
    throw new InputError('namespace', `"${namespace}" is not a namespace name (a DNS label)`, 'staging');
  const eksCluster = getString('eks-cluster');
  if (eksCluster !== '' && !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(eksCluster))
    throw new InputError('eks-cluster', `"${eksCluster}" is not an EKS cluster name`, 'production');
  const context = getString('context');
  return {
    kubeconfig: await getSecret('kubeconfig'),
    context,
    namespace,
    'eks-cluster': eksCluster,
    'aws-region': eksCluster === '' ? '' : resolveRegion(getString('aws-region')),
  };
}
