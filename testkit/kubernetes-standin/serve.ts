/**
 * Shell entry of the Kubernetes API stand-in: `node testkit/kubernetes-standin/serve.ts` starts it, prints
 * `KUBECONFIG=<path>` and the URL, and serves until SIGINT/SIGTERM (then removes its temp files).
 */
import { startKubernetesStandIn } from './index.ts';

const standIn = await startKubernetesStandIn();
process.stdout.write(
  `KUBECONFIG=${standIn.kubeconfigPath}\nKubernetes API stand-in listening on ${standIn.url}\n`,
);
const stop = (): void => {
  void standIn.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
