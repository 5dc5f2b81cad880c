/**
 * vitest: two projects. `unit` is in-process and fast (npm run test:unit); `integration` starts real parts
 * (databases, a registry, moto, buildah, loopback receivers) and runs the built bundles. `npm test` runs both.
 * Tests run in forked processes (some change process.env or the working directory), two at a time on the
 * two cores these machines have. There are no timed assertions: the timeouts below only stop a hung test.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests mirror sources: shared/src/command.ts → test/shared/command.test.ts, actions/notify/src/message.ts →
// test/actions/notify/message.test.ts. The kind is in the file name: `*.test.ts` unit, `*.integration.test.ts`
// (real services), `*.bundle.test.ts` (the built bundle run as the runner does). The folders test/integration,
// test/bundle and test/pipeline hold integration tests of the earlier layout.
const slow = ['test/**/*.integration.test.ts', 'test/**/*.bundle.test.ts'];
const slowFolders = [
  'test/integration/**/*.test.ts',
  'test/bundle/**/*.test.ts',
  'test/pipeline/**/*.test.ts',
];
const unit = { include: ['test/**/*.test.ts'], exclude: [...slow, ...slowFolders, 'test/fixtures/**'] };
// Parts the integration files share for a run (one moto): testkit/vitest-global-setup.ts.
const integration = {
  include: [...slow, ...slowFolders],
  exclude: ['test/fixtures/**'],
  globalSetup: ['testkit/vitest-global-setup.ts'],
};

export default defineConfig({
  // As in the build (tsconfig.json `paths`): every `@actions/core` import gets Gantry's wrapper, which
  // redacts registered secrets from outputs and the job summary (shared/src/core.ts), and
  // @kubernetes/client-node gets the same narrowed module as the bundle (shared/stubs/kubernetes-client-node.ts),
  // so the Kubernetes tests run the parts that ship.
  resolve: {
    alias: {
      '@actions/core': fileURLToPath(new URL('./shared/src/core.ts', import.meta.url)),
      '@kubernetes/client-node': fileURLToPath(
        new URL('./shared/stubs/kubernetes-client-node.ts', import.meta.url),
      ),
    },
  },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    reporters: ['default', './tools/vitest-closing-line.ts'],
    projects: [
      { extends: true, test: { name: 'unit', ...unit } },
      { extends: true, test: { name: 'integration', ...integration } },
    ],
    coverage: {
      provider: 'v8',
      include: ['actions/*/src/**/*.ts', 'shared/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'lcov'],
      reportsDirectory: 'coverage',
    },
  },
});
