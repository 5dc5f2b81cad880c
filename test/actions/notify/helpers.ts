/**
 * Runs notify's flow in-process against {@link Receivers}: inputs through INPUT_* variables (with the
 * action.yml defaults applied, as the runner does), the run context of a push to main, and a logger that
 * records every line *unmasked*, so tests can prove secrets are never printed at all.
 */
import { actionDefaults, inputEnvName } from '../../../testkit/bundle-runner.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { run } from '../../../actions/notify/src/main.ts';
import type { Receivers } from '../../../testkit/receivers.ts';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

export function runEnv(services: Receivers): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'pipeline',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: services.githubApiUrl,
  };
}

export interface RawLogger extends Logger {
  /** Every message as the action produced it, before any masking. */
  raw: string[];
  warnings: string[];
  masks: string[];
}

export function rawLogger(): RawLogger {
  const raw: string[] = [];
  const warnings: string[] = [];
  const masks: string[] = [];
  return {
    raw,
    warnings,
    masks,
    debug: (m) => raw.push(`debug: ${m}`),
    info: (m) => raw.push(m),
    notice: (m) => raw.push(`notice: ${m}`),
    warning: (m) => {
      raw.push(`warning: ${m}`);
      warnings.push(m);
    },
    error: (m) => raw.push(`error: ${m}`),
    mask: (v) => masks.push(v),
    group: async (name, fn) => {
      raw.push(`▸ ${name}`);
      return fn();
    },
    isDebug: () => true,
  };
}

export interface NotifyRun {
  logger: RawLogger;
  outputs: Record<string, string>;
  error: unknown;
}

/** Runs the flow with these inputs; never throws (the error, if any, is returned). */
export async function notify(services: Receivers, inputs: Record<string, string>): Promise<NotifyRun> {
  const all = { ...actionDefaults('notify'), ...inputs };
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(all)) {
    const key = inputEnvName(name);
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  const logger = rawLogger();
  const outputs: Record<string, string> = {};
  let error: unknown;
  try {
    await run({ logger, env: runEnv(services), setOutput: (name, value) => (outputs[name] = value) });
  } catch (thrown) {
    error = thrown;
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return { logger, outputs, error };
}
