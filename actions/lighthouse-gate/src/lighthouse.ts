/**
 * Running Lighthouse: find its CLI and a Chromium, audit one URL in a child process with a fresh
 * profile, and read the scores from its JSON report.
 *
 * Why a child process and not `import('lighthouse')` in the bundle: Lighthouse loads its audits,
 * gatherers and locale files from its own folder at run time and imports DevTools front-end modules that
 * @vercel/ncc cannot bundle (`export 'ParsedURL' … was not found in core/common/common.js`). Run as
 * its own CLI, Lighthouse is exactly the upstream program, and the actions' shared bundle does not grow
 * by Lighthouse's 20+ MB for the users who never audit.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { Category } from './inputs.ts';

/** The Lighthouse release installed when neither `lighthouse-path` nor the workspace provides one. */
export const PINNED_LIGHTHOUSE = '13.5.0';

/**
 * Chromium flags for CI: headless, no sandbox (containers run as root), and nothing that reaches the
 * network on its own (a closed network makes Chromium wait on refused connections otherwise).
 */
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where Chromium is looked for when `chrome-path` and `CHROME_PATH` are empty (Debian, Ubuntu, GitHub runners). */
const CHROME_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * The Chromium to use: `chrome-path`, else `CHROME_PATH`, else the first installed of the usual places.
 * @throws ConfigurationError when none exists
 */
export function findChrome(input: string): string {
  const candidates = input !== '' ? [input] : [process.env['CHROME_PATH'] ?? '', ...CHROME_CANDIDATES];
  const found = candidates.find((candidate) => candidate !== '' && existsSync(candidate));
  if (found === undefined)
    throw new ConfigurationError(
      input !== ''
        ? `chrome-path ${input} does not exist.`
        : `No Chromium found (CHROME_PATH, ${CHROME_CANDIDATES.join(', ')}): install one (e.g. apt-get install chromium) or set chrome-path.`,
    );
  return found;
}

/** A Lighthouse CLI ready to run. */
export interface LighthouseCli {
  /** Absolute path of `cli/index.js`. */
  cli: string;
  version: string;
  /** Where it came from: `input`, `workspace` or `installed`. */
  origin: 'input' | 'workspace' | 'installed';
}

async function cliIn(folder: string, origin: LighthouseCli['origin']): Promise<LighthouseCli | undefined> {
  const manifest = path.join(folder, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { name?: string; version?: string };
  if (pkg.name !== 'lighthouse') return undefined;
  const version = pkg.version ?? '0';
  if (Number(version.split('.')[0]) < 12)
    throw new ConfigurationError(
      `Lighthouse ${version} in ${folder} is too old: version 12 or later is needed.`,
    );
  return { cli: path.join(folder, 'cli', 'index.js'), version, origin };
}

/**
 * Finds the Lighthouse CLI: the `lighthouse-path` folder, else the workspace's
 * `node_modules/lighthouse` (a frontend that pins it as a devDependency), else Lighthouse
 * {@link PINNED_LIGHTHOUSE} installed once per runner into `RUNNER_TEMP` with npm (scripts off).
 * @param install runs `npm install` (tests replace it); resolves when done
 * @throws ConfigurationError when the given path is not Lighthouse, or the install fails
 */
export async function findLighthouse(
  input: string,
  logger: Logger,
  install: (folder: string) => Promise<void> = npmInstall,
): Promise<LighthouseCli> {
  if (input !== '') {
    const folder = input.endsWith('.js') ? path.resolve(path.dirname(input), '..') : input;
    const found = await cliIn(folder, 'input');
    if (found === undefined)
      throw new ConfigurationError(`lighthouse-path ${input} is not the lighthouse package.`);
    return found;
  }
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const local = await cliIn(path.join(workspace, 'node_modules', 'lighthouse'), 'workspace');
  if (local !== undefined) return local;
  const folder = path.join(process.env['RUNNER_TEMP'] || tmpdir(), `gantry-lighthouse-${PINNED_LIGHTHOUSE}`);
  const cached = await cliIn(path.join(folder, 'node_modules', 'lighthouse'), 'installed');
  if (cached !== undefined) return cached;
  logger.info(`Installing lighthouse@${PINNED_LIGHTHOUSE} into ${folder}`);
  await install(folder);
  const installed = await cliIn(path.join(folder, 'node_modules', 'lighthouse'), 'installed');
  if (installed === undefined) throw new ConfigurationError(`npm did not install lighthouse into ${folder}.`);
  return installed;
}

async function npmInstall(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const { code, output } = await spawnBounded(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefix',
      folder,
      `lighthouse@${PINNED_LIGHTHOUSE}`,
    ],
    { timeoutMs: 5 * 60_000 },
  );
  if (code !== 0)
    throw new ConfigurationError(
      `npm install lighthouse@${PINNED_LIGHTHOUSE} failed: ${output.slice(-2000)}`,
    );
}

