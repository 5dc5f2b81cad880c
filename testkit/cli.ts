/**
 * `npm run local -- <command>`: the local world by hand.
 *
 *   up <part…>     starts each part in the background (one process per part) and prints the environment
 *                  that points clients at it, as `export NAME='value'` lines on stdout (the rest goes to
 *                  stderr, so `eval "$(npm run -s local -- up moto)"` works)
 *   down [part…]   stops the named parts (all when none is named)
 *   status         lists the running parts, their process ids and environment
 *   parts          lists the parts it knows (testkit/parts.ts)
 *   run <action> [input=value…]
 *                  runs one built action bundle as the runner does (testkit/bundle-runner.ts: action.yml
 *                  defaults applied, GITHUB_OUTPUT/STEP_SUMMARY files) with this environment (the
 *                  exports of `up`), and prints its log, outputs and summary; exits with its exit code
 *
 * State: one `<part>.json` (pid, env, log) per running part in $GANTRY_LOCAL_STATE, default
 * `<tmpdir>/gantry-local`; each part's log is `<part>.log` beside it. Exit codes: 0 done, 1 a part failed to
 * start or stop, 2 a usage error or a system part that cannot be installed here (with the command to run).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundle } from './bundle-runner.ts';
import { findPart, PARTS, type Part } from './parts.ts';
import { ensureSystemPackages, SystemPackagesError } from './system-packages.ts';

const SELF = fileURLToPath(import.meta.url);

/** What a running part leaves in the state folder. */
export interface PartState {
  part: string;
  pid: number;
  env: Record<string, string>;
  notes: string[];
  log: string;
  startedAt: string;
}

/** The state folder: $GANTRY_LOCAL_STATE, or `<tmpdir>/gantry-local`. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['GANTRY_LOCAL_STATE'] ?? path.join(tmpdir(), 'gantry-local');
}

/** A value quoted for a POSIX shell's `export`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Whether a process id is alive (signal 0). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function readState(dir: string, part: string): Promise<PartState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, `${part}.json`), 'utf8')) as PartState;
  } catch {
    return undefined;
  }
}

async function runningStates(dir: string): Promise<PartState[]> {
  const files = existsSync(dir) ? (await readdir(dir)).filter((file) => file.endsWith('.json')) : [];
  const states: PartState[] = [];
  for (const file of files.sort()) {
    const state = await readState(dir, file.slice(0, -'.json'.length));
    if (state === undefined) continue;
    if (alive(state.pid)) states.push(state);
    else await rm(path.join(dir, file), { force: true }); // left by a process that died
  }
  return states;
}

/** Provisions what a part needs from the system (Debian packages, a Python module). */
function provision(part: Part, say: (line: string) => void): void {
  if (part.packages !== undefined)
    ensureSystemPackages(`local part ${part.name}`, { packages: part.packages, print: say });
  if (part.python !== undefined) {
    try {
      execFileSync('python3', ['-c', `import ${part.python.module}`], { stdio: 'ignore' });
    } catch {
      throw new SystemPackagesError(
        `The local part ${part.name} needs the Python module ${part.python.module}. Run:\n  ${part.python.install}`,
        part.python.install,
      );
    }
  }
}

