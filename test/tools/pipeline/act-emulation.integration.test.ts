/**
 * The offline runner's act mode (`--emulate act`, tools/pipeline/runner.ts ACT_CONTEXT): contexts and
 * environment as nektos/act builds them, and every reusable workflow and starter template run that way —
 * each stops at once with Gantry's one-line explanation when it cannot tell where Gantry comes from, and
 * goes on when `gantry-repository`/`gantry-ref` say it. The demo's staging deploy passes under act mode.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig, type PipelineConfig } from '../../../tools/pipeline/config.ts';
import { ACT_CONTEXT, runWorkflow, type RunOptions, type RunReport } from '../../../tools/pipeline/runner.ts';
import { gantryWorkspaceCopy, placeholderCaller } from '../../../testkit/act.ts';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { load, reusableWorkflows, templates } from '../../workflows/validate.ts';

const FALLBACK_ERROR = /The runner does not say which repository this reusable workflow came from/;
const temp = mkdtempSync(path.join(tmpdir(), 'gantry-act-emulation-'));
// Workflows run in a copy, never in the repository: a caller's commands (npm ci…) must not touch it.
const workspace = gantryWorkspaceCopy(repoRoot, mkdtempSync(path.join(tmpdir(), 'gantry-act-ws-')), {
  npmStandIn: true,
});
const PATH = `${path.join(workspace, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});
let config: PipelineConfig;
beforeAll(async () => {
  config = await loadConfig();
});

async function run(
  file: string,
  options: Partial<RunOptions> = {},
): Promise<{ report: RunReport; printed: string }> {
  const lines: string[] = [];
  const report = await runWorkflow({
    workflow: file,
    workspace,
    config,
    // a closed loopback port: nothing these runs do may reach a real API
    env: {
      PATH,
      HOME: temp,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GANTRY_LOCAL_SLACK_API_URL: 'http://127.0.0.1:9/api/',
      GANTRY_LOCAL_PAGERDUTY_API_URL: 'http://127.0.0.1:9/v2/enqueue',
    },
    print: (line) => lines.push(line),
    quiet: true,
    ...options,
  });
  return { report, printed: lines.join('\n') };
}
const write = (name: string, workflow: unknown): string => {
  const file = path.join(temp, name);
  writeFileSync(file, stringify(workflow));
  return file;
};
const steps = (report: RunReport): { name: string; outcome: string; log: string }[] =>
  report.jobs.flatMap((job) =>
    job.steps.map((s) => ({
      name: s.name,
      outcome: s.outcome,
      log: [...s.log, ...s.annotations.map((a) => a.message)].join('\n'),
    })),
  );

/** Runs a step's script as GitHub's bash does, with a GITHUB_OUTPUT file; returns status, stdout, outputs. */
function runScript(
  script: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; outputs: string } {
  const output = path.join(temp, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(output, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, outputs: readFileSync(output, 'utf8') };
}

describe('contexts and environment as act builds them', () => {
  const probe = {
    name: 'probe',
    on: { push: {} },
    jobs: {
      probe: {
        'runs-on': 'ubuntu-latest',
        steps: [
          {
            name: 'record',
            env: {
              JOB_REPOSITORY: '${{ job.workflow_repository }}',
              JOB_SHA: '${{ job.workflow_sha }}',
              ACTOR: '${{ github.actor }}',
              WORKFLOW_REF: '${{ github.workflow_ref }}',
              ENV_ACT: '${{ env.ACT }}',
              RUN_ID: '${{ github.run_id }}',
            },
            run: [
              'echo "job.workflow_repository=[$JOB_REPOSITORY] job.workflow_sha=[$JOB_SHA]"',
              'echo "actor=[$ACTOR] workflow_ref=[$WORKFLOW_REF] env.ACT=[$ENV_ACT] run_id=[$RUN_ID]"',
              'echo "ACT=[${ACT:-}] OIDC=[${ACTIONS_ID_TOKEN_REQUEST_URL:-}] WORKFLOW_REF=[${GITHUB_WORKFLOW_REF:-}]"',
            ].join('\n'),
          },
        ],
      },
    },
  };

  test('--emulate act: no job.workflow_*, actor nektos/act, ACT=true, no OIDC provider', async () => {
    const { report, printed } = await run(write('probe.yml', probe), {
      emulate: 'act',
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
      },
      quiet: false,
    });
    assert.equal(report.result, 'success', printed);
    const log = steps(report).find((s) => s.name === 'record')?.log ?? '';
    assert.match(log, /job\.workflow_repository=\[\] job\.workflow_sha=\[\]/);
    assert.match(log, /actor=\[nektos\/act\] workflow_ref=\[\] env\.ACT=\[true\] run_id=\[1\]/);
    assert.match(log, /ACT=\[true\] OIDC=\[\] WORKFLOW_REF=\[\]/);
    assert.equal(ACT_CONTEXT.commit.length, 40);
  });

  test('the default (GitHub) contexts for contrast: job.workflow_* set, no ACT', async () => {
    const { report } = await run(write('probe-github.yml', probe), {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GITHUB_REPOSITORY: 'acme/gantry' },
      quiet: false,
    });
    const log = steps(report).find((s) => s.name === 'record')?.log ?? '';
    assert.match(log, /job\.workflow_repository=\[acme\/gantry\] job\.workflow_sha=\[[0-9a-f]{40}\]/);
    assert.match(log, /env\.ACT=\[\]/);
    assert.match(log, /ACT=\[\] /);
  });
});

