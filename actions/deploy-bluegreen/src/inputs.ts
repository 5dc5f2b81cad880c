/**
 * The inputs of deploy-bluegreen (see action.yml), read and validated in one place, before any AWS call:
 * each strategy's required inputs are checked here too.
 */
import { ecsNameOptions } from '../../../shared/src/ecs/names.ts';
import { resolveRegion } from '../../../shared/src/aws.ts';
import { parseImageInput } from '../../../shared/src/ecs/image.ts';
import type { ImageSpec, TaskDefinitionDocument } from '../../../shared/src/ecs/render.ts';
import { loadTemplateFile } from '../../../shared/src/ecs/template.ts';
import { InputError } from '../../../shared/src/errors.ts';
import {
  getBoolean,
  getDuration,
  getEnum,
  getList,
  getMap,
  getPath,
  getString,
} from '../../../shared/src/inputs.ts';
import { quote } from '../../../shared/src/output.ts';

export const STRATEGIES = ['ecs-native', 'alb-weighted', 'canary'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Inputs {
  strategy: Strategy;
  cluster: string;
  service: string;
  image: ImageSpec;
  container: string[];
  'task-definition':
    { file: string; document: TaskDefinitionDocument; allowFamilyChange: boolean } | undefined;
  environment: Map<string, string>;
  'test-url': string[];
  /** Milliseconds. */
  'smoke-timeout': number;
  /** Milliseconds. */
  timeout: number;
  'rollback-on-failure': boolean;
  /** Whole minutes, or undefined for the service's own setting. */
  'bake-time': number | undefined;
  'listener-arn': string;
  'rule-arn': string;
  'blue-service': string;
  'green-service': string;
  'blue-target-group-arn': string;
  'green-target-group-arn': string;
  /** Percentages on the new colour, increasing, ending at 100. */
  'traffic-steps': number[];
  /** Milliseconds. */
  'step-interval': number;
  'aws-region': string;
}

function arn(name: string, kind: string, required: boolean): string {
  const value = getString(name, {
    required,
    example: `arn:aws:elasticloadbalancing:us-east-1:123456789012:${kind}/…`,
  });
  if (
    value !== '' &&
    !new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:${kind}/`).test(value)
  )
    throw new InputError(
      name,
      `${quote(value)} is not an ELBv2 ${kind} ARN`,
      `arn:aws:elasticloadbalancing:us-east-1:123456789012:${kind}/…`,
    );
  return value;
}

function trafficSteps(strategy: Strategy): number[] {
  const items = getList('traffic-steps');
  const steps = (
    items.length === 0 ? (strategy === 'canary' ? ['5', '25', '100'] : ['10', '50', '100']) : items
  ).map((item) => {
    const text = item.replace(/%$/, '');
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100)
      throw new InputError('traffic-steps', `${quote(item)} is not a percentage from 1 to 100`, '10,50,100');
    return Number(text);
  });
  steps.forEach((step, index) => {
    if (index > 0 && step <= (steps[index - 1] ?? 0))
      throw new InputError('traffic-steps', `steps must increase (${steps.join(',')})`, '10,50,100');
  });
  if (steps.at(-1) !== 100)
    throw new InputError('traffic-steps', 'the last step must be 100', `${steps.join(',')},100`);
  return steps;
}

function testUrls(): string[] {
  return getList('test-url', { separator: 'newline' }).map((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError('test-url', `${quote(url)} is not a URL`, 'https://test.example.com:8443/health');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new InputError(
        'test-url',
        `${quote(url)} is not http(s)`,
        'https://test.example.com:8443/health',
      );
    return url;
  });
}

/**
 * Reads every input.
 * @throws InputError naming the first bad or missing input (strategy-specific inputs included)
 */
export function getInputs(): Inputs {
  const strategy = getEnum('strategy', STRATEGIES, { default: 'ecs-native' });
  const alb = strategy !== 'ecs-native';
  const file = getPath('task-definition', { example: 'deploy/task-definition.json' });
  const bake = getDuration('bake-time');
  if (bake !== undefined && bake % 60_000 !== 0)
    throw new InputError('bake-time', 'ECS counts bake time in whole minutes', '5m');
  const inputs: Inputs = {
    strategy,
    cluster: getString('cluster', ecsNameOptions('cluster', 'production')),
    service: getString('service', ecsNameOptions('service', 'web', !alb)),
    image: parseImageInput(getString('image'), 'image'),
    container: getList('container'),
    'task-definition':
      file === ''
        ? undefined
        : {
            file,
            document: loadTemplateFile(file, 'task-definition'),
            allowFamilyChange: getBoolean('allow-family-change', { default: false }),
          },
    environment: getMap('environment', { keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/, example: 'LOG_LEVEL=info' }),
    'test-url': testUrls(),
    'smoke-timeout': getDuration('smoke-timeout', { default: '2m', min: 1_000 }) ?? 120_000,
    timeout: getDuration('timeout', { default: '30m', min: 1_000 }) ?? 1_800_000,
    'rollback-on-failure': getBoolean('rollback-on-failure', { default: true }),
    'bake-time': bake === undefined ? undefined : bake / 60_000,
    'listener-arn': arn('listener-arn', 'listener', alb),
    'rule-arn': arn('rule-arn', 'listener-rule', false),
    'blue-service': getString('blue-service', ecsNameOptions('service', 'web-blue', alb)),
    'green-service': getString('green-service', ecsNameOptions('service', 'web-green', alb)),
    'blue-target-group-arn': arn('blue-target-group-arn', 'targetgroup', alb),
    'green-target-group-arn': arn('green-target-group-arn', 'targetgroup', alb),
    'traffic-steps': trafficSteps(strategy),
    'step-interval': getDuration('step-interval', { default: '1m' }) ?? 60_000,
    'aws-region': resolveRegion(getString('aws-region')),
  };
  if (alb && inputs['blue-target-group-arn'] === inputs['green-target-group-arn'])
    throw new InputError('green-target-group-arn', 'blue and green must be different target groups');
  if (alb && inputs['blue-service'] === inputs['green-service'])
    throw new InputError('green-service', 'blue and green must be different services');
  return inputs;
}