/** Starts one part in a background process and waits until it has written its state (up to 180 s). */
async function up(part: Part, dir: string): Promise<PartState> {
  const running = await readState(dir, part.name);
  if (running !== undefined && alive(running.pid)) return running;
  const log = path.join(dir, `${part.name}.log`);
  const child = spawn(process.execPath, [SELF, 'serve', part.name], {
    detached: true,
    stdio: ['ignore', openSync(log, 'w'), openSync(log, 'a')],
    env: { ...process.env, GANTRY_LOCAL_STATE: dir },
  });
  child.unref();
  const deadline = Date.now() + 180_000;
  for (;;) {
    const state = await readState(dir, part.name);
    if (state !== undefined && state.pid === child.pid) return state;
    if (child.exitCode !== null || (child.pid !== undefined && !alive(child.pid)) || Date.now() > deadline) {
      if (child.pid !== undefined && alive(child.pid)) process.kill(child.pid, 'SIGTERM');
      const output = readFileSync(log, 'utf8').trim().split('\n').slice(-20).join('\n');
      throw new Error(`${part.name} did not start (log ${log}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a running part: SIGTERM, then SIGKILL after 20 s; removes its state. */
async function down(state: PartState, dir: string): Promise<void> {
  if (alive(state.pid)) process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  await rm(path.join(dir, `${state.part}.json`), { force: true });
  await rm(path.join(dir, state.part), { recursive: true, force: true, maxRetries: 3 });
}

/** The background process of one part: starts it, writes its state, stops it on SIGTERM/SIGINT. */
async function serve(part: Part, dir: string): Promise<void> {
  const home = path.join(dir, part.name);
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  const started = await part.start(home);
  const state: PartState = {
    part: part.name,
    pid: process.pid,
    env: started.env,
    notes: started.notes ?? [],
    log: path.join(dir, `${part.name}.log`),
    startedAt: new Date().toISOString(),
  };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void started
      .stop()
      .catch((error: unknown) => process.stderr.write(`stopping ${part.name}: ${String(error)}\n`))
      .finally(async () => {
        await rm(home, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // a part without a process of its own (buildah's storage) keeps this one alive until `down`
  setInterval(() => undefined, 1 << 30);
  await writeFile(path.join(dir, `${part.name}.json`), `${JSON.stringify(state, null, 2)}\n`);
  process.stdout.write(`${part.name} running (pid ${process.pid})\n`);
}

/** `run <action> name=value…`: the bundle as the runner runs it, with this shell's environment. */
async function runAction(
  action: string,
  pairs: string[],
  io: { out: (line: string) => void },
): Promise<number> {
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`expected input=value, got ${JSON.stringify(pair)}`);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith('INPUT_') && !name.startsWith('npm_')) env[name] = value;
  const run = await runBundle(action, { inputs, env, cwd: process.cwd() });
  io.out(run.log.trimEnd());
  io.out(`── ${action}: exit ${run.exitCode}; outputs:`);
  for (const [name, value] of Object.entries(run.outputs)) io.out(`  ${name}=${value}`);
  if (run.summary.trim() !== '') io.out(`── step summary:\n${run.summary.trimEnd()}`);
  return run.exitCode;
}

const USAGE = `usage: npm run local -- up <part…> | down [part…] | status | parts | run <action> [input=value…]
parts: ${PARTS.map((part) => part.name).join(', ')}`;

/** The exports and notes of running parts. */
function envLines(states: PartState[]): string[] {
  return states.flatMap((state) =>
    Object.entries(state.env).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
  );
}

/**
 * Runs one command line.
 * @returns the exit code: 0 done, 1 a part failed, 2 usage or a system part that cannot be installed
 */
export async function main(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<number> {
  const [command = '', ...names] = argv;
  const dir = stateDir();
  await mkdir(dir, { recursive: true });
  if (command === 'run') {
    const [action = '', ...pairs] = names;
    if (!existsSync(path.join(path.dirname(SELF), '..', 'actions', action, 'action.yml'))) {
      io.err(`no action ${JSON.stringify(action)} under actions/`);
      io.err(USAGE);
      return 2;
    }
    return runAction(action, pairs, io);
  }
  const unknown = names.filter((name) => findPart(name) === undefined);
  if (unknown.length > 0 || !['up', 'down', 'status', 'parts', 'serve'].includes(command)) {
    if (unknown.length > 0) io.err(`unknown part: ${unknown.join(', ')}`);
    io.err(USAGE);
    return 2;
  }
  switch (command) {
    case 'parts':
      for (const part of PARTS) io.out(`${part.name.padEnd(16)} ${part.what}`);
      return 0;
    case 'serve':
      await serve(findPart(names[0] ?? '') as Part, dir);
      return 0;
    case 'status': {
      const states = await runningStates(dir);
      if (states.length === 0) io.err(`no part running (state in ${dir})`);
      for (const state of states) {
        io.err(`${state.part}: running, pid ${state.pid}, since ${state.startedAt}, log ${state.log}`);
        for (const line of envLines([state])) io.out(line);
      }
      return 0;
    }
    case 'down': {
      const states = (await runningStates(dir)).filter((s) => names.length === 0 || names.includes(s.part));
      for (const state of states) {
        await down(state, dir);
        io.err(`${state.part}: stopped`);
      }
      if (states.length === 0) io.err('nothing to stop');
      return 0;
    }
    default: {
      if (names.length === 0) {
        io.err(USAGE);
        return 2;
      }
      const states: PartState[] = [];
      try {
        for (const name of names) provision(findPart(name) as Part, io.err);
        const results = await Promise.allSettled(names.map((name) => up(findPart(name) as Part, dir)));
        for (const [index, result] of results.entries()) {
          const name = names[index] ?? '';
          if (result.status === 'rejected') throw result.reason;
          const state = result.value;
          io.err(`${name}: running (pid ${state.pid}); stop it with: npm run local -- down ${name}`);
          for (const note of state.notes) io.err(`  ${note}`);
          states.push(state);
        }
      } catch (error) {
        io.err(error instanceof Error ? error.message : String(error));
        for (const line of envLines(states)) io.out(line);
        return error instanceof SystemPackagesError ? error.exitCode : 1;
      }
      for (const line of envLines(states)) io.out(line);
      return 0;
    }
  }
}

if (import.meta.main)
  main(process.argv.slice(2)).then(
    (code) => {
      // `serve` keeps running until it is told to stop; the others end here.
      if (process.argv[2] !== 'serve') process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
