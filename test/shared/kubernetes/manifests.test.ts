/**
 * Manifest loading (files, folders, globs, multi-document YAML, containment in the workspace), image
 * substitution as Azure/k8s-deploy does it, and the commit/run annotations — on real temp directories.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import {
  annotate,
  expandManifestPaths,
  loadManifests,
  parseImagesInput,
  parseManifests,
  substituteImages,
  type Manifest,
} from '../../../shared/src/kubernetes/manifests.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const deployment = (name: string, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      initContainers:
        - { name: migrate, image: ${image} }
      containers:
        - { name: ${name}, image: ${image} }
        - { name: sidecar, image: registry.local/proxy:1.0 }
`;

let workspace: string;
let outside: string;

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-manifests-'));
  outside = mkdtempSync(path.join(tmpdir(), 'gantry-outside-'));
  mkdirSync(path.join(workspace, 'k8s', 'base'), { recursive: true });
  writeFileSync(
    path.join(workspace, 'k8s', 'web.yaml'),
    `${deployment('web', 'ghcr.io/acme/web:1.0')}---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n---\n`,
  );
  writeFileSync(
    path.join(workspace, 'k8s', 'base', 'config.yml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: "1" }\n',
  );
  writeFileSync(path.join(workspace, 'k8s', 'base', 'notes.txt'), 'not a manifest');
  writeFileSync(
    path.join(workspace, 'k8s', 'worker.json'),
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { template: { spec: { containers: [{ name: 'agent', image: 'ghcr.io/acme/agent:2' }] } } },
    }),
  );
  writeFileSync(path.join(outside, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\n');
  symlinkSync(path.join(outside, 'secret.yaml'), path.join(workspace, 'k8s', 'link.yaml'));
});
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('expandManifestPaths', () => {
  test('a folder gives its .yaml/.yml/.json files recursively, in name order; a file is taken once', () => {
    expect(() => expandManifestPaths(['k8s'], workspace)).toThrow(/"k8s" leads outside the workspace/);
    const files = expandManifestPaths(['k8s/base', 'k8s/web.yaml', 'k8s/web.yaml'], workspace);
    expect(files.map((file) => path.relative(workspace, file))).toEqual([
      'k8s/base/config.yml',
      'k8s/web.yaml',
    ]);
  });
  test('globs expand inside the workspace', () => {
    const files = expandManifestPaths(['k8s/w*.{yaml,json}'], workspace).map((f) => path.basename(f));
    expect(files).toEqual(['web.yaml', 'worker.json']);
  });
  test.each([
    ['../escape.yaml', /outside the workspace/],
    ['k8s/missing.yaml', /does not exist/],
    ['k8s/none-*.yaml', /matches no manifest file/],
    ['k8s/link.yaml', /leads outside the workspace/],
  ])('%s is an InputError naming manifests', (entry, message) => {
    const thrown = (() => {
      try {
        expandManifestPaths([entry], workspace);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).input).toBe('manifests');
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('parseManifests / loadManifests', () => {
  test('multi-document YAML: empty documents skipped, sources numbered', () => {
    const loaded = loadManifests(['k8s/web.yaml', 'k8s/worker.json'], workspace);
    expect(
      loaded.map((entry) => `${entry.object.kind}/${entry.object.metadata.name} ${entry.source}`),
    ).toEqual([
      'Deployment/web k8s/web.yaml#1',
      'Service/web k8s/web.yaml#2',
      'DaemonSet/agent k8s/worker.json#1',
    ]);
  });
  test('a List is expanded into its items', () => {
    const loaded = parseManifests(
      'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }\n',
      'list.yaml',
    );
    expect(loaded.map((entry) => entry.object.metadata.name)).toEqual(['a', 'b']);
  });
  test.each([
    ['kind: Deployment\nmetadata: { name: x }\n', /needs apiVersion, kind and metadata.name/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: { generateName: x- }\n', /generateName/],
    ['apiVersion: v1\nkind: [unclosed\n', /not valid YAML/],
  ])('%j is a ConfigurationError naming the document', (text, message) => {
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(ConfigurationError);
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(message);
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(/bad\.yaml#1/);
  });
});

describe('images', () => {
  const objects = (): Manifest[] =>
    parseManifests(deployment('web', 'ghcr.io/acme/web:1.0'), 'web.yaml').map((e) => e.object);
  const containers = (object: Manifest): string[] => {
    const spec = (object['spec'] as { template: { spec: Record<string, { name: string; image: string }[]> } })
      .template.spec;
    return [...(spec['initContainers'] ?? []), ...(spec['containers'] ?? [])].map(
      (c) => `${c.name}=${c.image}`,
    );
  };
  test('a reference replaces every image of its repository, whatever the tag (init containers too)', () => {
    const manifests = objects();
    const changes = substituteImages(manifests, parseImagesInput([`ghcr.io/acme/web@${DIGEST}`], 'images'));
    expect(containers(manifests[0]!)).toEqual([
      `migrate=ghcr.io/acme/web@${DIGEST}`,
      `web=ghcr.io/acme/web@${DIGEST}`,
      'sidecar=registry.local/proxy:1.0',
    ]);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toBe(`Deployment/web web: ghcr.io/acme/web:1.0 → ghcr.io/acme/web@${DIGEST}`);
  });
  test('container=reference replaces by container name', () => {
    const manifests = objects();
    substituteImages(manifests, parseImagesInput(['sidecar=registry.local/proxy:2.0'], 'images'));
    expect(containers(manifests[0]!)).toContain('sidecar=registry.local/proxy:2.0');
    expect(containers(manifests[0]!)).toContain('web=ghcr.io/acme/web:1.0');
  });
  test('a line that matches no container is an InputError naming images', () => {
    expect(() => substituteImages(objects(), parseImagesInput(['ghcr.io/acme/other:1'], 'images'))).toThrow(
      /Input 'images': no container image of repository ghcr.io\/acme\/other/,
    );
  });
  test.each([['Not A Ref'], ['web=bad ref'], ['ghcr.io/a/b:1\nghcr.io/a/b:2']])('%j is refused', (text) => {
    expect(() => parseImagesInput(text.split('\n'), 'images')).toThrow(InputError);
  });
});

test('annotate records commit and run on the object and its pod template, skipping empty values', () => {
  const manifests = parseManifests(deployment('web', 'ghcr.io/acme/web:1.0'), 'web.yaml').map(
    (e) => e.object,
  );
  annotate(manifests, { 'gantry.dev/commit': 'abc123', 'gantry.dev/run-url': '' });
  expect(manifests[0]!.metadata.annotations).toEqual({ 'gantry.dev/commit': 'abc123' });
  const template = (
    manifests[0]!['spec'] as { template: { metadata: { annotations: Record<string, string> } } }
  ).template;
  expect(template.metadata.annotations).toEqual({ 'gantry.dev/commit': 'abc123' });
});
