/**
 * workflows-templates/services.yml: four services as a matrix of deploy-workflow calls, each under a
 * concurrency group of its own (a shared group would keep one pending job and cancel the rest).
 */
import { describe, expect, test } from 'vitest';
import { load, templates } from './validate.ts';

describe('services.yml (matrix of services)', () => {
  const text = templates().find((t) => t.file === 'workflows-templates/services.yml')?.text ?? '';
  const workflow = load(text);
  const deploy = workflow.jobs['deploy'];

  test('four services, each built, scanned and deployed by one call of the deploy workflow', () => {
    expect(deploy?.uses).toMatch(/\/gantry-deploy-ecs\.yml@/);
    const matrix = (deploy?.strategy as { matrix?: { service?: { name: string }[] }; 'fail-fast'?: boolean })
      .matrix;
    expect(matrix?.service?.map((s) => s.name)).toEqual(['api', 'web', 'worker', 'billing']);
    expect((deploy?.strategy as { 'fail-fast'?: boolean })['fail-fast']).toBe(false);
    expect(deploy?.with?.['image-digest']).toBeUndefined();
    expect(deploy?.with?.['service']).toBe('${{ matrix.service.name }}');
  });

  test('the concurrency group names the environment and the service, and never cancels', () => {
    const concurrency = deploy?.concurrency as { group: string; 'cancel-in-progress': boolean };
    expect(concurrency.group).toBe('deploy-staging-${{ matrix.service.name }}');
    expect(concurrency['cancel-in-progress']).toBe(false);
  });

  test('CI runs with the coverage gate on', () => {
    expect(workflow.jobs['ci']?.with?.['coverage-file']).toBe('coverage/lcov.info');
  });
});
