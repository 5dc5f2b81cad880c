/**
 * Waiting for the migration lock, shared by the PostgreSQL (advisory lock) and MySQL (GET_LOCK) databases:
 * try without blocking, back off from 50 ms doubling up to 1 s, give up at `lock-timeout`.
 */
import { TimeoutError } from '../../../shared/src/errors.ts';
import { pollUntil } from '../../../shared/src/poll.ts';

/**
 * Calls `tryLock` until it answers true or `timeoutMs` passes.
 * @param tryLock     one non-blocking attempt; true when the lock is now held
 * @param timeoutMs   the `lock-timeout` input, in milliseconds
 * @param heldMessage what holds the lock, e.g. `Another migration run holds the lock on public.flyway_schema_history (…)`
 * @throws TimeoutError `<heldMessage>; gave up after lock-timeout <ms> ms` when the deadline passes
 */
export async function waitForLock(
  tryLock: () => Promise<boolean>,
  timeoutMs: number,
  heldMessage: string,
): Promise<void> {
  let delay = 50;
  try {
    await pollUntil(
      async () => {
        if (await tryLock()) return { done: true, value: undefined };
        const nextDelayMs = delay;
        delay = Math.min(delay * 2, 1_000);
        return { done: false, nextDelayMs };
      },
      { timeoutMs, intervalMs: 50, description: 'the migration lock' },
    );
  } catch (error) {
    if (error instanceof TimeoutError)
      throw new TimeoutError(`${heldMessage}; gave up after lock-timeout ${timeoutMs} ms`);
    throw error;
  }
}
