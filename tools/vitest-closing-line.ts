/**
 * A vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`, which
 * any CI log reader understands without knowing vitest's own summary format. Added beside the default
 * reporter in vitest.config.ts.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** Counts every test case of the run by its final state and prints the closing line. */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
