/**
 * Typed state passed from an action's main step to its post step through the runner's `GITHUB_STATE`.
 */
import * as core from '@actions/core';

/**
 * Saves a JSON-serialisable value under `key` for the post step.
 * @param key   state name (letters, digits, `_`)
 */
export function saveState<T>(key: string, value: T): void {
  core.saveState(key, JSON.stringify(value));
}

/**
 * Reads a value saved by {@link saveState}.
 * @returns the value, or undefined when the main step saved none
 * @throws SyntaxError when the state was not written by `saveState`
 */
export function loadState<T>(key: string): T | undefined {
  const raw = core.getState(key);
  return raw === '' ? undefined : (JSON.parse(raw) as T);
}
