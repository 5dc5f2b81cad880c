/**
 * The entry wrapper every action uses: `runAction(main, post)` in `src/index.ts`.
 *
 * Main and post share one bundle (as docker/build-push-action does): the main step saves `isPost` in
 * the runner's state, so when the runner invokes the same file again as the `post` step, the wrapper
 * runs `post` instead.
 */
import * as core from '@actions/core';
import { describeThrown, isReported, isUserError } from './errors.ts';
import { coreLogger, type Logger } from './logger.ts';

const POST_STATE = 'isPost';

export interface RunOptions {
  /** Clean-up to run in the action's `post` step (action.yml must declare `post:`). */
  post?: () => Promise<void>;
  logger?: Logger;
}

/**
 * Runs the action's main flow (or its post step), reporting any thrown value — not only `Error`s — once
 * with `core.setFailed` (exit code 1). User errors (bad input, missing tool) print their message only;
 * other errors print their stack under debug logging (`ACTIONS_STEP_DEBUG`). A value marked with
 * `markReported` (its flow printed a richer `::error::` already) only sets the exit code. A failing post step is a
 * warning: clean-up must not turn a good job red, but must be seen.
 *
 * @returns when the flow has finished; `process.exitCode` is 1 after a failure
 */
export async function runAction(main: () => Promise<void>, options: RunOptions = {}): Promise<void> {
  const logger = options.logger ?? coreLogger;
  const isPost = core.getState(POST_STATE) === 'true';
  if (isPost) {
    if (options.post === undefined) return;
    try {
      await options.post();
    } catch (thrown) {
      logger.warning(`Post step failed: ${describeThrown(thrown)}`);
    }
    return;
  }
  if (options.post !== undefined) core.saveState(POST_STATE, 'true');
  try {
    await main();
  } catch (thrown) {
    if (!isUserError(thrown) && thrown instanceof Error && thrown.stack !== undefined)
      logger.debug(thrown.stack);
    // One error, said once: a flow that already annotated this failure only needs the exit code.
    if (isReported(thrown)) process.exitCode = 1;
    else core.setFailed(describeThrown(thrown));
  }
}
