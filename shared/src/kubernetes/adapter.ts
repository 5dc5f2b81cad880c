/** Placeholder while the Kubernetes adapter is written. */
import type { DeployAdapter } from '../deploy/flow.ts';
import type { Logger } from '../logger.ts';

/** Not built yet. @throws Error always */
export function kubernetesRollingAdapter(_inputs: unknown, _action: string, _logger: Logger): DeployAdapter {
  throw new Error('platform: kubernetes is not built yet');
}
