/**
 * ECS identifiers as the ECS API defines them, checked before any call: a cluster or service name is
 * 1–255 letters, digits, hyphens and underscores (CreateCluster `clusterName`, CreateService
 * `serviceName`); either may also be given as its ARN.
 */
import type { StringOptions } from '../inputs.ts';

/** A cluster name or ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
export const ECS_CLUSTER =
  /^(?:[A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/;
/** A service name or ARN (`…:service/<name>` or `…:service/<cluster>/<name>`). */
export const ECS_SERVICE =
  /^(?:[A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255})$/;

/**
 * `getString` options for an ECS cluster or service input: required unless told, one line, the ECS
 * name pattern.
 * @param kind    `cluster` or `service`
 * @param example a good value for the error, e.g. `production`
 */
export function ecsNameOptions(kind: 'cluster' | 'service', example: string, required = true): StringOptions {
  return {
    required,
    example,
    singleLine: true,
    pattern: kind === 'cluster' ? ECS_CLUSTER : ECS_SERVICE,
    patternName: `an ECS ${kind} name (1-255 letters, digits, - and _) or ${kind} ARN`,
  };
}
