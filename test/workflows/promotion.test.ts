/**
 * Build once, promote the digest: the deploy workflow's promotion check and the step that records the
 * digest that passed an environment, run for real (bash + curl + jq, as GitHub's runner runs a `run:` step)
 * against the local GitHub stand-in (testkit/github-reviews-standin.ts) on loopback.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startGithubStandin, type GithubStandin } from '../../testkit/github-reviews-standin.ts';
import { load, reusableWorkflows } from './validate.ts';

const temp = mkdtempSync(path.join(os.tmpdir(), 'gantry-promotion-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const SHA = '1234567890abcdef1234567890abcdef12345678';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

const step = (name: string): string => {
  const deploy = reusableWorkflows().find((w) => w.file.endsWith('gantry-deploy-ecs.yml'));
  const found = load(deploy?.text ?? '').jobs['deploy']?.steps?.find((s) => s.name === name);
  expect(found?.run, `step "${name}"`).toBeTypeOf('string');
  return found?.run ?? '';
};
const CHECK = 'Check the promoted digest passed the environment below';
const RECORD = 'Record the digest that passed (gantry/image/<environment> status)';

async function runStep(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; log: string; outputs: string }> {
  const base = path.join(temp, Math.random().toString(36).slice(2));
  writeFileSync(`${base}.sh`, script);
  writeFileSync(`${base}.out`, '');
  const child = spawn('bash', ['--noprofile', '--norc', '-e', `${base}.sh`], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GITHUB_OUTPUT: `${base}.out`, ...env },
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, log, outputs: readFileSync(`${base}.out`, 'utf8') };
}

describe('promotion evidence (deploy workflow steps against the GitHub stand-in)', () => {
  let github: GithubStandin;
  beforeEach(async () => {
    github = await startGithubStandin();
  });
  afterEach(() => github.stop());
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    GH_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    REPOSITORY: 'acme/app',
    SHA,
    DIGEST,
    FROM_ENVIRONMENT: 'dev',
    ...overrides,
  });

  test('a digest recorded in dev with a successful dev deployment of the commit is promoted', async () => {
    github.addDeployment(SHA, 'dev', 'success');
    github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST);
    const run = await runStep(step(CHECK), env());
    expect(run.status, run.log).toBe(0);
    expect(run.log).toContain(`Promoting ${DIGEST}: it passed dev`);
  });

  test('a deployment retired by a newer one (inactive) still counts as having passed', async () => {
    github.addDeployment(SHA, 'dev', 'inactive');
    github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST);
    expect((await runStep(step(CHECK), env())).status).toBe(0);
  });

  test.each([
    [
      'no deployment in dev',
      () => github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST),
      /has no successful deployment in dev/,
    ],
    [
      'a failed dev deployment',
      () => {
        github.addDeployment(SHA, 'dev', 'failure');
        github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST);
      },
      /has no successful deployment in dev/,
    ],
    [
      'a deployment in another environment only',
      () => {
        github.addDeployment(SHA, 'staging', 'success');
        github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST);
      },
      /has no successful deployment in dev/,
    ],
    [
      'another digest passed dev',
      () => {
        github.addDeployment(SHA, 'dev', 'success');
        github.addStatus(SHA, 'gantry/image/dev', 'success', OTHER);
      },
      /is not the image that passed dev .*success sha256:bbbb/,
    ],
    [
      'the digest was recorded, then a later run failed',
      () => {
        github.addDeployment(SHA, 'dev', 'success');
        github.addStatus(SHA, 'gantry/image/dev', 'success', DIGEST);
        github.addStatus(SHA, 'gantry/image/dev', 'failure', DIGEST);
      },
      /is not the image that passed dev/,
    ],
    ['nothing recorded', () => github.addDeployment(SHA, 'dev', 'success'), /gantry\/image\/dev: none/],
  ])('refused: %s', async (_name, arrange, message) => {
    arrange();
    const run = await runStep(step(CHECK), env());
    expect(run.status).toBe(1);
    expect(run.log).toMatch(/::error::Promotion refused: /);
    expect(run.log).toMatch(message);
  });

  test('a digest that is not sha256:<64 hex> is refused before any request', async () => {
    const run = await runStep(step(CHECK), env({ DIGEST: 'latest' }));
    expect(run.status).toBe(1);
    expect(run.log).toContain('::error::image-digest must be a manifest digest');
    expect(github.requests).toEqual([]);
  });

  test('an API error fails closed', async () => {
    const run = await runStep(step(CHECK), env({ GH_TOKEN: 'wrong' }));
    expect(run.status).not.toBe(0);
    expect(run.log).not.toContain('Promoting');
  });

  test('round trip: the record step writes what the next environment’s check reads', async () => {
    const record = await runStep(step(RECORD), {
      ...env(),
      ENVIRONMENT: 'dev',
      RUN_URL: 'https://github.com/acme/app/actions/runs/1',
    });
    expect(record.status, record.log).toBe(0);
    expect(github.statuses(SHA)).toEqual([
      { state: 'success', context: 'gantry/image/dev', description: DIGEST },
    ]);
    github.addDeployment(SHA, 'dev', 'success');
    expect((await runStep(step(CHECK), env())).status).toBe(0);
    expect((await runStep(step(CHECK), env({ DIGEST: OTHER }))).status).toBe(1);
  });

  test('the image step deploys the promoted digest without a build, or the built one', async () => {
    const script = step('The image to deploy');
    const promoted = await runStep(script, {
      PROMOTED: DIGEST,
      REPOSITORY_IMAGE: 'registry.example/app',
      BUILT_DIGEST: '',
      BUILT_IMAGE: '',
    });
    expect(promoted.status, promoted.log).toBe(0);
    expect(promoted.outputs).toBe(`digest=${DIGEST}\nimage=registry.example/app@${DIGEST}\n`);
    const built = await runStep(script, {
      PROMOTED: '',
      REPOSITORY_IMAGE: 'registry.example/app',
      BUILT_DIGEST: OTHER,
      BUILT_IMAGE: `registry.example/app@${OTHER}`,
    });
    expect(built.outputs).toBe(`digest=${OTHER}\nimage=registry.example/app@${OTHER}\n`);
    const none = await runStep(script, {
      PROMOTED: '',
      REPOSITORY_IMAGE: 'registry.example/app',
      BUILT_DIGEST: '',
      BUILT_IMAGE: '',
    });
    expect(none.status).toBe(1);
  });
});
