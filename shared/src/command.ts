/**
 * Running the external tools the quality and security gates drive (linters, scanners): find an
 * executable, run it with a time limit, collect its output. Exit codes are returned, not thrown — most of
 * these tools exit 1 when they find something.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { setLongTimeout } from './duration.ts';
import { ConfigurationError, TimeoutError } from './errors.ts';

/** What a finished command produced. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface CommandOptions {
  cwd: string;
  /** Extra environment variables over this process's. */
  env?: Record<string, string>;
  /** Kill the command (SIGKILL) after this many milliseconds (any length: longer than a Node timer holds is
   * waited in steps, see `setLongTimeout`). */
  timeoutMs?: number;
  /** Text written to the command's standard input. */
  input?: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an executable: first in `node_modules/.bin` of `cwd` and each of its parents (as `npx` does),
 * then on `PATH`.
 * @param name the executable's name, e.g. `eslint`
 * @returns its absolute path, or undefined when it is nowhere
 */
export function findExecutable(
  name: string,
  cwd: string,
  options: { nodeModules?: boolean } = {},
): string | undefined {
  if (options.nodeModules !== false) {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', '.bin', name);
      if (isExecutable(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Like {@link findExecutable}, but a missing tool is a {@link ConfigurationError} that says how to
 * install it.
 * @param install how to install the tool, e.g. `npm i -D eslint` or `apt-get install shellcheck`
 */
export function requireExecutable(
  name: string,
  cwd: string,
  install: string,
  options: { nodeModules?: boolean } = {},
): string {
  const found = findExecutable(name, cwd, options);
  if (found === undefined)
    throw new ConfigurationError(
      `${name} is not installed (looked in node_modules/.bin and PATH): ${install}`,
    );
  return found;
}

/**
 * Runs an executable with arguments (no shell), collecting stdout and stderr as UTF-8.
 * @returns the exit code (signals count as 128 + n) and output
 * @throws ConfigurationError when the executable cannot be started (not found);
 *   TimeoutError naming the command when `timeoutMs` passes
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const cancelTimer =
      options.timeoutMs === undefined
        ? undefined
        : setLongTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (error: NodeJS.ErrnoException) => {
      cancelTimer?.();
      reject(
        error.code === 'ENOENT'
          ? new ConfigurationError(`${path.basename(file)} could not be started: not found`)
          : error,
      );
    });
    child.on('close', (code, signal) => {
      cancelTimer?.();
      if (timedOut) {
        reject(new TimeoutError(`${path.basename(file)} did not finish within ${options.timeoutMs} ms`));
        return;
      }
      resolve({
        exitCode: code ?? (signal === null ? 1 : 128 + (signal === 'SIGKILL' ? 9 : 15)),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
