/** Field validation of the Kubernetes stand-in: declared fields from the API's schema, inline structs, pruning. */
import { describe, expect, test } from 'vitest';
import { unknownFields } from '../../../testkit/kubernetes-standin/fields.ts';
import { findResource } from '../../../testkit/kubernetes-standin/resources.ts';

const deployments = findResource('apps', 'v1', 'deployments')!;
const full = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { 'app.kubernetes.io/name': 'web' },
    annotations: { 'gantry.dev/commit': 'abc' },
  },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    selector: {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
    },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        serviceAccountName: 'web',
        containers: [
          {
            name: 'web',
            image: 'registry.local/web:1',
            ports: [{ containerPort: 8080, name: 'http' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
            ],
            envFrom: [{ configMapRef: { name: 'settings' } }],
            resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { exec: { command: ['true'] } },
            volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
            securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'settings', items: [{ key: 'a', path: 'a' }] } },
          { name: 'scratch', emptyDir: {} },
        ],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      },
    },
  },
};

describe('unknownFields', () => {
  test('a full Deployment declares every field it sets (inline structs such as Volume.configMap included)', () => {
    expect(unknownFields(deployments, structuredClone(full))).toEqual([]);
  });
  test('typos are reported with their path; map keys (labels) are not fields; prune removes them', () => {
    const typo = structuredClone(full) as Record<string, unknown> & typeof full;
    (typo.spec.template.spec.containers[0] as Record<string, unknown>).imagee = 'x';
    (typo.spec as Record<string, unknown>).replica = 3;
    (typo.spec.template.spec.volumes[0] as Record<string, unknown>).confgMap = {};
    expect(unknownFields(deployments, typo)).toEqual([
      'spec.template.spec.containers[0].imagee',
      'spec.template.spec.volumes[0].confgMap',
      'spec.replica',
    ]);
    unknownFields(deployments, typo, true);
    expect(unknownFields(deployments, typo)).toEqual([]);
    expect(typo.apiVersion).toBe('apps/v1');
    expect(typo.spec.template.spec.containers[0]!.image).toBe('registry.local/web:1');
  });
});
