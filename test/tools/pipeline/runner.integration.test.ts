/**
 * The offline runner (tools/pipeline) on small purpose-made workflows in test/tools/pipeline/workflows/:
 * job order, if: conditions and status functions, outputs and env passing, failure handling, a reusable
 * workflow call, a local action with a post step (through the bundle harness), environment approvals,
 * and a third-party action without a substitute. Steps record what they saw in a file ($RECORD).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { loadConfig, type PipelineConfig } from '../../../tools/pipeline/config.ts';
import { blockScalarContent } from '../../../tools/pipeline/expressions.ts';
import {
  MissingSubstituteError,
  runWorkflow,
  type RunOptions,
  type RunReport,
} from '../../../tools/pipeline/runner.ts';
import { annotationLines, resultTable } from '../../../tools/pipeline/report.ts';
import { WorkflowFileError } from '../../../tools/pipeline/workflow-file.ts';

const SECRET = 's3cr3t-Value-42';

describe('offline runner', () => {
  let temp: string;
  let config: PipelineConfig;
  let counter = 0;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-runner-test-'));
    config = await loadConfig();
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  async function run(
    workflow: string,
    options: Partial<RunOptions> = {},
  ): Promise<{ report: RunReport; record: string[]; printed: string; recordFile: string }> {
    const recordFile = path.join(temp, `record-${++counter}.txt`);
    const lines: string[] = [];
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: temp,
      RECORD: recordFile,
    };
    const report = await runWorkflow({
      workflow: `test/tools/pipeline/workflows/${workflow}`,
      workspace: repoRoot,
      config,
      env,
      print: (line) => lines.push(line),
      ...options,
    });
    const record = existsSync(recordFile) ? (await readFile(recordFile, 'utf8')).trimEnd().split('\n') : [];
    return { report, record, printed: lines.join('\n'), recordFile };
  }

  test('jobs run in needs order, not file order', async () => {
    const recordFile = path.join(temp, 'order.txt');
    const report = await runWorkflow({
      workflow: 'test/tools/pipeline/workflows/order.yml',
      workspace: repoRoot,
      config,
      env: { PATH: process.env['PATH'] ?? '', ORDER_FILE: recordFile },
      print: () => undefined,
    });
    assert.equal(report.result, 'success');
    assert.deepEqual((await readFile(recordFile, 'utf8')).trim().split('\n'), [
      'first',
      'middle pipeline',
      'last',
    ]);
    assert.deepEqual(
      report.jobs.map((job) => [job.id, job.result]),
      [
        ['first', 'success'],
        ['middle', 'success'],
        ['last', 'success'],
      ],
    );
  });

  test('if: conditions — failure(), always(), success(), continue-on-error, skipped dependants', async () => {
    const { report, record, printed } = await run('conditions.yml');
    assert.equal(report.result, 'failure');
    assert.deepEqual(record, [
      'after-tolerated',
      'cleanup-on-failure outcome=failure tolerated=failure/success',
      'always job.status=failure',
      'on-failure needs.dependent.result=skipped',
      'finally broken=failure',
    ]);
    const results = Object.fromEntries(report.jobs.map((job) => [job.id, job.result]));
    assert.deepEqual(results, {
      broken: 'failure',
      dependent: 'skipped',
      'on-failure': 'success',
      finally: 'success',
      'only-on-pr': 'skipped',
    });
    const broken = report.jobs.find((job) => job.id === 'broken');
    assert.deepEqual(
      broken?.steps.map((step) => step.conclusion),
      ['success', 'success', 'failure', 'skipped', 'success', 'success', 'skipped'],
    );
    assert.match(printed, /about to fail/);
    assert.match(printed, /Process completed with exit code 7/);
    assert.ok(resultTable(report).some((line) => /^broken\s+failure/.test(line)));
    assert.deepEqual(annotationLines(report.jobs).slice(1), [
      '── annotations ──',
      '  ✗ broken › Run exit 3: Process completed with exit code 3.',
      '  ✗ broken › Run echo "about to fail": Process completed with exit code 7.',
    ]);
  });

  test('--event pull_request: the payload reaches github.event', async () => {
    const { record } = await run('conditions.yml', { event: 'pull_request' });
    assert.ok(record.includes('pr 1'), record.join('\n'));
  });

  test('outputs, env at every level, GITHUB_ENV/PATH/STEP_SUMMARY, typed inputs, vars; secrets masked', async () => {
    const { report, record, printed } = await run('outputs.yml', {
      event: 'workflow_dispatch',
      inputs: { who: 'ana', 'dry-run': 'true' },
      secrets: { API_TOKEN: SECRET },
      vars: { REGION: 'eu-west-1' },
    });
    assert.equal(report.result, 'success', printed);
    assert.deepEqual(record, [
      'level=step greeting=hello ana',
      'level=job exported=from-github-env ctx=from-github-env tool=tool-on-path',
      'step output seen=1.2.1',
      'notes=line one|line two',
      'consume version=1.2.1 result=success',
      'token-output=[] count=2 dry=true',
      'var=eu-west-1',
    ]);
    const produce = report.jobs.find((job) => job.id === 'produce');
    assert.equal(produce?.outputs['version'], '1.2.1');
    assert.equal(produce?.outputs['token'], undefined, 'an output holding a secret is not passed on');
    assert.deepEqual(produce?.summaries, ['### Produced ana\n']);
    assert.match(printed, /the secret is \*\*\*/);
    assert.ok(!printed.includes(SECRET), 'the secret never appears in the log');
    assert.ok(!JSON.stringify(report).includes(SECRET), 'nor in the report');
  });

  test('strategy.matrix: cross product, exclude, include, fail-fast off, outputs of the last instance', async () => {
    const { report, record } = await run('matrix.yml', { event: 'workflow_dispatch' });
    assert.equal(report.result, 'failure');
    assert.deepEqual(record, [
      'api/eu primary=true 0/4',
      'api/us primary=false 1/4',
      'web/eu primary=false 2/4',
      'batch/ap primary=false 3/4',
      'after check=failure last=batch',
    ]);
    assert.deepEqual(
      report.jobs.map((job) => [job.id, job.result]),
      [
        ['check (api, eu, true)', 'success'],
        ['check (api, us)', 'success'],
        ['check (web, eu)', 'failure'],
        ['check (batch, ap)', 'success'],
        ['after', 'success'],
      ],
    );
  });

  test('a required input that is missing, or a wrong type, stops before any job', async () => {
    await assert.rejects(run('outputs.yml', { event: 'workflow_dispatch' }), /input "who" is required/);
    await assert.rejects(
      run('outputs.yml', { event: 'workflow_dispatch', inputs: { who: 'x', count: 'many' } }),
      /input "count" is a number/,
    );
  });

  test('a local reusable workflow: inputs with defaults, secrets, outputs back to the caller', async () => {
    const { report, record, printed } = await run('caller.yml', { secrets: { DEPLOY_KEY: SECRET } });
    assert.equal(report.result, 'success', printed);
    assert.deepEqual(record, [
      'called env=staging tag=v7 replicas=2 key-set=true',
      'report deploy=success url=https://staging.example.test/v7',
    ]);
    assert.deepEqual(
      report.jobs.map((job) => [job.id, job.result]),
      [
        ['prepare', 'success'],
        ['deploy / ship', 'success'],
        ['deploy', 'success'],
        ['report', 'success'],
      ],
    );
    assert.equal(
      report.jobs.find((job) => job.id === 'deploy')?.outputs['url'],
      'https://staging.example.test/v7',
    );
  });

  test('a remote reusable workflow runs a local file only where the config maps it', async () => {
    await assert.rejects(
      run('remote-caller.yml', { secrets: { 'deploy-key': SECRET } }),
      (error: unknown) => {
        assert.ok(error instanceof MissingSubstituteError);
        assert.deepEqual(error.actions, ['acme/gantry/test/tools/pipeline/workflows/called.yml@v1']);
        return true;
      },
    );
    const mapped: PipelineConfig = {
      ...config,
      workflows: { 'gantry/test/tools/pipeline/workflows/': './test/tools/pipeline/workflows/' },
    };
    const { report, record, printed } = await run('remote-caller.yml', {
      config: mapped,
      secrets: { 'deploy-key': SECRET },
    });
    assert.equal(report.result, 'success', printed);
    assert.deepEqual(record, [
      'called env=dev tag=v9 replicas=2 key-set=true',
      'report url=https://dev.example.test/v9',
    ]);
    assert.match(
      printed,
      /acme\/gantry\/test\/tools\/pipeline\/workflows\/called\.yml@v1 → \.\/test\/tools\/pipeline\/workflows\/called\.yml/,
    );
  });

  test('a local JavaScript action runs under Node 24 with its post step; defaults like ${{ github.token }} are evaluated and masked', async () => {
    const { report, record, printed } = await run('local-action.yml', {
      approve: true,
      secrets: { GITHUB_TOKEN: SECRET },
    });
    assert.equal(report.result, 'success', printed);
    assert.deepEqual(record, [
      'main node=24 message=hi from push',
      `recorder said=hi from push token-length=${SECRET.length}`,
      'post cleanup=hi from push',
    ]);
    const steps = report.jobs[0]?.steps.map((step) => step.name);
    assert.deepEqual(steps, [
      'Run actions/checkout@v4',
      'Run ./test/tools/pipeline/actions/recorder',
      'Run echo "recorder said=${{ steps.rec.outputs.echo }} token-length=${{ steps.rec.outputs.token-length }}" >> "$RECORD"'.slice(
        0,
        64,
      ),
      'Post Run ./test/tools/pipeline/actions/recorder',
    ]);
    assert.match(printed, /environment "production" approved locally/);
    assert.match(printed, /actions\/checkout → using the local checkout/);
    assert.match(report.jobs[0]?.summaries[0] ?? '', /<td>hi from push<\/td>/);
    assert.ok(!printed.includes(SECRET));
  });

  test('an environment that needs an approval stops the run without --approve', async () => {
    const { report, record, printed } = await run('local-action.yml');
    assert.equal(report.result, 'waiting');
    assert.deepEqual(record, [], 'no step ran');
    assert.match(
      report.stopped ?? '',
      /would wait for an approval of environment "production" \(reviewers: release-managers\); run again with --approve/,
    );
    assert.match(printed, /⏸/);
  });

  test('a third-party action without a substitute stops the run before any job, naming it', async () => {
    const recordFile = path.join(temp, 'missing.txt');
    await assert.rejects(
      runWorkflow({
        workflow: 'test/tools/pipeline/workflows/missing-substitute.yml',
        workspace: repoRoot,
        config,
        env: { PATH: process.env['PATH'] ?? '', RECORD: recordFile },
        print: () => undefined,
      }),
      (error: unknown) => {
        assert.ok(error instanceof MissingSubstituteError);
        assert.deepEqual(error.actions, ['someone/unknown-action@v2']);
        assert.match(error.message, /missing-substitute\.yml job second step 2/);
        assert.match(error.message, /pipeline\.config\.yml/);
        return true;
      },
    );
    assert.ok(!existsSync(recordFile), 'the first job did not run either');
  });

  test('an invalid workflow is refused with the parser’s messages', async () => {
    const file = path.join(temp, 'invalid.yml');
    await (
      await import('node:fs/promises')
    ).writeFile(file, 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ nope( }}\n');
    await assert.rejects(
      runWorkflow({ workflow: file, workspace: repoRoot, config, print: () => undefined }),
      WorkflowFileError,
    );
  });

  test('the CLI (npm run pipeline): exit codes 0 / 1 / 2 / 3 and the final table', () => {
    const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['tools/pipeline/cli.ts', ...args], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: temp,
          RECORD: path.join(temp, 'cli.txt'),
          ORDER_FILE: path.join(temp, 'cli-order.txt'),
        },
      });
    const ok = cli(['test/tools/pipeline/workflows/order.yml']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^last\s+success/m);
    assert.match(ok.stdout, /workflow: success/);
    const failed = cli(['test/tools/pipeline/workflows/conditions.yml']);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /^broken\s+failure/m);
    const missing = cli(['test/tools/pipeline/workflows/missing-substitute.yml']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /No local substitute for someone\/unknown-action@v2/);
    const waiting = cli(['test/tools/pipeline/workflows/local-action.yml']);
    assert.equal(waiting.status, 3);
    assert.match(waiting.stdout, /would wait for an approval/);
    const secretFile = path.join(temp, 'act.secrets');
    const varFile = path.join(temp, 'act.vars');
    writeFileSync(secretFile, `# act-style secrets\nAPI_TOKEN="${SECRET}"\n`);
    writeFileSync(varFile, 'REGION=ap-south-1\n');
    const dotenv = cli([
      'test/tools/pipeline/workflows/outputs.yml',
      '--event',
      'workflow_dispatch',
      '--input',
      'who=cli',
      '--secret-file',
      secretFile,
      '--var-file',
      varFile,
    ]);
    assert.equal(dotenv.status, 0, dotenv.stdout + dotenv.stderr);
    assert.match(dotenv.stdout, /the secret is \*\*\*/);
    assert.ok(!dotenv.stdout.includes(SECRET));
    assert.match(readFileSync(path.join(temp, 'cli.txt'), 'utf8'), /var=ap-south-1/);
    const approved = cli([
      'test/tools/pipeline/workflows/local-action.yml',
      '--approve',
      '--secret',
      `GITHUB_TOKEN=${SECRET}`,
    ]);
    assert.equal(approved.status, 0, approved.stdout);
    assert.ok(!approved.stdout.includes(SECRET));
  });

  test('block scalars with expressions keep YAML semantics (indentation, chomping, folding)', () => {
    assert.equal(blockScalarContent('    a\n      b\n    c\n\n', '|'), 'a\n  b\nc\n');
    assert.equal(blockScalarContent('  a\n  b\n', '|-'), 'a\nb');
    assert.equal(blockScalarContent('  a\n  b\n\n', '|+'), 'a\nb\n\n');
    assert.equal(blockScalarContent('  a\n  b\n\n  c\n', '>'), 'a b\n\nc\n');
  });
});
