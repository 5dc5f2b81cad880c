import { describe, expect, test } from 'vitest';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import {
  canaryDeployment,
  canaryName,
  canaryService,
  imagePatch,
  imagesFromText,
  selects,
  TRACK_LABEL,
} from '../../../shared/src/kubernetes/canary.ts';
import { InputError } from '../../../shared/src/errors.ts';

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
