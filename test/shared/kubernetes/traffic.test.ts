import { describe, expect, test } from 'vitest';
import {
  canaryReplicas,
  canaryWeightOf,
  endpointShare,
  weightedRules,
  type HttpRoute,
} from '../../../shared/src/kubernetes/traffic.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';

describe('canaryReplicas (ceil(stable × weight / 100), at least 1 above 0)', () => {
  test.each([
    [4, 5, 1],
    [4, 25, 1],
    [4, 26, 2],
    [10, 5, 1],
    [10, 25, 3],
    [10, 50, 5],
    [10, 100, 10],
    [3, 34, 2],
    [1, 1, 1],
    [0, 50, 1],
    [10, 0, 0],
    [7, 100, 7],
  ])('stable %i at %i%% → %i canary replicas', (stable, weight, expected) => {
    expect(canaryReplicas(stable, weight)).toBe(expected);
  });
});

describe('endpointShare', () => {
  test.each([
    [4, 1, 20],
    [10, 3, 23.1],
    [1, 1, 50],
    [5, 0, 0],
    [0, 0, 0],
  ])('%i stable + %i canary endpoints → %d%%', (stable, canary, share) => {
    expect(endpointShare(stable, canary)).toBe(share);
  });
});

const route = (rules: unknown[]): HttpRoute =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web' },
    spec: { rules },
  }) as HttpRoute;

describe('weightedRules (HTTPRoute backendRef weights stable 100 - w, canary w)', () => {
  const services = { stable: 'web', canary: 'web-canary' };

  test('adds the canary backendRef on the stable one’s port and sets both weights', () => {
    const before = route([{ matches: [{ path: { value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }]);
    const rules = weightedRules(before, services, 5);
    expect(rules).toEqual([
      {
        matches: [{ path: { value: '/' } }],
        backendRefs: [
          { name: 'web', port: 80, weight: 95 },
          { name: 'web-canary', port: 80, weight: 5 },
        ],
      },
    ]);
    expect(before.spec?.rules?.[0]?.backendRefs).toHaveLength(1);
    expect(canaryWeightOf({ ...before, spec: { rules } }, services)).toBe(5);
  });

  test.each([0, 25, 100])('moves an existing canary backendRef to %i%%', (weight) => {
    const rules = weightedRules(
      route([
        {
          backendRefs: [
            { name: 'web', port: 80, weight: 75 },
            { name: 'web-canary', port: 80, weight: 25 },
          ],
        },
      ]),
      services,
      weight,
    );
    expect(rules[0]?.backendRefs?.map((ref) => [ref.name, ref.weight])).toEqual([
      ['web', 100 - weight],
      ['web-canary', weight],
    ]);
  });

  test('every rule sending to the stable Service is weighted; other rules and backends are kept', () => {
    const rules = weightedRules(
      route([
        { backendRefs: [{ name: 'web', port: 80 }] },
        { backendRefs: [{ name: 'api', port: 8080, weight: 3 }] },
        {
          backendRefs: [
            { name: 'web', port: 80 },
            { name: 'web', kind: 'ServiceImport', group: 'multicluster.x-k8s.io' },
          ],
        },
      ]),
      services,
      10,
    );
    expect(rules[0]?.backendRefs?.map((ref) => ref.weight)).toEqual([90, 10]);
    expect(rules[1]?.backendRefs).toEqual([{ name: 'api', port: 8080, weight: 3 }]);
    expect(rules[2]?.backendRefs?.map((ref) => [ref.name, ref.kind, ref.weight])).toEqual([
      ['web', undefined, 90],
      ['web', 'ServiceImport', undefined],
      ['web-canary', undefined, 10],
    ]);
  });

  test('a route without the stable Service is a ConfigurationError', () => {
    expect(() => weightedRules(route([{ backendRefs: [{ name: 'api' }] }]), services, 5)).toThrow(
      ConfigurationError,
    );
    expect(() => weightedRules(route([]), services, 5)).toThrow(
      /no rule with a backendRef to the stable Service web/,
    );
  });

  test('canaryWeightOf: a backendRef without weight weighs 1 (Gateway API default); absent canary is 0', () => {
    expect(
      canaryWeightOf(route([{ backendRefs: [{ name: 'web' }, { name: 'web-canary' }] }]), services),
    ).toBe(50);
    expect(canaryWeightOf(route([{ backendRefs: [{ name: 'web' }] }]), services)).toBe(0);
    expect(canaryWeightOf(route([{ backendRefs: [{ name: 'api' }] }]), services)).toBeUndefined();
  });
});
