import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { InputError } from '../../../shared/src/errors.ts';
import { parseImageInput, parseImageReference } from '../../../shared/src/ecs/image.ts';
import { mergeMissingFields } from '../../../shared/src/ecs/keep-unknown-fields.ts';
import {
  diffTaskDefinitions,
  normalizeTemplate,
  planImages,
  renderTaskDefinition,
} from '../../../shared/src/ecs/render.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** What `aws ecs describe-task-definition` prints, with a field no SDK models (`futureField`). */
const describeOutput = {
  taskDefinition: {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    family: 'web',
    revision: 7,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: '2025-01-01T00:00:00Z',
    registeredBy: 'arn:aws:iam::123456789012:user/ci',
    networkMode: 'awsvpc',
    futureField: { enabled: true },
    containerDefinitions: [
      {
        name: 'web',
        image: 'web:1',
        essential: true,
        environment: [
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'KEEP', value: 'me' },
        ],
        futureContainerField: 'x',
      },
      { name: 'sidecar', image: 'envoy:1', essential: false, healthCheck: null },
      { name: 'worker', image: 'web:1', essential: false },
    ],
  },
  tags: [{ key: 'team', value: 'payments' }],
};

describe('task definition rendering', () => {
  test('drops read-only fields and nulls, keeps unknown fields and tags', () => {
    const document = normalizeTemplate(describeOutput, 'file.json');
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ])
      assert.equal(field in document, false, field);
    assert.deepEqual(document['futureField'], { enabled: true });
    assert.deepEqual(document['tags'], [{ key: 'team', value: 'payments' }]);
    const sidecar = (document['containerDefinitions'] as Record<string, unknown>[])[1];
    assert.equal(sidecar !== undefined && 'healthCheck' in sidecar, false);
  });

  test('sets one image on several containers and merges environment by name', () => {
    const document = normalizeTemplate(describeOutput, 'file.json');
    const images = planImages(document, { kind: 'one', image: `web@${DIGEST}` }, ['web', 'worker'], 'web');
    const rendered = renderTaskDefinition(document, {
      images,
      environment: new Map([
        ['LOG_LEVEL', 'info'],
        ['NEW', '1'],
      ]),
    });
    const containers = rendered['containerDefinitions'] as Record<string, unknown>[];
    assert.equal(containers[0]?.['image'], `web@${DIGEST}`);
    assert.equal(containers[2]?.['image'], `web@${DIGEST}`);
    assert.equal(containers[1]?.['image'], 'envoy:1');
    assert.deepEqual(containers[0]?.['environment'], [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'KEEP', value: 'me' },
      { name: 'NEW', value: '1' },
    ]);
    assert.deepEqual(containers[2]?.['environment'], [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'NEW', value: '1' },
    ]);
    assert.equal(containers[0]?.['futureContainerField'], 'x');
    const template = describeOutput.taskDefinition.containerDefinitions[0];
    assert.equal(template?.image, 'web:1', 'the template is not changed');
  });

  test('defaults to the only essential container; errors name the containers there are', () => {
    const document = normalizeTemplate(describeOutput, 'file.json');
    assert.deepEqual([...planImages(document, { kind: 'one', image: 'web:2' }, [], 'web').keys()], ['web']);
    assert.throws(
      () => planImages(document, { kind: 'one', image: 'web:2' }, ['api'], 'web:7'),
      (error: unknown) =>
        error instanceof InputError &&
        error.input === 'container' &&
        /"api" is not a container.*web, sidecar, worker/.test(error.message),
    );
    const twoEssential = normalizeTemplate(
      {
        family: 'x',
        containerDefinitions: [
          { name: 'a', image: 'a' },
          { name: 'b', image: 'b' },
        ],
      },
      'x',
    );
    assert.throws(
      () => planImages(twoEssential, { kind: 'one', image: 'a:2' }, [], 'x'),
      /2 essential containers \(a, b\)/,
    );
    assert.throws(
      () => planImages(document, { kind: 'per-container', images: new Map([['nope', 'a:1']]) }, [], 'web'),
      (error: unknown) => error instanceof InputError && error.input === 'image',
    );
  });

  test('diff lists changed, added and removed fields by container name', () => {
    const before = normalizeTemplate(describeOutput, 'x');
    const after = renderTaskDefinition(before, {
      images: new Map([['web', 'web:2']]),
      environment: new Map([['A', '1']]),
    });
    const diff = diffTaskDefinitions(before, after);
    assert.ok(diff.includes('~ containerDefinitions[web].image: "web:1" → "web:2"'), diff.join('\n'));
    assert.ok(diff.includes('+ containerDefinitions[web].environment[A].value: "1"'), diff.join('\n'));
    assert.deepEqual(diffTaskDefinitions(before, before), []);
  });

  test('a template without family or containers is refused', () => {
    assert.throws(
      () => normalizeTemplate({ containerDefinitions: [{ name: 'a' }] }, 'td.json'),
      /td.json: .*no "family"/,
    );
    assert.throws(() => normalizeTemplate({ family: 'a' }, 'td.json'), /no "containerDefinitions"/);
    assert.throws(() => normalizeTemplate([1], 'td.json'), /must be a JSON\/YAML object/);
  });

  test('mergeMissingFields puts back what the serializer dropped, never overriding', () => {
    const body = { family: 'web', containerDefinitions: [{ name: 'web', image: 'web:2' }] };
    const added = mergeMissingFields(body, {
      family: 'ignored',
      futureField: { enabled: true },
      containerDefinitions: [{ name: 'web', image: 'ignored', futureContainerField: 'x', gone: null }],
    });
    assert.deepEqual(added, ['futureField', 'containerDefinitions[0].futureContainerField']);
    assert.deepEqual(body, {
      family: 'web',
      futureField: { enabled: true },
      containerDefinitions: [{ name: 'web', image: 'web:2', futureContainerField: 'x' }],
    });
  });
});

describe('image references', () => {
  for (const good of [
    'nginx',
    'web:1.2.3',
    `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web@${DIGEST}`,
    `localhost:5000/web:tag@${DIGEST}`,
    'ghcr.io/acme/web-app_2:v1.0-rc.1',
  ])
    test(`accepts ${good}`, () => assert.notEqual(parseImageReference(good), undefined));
  for (const bad of [
    'Web:1',
    'web:',
    'web@sha256:xyz',
    'web image',
    '',
    'web:tag:tag',
    `web@sha256:${'a'.repeat(10)}`,
  ])
    test(`refuses "${bad}"`, () => assert.equal(parseImageReference(bad), undefined));

  test('the image input: one reference, or CONTAINER=IMAGE lines', () => {
    assert.deepEqual(parseImageInput(' web:2 ', 'image'), { kind: 'one', image: 'web:2' });
    const spec = parseImageInput('web=web:2\nworker=worker:3\n', 'image');
    assert.equal(spec.kind, 'per-container');
    assert.deepEqual(spec.kind === 'per-container' ? [...spec.images] : [], [
      ['web', 'web:2'],
      ['worker', 'worker:3'],
    ]);
    assert.throws(() => parseImageInput('web:2\nweb:3', 'image'), /one CONTAINER=IMAGE line each/);
    assert.throws(() => parseImageInput('Web Image', 'image'), /"Web Image" is not a valid image reference/);
    assert.throws(() => parseImageInput('web=x:1\nweb=y:2', 'image'), /given twice/);
  });
});
