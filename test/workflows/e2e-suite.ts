/**
 * The post-deploy E2E step of Gantry's deploy workflows (gantry-deploy-ecs.yml, gantry-deploy-k8s.yml), as
 * their workflow tests run it: the example suite examples/hello-e2e (Playwright Test, a pinned
 * devDependency) driving Debian's Chromium, no browser downloaded, in a caller's checkout made for the offline
 * runner (tools/pipeline); and what a passing or failing suite must leave in the run's report.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { startHelloService, type HelloService } from '../../testkit/hello-service.ts';
import type { RunReport, StepReport } from '../../tools/pipeline/runner.ts';

/** Debian's Chromium (.ci/system-packages.txt), the browser the suite drives (e2e-browser-path). */
export const CHROMIUM = '/usr/bin/chromium';
/** The suite's folder in the caller's checkout (e2e-working-directory). */
export const SUITE_DIR = 'examples/hello-e2e';

/** The workflow inputs that run the example suite with CHROMIUM (BASE_URL comes from environment-url). */
export const E2E_INPUTS: Readonly<Record<string, string>> = {
  'e2e-command': 'npx playwright test',
  'e2e-working-directory': SUITE_DIR,
  'e2e-browser-path': CHROMIUM,
};

/**
 * Makes the caller's checkout at `<temp>/workspace` and returns its path: Gantry's workflows, actions and
 * bundles linked from this repository (for `gantry-checkout: false`), node_modules with @playwright/test
 * linked as `npm ci` leaves it, and the suite copied (its report and test results are written there).
 * Throws when CHROMIUM is missing, naming the package to install.
 */
export async function e2eWorkspace(temp: string): Promise<string> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/system-packages.txt)`);
  const workspace = path.join(temp, 'workspace');
  await mkdir(path.join(workspace, 'examples'), { recursive: true });
  for (const entry of ['.github', 'actions', 'dist', 'node_modules'])
    await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
  await cp(path.join(repoRoot, SUITE_DIR), path.join(workspace, SUITE_DIR), {
    recursive: true,
    filter: (source) => !/playwright-report|test-results/.test(source),
  });
  return workspace;
}

/** The two deployed versions the suite is run against, on loopback. */
export interface E2eTargets {
  /** hello-service 1.1.0 in staging: the suite passes. */
  good: HelloService;
  /** hello-service 1.1.1: healthy for the smoke test (/health answers 200), broken for a user (every GET / answers 500). */
  broken: HelloService;
  stop(): Promise<void>;
}

/** Starts the good and the broken hello-service (APP_ENV staging); stop() stops both. */
export async function startE2eTargets(): Promise<E2eTargets> {
  const good = await startHelloService({ APP_VERSION: '1.1.0', APP_ENV: 'staging' });
  const broken = await startHelloService({
    APP_VERSION: '1.1.1',
    APP_ENV: 'staging',
    APP_ERROR_RATE: '1',
  }).catch(async (error: unknown) => {
    await good.stop();
    throw error;
  });
  return { good, broken, stop: async () => void (await Promise.all([good.stop(), broken.stop()])) };
}

/** The step with this `id:` in any job of the run, or undefined. */
export const stepById = (report: RunReport, id: string): StepReport | undefined =>
  report.jobs.flatMap((job) => job.steps).find((s) => s.id === id);
/** The step with this `name:` in any job of the run, or undefined. */
export const stepByName = (report: RunReport, name: string): StepReport | undefined =>
  report.jobs.flatMap((job) => job.steps).find((s) => s.name === name);
/** Every step's name, outcome and log, for an assertion's message. */
export const stepLog = (report: RunReport): string =>
  report.jobs
    .flatMap((job) => job.steps)
    .map((s) => `## ${s.name}: ${s.outcome}\n${s.log.join('\n')}`)
    .join('\n');

/**
 * Asserts the E2E step passed against `url` with CHROMIUM (both tests of the suite), its HTML report was
 * written in `workspace` and uploaded as the artifact `e2e-report-<environment>`, and no rollback ran.
 */
export function expectSuitePassed(
  report: RunReport,
  workspace: string,
  url: string,
  environment: string,
): void {
  const e2e = stepById(report, 'e2e');
  expect(e2e?.outcome, stepLog(report)).toBe('success');
  const log = e2e?.log.join('\n') ?? '';
  expect(log).toMatch(/2 passed/);
  expect(log).toContain(`E2E against ${url} with ${CHROMIUM}`);
  const upload = stepByName(report, 'Upload the E2E report');
  expect(upload?.outcome).toBe('success');
  expect(upload?.log.join('\n')).toMatch(new RegExp(`artifacts/e2e-report-${environment}`));
  expect(existsSync(path.join(workspace, SUITE_DIR, 'playwright-report', 'index.html'))).toBe(true);
  expect(stepById(report, 'rollback')?.outcome).toBe('skipped');
}

/**
 * Asserts the smoke test passed and the E2E step failed on hello-service's 500 on `/` (one test of two), the
 * report was still uploaded, and the rollback step ran and succeeded with the reason "the E2E suite failed".
 */
export function expectSuiteFailedAndRolledBack(report: RunReport): void {
  expect(stepById(report, 'smoke')?.outcome, stepLog(report)).toBe('success');
  const e2e = stepById(report, 'e2e');
  expect(e2e?.outcome).toBe('failure');
  expect(e2e?.log.join('\n')).toMatch(/1 failed/);
  expect(e2e?.log.join('\n')).toMatch(/GET \/ status/);
  expect(stepByName(report, 'Upload the E2E report')?.outcome).toBe('success');
  const rollback = stepById(report, 'rollback');
  expect(rollback?.outcome, stepLog(report)).toBe('success');
  expect(rollback?.log.join('\n')).toMatch(/the E2E suite failed/);
}