/** A caller of a reusable workflow with placeholder values for its required inputs and secrets. */
function callerOf(file: string, extra: Record<string, unknown>): unknown {
  const text = reusableWorkflows().find((w) => w.file === file)!.text;
  return placeholderCaller(file, text, 'http://127.0.0.1:9/health', extra);
}

describe('every reusable workflow under act', () => {
  for (const { file } of reusableWorkflows()) {
    test(`${file}: without gantry-repository it stops at once with the one-line explanation`, async () => {
      const { report, printed } = await run(write(`act-${path.basename(file)}`, callerOf(file, {})), {
        emulate: 'act',
      });
      assert.equal(report.result, 'failure', printed);
      // The first step that fails is Gantry's explanation (steps after it that run on failure() may fail too,
      // for want of Gantry's actions, as they would under act).
      const jobsThatFailed = report.jobs.filter((job) => job.steps.some((s) => s.outcome === 'failure'));
      assert.ok(jobsThatFailed.length >= 1, printed);
      for (const job of jobsThatFailed) {
        const first = job.steps.find((s) => s.outcome === 'failure');
        assert.equal(first?.name, 'Find where Gantry comes from', `${job.id}\n${printed}`);
        assert.match([...first.log, ...first.annotations.map((a) => a.message)].join('\n'), FALLBACK_ERROR);
      }
    });

    test(`${file}: the step takes job.workflow_* on GitHub, gantry-repository/gantry-ref under act`, () => {
      const step = Object.values(load(reusableWorkflows().find((w) => w.file === file)!.text).jobs)
        .flatMap((job) => job.steps ?? [])
        .find((s) => s.name === 'Find where Gantry comes from');
      assert.ok(step?.run);
      const github = runScript(step.run, {
        WORKFLOW_REPOSITORY: 'acme/gantry',
        WORKFLOW_SHA: 'f'.repeat(40),
      });
      assert.equal(github.status, 0);
      assert.equal(github.outputs, `repository=acme/gantry\nref=${'f'.repeat(40)}\n`);
      const act = runScript(step.run, { GANTRY_REPOSITORY: 'acme/gantry', GANTRY_REF: 'v1' });
      assert.equal(act.status, 0);
      assert.equal(act.outputs, 'repository=acme/gantry\nref=v1\n');
      const neither = runScript(step.run, { GANTRY_REF: 'v1' });
      assert.equal(neither.status, 1);
      assert.match(neither.stdout, /^::error::The runner does not say which repository/);
      assert.equal(neither.stdout.split('\n').filter(Boolean).length, 1, 'one line');
    });
  }
});

describe('every starter template under act', () => {
  for (const { file } of templates()) {
    test(`${file}: each Gantry job's first failing step is the one-line explanation`, async () => {
      const { report, printed } = await run(path.join(workspace, file), { emulate: 'act', approve: true });
      assert.equal(report.result, 'failure', printed);
      const jobsThatFailed = report.jobs.filter((job) => job.steps.some((s) => s.outcome === 'failure'));
      assert.ok(jobsThatFailed.length >= 1, printed);
      for (const job of jobsThatFailed) {
        const first = job.steps.find((s) => s.outcome === 'failure');
        assert.equal(first?.name, 'Find where Gantry comes from', `${job.id}\n${printed}`);
        assert.match([...first.log, ...first.annotations.map((a) => a.message)].join('\n'), FALLBACK_ERROR);
      }
    });
  }
});

describe('the demo under act mode (npm run demo -- --emulate act)', () => {
  test('the staging deploy passes with act contexts; no deployment is recorded (act has no deployments API)', async () => {
    const { runDemo } = await import('../../../tools/demo/demo.ts');
    const lines: string[] = [];
    const result = await runDemo({ emulate: 'act', print: (line) => lines.push(line) });
    const log = lines.join('\n');
    assert.equal(result.exitCode, 0, log);
    assert.equal(result.report.result, 'success');
    assert.doesNotMatch(log, /deployment #\d+ to staging: in_progress/);
  });
});
