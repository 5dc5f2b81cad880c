/** Pure parts of the Kubernetes stand-in's controllers: the readiness rule, fenceposts, pod-template-hash. */
import { describe, expect, test } from 'vitest';
import {
  defaultPodFate,
  fenceposts,
  intOrPercent,
  podTemplateHash,
} from '../../../testkit/kubernetes-standin/controller.ts';

describe('defaultPodFate (the readiness-by-image rule)', () => {
  test.each([
    ['registry.local/hello:1.0.0', 'ready'],
    ['registry.local/hello:2.0.0-bad', 'image-pull-error'],
    ['registry.local/bad-service:1', 'image-pull-error'],
    ['registry.local/hello-crash:2', 'crash-loop'],
    ['registry.local/migrations:fail', 'crash-loop'],
    ['registry.local/hello:unready', 'unready'],
    // only the repository name and tag count: not the registry host, not the digest
    ['bad.registry.example/hello:1', 'ready'],
    ['registry.local/hello@sha256:badbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbad0', 'ready'],
  ])('%s → %s', (image, fate) => {
    expect(defaultPodFate(image)).toBe(fate);
  });
});

describe('fenceposts (deploymentutil.ResolveFenceposts)', () => {
  test.each([
    [{ replicas: 3 }, [1, 0]],
    [{ replicas: 4 }, [1, 1]],
    [{ replicas: 10, strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, [0, 1]],
    [{ replicas: 10, strategy: { rollingUpdate: { maxSurge: '50%', maxUnavailable: '10%' } } }, [5, 1]],
  ])('%j → %j', (spec, expected) => {
    expect(fenceposts(spec)).toEqual(expected);
  });
  test('percentages round up for surge and down for unavailable', () => {
    expect(intOrPercent('25%', 3, true)).toBe(1);
    expect(intOrPercent('25%', 3, false)).toBe(0);
    expect(intOrPercent(2, 3, false)).toBe(2);
  });
});

describe('podTemplateHash', () => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'a' }] },
  };
  test('stable, in the safe alphabet, ignoring the hash label and key order; changes with the template', () => {
    const h = podTemplateHash(template);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(
      podTemplateHash({ spec: template.spec, metadata: { labels: { 'pod-template-hash': h, app: 'web' } } }),
    ).toBe(h);
    expect(podTemplateHash({ ...template, spec: { containers: [{ name: 'web', image: 'b' }] } })).not.toBe(h);
    expect(podTemplateHash(template, 1)).not.toBe(h);
  });
});
