/**
 * The post-deploy E2E step of the deploy workflows (gantry-deploy-ecs.yml and gantry-deploy-k8s.yml): the
 * same inputs and steps in both, placed after the smoke test and before the rollback (which it triggers),
 * and its `run:` script run for real with bash: a missing URL or browser fails clearly and inertly, the
 * command gets BASE_URL and the browser through the environment. The whole step with Playwright and
 * Chromium runs in e2e-staging.integration.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { load, reusableWorkflows, templates, type Step, type Workflow } from './validate.ts';

const FILES = ['gantry-deploy-ecs.yml', 'gantry-deploy-k8s.yml'];
const workflow = (file: string): Workflow => {
  const found = reusableWorkflows().find((w) => w.file.endsWith(file));
  expect(found, file).toBeDefined();
  return load(found?.text ?? '');
};
const steps = (file: string): Step[] => workflow(file).jobs['deploy']?.steps ?? [];
const E2E_INPUTS = [
  'e2e-command',
  'e2e-base-url',
  'e2e-working-directory',
  'e2e-browser-path',
  'e2e-report-path',
  'e2e-timeout-minutes',
];

const temp = mkdtempSync(path.join(os.tmpdir(), 'gantry-e2e-step-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function runScript(env: Record<string, string>): { status: number | null; output: string } {
  const script = steps('gantry-deploy-ecs.yml').find((s) => s.id === 'e2e')?.run ?? '';
  const file = path.join(temp, 'e2e.sh');
  writeFileSync(file, script);
  const run = spawnSync('bash', ['--noprofile', '--norc', '-e', file], {
    cwd: temp,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('deploy workflows: the E2E step', () => {
  test.each(FILES)('%s: the e2e-* inputs, with the runner browser as the default', (file) => {
    const inputs = workflow(file).on?.workflow_call?.inputs ?? {};
    for (const name of E2E_INPUTS) expect(inputs[name], `${file}: ${name}`).toBeDefined();
    expect(inputs['e2e-browser-path']?.default).toBe('/usr/bin/google-chrome');
    expect(inputs['e2e-command']?.default).toBe('');
  });

  test('both workflows declare the same E2E inputs and steps', () => {
    const [ecs, k8s] = FILES.map((file) => workflow(file));
    for (const name of E2E_INPUTS)
      expect(k8s?.on?.workflow_call?.inputs?.[name]).toEqual(ecs?.on?.workflow_call?.inputs?.[name]);
    const e2eSteps = (file: string): Step[] =>
      steps(file).filter((s) => s.id === 'e2e' || s.name === 'Upload the E2E report');
    expect(e2eSteps('gantry-deploy-k8s.yml')).toEqual(e2eSteps('gantry-deploy-ecs.yml'));
    expect(e2eSteps('gantry-deploy-ecs.yml')).toHaveLength(2);
  });

  test.each(FILES)('%s: after the smoke test, before the rollback it triggers; no ${{ }} in run:', (file) => {
    const list = steps(file);
    const at = (predicate: (s: Step) => boolean): number => list.findIndex(predicate);
    const smoke = at((s) => s.id === 'smoke');
    const e2e = at((s) => s.id === 'e2e');
    const upload = at((s) => s.name === 'Upload the E2E report');
    const rollback = at((s) => s.id === 'rollback');
    expect(smoke).toBeGreaterThan(-1);
    expect(e2e).toBe(smoke + 1);
    expect(upload).toBe(e2e + 1);
    expect(rollback).toBeGreaterThan(upload);
    expect(list[rollback]?.if).toMatch(/steps\.e2e\.outcome == 'failure'/);
    expect(list[e2e]?.run).not.toContain('${{');
    expect(list[upload]?.uses).toMatch(/^actions\/upload-artifact@[0-9a-f]{40}$/);
    const record = at((s) => (s.name ?? '').startsWith('Record the digest that passed'));
    if (file === 'gantry-deploy-ecs.yml') expect(record).toBeGreaterThan(e2e);
  });

  test('the command runs with BASE_URL and the browser in its environment', () => {
    const browser = path.join(temp, 'chrome');
    writeFileSync(browser, '#!/bin/sh\n');
    chmodSync(browser, 0o755);
    const run = runScript({
      E2E_COMMAND: 'echo "url=$BASE_URL pw=$PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH chrome=$CHROME_PATH"; exit 3',
      BASE_URL: 'http://127.0.0.1:9/app',
      E2E_BROWSER_PATH: browser,
      PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH: browser,
      CHROME_PATH: browser,
    });
    expect(run.output).toContain(`url=http://127.0.0.1:9/app pw=${browser} chrome=${browser}`);
    expect(run.status).toBe(3); // the suite's failure is the step's failure
  });

  test('no URL to test: a clear error, the command never runs', () => {
    const run = runScript({ E2E_COMMAND: 'echo RAN', BASE_URL: '', E2E_BROWSER_PATH: '/bin/sh' });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^::error::e2e-command needs the URL to test/m);
    expect(run.output).not.toContain('RAN');
  });

  test('no browser at e2e-browser-path: a clear error, and the path printed inert', () => {
    const run = runScript({
      E2E_COMMAND: 'echo RAN',
      BASE_URL: 'http://127.0.0.1:9',
      E2E_BROWSER_PATH: '/nowhere/chrome\n::warning::injected',
    });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^::error::No browser at e2e-browser-path/m);
    expect(run.output).not.toMatch(/^::warning::/m);
    expect(run.output).not.toContain('RAN');
  });

  test.each(['pipeline.yml', 'pipeline-kubernetes.yml'])(
    'starter %s: staging runs the Playwright suite, production does not (it promotes what staging passed)',
    (file) => {
      const template = templates().find((t) => t.file.endsWith(`/${file}`));
      const jobs = load(template?.text ?? '').jobs;
      expect(jobs['deploy-staging']?.with?.['e2e-command']).toBe('npm ci && npx playwright test');
      expect(jobs['deploy-production']?.with?.['e2e-command']).toBeUndefined();
    },
  );
});