/** Runs a command with a deadline, killing its whole process group when it passes; output capped at 1 MiB. */
function spawnBounded(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer): void => {
      if (output.length < 1024 * 1024) output += chunk.toString();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, timedOut });
    });
  });
}

/** One URL's audit. */
export interface AuditResult {
  url: string;
  /** category → score 0–100 (rounded, as Lighthouse shows it); a category Lighthouse could not score is absent. */
  scores: Partial<Record<Category, number>>;
  /** Absolute path of the HTML report. */
  report: string;
  /** Lighthouse's runtime error, when the page could not be audited. */
  error?: string;
}

/**
 * Audits one URL with the Lighthouse CLI in a child process (its own Chromium, a fresh profile removed
 * afterwards) and reads the JSON report.
 * @param name the reports' base name in `reportDir` (`<name>.report.html` / `.report.json`)
 * @param timeoutMs the deadline for this URL, milliseconds; the process group is killed when it passes
 * @throws Error when Lighthouse fails without a report or the deadline passes
 */
export async function audit(
  lighthouse: LighthouseCli,
  chrome: string,
  url: string,
  options: {
    categories: Category[];
    formFactor: 'mobile' | 'desktop';
    reportDir: string;
    name: string;
    timeoutMs: number;
  },
): Promise<AuditResult> {
  await mkdir(options.reportDir, { recursive: true });
  const profile = await mkdtemp(path.join(process.env['RUNNER_TEMP'] || tmpdir(), 'lighthouse-profile-'));
  const base = path.join(options.reportDir, options.name);
  try {
    const args = [
      lighthouse.cli,
      url,
      '--output=json',
      '--output=html',
      `--output-path=${base}`,
      `--only-categories=${options.categories.join(',')}`,
      `--chrome-flags=${[...CHROME_FLAGS, `--user-data-dir=${profile}`].join(' ')}`,
      `--max-wait-for-load=${Math.max(10_000, Math.floor(options.timeoutMs / 2))}`,
      '--quiet',
      ...(options.formFactor === 'desktop' ? ['--preset=desktop'] : []),
    ];
    const run = await spawnBounded(process.execPath, args, {
      timeoutMs: options.timeoutMs,
      env: { ...process.env, CHROME_PATH: chrome },
    });
    if (run.timedOut)
      throw new Error(
        `Lighthouse did not finish auditing ${url} within ${Math.round(options.timeoutMs / 1000)}s`,
      );
    const json = `${base}.report.json`;
    const size = (await stat(json).catch(() => undefined))?.size;
    if (run.code !== 0 && size === undefined)
      throw new Error(`Lighthouse failed on ${url} (exit ${run.code}): ${run.output.slice(-1000)}`);
    if (size === undefined || size > 100 * 1024 * 1024)
      throw new Error(`Lighthouse wrote no usable JSON report for ${url}`);
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      categories?: Record<string, { score: number | null }>;
      runtimeError?: { code?: string; message?: string };
    };
    const scores: Partial<Record<Category, number>> = {};
    for (const category of options.categories) {
      const score = report.categories?.[category]?.score;
      if (typeof score === 'number') scores[category] = Math.round(score * 100);
    }
    const result: AuditResult = { url, scores, report: `${base}.report.html` };
    if (report.runtimeError !== undefined)
      result.error = `${report.runtimeError.code ?? 'error'}: ${report.runtimeError.message ?? ''}`.trim();
    return result;
  } finally {
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Which thresholds an audit misses.
 * @returns one text per miss, e.g. `performance 62 < 80` (a category without a score is a miss)
 */
export function misses(result: AuditResult, thresholds: ReadonlyMap<Category, number>): string[] {
  const out: string[] = [];
  for (const [category, minimum] of thresholds) {
    const score = result.scores[category];
    if (score === undefined) out.push(`${category} not scored`);
    else if (score < minimum) out.push(`${category} ${score} < ${minimum}`);
  }
  return out;
}

/**
 * A file-name-safe report name for the `index`-th URL: `1-staging-example-com-pricing`. No dots: the
 * Lighthouse CLI replaces what looks like an extension of `--output-path` with `.report.<format>`.
 */
export function reportName(url: string, index: number): string {
  const parsed = new URL(url);
  const slug = `${parsed.host}${parsed.pathname}`
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+$/g, '')
    .slice(0, 80);
  return `${index + 1}-${slug}`;
}
