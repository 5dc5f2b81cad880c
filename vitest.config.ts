/**
 * vitest: two projects. `unit` is in-process and fast (npm run test:unit); `integration` starts real parts
 * (databases, a registry, moto, buildah, loopback receivers) and runs the built bundles. `npm test` runs both.
 * Tests run in forked processes (some change process.env or the working directory), two at a time on the
 * two cores these machines have. There are no timed assertions: the timeouts below only stop a hung test.
 */
import { defineConfig } from 'vitest/config';

const unit = ['test/unit/**/*.test.ts', 'test/repo/**/*.test.ts', 'test/workflows/**/*.test.ts'];
const integration = [
  'test/integration/**/*.test.ts',
  'test/bundle/**/*.test.ts',
  'test/pipeline/**/*.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    reporters: ['default', './tools/vitest-closing-line.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      { extends: true, test: { name: 'integration', include: integration } },
    ],
    coverage: {
      provider: 'v8',
      include: ['actions/*/src/**/*.ts', 'shared/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'lcov'],
      reportsDirectory: 'coverage',
    },
  },
});
