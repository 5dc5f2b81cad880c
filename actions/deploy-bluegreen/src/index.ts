import { runAction } from '../../../shared/src/run.ts';
import { run } from './main.ts';

await runAction(() => run(), {
  // platform kubernetes with a `kubeconfig` input: remove the 0600 copy written under RUNNER_TEMP.
  post: async () => (await import('../../../shared/src/kubernetes/connection.ts')).removeKubeconfig(),
});
