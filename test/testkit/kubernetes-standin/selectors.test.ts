/** Label and field selectors of the Kubernetes stand-in (syntax of the Kubernetes documentation). */
import { describe, expect, test } from 'vitest';
import {
  labelSelectorObject,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../testkit/kubernetes-standin/selectors.ts';
import type { KubeObject } from '../../../testkit/kubernetes-standin/store.ts';

const labels = { app: 'web', tier: 'front', 'pod-template-hash': 'abc' };

describe('label selectors', () => {
  test.each([
    ['', true],
    ['app=web', true],
    ['app==web,tier=front', true],
    ['app!=web', false],
    ['app in (api, web)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,missing', false],
    ['environment in (prod),app=web', false],
  ])('%j → %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });
  test('bad syntax is a 400', () => {
    expect(() => parseLabelSelector('app=(web')).toThrow(expect.objectContaining({ code: 400 }));
  });
  test('LabelSelector objects: matchLabels and matchExpressions', () => {
    expect(labelSelectorObject({ matchLabels: { app: 'web' } })(labels)).toBe(true);
    expect(
      labelSelectorObject({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] })(labels),
    ).toBe(false);
    expect(labelSelectorObject({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] })(labels)).toBe(
      true,
    );
    expect(labelSelectorObject({ matchExpressions: [{ key: 'app', operator: 'Exists' }] })({})).toBe(false);
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default' },
    status: { phase: 'Running' },
  };
  test.each([
    ['metadata.name=web-1', true],
    ['metadata.name==web-2', false],
    ['status.phase!=Running', false],
    ['metadata.namespace=default,status.phase=Running', true],
    ['spec.nodeName=', true],
  ])('%j → %s', (selector, expected) => {
    expect(parseFieldSelector(selector)(pod)).toBe(expected);
  });
});
