import { runAction } from '../../../shared/src/run.ts';
import { run } from './main.ts';

await runAction(() => run(), {
  // platform kubernetes with a `kubeconfig` input: remove the 0600 copy written under RUNNER_TEMP.
  post: async () => (await import('../../../shared/src/kubernetes/connection.ts')).removeKubeconfig(),
});

// The step is over: exit now, once stdout and stderr are flushed, instead of letting Node free the whole
// heap of the bundle first (tens of milliseconds between the last output and the exit, measured by
// bench/kubernetes.bench.ts). Every request and file write of the flow has been awaited.
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();
