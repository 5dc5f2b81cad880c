/**
 * The security-scan bundle with the REAL scanners run on a planted tree (test/fixtures/security-scan/real/planted:
 * fake credentials, one marked `# nosemgrep`): gitleaks 8.30.1 (built with `go install`, packed as its release
 * archive and served from a loopback mirror, SHA-256-checked by the action), semgrep 1.95.0 and checkov 3.2.300
 * (pip). They are installed by `.ci/run` into `$GANTRY_SCANNERS_BIN` (default `~/.cache/gantry/scanners/bin`);
 * a missing scanner fails the test with the line that installs it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runBundle, type BundleRun } from '../../../testkit/bundle-runner.ts';

const planted = path.join(repoRoot, 'test/fixtures/security-scan/real/planted');
const bin = process.env['GANTRY_SCANNERS_BIN'] ?? path.join(homedir(), '.cache/gantry/scanners/bin');
const PLANTED = [
  'AKIAQ3EGRAXW7PLANTED',
  'AKIAZ7JQ4SUPPRESSED1',
  'ghp_R8mXq2Lw7Tz4Vb9Nc1Kd6Hs3Fj5Pa0Ye2Ui8',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY',
];

let temp = '';
let server: Server;
let mirror = '';
let gitleaksSha = '';

function scanner(name: string): string {
  const file = path.join(bin, name);
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: run the "real scanners" step of .ci/run (or set GANTRY_SCANNERS_BIN)`,
    );
  return file;
}

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-real-scanners-'));
  const archive = path.join(temp, 'gitleaks.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', bin, path.basename(scanner('gitleaks'))]);
  const bytes = await readFile(archive);
  gitleaksSha = createHash('sha256').update(bytes).digest('hex');
  server = createServer((request, response) => {
    request.resume();
    if (request.url === '/gitleaks/gitleaks/releases/download/v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz')
      response.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  mirror = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

async function scan(
  name: string,
  inputs: Record<string, string>,
  semgrepRules?: string,
): Promise<{ run: BundleRun; sarif: string }> {
  const cwd = path.join(temp, name);
  await cp(planted, cwd, { recursive: true });
  if (semgrepRules !== undefined) await cp(path.join(planted, semgrepRules), path.join(cwd, '.semgrep.yml'));
  // inside the workspace (the bundle's cwd): security-scan writes its SARIF log only there or in RUNNER_TEMP
  const sarif = path.join(cwd, 'merged.sarif');
  const run = await runBundle('security-scan', {
    cwd,
    inputs: { 'sarif-file': sarif, ...inputs },
    env: { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, SEMGREP_SEND_METRICS: 'off' },
  });
  return { run, sarif: existsSync(sarif) ? await readFile(sarif, 'utf8') : '' };
}

function expectNoSecret(run: BundleRun, sarif: string): void {
  for (const secret of PLANTED)
    for (const [where, text] of [
      ['sarif', sarif],
      ['summary', run.summary],
      ['outputs', JSON.stringify(run.outputs)],
      ['log', run.log],
    ] as const)
      expect(text.includes(secret), `${secret} in the ${where}`).toBe(false);
}

describe('security-scan bundle with real scanners on a planted tree', () => {
  test('gitleaks (JSON report, converted): 5 secrets, high, redacted', async () => {
    const { run, sarif } = await scan('gitleaks', {
      scanners: 'gitleaks',
      'tool-versions': `gitleaks=8.30.1@sha256:${gitleaksSha}`,
      'tool-mirror': mirror,
    });
    expect([run.outputs['high'], run.outputs['secrets'], run.outputs['blocked']], run.log).toEqual([
      '5',
      '5',
      'true',
    ]);
    expectNoSecret(run, sarif);
  }, 120_000);

  test('semgrep with a CWE-798 rule and # nosemgrep: 2 secrets (app/, infra/), 1 suppressed', async () => {
    scanner('semgrep');
    const { run, sarif } = await scan('semgrep', { scanners: 'semgrep' }, 'rules.yml');
    expect([run.outputs['high'], run.outputs['secrets'], run.outputs['suppressed']], run.log).toEqual([
      '2',
      '2',
      '1',
    ]);
    expect(run.summary).toMatch(/inSource/);
    expectNoSecret(run, sarif);
  }, 180_000);

  test("semgrep with a rule that does not parse: blocked with semgrep's message", async () => {
    const { run } = await scan('semgrep-bad', { scanners: 'semgrep' }, 'bad-rules.yml');
    expect(run.exitCode).toBe(1);
    expect(run.outputs['blocked-reason']).toMatch(
      /^scanner failed: Semgrep OSS reports its run failed: Rule parse error in rule broken-pattern/,
    );
  }, 180_000);

  test('checkov: CKV_SECRET_* and CKV_AWS_41 results are secrets', async () => {
    scanner('checkov');
    const { run, sarif } = await scan('checkov', { scanners: 'checkov', 'severity-threshold': 'none' });
    // checkov 3.2.300 on planted/: CKV_SECRET_2, CKV_SECRET_6 and CKV_AWS_41 (keys in the provider block).
    expect(run.outputs['secrets'], run.log).toBe('3');
    expect(run.outputs['blocked-reason']).toMatch(/secrets? found/);
    expectNoSecret(run, sarif);
  }, 300_000);
});
