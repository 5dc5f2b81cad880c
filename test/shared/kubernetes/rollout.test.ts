/** Pure parts of rollout.ts: naming the new ReplicaSet, the last-known-good annotations, the restore target. */
import { describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { revisionLabel } from '../../../shared/src/kubernetes/adapter.ts';
import {
  completedAnnotations,
  isRecorded,
  lastCompletedTemplate,
  newReplicaSetName,
} from '../../../shared/src/kubernetes/rollout.ts';

const NOW = new Date('2026-11-29T12:00:00Z');
const deployment = (
  annotations: Record<string, string>,
  message?: string,
  reason = 'NewReplicaSetAvailable',
) => ({
  metadata: { name: 'web', generation: 3, annotations },
  status: {
    observedGeneration: 3,
    conditions: message === undefined ? [] : [{ type: 'Progressing', status: 'True', reason, message }],
  },
});
const template = {
  metadata: { labels: { app: 'db' } },
  spec: { containers: [{ name: 'db', image: 'db:2' }] },
};
const ref = { kind: 'StatefulSet' as const, name: 'db', namespace: 'ns' };

describe('newReplicaSetName (the Progressing condition of a completed rollout)', () => {
  test.each([
    ['ReplicaSet "web-5d8f7c" has successfully progressed.', 'NewReplicaSetAvailable', 'web-5d8f7c'],
    ['ReplicaSet "web-5d8f7c" is progressing.', 'ReplicaSetUpdated', undefined],
    ['something else', 'NewReplicaSetAvailable', undefined],
  ])('%s (%s) → %s', (message, reason, expected) => {
    expect(newReplicaSetName(deployment({}, message, reason))).toBe(expected);
  });
  test('no condition → undefined', () => {
    expect(newReplicaSetName(deployment({}))).toBeUndefined();
  });
});

describe('completedAnnotations', () => {
  test('a Deployment: its revision, its ReplicaSet appended once, at most 10, and the time', () => {
    const history = Array.from({ length: 11 }, (_, i) => `web-${i}`).join(',');
    const annotations = completedAnnotations(
      'Deployment',
      deployment({
        'deployment.kubernetes.io/revision': '12',
        'gantry.dev/completed-replicasets': `${history},web-3`,
      }),
      'web-3',
      NOW,
    );
    expect(annotations).toEqual({
      'gantry.dev/last-completed-revision': '12',
      'gantry.dev/completed-replicasets': 'web-1,web-2,web-4,web-5,web-6,web-7,web-8,web-9,web-10,web-3',
      'gantry.dev/rollout-completed-at': '2026-11-29T12:00:00.000Z',
    });
  });
  test('a Deployment without a revision or ReplicaSet name: nothing to record', () => {
    expect(completedAnnotations('Deployment', deployment({}), 'web-1', NOW)).toBeUndefined();
    expect(
      completedAnnotations(
        'Deployment',
        deployment({ 'deployment.kubernetes.io/revision': '2' }),
        undefined,
        NOW,
      ),
    ).toBeUndefined();
  });
  test('a StatefulSet: its pod template as JSON', () => {
    const annotations = completedAnnotations('StatefulSet', { spec: { template } }, undefined, NOW);
    expect(JSON.parse(annotations?.['gantry.dev/last-completed-template'] ?? '')).toEqual(template);
  });
});

describe('isRecorded', () => {
  test('a Deployment: its new ReplicaSet is in completed-replicasets', () => {
    const message = 'ReplicaSet "web-2" has successfully progressed.';
    expect(
      isRecorded('Deployment', deployment({ 'gantry.dev/completed-replicasets': 'web-1,web-2' }, message)),
    ).toBe(true);
    expect(
      isRecorded('Deployment', deployment({ 'gantry.dev/completed-replicasets': 'web-1' }, message)),
    ).toBe(false);
  });
  test('a DaemonSet: the recorded template equals the running one, key order aside', () => {
    const recorded = JSON.stringify({ spec: template.spec, metadata: template.metadata });
    const set = (text: string) => ({
      metadata: { annotations: { 'gantry.dev/last-completed-template': text } },
      spec: { template },
    });
    expect(isRecorded('DaemonSet', set(recorded))).toBe(true);
    expect(isRecorded('DaemonSet', set(recorded.replace('db:2', 'db:1')))).toBe(false);
    expect(isRecorded('DaemonSet', { spec: { template } })).toBe(false);
  });
});

describe('lastCompletedTemplate', () => {
  const set = (annotations: Record<string, string>) => ({ metadata: { annotations }, spec: { template } });
  test('returns the recorded template when it differs from the running one', () => {
    const old = { ...template, spec: { containers: [{ name: 'db', image: 'db:1' }] } };
    expect(
      lastCompletedTemplate(ref, set({ 'gantry.dev/last-completed-template': JSON.stringify(old) })),
    ).toEqual(old);
  });
  test.each([
    [{}, /no gantry.dev\/last-completed-template annotation/],
    [{ 'gantry.dev/last-completed-template': '{not json' }, /is not a pod template/],
    [{ 'gantry.dev/last-completed-template': JSON.stringify(template) }, /is the running one/],
  ])('%j → ConfigurationError', (annotations, message) => {
    expect(() => lastCompletedTemplate(ref, set(annotations))).toThrow(ConfigurationError);
    expect(() => lastCompletedTemplate(ref, set(annotations))).toThrow(message);
  });
});

describe('revisionLabel (the revision output)', () => {
  test.each([
    [
      { kind: 'Deployment' as const },
      deployment({ 'deployment.kubernetes.io/revision': '5' }),
      'deployment/web=5',
    ],
    [
      { kind: 'Deployment' as const },
      { ...deployment({ 'deployment.kubernetes.io/revision': '5' }), status: { observedGeneration: 2 } },
      '',
    ],
    [{ kind: 'StatefulSet' as const }, { metadata: { generation: 4 } }, 'statefulset/web@4'],
  ])('%j', (kind, object, expected) => {
    expect(revisionLabel({ ...kind, name: 'web', namespace: 'ns' }, object)).toBe(expected);
  });
});
