/**
 * Rollout status with `kubectl rollout status` semantics: each case is a state kubectl's status viewers
 * (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go) judge, with kubectl's own message.
 */
import { describe, expect, test } from 'vitest';
import {
  daemonSetStatus,
  deploymentStatus,
  statefulSetStatus,
  type WorkloadObject,
} from '../../../shared/src/kubernetes/rollout-status.ts';

const deployment = (generation: number, status: WorkloadObject['status'], replicas = 3): WorkloadObject => ({
  metadata: { name: 'web', generation },
  spec: { replicas },
  status,
});

describe('deploymentStatus', () => {
  test.each([
    [
      'spec not observed yet',
      deployment(2, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      false,
      'Waiting for deployment spec update to be observed...',
    ],
    [
      'updated < desired',
      deployment(2, { observedGeneration: 2, replicas: 4, updatedReplicas: 1 }),
      false,
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    ],
    [
      'old replicas remain',
      deployment(2, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      false,
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    ],
    [
      'updated not available',
      deployment(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      false,
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    ],
    [
      'complete',
      deployment(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      true,
      'deployment "web" successfully rolled out',
    ],
    [
      'scaled to zero',
      deployment(5, { observedGeneration: 5 }, 0),
      true,
      'deployment "web" successfully rolled out',
    ],
  ])('%s', (_name, object, done, message) => {
    const verdict = deploymentStatus(object);
    expect(verdict.done).toBe(done);
    expect(verdict.message).toBe(message);
    expect(verdict.error).toBeUndefined();
  });
  test('ProgressDeadlineExceeded is an error, once the generation is observed', () => {
    const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    const failed = deploymentStatus(
      deployment(2, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, conditions }),
    );
    expect(failed).toEqual({
      done: false,
      error: 'deployment "web" exceeded its progress deadline',
      message: 'deployment "web" exceeded its progress deadline',
    });
    expect(deploymentStatus(deployment(3, { observedGeneration: 2, conditions })).error).toBeUndefined();
  });
});

describe('statefulSetStatus', () => {
  const set = (
    status: WorkloadObject['status'],
    partition?: number,
    type = 'RollingUpdate',
  ): WorkloadObject => ({
    metadata: { name: 'db', generation: 2 },
    spec: {
      replicas: 3,
      updateStrategy: { type, ...(partition === undefined ? {} : { rollingUpdate: { partition } }) },
    },
    status,
  });
  test.each([
    [
      'not observed',
      set({ observedGeneration: 1 }),
      false,
      'Waiting for statefulset spec update to be observed...',
    ],
    [
      'pods not ready',
      set({ observedGeneration: 2, readyReplicas: 1 }),
      false,
      'Waiting for 2 pods to be ready...',
    ],
    [
      'partition not reached',
      set({ observedGeneration: 2, readyReplicas: 3, updatedReplicas: 0 }, 2),
      false,
      'Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...',
    ],
    [
      'partition done',
      set({ observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 }, 2),
      true,
      'partitioned roll out complete: 1 new pods have been updated...',
    ],
    [
      'revisions differ',
      set({
        observedGeneration: 2,
        readyReplicas: 3,
        updatedReplicas: 2,
        currentRevision: 'db-1',
        updateRevision: 'db-2',
      }),
      false,
      'waiting for statefulset rolling update to complete 2 pods at revision db-2...',
    ],
    [
      'complete',
      set({
        observedGeneration: 2,
        readyReplicas: 3,
        replicas: 3,
        currentRevision: 'db-2',
        updateRevision: 'db-2',
      }),
      true,
      'statefulset rolling update complete 3 pods at revision db-2...',
    ],
  ])('%s', (_name, object, done, message) => {
    expect(statefulSetStatus(object)).toMatchObject({ done, message });
  });
  test('OnDelete cannot be followed', () => {
    expect(statefulSetStatus(set({ observedGeneration: 2 }, undefined, 'OnDelete')).error).toMatch(
      /only available for RollingUpdate/,
    );
  });
});

describe('daemonSetStatus', () => {
  const set = (generation: number, status: WorkloadObject['status']): WorkloadObject => ({
    metadata: { name: 'agent', generation },
    spec: {},
    status,
  });
  test.each([
    [
      'not observed',
      set(2, { observedGeneration: 1 }),
      false,
      'Waiting for daemon set spec update to be observed...',
    ],
    [
      'not updated',
      set(2, { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 1 }),
      false,
      'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...',
    ],
    [
      'not available',
      set(2, {
        observedGeneration: 2,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      }),
      false,
      'Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...',
    ],
    [
      'complete',
      set(2, {
        observedGeneration: 2,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
      }),
      true,
      'daemon set "agent" successfully rolled out',
    ],
  ])('%s', (_name, object, done, message) => {
    expect(daemonSetStatus(object)).toMatchObject({ done, message });
  });
});
