/**
 * The Kubernetes API stand-in on its own thread, for bench/kubernetes.bench.ts: the harness measures the
 * clients' exits on its main thread, and the stand-in's work (a patch's watch fan-out, its controllers)
 * must not delay that measure — a real API server runs in another process too.
 *
 * Messages in: `{ type: 'watch', namespace, name }` — report the moment the Deployment's rollout is
 * complete; `{ type: 'stop' }`. Messages out: `{ type: 'ready', kubeconfig, kubeconfigPath }`;
 * `{ type: 'complete', at }`, `at` in epoch milliseconds (performance.timeOrigin + performance.now(), so the
 * main thread converts it to its own clock); `{ type: 'stopped' }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { deploymentStatus } from '../shared/src/kubernetes/rollout-status.ts';
import { startKubernetesStandIn } from '../testkit/kubernetes-standin/index.ts';

if (parentPort === null) throw new Error('bench/kubernetes-standin-worker.ts runs as a worker thread');
const port = parentPort;
const options = workerData as { namespaces: string[]; podStartDelayMs: number };
const standIn = await startKubernetesStandIn(options);

port.on('message', (message: { type: string; namespace?: string; name?: string }) => {
  if (message.type === 'stop') {
    void standIn.stop().then(() => port.postMessage({ type: 'stopped' }));
    return;
  }
  // Checked every millisecond with the rule kubectl uses, in the stand-in's own store.
  const timer = setInterval(() => {
    const deployment = standIn.get('deployments', message.namespace ?? '', message.name ?? '');
    if (deployment !== undefined && deploymentStatus(deployment).done) {
      clearInterval(timer);
      port.postMessage({ type: 'complete', at: performance.timeOrigin + performance.now() });
    }
  }, 1);
});
port.postMessage({ type: 'ready', kubeconfig: standIn.kubeconfig, kubeconfigPath: standIn.kubeconfigPath });
