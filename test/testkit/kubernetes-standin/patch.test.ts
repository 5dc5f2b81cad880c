/** Patch formats of the Kubernetes stand-in: RFC 7386 merge, RFC 6902 JSON patch, strategic merge. */
import { describe, expect, test } from 'vitest';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from '../../../testkit/kubernetes-standin/patch.ts';

describe('jsonMergePatch (RFC 7386)', () => {
  test.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: ['b'] }, { a: ['c'] }, { a: ['c'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [['a'], { a: 'b' }, { a: 'b' }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(jsonMergePatch(target, patch)).toEqual(expected);
  });
});

describe('jsonPatch (RFC 6902)', () => {
  test('add, replace, remove, move, copy, test', () => {
    const doc = { spec: { template: { image: 'a' } }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'replace', path: '/spec/template', value: { image: 'b' } },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'remove', path: '/list/1' },
      { op: 'copy', from: '/spec/template/image', path: '/copied' },
      { op: 'move', from: '/copied', path: '/moved' },
      { op: 'test', path: '/moved', value: 'b' },
      { op: 'add', path: '/a~1b', value: 'slash' },
    ]);
    expect(out).toEqual({ spec: { template: { image: 'b' } }, list: [0, 2, 3], moved: 'b', 'a/b': 'slash' });
    expect(doc.list).toEqual([1, 2]);
  });
  test('a failed test op is 422; replacing a missing member is 400', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      expect.objectContaining({ code: 422 }),
    );
    expect(() => jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});

describe('strategicMergePatch', () => {
  const live = {
    spec: {
      containers: [
        { name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
        { name: 'sidecar', image: 'side:1' },
      ],
      args: ['x'],
    },
  };
  test('containers merge by name, env by name, ports by containerPort; other lists are replaced', () => {
    const out = strategicMergePatch(live, {
      spec: {
        containers: [
          { name: 'web', image: 'web:2', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 81 }] },
        ],
        args: ['y'],
      },
    });
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:2',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }, { containerPort: 81 }],
          },
          { name: 'sidecar', image: 'side:1' },
        ],
        args: ['y'],
      },
    });
  });
  test('$patch: delete removes a list item, $patch: replace replaces a map, null deletes a field', () => {
    const out = strategicMergePatch(live, {
      spec: {
        containers: [
          { name: 'sidecar', $patch: 'delete' },
          { name: 'web', env: null },
        ],
      },
    }) as { spec: { containers: unknown[] } };
    expect(out.spec.containers).toEqual([{ name: 'web', image: 'web:1', ports: [{ containerPort: 80 }] }]);
    expect(strategicMergePatch({ a: { b: 1, c: 2 } }, { a: { $patch: 'replace', d: 3 } })).toEqual({
      a: { d: 3 },
    });
    expect(strategicMergePatch({ f: ['a', 'b'] }, { '$deleteFromPrimitiveList/f': ['a'] })).toEqual({
      f: ['b'],
    });
  });
});
