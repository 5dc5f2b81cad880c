import { describe, expect, test } from 'vitest';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import {
  CANARY_ANNOTATIONS,
  canaryDeployment,
  canaryName,
  canaryService,
  imagePatch,
  imagesFromText,
  isCanaryActive,
  isGantryCanary,
  selects,
  trafficAnnotations,
  trafficOf,
  TRACK_LABEL,
} from '../../../shared/src/kubernetes/canary.ts';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';

const stable: V1Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'prod',
    labels: { app: 'web' },
    annotations: { 'deployment.kubernetes.io/revision': '3' },
    resourceVersion: '42',
    uid: 'u1',
  },
  spec: {
    replicas: 10,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate' },
    template: {
      metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, annotations: { team: 'a' } },
      spec: {
        containers: [
          { name: 'web', image: 'ghcr.io/acme/web:1.0.0' },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    },
  },
};

describe('canaryDeployment', () => {
  test('a copy of the stable template with the new image, labelled track=canary, no controller fields', () => {
    const { manifest, changes } = canaryDeployment(
      stable,
      [{ container: 'web', image: 'ghcr.io/acme/web:1.1.0', repository: 'ghcr.io/acme/web' }],
      2,
      { 'gantry.dev/canary-weight': '0' },
    );
    expect(canaryName('web')).toBe('web-canary');
    expect(manifest).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web-canary',
        namespace: 'prod',
        labels: { app: 'web', [TRACK_LABEL]: 'canary' },
        annotations: { 'gantry.dev/canary-weight': '0' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', [TRACK_LABEL]: 'canary' } },
        strategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { app: 'web', [TRACK_LABEL]: 'canary' }, annotations: { team: 'a' } },
          spec: {
            containers: [
              { name: 'web', image: 'ghcr.io/acme/web:1.1.0' },
              { name: 'proxy', image: 'envoy:1.30' },
            ],
          },
        },
      },
    });
    expect(changes).toEqual(['Deployment/web-canary web: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0']);
    expect(stable.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/acme/web:1.0.0');
  });

  test('a stable track label is replaced by canary, so a Service selecting track=stable misses the canary', () => {
    const tracked = structuredClone(stable);
    tracked.spec!.template.metadata!.labels![TRACK_LABEL] = 'stable';
    tracked.spec!.selector.matchLabels![TRACK_LABEL] = 'stable';
    const { manifest } = canaryDeployment(
      tracked,
      [{ image: 'ghcr.io/acme/web:2', repository: 'ghcr.io/acme/web' }],
      1,
      {},
    );
    const labels = (manifest['spec'] as V1Deployment['spec'])!.template.metadata!.labels!;
    expect(labels[TRACK_LABEL]).toBe('canary');
    expect(selects({ app: 'web', [TRACK_LABEL]: 'stable' }, labels)).toBe(false);
    expect(selects({ app: 'web' }, labels)).toBe(true);
  });

  test('an image line matching no container is an InputError naming images', () => {
    expect(() =>
      canaryDeployment(stable, [{ container: 'api', image: 'x:1', repository: 'x' }], 1, {}),
    ).toThrow(InputError);
  });
});

describe('selects (Service selector, equality only)', () => {
  test.each([
    [{ app: 'web' }, { app: 'web', x: 'y' }, true],
    [{ app: 'web', tier: 'fe' }, { app: 'web' }, false],
    [{ app: 'api' }, { app: 'web' }, false],
    [{}, { app: 'web' }, false],
    [undefined, { app: 'web' }, false],
  ])('%o over %o → %s', (selector, labels, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });
});

describe('canaryService', () => {
  test('the stable ports, ClusterIP, the selector plus track=canary', () => {
    const service: V1Service = {
      metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.0.0.1',
        selector: { app: 'web', [TRACK_LABEL]: 'stable' },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }],
      },
    };
    expect(canaryService(service, 'web-canary')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-canary', namespace: 'prod', labels: { app: 'web', [TRACK_LABEL]: 'canary' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'web', [TRACK_LABEL]: 'canary' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      },
    });
  });
});

