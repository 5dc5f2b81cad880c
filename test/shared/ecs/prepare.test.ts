import { describe, expect, test } from 'vitest';
import { renderRevision } from '../../../shared/src/ecs/prepare.ts';
import { nearestField, unknownFields } from '../../../shared/src/ecs/fields.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { InputError } from '../../../shared/src/errors.ts';
import type { TaskDefinitionDocument } from '../../../shared/src/ecs/render.ts';

const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'b'.repeat(64)}`;
const running = {
  taskDefinition: {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'old', essential: true }],
  },
  tags: [],
};

function template(
  extra: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): TaskDefinitionDocument {
  return {
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'old', essential: true, ...container }],
    ...extra,
  } as TaskDefinitionDocument;
}

function render(document: TaskDefinitionDocument, allowFamilyChange?: boolean) {
  const logger = createCaptureLogger();
  const revision = renderRevision(
    {
      file: { file: 'td.json', document, ...(allowFamilyChange === undefined ? {} : { allowFamilyChange }) },
      current: running,
      image: { kind: 'one', image: IMAGE },
      containers: [],
      environment: new Map(),
    },
    logger,
  );
  return { revision, logger };
}

describe('family change', () => {
  test('a template of another family is refused, naming task-definition and the input that allows it', () => {
    let error: unknown;
    try {
      render(template({ family: 'api' }));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('task-definition');
    expect((error as InputError).message).toMatch(
      /"api" differs from the service's "web".*allow-family-change: true/,
    );
  });
  test('allow-family-change: true lets it through', () => {
    expect(render(template({ family: 'api' }), true).revision.document['family']).toBe('api');
  });
});

describe('unknown fields', () => {
  test('a typo gets a warning naming the nearest known field, and is kept', () => {
    const { revision, logger } = render(template({ memmory: '512' }, { memoryReservaton: 256 }));
    const warnings = logger.lines.filter((line) => line.level === 'warning').map((line) => line.message);
    expect(warnings.join('\n')).toContain('memmory (did you mean memory?)');
    expect(warnings.join('\n')).toContain(
      'containerDefinitions[0].memoryReservaton (did you mean memoryReservation?)',
    );
    expect(revision.document['memmory']).toBe('512');
  });
  test('known fields give no warning; unrelated names get no suggestion', () => {
    expect(
      unknownFields({ family: 'x', cpu: '256', containerDefinitions: [{ name: 'a', image: 'b' }] }),
    ).toEqual([]);
    expect(nearestField('zzzzzzzzz', ['memory', 'cpu'])).toBeUndefined();
  });
});
