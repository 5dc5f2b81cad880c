import { expect, test } from 'vitest';
import {
  blameInput,
  ConfigurationError,
  InputError,
  isReported,
  markReported,
} from '../../shared/src/errors.ts';

test('blameInput turns a file problem into an error naming the input', async () => {
  const error = await blameInput('coverage-file', () =>
    Promise.reject(new ConfigurationError('lcov.info does not exist')),
  ).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).message).toBe("Input 'coverage-file': lcov.info does not exist");
  await expect(blameInput('x', () => Promise.reject(new Error('network')))).rejects.toThrow(/^network$/);
});

test('markReported marks an error without changing it', () => {
  const error = new Error('boom');
  expect(isReported(error)).toBe(false);
  expect(markReported(error)).toBe(error);
  expect(isReported(error)).toBe(true);
  expect(Object.keys(error)).toEqual([]);
});
