/** The run context now lives in shared/src/run-context.ts (one reader for every action). */
export { readRunContext, type RunContext } from '../../../shared/src/run-context.ts';
