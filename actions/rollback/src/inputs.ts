/**
 * The inputs of rollback (see action.yml), read and validated in one place, before any AWS or Kubernetes
 * call. `platform` picks the ECS or the Kubernetes inputs; an input of the other platform is refused.
 */
import { ecsNameOptions } from '../../../shared/src/ecs/names.ts';
import { resolveRegion } from '../../../shared/src/aws.ts';
import type { Platform } from '../../../shared/src/deploy/flow.ts';
import { getPlatform, type PlatformInput } from '../../../shared/src/deploy/platform.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { getBoolean, getDuration, getList, getString } from '../../../shared/src/inputs.ts';
import {
  getKubernetesConnectionInputs,
  KUBERNETES_CONNECTION_INPUTS,
  type KubernetesConnectionInputs,
} from '../../../shared/src/kubernetes/connection-inputs.ts';
import { quote } from '../../../shared/src/output.ts';
import type { RolloutKind } from '../../../shared/src/kubernetes/rollout-status.ts';

interface CommonInputs {
  /** `previous`, or (ECS) a task-definition ARN, `family:revision` or a revision number; (Kubernetes) a revision number. */
  to: string;
  reason: string;
  wait: boolean;
  /** Milliseconds. */
  timeout: number;
}

/** platform: ecs. */
export interface EcsInputs extends CommonInputs {
  platform: 'ecs';
  cluster: string;
  service: string;
  'listener-arn': string;
  'rule-arn': string;
  'aws-region': string;
}

/** platform: kubernetes. */
export interface KubernetesInputs extends CommonInputs, KubernetesConnectionInputs {
  platform: 'kubernetes';
  /** The workloads: Deployments by name (`web` or `deployment/web`), StatefulSets and DaemonSets by `kind/name`. */
  workloads: { kind: RolloutKind; name: string }[];
}

export type Inputs = EcsInputs | KubernetesInputs;

/** Inputs that belong to one platform, with their action.yml defaults. */
export const PLATFORM_INPUTS: Record<Platform, PlatformInput[]> = {
  ecs: [
    { name: 'cluster', default: '' },
    { name: 'service', default: '' },
    { name: 'listener-arn', default: '' },
    { name: 'rule-arn', default: '' },
  ],
  kubernetes: [{ name: 'deployment', default: '' }, ...KUBERNETES_CONNECTION_INPUTS],
};

const TO =
  /^(previous|\d+|[A-Za-z0-9_-]{1,255}:\d+|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+)$/;
const WORKLOAD =
  /^(?:(deployment|deployments|deploy|statefulset|statefulsets|sts|daemonset|daemonsets|ds)\/)?([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;
const KINDS: Record<string, RolloutKind> = {
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
};

/**
 * Reads every input.
 * @throws InputError naming the first bad input (or an input of the other platform)
 */
export async function getInputs(): Promise<Inputs> {
  const platform = getPlatform(PLATFORM_INPUTS);
  const to = getString('to', { default: 'previous' });
  const common: CommonInputs = {
    to,
    reason: getString('reason'),
    wait: getBoolean('wait', { default: true }),
    timeout: getDuration('timeout', { default: '15m', min: 1_000 }) ?? 900_000,
  };
  if (platform === 'kubernetes') {
    if (!/^(previous|\d+)$/.test(to))
      throw new InputError('to', `"${to}" is not previous or a Deployment revision number`, 'previous');
    const workloads = getList('deployment', { required: true, example: 'web' }).map((name) => {
      const match = WORKLOAD.exec(name);
      if (match === null)
        throw new InputError(
          'deployment',
          `"${name}" is not a Deployment name (or statefulset/NAME, daemonset/NAME)`,
          'deployment/web',
        );
      return { kind: KINDS[match[1] ?? ''] ?? 'Deployment', name: match[2] ?? name };
    });
    const set = workloads.find((workload) => workload.kind !== 'Deployment');
    if (to !== 'previous' && set !== undefined)
      throw new InputError(
        'to',
        `a revision number picks a Deployment revision; ${set.kind.toLowerCase()}/${set.name} is rolled back to its last completed template only`,
        'previous',
      );
    return { platform, ...common, ...(await getKubernetesConnectionInputs()), workloads };
  }
  if (!TO.test(to))
    throw new InputError(
      'to',
      `${quote(to)} is not previous, a revision number, family:revision or a task-definition ARN`,
      'previous',
    );
  const listener = getString('listener-arn');
  const rule = getString('rule-arn');
  for (const [name, value, kind] of [
    ['listener-arn', listener, 'listener'],
    ['rule-arn', rule, 'listener-rule'],
  ] as const)
    if (
      value !== '' &&
      !new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:${kind}/`).test(value)
    )
      throw new InputError(
        name,
        `${quote(value)} is not an ELBv2 ${kind} ARN`,
        `arn:aws:elasticloadbalancing:us-east-1:123456789012:${kind}/app/web/…`,
      );
  return {
    platform,
    ...common,
    cluster: getString('cluster', ecsNameOptions('cluster', 'production')),
    service: getString('service', ecsNameOptions('service', 'web')),
    'listener-arn': listener,
    'rule-arn': rule,
    'aws-region': resolveRegion(getString('aws-region')),
  };
}
