/**
 * The inputs of deploy-rolling (see action.yml), read and validated in one place: a bad value fails here,
 * before any AWS call.
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
import { ecsNameOptions } from '../../../shared/src/ecs/names.ts';
import { resolveRegion } from '../../../shared/src/aws.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { parseImageInput } from '../../../shared/src/ecs/image.ts';
import type { ImageSpec, TaskDefinitionDocument } from '../../../shared/src/ecs/render.ts';
import { loadTemplateFile } from '../../../shared/src/ecs/template.ts';

export interface Inputs {
  cluster: string;
  service: string;
  image: ImageSpec;
  container: string[];
  /** The template file, loaded and normalized; undefined: use the service's current task definition. */
  'task-definition':
    { file: string; document: TaskDefinitionDocument; allowFamilyChange: boolean } | undefined;
  environment: Map<string, string>;
  'desired-count': number | undefined;
  /** Milliseconds. */
  timeout: number;
  wait: boolean;
  'force-new-deployment': boolean;
  'rollback-on-failure': boolean;
  'aws-region': string;
  'dry-run': boolean;
  /** CloudWatch alarm names watched by the ECS deployment (roll back when one goes to ALARM). */
  alarms: string[];
}

/**
 * Reads every input.
 * @throws InputError naming the first bad input
 */
export function getInputs(): Inputs {
  const file = getPath('task-definition', { example: 'deploy/task-definition.json' });
  return {
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
    timeout: getDuration('timeout', { default: '15m', min: 1_000 }) ?? 900_000,
    wait: getBoolean('wait', { default: true }),
    'force-new-deployment': getBoolean('force-new-deployment', { default: false }),
    'rollback-on-failure': getBoolean('rollback-on-failure', { default: true }),
    'aws-region': resolveRegion(getString('aws-region')),
    'dry-run': getBoolean('dry-run', { default: false }),
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
