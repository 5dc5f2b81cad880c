/**
 * The Kubernetes API stand-in as a part of the local world (`npm run local -- up kubernetes`): the shape of
 * an entry of testkit/parts.ts's PARTS table (name, what, packages, start(dir) → env, notes, stop), so adding
 * it there is one import and one line.
 */
import path from 'node:path';
import { startKubernetesStandIn } from './index.ts';

/** The `kubernetes` part: starts the stand-in, its kubeconfig in the part's folder; exports KUBECONFIG. */
export const kubernetesPart = {
  name: 'kubernetes',
  what: 'Kubernetes API stand-in (kubectl and @kubernetes/client-node drive it; pods ready or not by image)',
  packages: ['openssl'],
  /**
   * Starts the stand-in.
   * @param dir the part's own folder: the kubeconfig is written there (0600)
   * @returns KUBECONFIG for clients, usage notes, and stop()
   */
  async start(dir: string): Promise<{ env: Record<string, string>; notes: string[]; stop(): Promise<void> }> {
    const k8s = await startKubernetesStandIn({ kubeconfigPath: path.join(dir, 'kubeconfig') });
    return {
      env: { KUBECONFIG: k8s.kubeconfigPath },
      notes: [
        `kubectl get pods  # the stand-in at ${k8s.url}; an image whose name contains "bad" or "crash" never becomes ready`,
      ],
      stop: () => k8s.stop(),
    };
  },
};
