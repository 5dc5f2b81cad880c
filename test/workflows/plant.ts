/**
 * Planting a violation in an in-memory copy of a workflow: the replacement must change the text, so a test
 * can never pass because its plant silently matched nothing.
 */
import assert from 'node:assert/strict';

/** `text` with the first match of `find` replaced; fails the test when `find` does not occur. */
export function plant(text: string, find: string | RegExp, replacement: string): string {
  const planted = text.replace(find, replacement);
  assert.notEqual(planted, text, `the plant ${String(find)} matched nothing`);
  return planted;
}
