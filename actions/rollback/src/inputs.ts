/**
 * The inputs of rollback (see action.yml), read and validated in one place, before any AWS call.
 */
import { ecsNameOptions } from '../../../shared/src/ecs/names.ts';
import { resolveRegion } from '../../../shared/src/aws.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { getBoolean, getDuration, getString } from '../../../shared/src/inputs.ts';
import { quote } from '../../../shared/src/output.ts';

export interface Inputs {
  cluster: string;
  service: string;
  /** `previous`, a task-definition ARN, `family:revision` or a revision number. */
  to: string;
  reason: string;
  wait: boolean;
  /** Milliseconds. */
  timeout: number;
  'listener-arn': string;
  'rule-arn': string;
  'aws-region': string;
}

const TO =
  /^(previous|\d+|[A-Za-z0-9_-]{1,255}:\d+|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+)$/;

/**
 * Reads every input.
 * @throws InputError naming the first bad input
 */
export function getInputs(): Inputs {
  const to = getString('to', { default: 'previous' });
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
    cluster: getString('cluster', ecsNameOptions('cluster', 'production')),
    service: getString('service', ecsNameOptions('service', 'web')),
    to,
    reason: getString('reason'),
    wait: getBoolean('wait', { default: true }),
    timeout: getDuration('timeout', { default: '15m', min: 1_000 }) ?? 900_000,
    'listener-arn': listener,
    'rule-arn': rule,
    'aws-region': resolveRegion(getString('aws-region')),
  };
}
