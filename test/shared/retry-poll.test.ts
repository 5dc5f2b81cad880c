import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'vitest';
import { formatDuration, parseDuration } from '../../shared/src/duration.ts';
import { TimeoutError } from '../../shared/src/errors.ts';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { pollUntil } from '../../shared/src/poll.ts';
import { backoffCeiling, parseRetryAfter, retry, RetryableError } from '../../shared/src/retry.ts';

afterEach(() => {
  delete process.env['GANTRY_RETRY_DELAY_SCALE'];
});

describe('retry', () => {
  test('retries until success, with full-jitter delays under the exponential ceiling', async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await retry(
      async (attempt) => {
        calls++;
        if (attempt < 4) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      {
        attempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 1_000,
        random: () => 0.5,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    assert.equal(value, 'ok');
    assert.equal(calls, 4);
    assert.deepEqual(delays, [50, 100, 200]);
    assert.equal(backoffCeiling(10, { baseDelayMs: 100, maxDelayMs: 1_000 }), 1_000);
  });
  test('gives up after the attempts and rethrows the last error unchanged', async () => {
    const last = new Error('still down');
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw calls === 3 ? last : new Error('down');
        },
        { attempts: 3, sleep: async () => undefined },
      ),
      (error) => error === last,
    );
    assert.equal(calls, 3);
  });
  test('a non-retryable failure stops at once', async () => {
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw new Error('400 bad request');
        },
        { attempts: 5, shouldRetry: (error) => !String(error).includes('400'), sleep: async () => undefined },
      ),
    );
    assert.equal(calls, 1);
  });
  test('Retry-After wins over the computed delay, capped by maxDelayMs', async () => {
    const delays: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (++calls === 1) throw new RetryableError('429', 3_000);
        if (calls === 2) throw new RetryableError('429', 60_000);
        return 'ok';
      },
      { attempts: 3, maxDelayMs: 10_000, random: () => 0, sleep: async (ms) => void delays.push(ms) },
    );
    assert.deepEqual(delays, [3_000, 10_000]);
  });
  test('GANTRY_RETRY_DELAY_SCALE shortens the waits without skipping attempts', async () => {
    process.env['GANTRY_RETRY_DELAY_SCALE'] = '0.01';
    const delays: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (++calls < 3) throw new RetryableError('429', 2_000);
      },
      { attempts: 3, sleep: async (ms) => void delays.push(ms) },
    );
    assert.equal(calls, 3);
    assert.deepEqual(delays, [20, 20]);
  });
  test('parseRetryAfter reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('5'), 5_000);
    assert.equal(
      parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')),
      10_000,
    );
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
  test('a deadline stops retrying when the next wait would pass it', async () => {
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw new Error('down');
        },
        {
          attempts: 10,
          baseDelayMs: 10_000,
          random: () => 1,
          deadline: Date.now() + 5_000,
          sleep: async () => undefined,
        },
      ),
    );
    assert.equal(calls, 1);
  });
});

describe('pollUntil', () => {
  test('prints a progress line only when the state changes and returns the value', async () => {
    const logger = createCaptureLogger();
    const states = ['1/3 running', '1/3 running', '2/3 running', '2/3 running'];
    let clock = 0;
    const result = await pollUntil(
      async (attempt) =>
        attempt <= states.length
          ? { done: false, progress: states[attempt - 1] }
          : { done: true, value: 'stable' },
      {
        timeoutMs: 60_000,
        intervalMs: 2_000,
        description: 'service web',
        logger,
        now: () => clock,
        sleep: async (ms) => void (clock += ms),
      },
    );
    assert.equal(result.value, 'stable');
    assert.equal(result.attempts, 5);
    assert.equal(result.elapsedMs, 8_000);
    assert.deepEqual(
      logger.lines.map((l) => l.message),
      ['1/3 running', '2/3 running'],
    );
  });
  test('honours the deadline exactly: the last sleep is cut short, then a TimeoutError names the wait', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    await assert.rejects(
      pollUntil(async () => ({ done: false, progress: 'pending 0/2' }), {
        timeoutMs: 5_000,
        intervalMs: 2_000,
        description: 'service web to become stable',
        logger: createCaptureLogger(),
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      }),
      (error: unknown) =>
        error instanceof TimeoutError &&
        /service web to become stable; last state: pending 0\/2/.test(error.message),
    );
    assert.deepEqual(sleeps, [2_000, 2_000, 1_000]);
  });
});

describe('durations', () => {
  test('parse and format', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('10'), undefined);
    assert.equal(parseDuration('10 m'), undefined);
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(12_345), '12.3s');
    assert.equal(formatDuration(245_000), '4m05s');
    assert.equal(formatDuration(3_720_000), '1h02m');
  });
});
