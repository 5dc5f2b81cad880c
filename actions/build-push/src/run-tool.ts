/**
 * Runs a builder command through `@actions/exec` (an argument array, no shell), streaming its output to
 * the log as usual while keeping the last lines for error annotations and retry decisions.
 */
import * as exec from '@actions/exec';
import { coreLogger } from '../../../shared/src/logger.ts';

export interface ToolResult {
  exitCode: number;
  /** The last lines the command wrote (stdout and stderr interleaved), at most `tailLines`. */
  tail: string[];
  /** Wall time in milliseconds. */
  durationMs: number;
}

/**
 * Runs `tool args…` and waits for it. Never throws for a non-zero exit code (the caller decides).
 * The tool's lines reach the log through the logger (inert: a `RUN echo ::add-mask::…` in a Dockerfile
 * cannot issue a workflow command), not straight to stdout.
 * @param options.env variables added to this process's environment
 * @param options.tailLines how many last lines to keep (default 20)
 * @throws only when the executable cannot be started
 */
export async function runTool(
  tool: string,
  args: string[],
  options: { env?: Record<string, string>; tailLines?: number; cwd?: string } = {},
): Promise<ToolResult> {
  const limit = options.tailLines ?? 20;
  const tail: string[] = [];
  const keep = (line: string): void => {
    coreLogger.info(line);
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > limit) tail.shift();
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, options.env);
  const started = performance.now();
  coreLogger.info(`[command]${tool} ${args.join(' ')}`);
  const exitCode = await exec.exec(tool, args, {
    env,
    silent: true,
    ignoreReturnCode: true,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    listeners: { stdline: keep, errline: keep },
  });
  return { exitCode, tail, durationMs: performance.now() - started };
}

/** Output that says the registry failed or the connection dropped: worth another push attempt. */
const TRANSIENT_OUTPUT =
  /\b(?:50[0-4]|connection refused|connection reset|broken pipe|unexpected EOF|i\/o timeout|TLS handshake timeout|server misbehaving|Service Unavailable|Bad Gateway|Internal Server Error|Gateway Timeout|too many requests|toomanyrequests)\b|: EOF\b/i;
/** Output that says the credentials or the request are wrong: retrying cannot help. */
const PERMANENT_OUTPUT =
  /\b(?:unauthorized|authentication required|denied|forbidden|manifest invalid|name unknown)\b/i;

/**
 * Whether a failed push is worth another attempt, judged from the builder's last lines.
 * @returns true for registry 5xx/429 answers and dropped connections, false for auth and validation errors
 */
export function isTransientPushFailure(tail: readonly string[]): boolean {
  const text = tail.join('\n');
  if (PERMANENT_OUTPUT.test(text)) return false;
  return TRANSIENT_OUTPUT.test(text);
}
