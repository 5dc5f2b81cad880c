/** Server-side apply and managedFields in the Kubernetes stand-in (rules of the Kubernetes documentation). */
import { describe, expect, test } from 'vitest';
import {
  fieldSet,
  recordUpdate,
  serverSideApply,
  toFieldsV1,
} from '../../../testkit/kubernetes-standin/apply.ts';
import type { KubeObject } from '../../../testkit/kubernetes-standin/store.ts';

function dep(image: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image }] } }, ...extra },
  };
}

describe('server-side apply', () => {
  test('field sets are FieldsV1 with associative list keys', () => {
    expect(toFieldsV1(fieldSet(dep('a')))).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });

  test('create, re-apply with a field dropped removes it; another manager’s change conflicts unless forced', () => {
    const created = serverSideApply({
      live: undefined,
      applied: dep('a', { paused: false }),
      manager: 'gantry',
      force: false,
    });
    expect(created.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([
      ['gantry', 'Apply'],
    ]);
    const dropped = serverSideApply({ live: created, applied: dep('a'), manager: 'gantry', force: false });
    expect((dropped.spec as Record<string, unknown>).paused).toBeUndefined();

    // kubectl-rollout (an Update) changes the image: it now owns that field
    const undone = structuredClone(dropped);
    (
      undone.spec as { template: { spec: { containers: { image: string }[] } } }
    ).template.spec.containers[0]!.image = 'old';
    recordUpdate(dropped, undone, 'kubectl-rollout');
    expect(undone.metadata.managedFields?.map((m) => m.manager)).toEqual(['gantry', 'kubectl-rollout']);

    expect(() =>
      serverSideApply({ live: undone, applied: dep('b'), manager: 'gantry', force: false }),
    ).toThrow(
      expect.objectContaining({
        code: 409,
        message:
          'Apply failed with 1 conflict: conflict with "kubectl-rollout" using apps/v1: .spec.template.spec.containers[name="web"].image',
      }),
    );
    // same value: no conflict (shared ownership)
    expect(() =>
      serverSideApply({ live: undone, applied: dep('old'), manager: 'gantry', force: false }),
    ).not.toThrow();
    const forced = serverSideApply({ live: undone, applied: dep('b'), manager: 'gantry', force: true });
    expect(
      (forced.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0]!.image,
    ).toBe('b');
    expect(forced.metadata.managedFields?.map((m) => m.manager)).toEqual(['gantry']);
  });

  test('a field another manager also owns stays when one manager stops applying it', () => {
    const a = serverSideApply({
      live: undefined,
      applied: dep('x', { minReadySeconds: 5 }),
      manager: 'one',
      force: false,
    });
    const b = serverSideApply({
      live: a,
      applied: dep('x', { minReadySeconds: 5 }),
      manager: 'two',
      force: false,
    });
    const c = serverSideApply({ live: b, applied: dep('x'), manager: 'one', force: false });
    expect((c.spec as Record<string, unknown>).minReadySeconds).toBe(5);
  });
});
