/**
 * A failed build prints its `::error::` once (issue 14): a Containerfile whose COPY names a file that is
 * not there, built with the real buildah. Against the dist/ before the fix (GANTRY_TEST_DIST) the error was annotated twice.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';

let buildah: BuildahSandbox;
let workspace: string;
beforeAll(async () => {
  buildah = await buildahSandbox();
  workspace = await makeWorkspace('FROM scratch\nCOPY missing-file.txt /missing.txt\n');
});
afterAll(async () => {
  await buildah?.cleanup();
  if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
});

test('a failed build prints one ::error:: with the Containerfile and the builder lines', async () => {
  const run = await runBundle('build-push', {
    cwd: workspace,
    inputs: { builder: 'buildah', image: '127.0.0.1:9/acme/api', context: 'app', push: 'false' },
    env: buildah.env,
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], 'build-push', 'index.js') }
      : {}),
  });
  expect(run.exitCode).toBe(1);
  const errors = run.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors.length, JSON.stringify(errors)).toBe(1);
  expect(errors[0]?.title).toMatch(/Image build failed/);
  expect(errors[0]?.message).toMatch(/missing-file\.txt/);
});
