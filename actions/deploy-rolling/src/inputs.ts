/**
 * The inputs of deploy-rolling (see action.yml), read and validated in one place: a bad value fails here,
 * before any AWS or Kubernetes call. `platform` picks the ECS or the Kubernetes inputs; an input of the
 * other platform is refused (shared/src/deploy/platform.ts).
 */
import {
  getBoolean,
  getDuration,
  getInteger,
  getList,
  getMap,
  getPath,
  getString,
} from '../../../shared/src/inputs.ts';
import { resolveRegion } from '../../../shared/src/aws.ts';
import { ecsNameOptions } from '../../../shared/src/ecs/names.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { getPlatform, type PlatformInput } from '../../../shared/src/deploy/platform.ts';
import type { Platform } from '../../../shared/src/deploy/flow.ts';
import { parseImageInput } from '../../../shared/src/ecs/image.ts';
import type { EcsRollingOptions } from '../../../shared/src/ecs/adapter.ts';
import { loadTemplateFile } from '../../../shared/src/ecs/template.ts';
import {
  getKubernetesConnectionInputs,
  KUBERNETES_CONNECTION_INPUTS,
  type KubernetesConnectionInputs,
} from '../../../shared/src/kubernetes/connection-inputs.ts';
import { parseImagesInput, type ImageSubstitution } from '../../../shared/src/kubernetes/manifests.ts';

/** The inputs both platforms use. */
interface CommonInputs {
  /** Milliseconds. */
  timeout: number;
  wait: boolean;
  'rollback-on-failure': boolean;
  'dry-run': boolean;
}

/** platform: ecs. */
export interface EcsInputs extends CommonInputs, EcsRollingOptions {
  platform: 'ecs';
  'aws-region': string;
}

/** platform: kubernetes. */
export interface KubernetesInputs extends CommonInputs, KubernetesConnectionInputs {
  platform: 'kubernetes';
  /** Paths, folders or globs, relative to GITHUB_WORKSPACE (contained in it; checked when loading). */
  manifests: string[];
  images: ImageSubstitution[];
}

export type Inputs = EcsInputs | KubernetesInputs;

/** Inputs that belong to one platform, with their action.yml defaults. */
export const PLATFORM_INPUTS: Record<Platform, PlatformInput[]> = {
  ecs: [
    { name: 'cluster', default: '' },
    { name: 'service', default: '' },
    { name: 'image', default: '' },
    { name: 'container', default: '' },
    { name: 'task-definition', default: '' },
    { name: 'environment', default: '' },
    { name: 'desired-count', default: '' },
    { name: 'force-new-deployment', default: 'false' },
    { name: 'allow-family-change', default: 'false' },
    { name: 'alarms', default: '' },
  ],
  kubernetes: [
    { name: 'manifests', default: '' },
    { name: 'images', default: '' },
    ...KUBERNETES_CONNECTION_INPUTS,
  ],
};

/**
 * Reads every input.
 * @throws InputError naming the first bad input (or an input of the other platform)
 */
export async function getInputs(): Promise<Inputs> {
  const platform = getPlatform(PLATFORM_INPUTS);
  const common: CommonInputs = {
    timeout: getDuration('timeout', { default: '15m', min: 1_000 }) ?? 900_000,
    wait: getBoolean('wait', { default: true }),
    'rollback-on-failure': getBoolean('rollback-on-failure', { default: true }),
    'dry-run': getBoolean('dry-run', { default: false }),
  };
  if (platform === 'kubernetes')
    return {
      platform,
      ...common,
      ...(await getKubernetesConnectionInputs()),
      manifests: getList('manifests', { required: true, separator: 'newline', example: 'k8s/' }),
      images: parseImagesInput(getList('images', { separator: 'newline' }), 'images'),
    };
  const file = getPath('task-definition', { example: 'deploy/task-definition.json' });
  return {
    platform,
    ...common,
    cluster: getString('cluster', ecsNameOptions('cluster', 'staging')),
    service: getString('service', ecsNameOptions('service', 'web')),
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
    'desired-count': getInteger('desired-count', { min: 0, max: 5000 }),
    'force-new-deployment': getBoolean('force-new-deployment', { default: false }),
    'aws-region': resolveRegion(getString('aws-region')),
    alarms: getList('alarms').map((name) => {
      if (name.length > 255 || [...name].some((char) => char.charCodeAt(0) < 32))
        throw new InputError(
          'alarms',
          `"${name.slice(0, 80)}" is not a CloudWatch alarm name`,
          'web-5xx-high',
        );
      return name;
    }),
  };
}
