/**
 * The `platform` input of the deploy actions (deploy-rolling, rollback) and the rule that keeps the two
 * platforms' inputs apart: an input that belongs to one platform, given a value on the other, is an
 * InputError naming it — never silently ignored.
 */
import { InputError } from '../errors.ts';
import { getEnum, rawInput } from '../inputs.ts';
import { PLATFORMS, type Platform } from './flow.ts';

/** An input that belongs to one platform, with its action.yml default (a value equal to it is "not given"). */
export interface PlatformInput {
  name: string;
  default: string;
}

/**
 * Reads `platform` (default `ecs`) and refuses every input of the other platform that was given a value
 * other than its action.yml default.
 * @param owned per platform, the inputs only it uses
 * @returns the platform
 * @throws InputError for a platform not in `ecs, kubernetes`, or naming the first input of the other platform
 */
export function getPlatform(owned: Record<Platform, PlatformInput[]>): Platform {
  const platform = getEnum('platform', PLATFORMS, { default: 'ecs' });
  for (const other of PLATFORMS) {
    if (other === platform) continue;
    for (const input of owned[other]) {
      const value = rawInput(input.name);
      if (value !== '' && value !== input.default)
        throw new InputError(
          input.name,
          `is an input of platform: ${other}, and this step runs with platform: ${platform}; remove it or set platform: ${other}`,
          input.default === '' ? undefined : input.default,
        );
    }
  }
  return platform;
}
