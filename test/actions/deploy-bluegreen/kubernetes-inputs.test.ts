// platform kubernetes's inputs: strategy canary only, the Kubernetes names and images, the other platform's
// inputs refused, and the `{{track}}` / `{{deployment}}` placeholders — all before any network call.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  getCanaryInputs,
  kubernetesSideValues,
} from '../../../actions/deploy-bluegreen/src/canary-inputs.ts';
import { getKubernetesInputs, PLATFORM_INPUTS } from '../../../actions/deploy-bluegreen/src/inputs.ts';
import { getPlatform } from '../../../shared/src/deploy/platform.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

const saved = { ...process.env };
function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}
const base = {
  platform: 'kubernetes',
  strategy: 'canary',
  deployment: 'web',
  images: 'web=ghcr.io/acme/web:2',
};

describe('deploy-bluegreen platform kubernetes inputs', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', () => {
      throw new Error('no network call may happen while reading inputs');
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    process.env = { ...saved };
  });

  test('defaults: replica ratio, steps 5,25,100, 30 m', async () => {
    setInputs(base);
    expect(getPlatform(PLATFORM_INPUTS)).toBe('kubernetes');
    expect(await getKubernetesInputs()).toMatchObject({
      platform: 'kubernetes',
      strategy: 'canary',
      deployment: 'web',
      images: [{ container: 'web', image: 'ghcr.io/acme/web:2', repository: 'ghcr.io/acme/web' }],
      'http-route': '',
      'canary-service': '',
      'traffic-steps': [5, 25, 100],
      timeout: 1_800_000,
    });
  });

  test('http-route: the canary Service defaults to <stable-service>-canary; image works as one images line', async () => {
    setInputs({
      ...base,
      images: '',
      image: 'ghcr.io/acme/web:3',
      'http-route': 'web',
      'stable-service': 'web',
    });
    expect(await getKubernetesInputs()).toMatchObject({
      images: [{ image: 'ghcr.io/acme/web:3', repository: 'ghcr.io/acme/web' }],
      'http-route': 'web',
      'stable-service': 'web',
      'canary-service': 'web-canary',
    });
  });

  test.each([
    [{ strategy: 'ecs-native' }, 'strategy'],
    [{ deployment: 'Web_1' }, 'deployment'],
    [{ images: '' }, 'images'],
    [{ images: 'web=not a ref' }, 'images'],
    [{ 'http-route': 'web' }, 'stable-service'],
    [{ 'http-route': 'web', 'stable-service': 'web', 'canary-service': 'web' }, 'canary-service'],
    [{ namespace: 'Prod' }, 'namespace'],
    [{ 'traffic-steps': '5,50' }, 'traffic-steps'],
  ])('%o → InputError naming %s', async (extra, name) => {
    setInputs({ ...base, ...extra });
    const error = await getKubernetesInputs().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(name);
  });

  test.each([
    [{ platform: 'kubernetes', cluster: 'production' }, 'cluster'],
    [{ platform: 'kubernetes', 'blue-service': 'web-blue' }, 'blue-service'],
    [{ platform: 'ecs', deployment: 'web' }, 'deployment'],
    [{ platform: 'ecs', 'http-route': 'web' }, 'http-route'],
    [{ platform: 'ecs', kubeconfig: 'apiVersion: v1' }, 'kubeconfig'],
  ])('%o → the other platform’s input %s is refused', (inputs, name) => {
    setInputs(inputs);
    expect(() => getPlatform(PLATFORM_INPUTS)).toThrow(InputError);
    expect(() => getPlatform(PLATFORM_INPUTS)).toThrow(new RegExp(`Input '${name}'`));
  });

  test('metrics-selector on kubernetes takes {{track}} and {{deployment}}; colour-free selectors are refused', async () => {
    const analysis = {
      'metrics-provider': 'prometheus',
      'prometheus-url': 'http://127.0.0.1:9090',
    };
    setInputs({ ...analysis, 'metrics-selector': 'app="web",track="{{track}}"' });
    expect((await getCanaryInputs(createCaptureLogger(), 'kubernetes'))['metrics-selector']).toBe(
      'app="web",track="{{track}}"',
    );
    setInputs({ ...analysis, 'metrics-selector': 'app="web",track="{{track}}"' });
    await expect(getCanaryInputs(createCaptureLogger(), 'ecs')).rejects.toThrow(
      /\{\{color\}\} or \{\{service\}\}/,
    );
    setInputs({ ...analysis, 'metrics-selector': 'app="web"' });
    await expect(getCanaryInputs(createCaptureLogger(), 'kubernetes')).rejects.toThrow(/\{\{track\}\}/);
    setInputs({
      ...analysis,
      'metrics-selector': 'app="web",track="{{track}}"',
      'analysis-checks':
        '- name: q\n  query: sum(up{ {{selector}}, pod=~"{{deployment}}-.*" })\n  condition: "< 1"',
    });
    expect((await getCanaryInputs(createCaptureLogger(), 'kubernetes'))['analysis-checks']).toBeDefined();
  });

  test('kubernetesSideValues fills the track, the Deployment and the namespace', () => {
    expect(
      kubernetesSideValues(
        'app="{{deployment}}",track="{{track}}",ns="{{namespace}}"',
        'canary',
        'web-canary',
        'prod',
      ),
    ).toEqual({
      selector: 'app="web-canary",track="canary",ns="prod"',
      color: 'canary',
      track: 'canary',
      service: 'web-canary',
      deployment: 'web-canary',
      namespace: 'prod',
      cluster: 'prod',
      'target-group': '',
      'load-balancer': '',
    });
  });
});