describe('imagePatch (JSON patch with a test of each container name)', () => {
  test('replaces only the images that change', () => {
    const { operations, changes } = imagePatch(stable, [
      { image: 'ghcr.io/acme/web:1.1.0', repository: 'ghcr.io/acme/web' },
      { container: 'proxy', image: 'envoy:1.30', repository: 'envoy' },
    ]);
    expect(operations).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'web' },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/acme/web:1.1.0' },
    ]);
    expect(changes).toEqual(['Deployment/web web: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0']);
  });

  test('the stable-images annotation reads back into substitutions by container', () => {
    const images = imagesFromText('web=ghcr.io/acme/web:1.0.0,proxy=envoy@sha256:' + 'a'.repeat(64));
    expect(images.map((image) => [image.container, image.image])).toEqual([
      ['web', 'ghcr.io/acme/web:1.0.0'],
      ['proxy', `envoy@sha256:${'a'.repeat(64)}`],
    ]);
    expect(imagePatch(stable, images.slice(0, 1)).operations).toEqual([]);
  });
});

/** A canary Deployment as deploy-bluegreen makes it, with `annotations` over the creation ones. */
function made(annotations: Record<string, string | undefined>, replicas = 0): V1Deployment {
  const { manifest } = canaryDeployment(stable, [], replicas, {
    [CANARY_ANNOTATIONS.weight]: '0',
    [CANARY_ANNOTATIONS.paused]: '',
    [CANARY_ANNOTATIONS.stableImages]: 'web=ghcr.io/acme/web:1.0.0,proxy=envoy:1.30',
  });
  const deployment = manifest as unknown as V1Deployment;
  const merged = { ...deployment.metadata?.annotations, ...annotations };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  deployment.metadata = { ...deployment.metadata, annotations: merged as Record<string, string> };
  return deployment;
}

describe('trafficAnnotations and trafficOf (the canary records its traffic mode)', () => {
  test.each([
    [
      {},
      {
        [CANARY_ANNOTATIONS.httpRoute]: '',
        [CANARY_ANNOTATIONS.stableService]: '',
        [CANARY_ANNOTATIONS.canaryService]: '',
      },
    ],
    [
      { route: { name: 'web', stable: 'web', canary: 'web-canary' } },
      {
        [CANARY_ANNOTATIONS.httpRoute]: 'web',
        [CANARY_ANNOTATIONS.stableService]: 'web',
        [CANARY_ANNOTATIONS.canaryService]: 'web-canary',
      },
    ],
  ])('%o is written as %o and read back the same', (traffic, annotations) => {
    expect(trafficAnnotations(traffic)).toEqual(annotations);
    expect(trafficOf(made(annotations))).toEqual(traffic);
  });

  test('a canary that recorded nothing (or not both Services) moves traffic by replica ratio', () => {
    expect(trafficOf(made({}))).toEqual({});
    expect(trafficOf(made({ [CANARY_ANNOTATIONS.httpRoute]: 'web' }))).toEqual({});
  });

  test('an annotation that is not a resource name is refused, folded onto one line', () => {
    const bad = made({ [CANARY_ANNOTATIONS.httpRoute]: 'web\n::error::x' });
    expect(() => trafficOf(bad)).toThrow(ConfigurationError);
    expect(() => trafficOf(bad)).toThrow(
      /gantry\.dev\/canary-http-route annotation is not a resource name \("web ⏎ ::error::x"\)/,
    );
  });
});

describe('isGantryCanary and isCanaryActive', () => {
  test('a canary deploy-bluegreen made is one; the name, or the track label alone, is not', () => {
    expect(isGantryCanary(made({}))).toBe(true);
    expect(isGantryCanary(made({ [CANARY_ANNOTATIONS.stableImages]: undefined }))).toBe(false);
    const unlabelled = made({});
    delete unlabelled.metadata?.labels?.[TRACK_LABEL];
    expect(isGantryCanary(unlabelled)).toBe(false);
    expect(isGantryCanary({ metadata: { name: 'web-canary' } })).toBe(false);
  });

  test.each([
    ['paused, no replicas', { [CANARY_ANNOTATIONS.paused]: '25' }, 0, true],
    ['mid-analysis: replicas, not paused', { [CANARY_ANNOTATIONS.weight]: '5' }, 1, true],
    ['a weight left on the route, scaled to 0', { [CANARY_ANNOTATIONS.weight]: '25' }, 0, true],
    ['ended: 0 replicas, weight 0, not paused', {}, 0, false],
  ])('%s → %s', (_what, annotations, replicas, active) => {
    expect(isCanaryActive(made(annotations, replicas))).toBe(active);
  });
});
