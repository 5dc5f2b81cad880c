/** The platform input: ECS by default; an input of the other platform is refused, naming it. */
import { afterEach, describe, expect, test } from 'vitest';
import { getPlatform } from '../../../shared/src/deploy/platform.ts';
import { InputError } from '../../../shared/src/errors.ts';

const owned = {
  ecs: [
    { name: 'service', default: '' },
    { name: 'force-new-deployment', default: 'false' },
  ],
  kubernetes: [{ name: 'manifests', default: '' }],
};
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});
function set(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

describe('getPlatform', () => {
  test('ecs by default; defaults of the other platform are not "given"', () => {
    set({ service: 'web', 'force-new-deployment': 'false' });
    expect(getPlatform(owned)).toBe('ecs');
    set({ platform: 'kubernetes', manifests: 'k8s/', service: '', 'force-new-deployment': 'false' });
    expect(getPlatform(owned)).toBe('kubernetes');
  });
  test.each([
    [
      { platform: 'kubernetes', manifests: 'k8s/', service: 'web' },
      'service',
      /input of platform: ecs.*platform: kubernetes/,
    ],
    [{ platform: 'kubernetes', 'force-new-deployment': 'true' }, 'force-new-deployment', /platform: ecs/],
    [{ service: 'web', manifests: 'k8s/' }, 'manifests', /input of platform: kubernetes.*platform: ecs/],
    [{ platform: 'k8s' }, 'platform', /not one of ecs, kubernetes/],
  ])('%j is refused naming %s', (inputs, name, message) => {
    set(inputs);
    let thrown: unknown;
    try {
      getPlatform(owned);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).input).toBe(name);
    expect((thrown as Error).message).toMatch(message);
  });
});
