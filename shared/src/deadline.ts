/**
 * One deadline over several concurrent tasks: {@link settleWithin} starts them all at once and stops
 * waiting at the deadline, so a slow task never delays another nor the step.
 */

/**
 * Runs every task concurrently and waits at most `timeoutMs` for them all.
 * @param tasks     functions that start the work; each should handle its own errors (a rejection is
 *   passed on, as `Promise.all` does)
 * @param timeoutMs the deadline from the call, in milliseconds
 * @param late      the result to use for a task still running at the deadline (given its index)
 * @returns one result per task, in the tasks' order: the task's own, or `late(index)`. Late tasks are not
 *   cancelled (the caller ends them, e.g. with an AbortSignal or by ending the process).
 */
export async function settleWithin<T>(
  tasks: readonly (() => Promise<T>)[],
  timeoutMs: number,
  late: (index: number) => T,
): Promise<T[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), timeoutMs);
  });
  try {
    return await Promise.all(
      tasks.map(async (task, index) => {
        const outcome = await Promise.race([task().then((value) => ({ value })), expired]);
        return outcome === 'expired' ? late(index) : outcome.value;
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}
