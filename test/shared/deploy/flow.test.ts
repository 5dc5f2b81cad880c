/**
 * The deploy flow's order and failure handling, with a recording adapter (the platform adapters have
 * their own tests against the SDK mock, moto and the Kubernetes stand-in).
 */
import { describe, expect, test } from 'vitest';
import { runDeployFlow, type DeployAdapter, type WatchResult } from '../../../shared/src/deploy/flow.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

function recorder(
  watch: WatchResult,
  options: { verify?: () => Promise<void>; rollBackFails?: boolean } = {},
) {
  const calls: string[] = [];
  const adapter: DeployAdapter = {
    target: 'web',
    describe: (revision) => `<${revision}>`,
    prepare: async () => (calls.push('prepare'), 'old'),
    dryRun: async () => void calls.push('dryRun'),
    apply: async () => (calls.push('apply'), { revision: 'new', deploymentId: 'd-1' }),
    watch: async (timeoutMs) => (
      calls.push(`watch ${timeoutMs}`),
      { ...watch, timeline: [...watch.timeline] }
    ),
    recordLastKnownGood: async () => void calls.push('recordLastKnownGood'),
    recordFailed: async () => void calls.push('recordFailed'),
    rollBack: async (reason, timeoutMs) => {
      calls.push(`rollBack ${reason} ${timeoutMs}`);
      if (options.rollBackFails === true) throw new Error('restore refused');
      return {
        note: 'rolled back to <old>',
        watch: { ...watch, state: 'COMPLETED', timeline: [{ atMs: 5, text: 'old ready' }] },
      };
    },
    summarize: async (report) => void calls.push(`summarize ${report.state}`),
    ...(options.verify === undefined
      ? {}
      : { verify: async () => (calls.push('verify'), options.verify?.()) }),
  };
  return { adapter, calls };
}

const completed: WatchResult = {
  state: 'COMPLETED',
  reason: 'ok',
  failures: [],
  elapsedMs: 10,
  timeline: [],
};
const failed: WatchResult = {
  state: 'FAILED',
  reason: 'pods crash',
  failures: ['Pod a: CrashLoopBackOff'],
  elapsedMs: 10,
  timeline: [{ atMs: 1, text: 'x' }],
};
const base = { wait: true, rollbackOnFailure: true, dryRun: false, timeoutMs: 60_000 };

describe('runDeployFlow', () => {
  test('completed: prepare → apply → watch → verify → record last-known-good → summary', async () => {
    const { adapter, calls } = recorder(completed, { verify: async () => undefined });
    const progress: string[] = [];
    const report = await runDeployFlow(adapter, {
      ...base,
      logger: createCaptureLogger(),
      onProgress: (r) => progress.push(r.state ?? '-'),
    });
    expect(calls).toEqual([
      'prepare',
      'apply',
      'watch 60000',
      'verify',
      'recordLastKnownGood',
      'summarize COMPLETED',
    ]);
    expect(report).toMatchObject({
      previous: 'old',
      revision: 'new',
      deploymentId: 'd-1',
      state: 'COMPLETED',
    });
    expect(progress.at(-1)).toBe('COMPLETED');
  });
  test('failed: recorded FAILED, failures printed, rolled back with the same timeout, red with the reason', async () => {
    const { adapter, calls } = recorder(failed);
    const logger = createCaptureLogger();
    await expect(runDeployFlow(adapter, { ...base, logger })).rejects.toThrow(
      'Rollout of <new> to web FAILED: pods crash. The service was rolled back to <old>.',
    );
    expect(calls).toEqual([
      'prepare',
      'apply',
      'watch 60000',
      'recordFailed',
      'rollBack rollout of <new> FAILED 60000',
      'summarize FAILED',
    ]);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'Pod a: CrashLoopBackOff',
    ]);
  });
  test('a verification failure turns a completed rollout into FAILED and rolls back', async () => {
    const { adapter, calls } = recorder(completed, {
      verify: async () => Promise.reject(new Error('smoke check 500')),
    });
    await expect(runDeployFlow(adapter, { ...base, logger: createCaptureLogger() })).rejects.toThrow(
      /FAILED: verification failed: smoke check 500/,
    );
    expect(calls).not.toContain('recordLastKnownGood');
    expect(calls).toContain('recordFailed');
  });
  test('rollback-on-failure false, and a failing rollback, are both said in the error', async () => {
    const off = recorder(failed);
    await expect(
      runDeployFlow(off.adapter, { ...base, rollbackOnFailure: false, logger: createCaptureLogger() }),
    ).rejects.toThrow(/not rolled back \(rollback-on-failure: false\)/);
    expect(off.calls.some((c) => c.startsWith('rollBack'))).toBe(false);
    const broken = recorder(failed, { rollBackFails: true });
    await expect(runDeployFlow(broken.adapter, { ...base, logger: createCaptureLogger() })).rejects.toThrow(
      /rollback to <old> failed: restore refused/,
    );
  });
  test('dry run stops after prepare; wait false after apply', async () => {
    const dry = recorder(completed);
    expect(
      (await runDeployFlow(dry.adapter, { ...base, dryRun: true, logger: createCaptureLogger() })).state,
    ).toBe('DRY_RUN');
    expect(dry.calls).toEqual(['prepare', 'dryRun']);
    const nowait = recorder(completed);
    expect(
      (await runDeployFlow(nowait.adapter, { ...base, wait: false, logger: createCaptureLogger() })).state,
    ).toBe('IN_PROGRESS');
    expect(nowait.calls).toEqual(['prepare', 'apply', 'summarize IN_PROGRESS']);
  });
});
