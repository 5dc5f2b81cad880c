/**
 * strategy ecs-native: ECS's own BLUE_GREEN deployment strategy (2025). Gantry updates the service, then
 * follows the service deployment through its lifecycle stages (shared/src/ecs/service-deployment.ts); a
 * PAUSE lifecycle hook is answered with the smoke checks on `test-url`: ContinueServiceDeployment CONTINUE
 * or ROLLBACK. The bake time is waited out like any stage (never cut short).
 */
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';

/**
 * Checks that a service can be deployed with ecs-native and whether it pauses for checks.
 * @returns the lifecycle stages that have PAUSE hooks
 * @throws ConfigurationError when the service's strategy is not BLUE_GREEN, or it pauses but no `test-url`
 *   is given (nobody would answer the hook)
 */
export function checkNativeService(
  service: {
    serviceName?: string;
    deploymentConfiguration?: {
      strategy?: string;
      lifecycleHooks?: { targetType?: string; lifecycleStages?: string[] }[];
    };
  },
  testUrls: string[],
  logger: Logger,
): string[] {
  const strategy = service.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (strategy !== 'BLUE_GREEN')
    throw new ConfigurationError(
      `Service ${service.serviceName ?? '?'} uses the ${strategy} deployment strategy; strategy ecs-native needs BLUE_GREEN ` +
        '(set deploymentConfiguration.strategy on the service, or use deploy-rolling / strategy alb-weighted)',
    );
  const pauseStages = (service.deploymentConfiguration?.lifecycleHooks ?? [])
    .filter((hook) => hook.targetType === 'PAUSE')
    .flatMap((hook) => hook.lifecycleStages ?? []);
  if (pauseStages.length > 0 && testUrls.length === 0)
    throw new ConfigurationError(
      `Service ${service.serviceName ?? '?'} pauses at ${pauseStages.join(', ')} for checks, but no test-url was given`,
    );
  if (pauseStages.length === 0 && testUrls.length > 0)
    logger.warning(
      'test-url is given but the service has no PAUSE lifecycle hook: ECS will not wait for the smoke checks. ' +
        'Add a PAUSE hook at POST_TEST_TRAFFIC_SHIFT to gate production traffic on them.',
    );
  return pauseStages;
}
