/**
 * The inputs of deploy-bluegreen (see action.yml), read and validated in one place, before any AWS or
 * Kubernetes call: each strategy's required inputs are checked here too. `platform` picks the ECS or the
 * Kubernetes inputs; an input of the other platform is refused (shared/src/deploy/platform.ts).
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
import type { Platform } from '../../../shared/src/deploy/flow.ts';
import type { PlatformInput } from '../../../shared/src/deploy/platform.ts';
import {
  getKubernetesConnectionInputs,
  KUBERNETES_CONNECTION_INPUTS,
  type KubernetesConnectionInputs,
} from '../../../shared/src/kubernetes/connection-inputs.ts';
import { parseImagesInput, type ImageSubstitution } from '../../../shared/src/kubernetes/manifests.ts';

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

/**
 * The `traffic-steps` input: percentages, increasing, ending at 100 (default 5,25,100 for canary, else
 * 10,50,100). @throws InputError for a value that is not such a list
 */
export function trafficSteps(strategy: Strategy): number[] {
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

/** Inputs that belong to one platform, with their action.yml defaults (refused on the other platform). */
export const PLATFORM_INPUTS: Record<Platform, PlatformInput[]> = {
  ecs: [
    { name: 'cluster', default: '' },
    { name: 'service', default: '' },
    { name: 'container', default: '' },
    { name: 'task-definition', default: '' },
    { name: 'allow-family-change', default: 'false' },
    { name: 'environment', default: '' },
    { name: 'test-url', default: '' },
    { name: 'smoke-timeout', default: '2m' },
    { name: 'bake-time', default: '' },
    { name: 'listener-arn', default: '' },
    { name: 'rule-arn', default: '' },
    { name: 'blue-service', default: '' },
    { name: 'green-service', default: '' },
    { name: 'blue-target-group-arn', default: '' },
    { name: 'green-target-group-arn', default: '' },
    { name: 'step-interval', default: '1m' },
  ],
  kubernetes: [
    ...KUBERNETES_CONNECTION_INPUTS,
    { name: 'deployment', default: '' },
    { name: 'images', default: '' },
    { name: 'http-route', default: '' },
    { name: 'stable-service', default: '' },
    { name: 'canary-service', default: '' },
  ],
};

/** platform: kubernetes (strategy canary only). */
export interface KubernetesInputs extends KubernetesConnectionInputs {
  platform: 'kubernetes';
  strategy: 'canary';
  /** The stable Deployment; the canary is `<deployment>-canary`. */
  deployment: string;
  /** The new release's images (`image`, or the `images` lines). */
  images: ImageSubstitution[];
  /** Name of a gateway.networking.k8s.io/v1 HTTPRoute to move traffic by weights ('' : by replica ratio). */
  'http-route': string;
  /** The stable Service ('' in replica-ratio mode: not checked). */
  'stable-service': string;
  /** The canary Service (http-route mode; default `<stable-service>-canary`). */
  'canary-service': string;
  /** Percentages on the canary, increasing, ending at 100. */
  'traffic-steps': number[];
  /** Milliseconds. */
  timeout: number;
  /** For metrics-provider cloudwatch ('' otherwise, unless eks-cluster needs it). */
  'aws-region': string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function objectName(name: string, pattern: RegExp, example: string, required = false): string {
  const value = getString(name, { required, example });
  if (value !== '' && !pattern.test(value))
    throw new InputError(name, `${quote(value)} is not a Kubernetes object name`, example);
  return value;
}

/**
 * Reads the inputs of platform kubernetes (the caller has read `platform` with getPlatform).
 * @throws InputError naming the first bad or missing input: a strategy other than canary, no image, a bad
 *   object name, `http-route` without `stable-service`
 */
export async function getKubernetesInputs(): Promise<KubernetesInputs> {
  const strategy = getEnum('strategy', STRATEGIES, { default: 'ecs-native' });
  if (strategy !== 'canary')
    throw new InputError(
      'strategy',
      `platform: kubernetes runs strategy canary only (${strategy} is an ECS strategy)`,
      'canary',
    );
  const deployment = objectName('deployment', DNS_SUBDOMAIN, 'web', true);
  // `<deployment>-canary` must still be a name (253 characters at most).
  if (deployment.length > 246)
    throw new InputError('deployment', 'is too long for the canary name <deployment>-canary', 'web');
  const image = getString('image');
  const lines = [...(image === '' ? [] : [image]), ...getList('images', { separator: 'newline' })];
  if (lines.length === 0)
    throw new InputError(
      'images',
      'the new release needs an image (image or images)',
      'web=ghcr.io/acme/web:1.2.3',
    );
  const route = objectName('http-route', DNS_SUBDOMAIN, 'web');
  const stableService = objectName('stable-service', DNS_LABEL, 'web');
  if (route !== '' && stableService === '')
    throw new InputError('stable-service', 'http-route needs the stable Service its rule sends to', 'web');
  const canaryService = objectName('canary-service', DNS_LABEL, 'web-canary');
  if (canaryService !== '' && canaryService === stableService)
    throw new InputError('canary-service', 'must differ from stable-service', `${stableService}-canary`);
  const connection = await getKubernetesConnectionInputs();
  return {
    platform: 'kubernetes',
    strategy,
    ...connection,
    deployment,
    images: parseImagesInput(lines, image === '' ? 'images' : 'image'),
    'http-route': route,
    'stable-service': stableService,
    'canary-service': route === '' ? canaryService : canaryService || `${stableService}-canary`.slice(0, 63),
    'traffic-steps': trafficSteps('canary'),
    timeout: getDuration('timeout', { default: '30m', min: 1_000 }) ?? 1_800_000,
    'aws-region':
      connection['aws-region'] !== ''
        ? connection['aws-region']
        : getString('metrics-provider') === 'cloudwatch'
          ? resolveRegion(getString('aws-region'))
          : '',
  };
}
