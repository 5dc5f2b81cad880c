/**
 * Build once, promote the digest, and the image gate, on Kubernetes: gantry-deploy-k8s.yml carries the same
 * promotion check, image step, trivy-image gate, gate report and digest record as gantry-deploy-ecs.yml (the
 * same inputs with the same descriptions and defaults, the same `run:` scripts and environments — so
 * promotion.test.ts, which runs the ECS scripts against the GitHub stand-in, covers both), skipped by a canary
 * promote/abort; and the starter pipeline-kubernetes.yml builds once in dev and promotes that digest to
 * staging and production behind 2 and 3 approvals. The run through the offline runner against the
 * Kubernetes stand-in is in k8s-promotion.integration.test.ts. The image gate's report step (the offline runner
 * has no trivy, so those runs pass image-scan false) is run here for real — bash + curl + jq, as GitHub's
 * runner runs a `run:` step — against the local GitHub stand-in (testkit/github-reviews-standin.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startGithubStandin, type GithubStandin } from '../../testkit/github-reviews-standin.ts';
import { load, reusableWorkflows, templates, type Step } from './validate.ts';

const workflow = (file: string): ReturnType<typeof load> =>
  load(reusableWorkflows().find((w) => w.file.endsWith(file))?.text ?? '');
const ecs = workflow('gantry-deploy-ecs.yml');
const k8s = workflow('gantry-deploy-k8s.yml');
const steps = (w: ReturnType<typeof load>): Step[] => w.jobs['deploy']?.steps ?? [];
const named = (w: ReturnType<typeof load>, name: string): Step | undefined =>
  steps(w).find((s) => s.name === name);

const CHECK = 'Check the promoted digest passed the environment below';
const IMAGE = 'The image to deploy';
const SCAN = 'Scan the image (trivy-image)';
const REPORT = 'Report the image gate (summary and gantry/image-scan status)';
const RECORD = 'Record the digest that passed (gantry/image/<environment> status)';

const inputsOf = (w: ReturnType<typeof load>): Record<string, unknown> =>
  ((w.on as { workflow_call?: { inputs?: Record<string, unknown> } }).workflow_call?.inputs ?? {}) as Record<
    string,
    unknown
  >;

describe('gantry-deploy-k8s.yml: the promotion check and the image gate of gantry-deploy-ecs.yml', () => {
  test.each(['image-digest', 'promote-from', 'image-scan', 'image-scan-threshold'])(
    'input %s: the same type, description and default as on ECS',
    (input) => {
      expect(inputsOf(k8s)[input], input).toBeDefined();
      expect(inputsOf(k8s)[input]).toEqual(inputsOf(ecs)[input]);
    },
  );

  test.each([CHECK, IMAGE, SCAN, REPORT])('step "%s": the same condition, script, inputs and env', (name) => {
    const mine = named(k8s, name);
    const theirs = named(ecs, name);
    expect(mine, name).toBeDefined();
    expect(mine).toEqual(theirs);
  });

  test('the digest is recorded as passed only when the run succeeded and no canary is left paused', () => {
    const mine = named(k8s, RECORD);
    const theirs = named(ecs, RECORD);
    expect(mine?.run).toBeTypeOf('string');
    expect(mine?.run).toBe(theirs?.run);
    expect(mine?.env).toEqual(theirs?.env);
    expect(mine?.if).toBe(
      "success() && steps.image.outputs.digest != '' && steps.canary.outputs.paused != 'true'",
    );
  });

  test('order: promotion check → image → scan → report → migrations → roll-out → … → record → notify', () => {
    const order = steps(k8s).map((s) => s.name ?? '');
    const at = (name: string): number => order.indexOf(name);
    const sequence = [
      'Check the security gate (gantry/security commit status)',
      CHECK,
      'Build and push the image',
      IMAGE,
      SCAN,
      REPORT,
      'Run the migrations (before the new code ships)',
      'Apply the manifests and watch the rollout',
      'Roll out (canary)',
      'Smoke-test the new version',
      'Run the E2E suite against the new version',
      'Roll back (the new version is unhealthy)',
      RECORD,
      'Notify the result',
    ];
    for (const name of sequence) expect(at(name), name).toBeGreaterThanOrEqual(0);
    expect(sequence.map(at)).toEqual([...sequence.map(at)].sort((a, b) => a - b));
  });

  test('a canary promote or abort skips the build, the scan and the promotion check', () => {
    for (const name of [CHECK, 'Build and push the image', IMAGE, SCAN]) {
      expect(named(k8s, name)?.if, name).toContain("inputs.canary-action != 'promote'");
      expect(named(k8s, name)?.if, name).toContain("inputs.canary-action != 'abort'");
    }
  });

  test('the job may read deployments (the promotion check) and write statuses (the record), with reasons', () => {
    const permissions = k8s.jobs['deploy']?.permissions as Record<string, string> | undefined;
    expect(permissions?.['deployments']).toBe('read');
    expect(permissions?.['statuses']).toBe('write');
  });
});

describe('pipeline-kubernetes.yml: builds once in dev and promotes the digest', () => {
  const starter = load(templates().find((t) => t.file.endsWith('/pipeline-kubernetes.yml'))?.text ?? '');
  const deploys = Object.entries(starter.jobs).filter(([, job]) =>
    job.uses?.includes('gantry-deploy-k8s.yml'),
  );

  test('push and pull requests on the default branch only; CI with the coverage gate', () => {
    const on = starter.on as { push?: { branches?: string[] }; pull_request?: { branches?: string[] } };
    expect(on.push?.branches).toEqual(['$default-branch']);
    expect(on.pull_request?.branches).toEqual(['$default-branch']);
    expect(starter.jobs['ci']?.with?.['coverage-file']).toBe('coverage/lcov.info');
  });

  test('dev builds (no image-digest); staging and production deploy the digest that passed the environment below, after 2 and 3 approvals', () => {
    expect(deploys.map(([id]) => id)).toEqual(['deploy-dev', 'deploy-staging', 'deploy-production']);
    const [dev, staging, production] = deploys.map(([, job]) => job);
    expect(dev?.if).toMatch(/github\.event_name == 'push'/);
    expect(dev?.needs).toBe('ci');
    expect(dev?.with?.['image-digest']).toBeUndefined();
    expect(dev?.with?.['promote-from']).toBeUndefined();
    for (const [job, from, gate, required] of [
      [staging, 'dev', 'approve-staging', 2],
      [production, 'staging', 'approve-production', 3],
    ] as const) {
      expect(job?.needs).toEqual([`deploy-${from}`, gate]);
      expect(job?.with?.['promote-from']).toBe(from);
      expect(job?.with?.['image-digest']).toBe(`\${{ needs.deploy-${from}.outputs.image-digest }}`);
      // the same repository everywhere: the digest is of that image
      expect(job?.with?.['image']).toBe(dev?.with?.['image']);
      const step = starter.jobs[gate]?.steps?.find((s) => /\/actions\/approval-gate@/.test(s.uses ?? ''));
      expect(step, gate).toBeDefined();
      expect(Number(step?.with?.['required-approvals'])).toBe(required);
    }
  });

  test('every deploy job may read deployments (the promotion check), as the reusable workflow asks', () => {
    for (const [id, job] of deploys)
      expect((job.permissions as Record<string, string> | undefined)?.['deployments'], id).toBe('read');
  });

  test('every input a deploy job passes is an input of gantry-deploy-k8s.yml', () => {
    const known = Object.keys(inputsOf(k8s));
    for (const [id, job] of deploys)
      for (const input of Object.keys(job.with ?? {})) expect(known, `${id}: ${input}`).toContain(input);
  });
});

describe("the image gate's report: the digest, the findings count and the verdict in the summary and the commit status", () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'gantry-k8s-gate-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  let github: GithubStandin;
  beforeEach(async () => {
    github = await startGithubStandin();
  });
  afterEach(() => github.stop());
  const SHA = 'fedcba9876543210fedcba9876543210fedcba98';
  const DIGEST = `sha256:${'f'.repeat(64)}`;

  async function report(env: Record<string, string>): Promise<{ status: number | null; summary: string }> {
    const base = path.join(temp, Math.random().toString(36).slice(2));
    writeFileSync(`${base}.sh`, named(k8s, REPORT)?.run ?? 'exit 99');
    writeFileSync(`${base}.md`, '');
    const child = spawn('bash', ['--noprofile', '--norc', '-e', `${base}.sh`], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GITHUB_STEP_SUMMARY: `${base}.md`,
        GITHUB_API_URL: github.url,
        GH_TOKEN: github.token,
        REPOSITORY: 'acme/app',
        SHA,
        DIGEST,
        ENVIRONMENT: 'production',
        RUN_URL: 'https://github.com/acme/app/actions/runs/7',
        ...env,
      },
      stdio: 'ignore',
    });
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, summary: readFileSync(`${base}.md`, 'utf8') };
  }

  test('passed: the summary row and a success gantry/image-scan/<environment> status', async () => {
    const run = await report({ OUTCOME: 'success', TOTAL: '2', REASON: '' });
    expect(run.status).toBe(0);
    expect(run.summary).toContain(`| ${DIGEST} | 2 | passed |`);
    expect(github.statuses(SHA)).toEqual([
      {
        state: 'success',
        context: 'gantry/image-scan/production',
        description: `${DIGEST.slice(0, 19)}… 2 finding(s), passed`,
      },
    ]);
  });

  test('blocked at the threshold: the reason in the summary, a failure status', async () => {
    const run = await report({ OUTCOME: 'failure', TOTAL: '5', REASON: '1 high finding' });
    expect(run.status).toBe(0);
    expect(run.summary).toContain(`| ${DIGEST} | 5 | blocked: 1 high finding |`);
    expect(github.statuses(SHA)).toEqual([
      {
        state: 'failure',
        context: 'gantry/image-scan/production',
        description: `${DIGEST.slice(0, 19)}… 5 finding(s), blocked: 1 high finding`,
      },
    ]);
  });
});
