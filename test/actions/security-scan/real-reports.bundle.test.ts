/**
 * The security-scan bundle, run as the runner runs it (test/harness/run-bundle.ts), on real scanner reports
 * (test/fixtures/security-scan/real, provenance in PROVENANCE.md and fixtures.json): per report, the outputs
 * against the table in fixtures.json; every secret value of every report is checked against the merged SARIF,
 * the summary, the outputs and the log as the runner shows it. TruffleHog runs through its install path (a
 * stand-in executable that prints the constructed report, served from a loopback mirror and SHA-256-checked);
 * npm audit is the real npm against a loopback registry that refuses the audit.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runBundle, type BundleRun } from '../../../testkit/bundle-runner.ts';

const dir = path.join(repoRoot, 'test/fixtures/security-scan/real');
interface Entry {
  file: string;
  gantry: Record<string, number | boolean>;
  secrets: string[];
}
const entries = JSON.parse(readFileSync(path.join(dir, 'fixtures.json'), 'utf8')) as Entry[];
const ALL_SECRETS = [...new Set(entries.flatMap((e) => e.secrets))];

let temp = '';
let server: Server;
let base = '';
let stubSha = '';
const runs: { name: string; run: BundleRun; sarif: string }[] = [];

function listen(s: Server): Promise<string> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`);
    }),
  );
}

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-real-reports-'));
  const staging = path.join(temp, 'staging');
  await mkdir(staging);
  // Stand-in for the trufflehog binary: prints the report named by GANTRY_TEST_TRUFFLEHOG_REPORT.
  await writeFile(path.join(staging, 'trufflehog'), '#!/bin/sh\ncat "$GANTRY_TEST_TRUFFLEHOG_REPORT"\n', {
    mode: 0o755,
  });
  const archive = path.join(temp, 'trufflehog.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', staging, 'trufflehog']);
  const bytes = await readFile(archive);
  stubSha = createHash('sha256').update(bytes).digest('hex');
  server = createServer((request, response) => {
    request.resume();
    if (
      request.url ===
        '/trufflesecurity/trufflehog/releases/download/v3.95.8/trufflehog_3.95.8_linux_x64.tar.gz' ||
      request.url ===
        '/trufflesecurity/trufflehog/releases/download/v3.95.8/trufflehog_3.95.8_linux_amd64.tar.gz'
    )
      response.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    else if (request.url?.includes('/-/npm/v1/security/') === true)
      response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    else response.writeHead(404).end();
  });
  base = await listen(server);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

async function scan(
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): Promise<BundleRun> {
  const cwd = path.join(temp, name);
  await mkdir(path.join(cwd, 'reports'), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(cwd, file), text);
  // inside the workspace (the bundle's cwd): security-scan writes its SARIF log only there or in RUNNER_TEMP
  const sarif = path.join(cwd, 'merged.sarif');
  const run = await runBundle('security-scan', {
    cwd,
    inputs: { 'sarif-file': sarif, ...inputs },
    env: { GANTRY_RETRY_DELAY_SCALE: '0', ...env },
  });
  runs.push({ name, run, sarif });
  return run;
}

function outputsOf(run: BundleRun): Record<string, string | undefined> {
  return {
    critical: run.outputs['critical'],
    high: run.outputs['high'],
    medium: run.outputs['medium'],
    low: run.outputs['low'],
    secrets: run.outputs['secrets'],
    suppressed: run.outputs['suppressed'],
    duplicates: run.outputs['duplicates'],
    blocked: run.outputs['blocked'],
  };
}

function expected(entry: Entry): Record<string, string> {
  const g = entry.gantry;
  return {
    critical: String(g['critical']),
    high: String(g['high']),
    medium: String(g['medium']),
    low: String(g['low']),
    secrets: String(g['secrets']),
    suppressed: String(g['suppressed']),
    duplicates: String(g['duplicates']),
    blocked: String(g['blocked']),
  };
}

describe('security-scan bundle on real reports', () => {
  test.each(entries.filter((e) => e.file.endsWith('.sarif')).map((e) => [e.file, e] as const))(
    '%s',
    async (file, entry) => {
      const name = file.replace(/\W+/g, '-');
      await mkdir(path.join(temp, name, 'reports'), { recursive: true });
      await cp(path.join(dir, file), path.join(temp, name, 'reports', file));
      const run = await scan(name, { scanners: `sarif:reports/${file}` });
      expect(outputsOf(run)).toEqual(expected(entry));
      expect(run.exitCode).toBe(entry.gantry['blocked'] === true ? 1 : 0);
      if (entry.gantry['failed'] === true)
        expect(run.outputs['blocked-reason']).toMatch(
          /^scanner failed: Semgrep OSS reports its run failed: Rule parse error in rule broken-pattern/,
        );
      if (entry.gantry['suppressed'] !== 0) {
        expect(run.summary).toMatch(/Suppressed by the tools/);
        expect(run.summary).toMatch(/inSource/);
      }
    },
  );

  test('semgrep suppressions counted when honor-suppressions is false', async () => {
    const name = 'semgrep-no-honor';
    await mkdir(path.join(temp, name, 'reports'), { recursive: true });
    await cp(
      path.join(dir, 'semgrep-1.95.0-planted.sarif'),
      path.join(temp, name, 'reports', 'semgrep.sarif'),
    );
    const run = await scan(name, { scanners: 'sarif:reports/semgrep.sarif', 'honor-suppressions': 'false' });
    expect([run.outputs['high'], run.outputs['secrets'], run.outputs['suppressed']]).toEqual(['2', '2', '0']);
  });

  test('trufflehog duplicates merged before fingerprinting', async () => {
    const entry = entries.find((e) => e.file.endsWith('.jsonl')) as Entry;
    const run = await scan(
      'trufflehog',
      { scanners: 'trufflehog', 'tool-versions': `trufflehog=3.95.8@sha256:${stubSha}`, 'tool-mirror': base },
      { GANTRY_TEST_TRUFFLEHOG_REPORT: path.join(dir, entry.file) },
    );
    expect(outputsOf(run)).toEqual(expected(entry));
    expect(run.summary).toMatch(/4 duplicate result\(s\) merged/);
    const log = JSON.parse(await readFile(runs.at(-1)?.sarif ?? '', 'utf8')) as {
      runs: { results: { partialFingerprints: Record<string, string> }[] }[];
    };
    const prints = log.runs[0]?.results.map((r) => r.partialFingerprints['gantry/v1']) ?? [];
    expect(new Set(prints).size).toBe(3);
  });

  test("npm audit refused by the registry (real npm): fails with npm's reason", async () => {
    const lock = {
      name: 'audit-target',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'audit-target', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
        'node_modules/left-pad': { version: '1.3.0', resolved: `${base}/left-pad/-/left-pad-1.3.0.tgz` },
      },
    };
    const run = await scan(
      'npm-audit',
      { scanners: 'npm-audit' },
      { npm_config_registry: `${base}/`, npm_config_fetch_retries: '0', npm_config_audit_level: 'none' },
      {
        'package.json': JSON.stringify({
          name: 'audit-target',
          version: '1.0.0',
          dependencies: { 'left-pad': '1.3.0' },
        }),
        'package-lock.json': JSON.stringify(lock),
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['blocked-reason']).toMatch(
      /^scanner failed: npm-audit: npm audit failed: 503 Service Unavailable - POST http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/security\/advisories\/bulk \(HTTP 503\)$/,
    );
    expect(run.log).not.toContain('{"summary":"","detail":""}');
  });

  test('no secret value of any report in the merged SARIF, the summary, the outputs or the log', async () => {
    expect(runs.length).toBeGreaterThanOrEqual(entries.length);
    for (const { name, run, sarif } of runs) {
      let sarifText = '';
      try {
        sarifText = await readFile(sarif, 'utf8');
      } catch {
        sarifText = '';
      }
      for (const secret of ALL_SECRETS) {
        for (const [where, text] of [
          ['sarif', sarifText],
          ['summary', run.summary],
          ['outputs', JSON.stringify(run.outputs)],
          ['log', run.log],
        ] as const)
          expect(text.includes(secret), `${secret} in ${where} of ${name}`).toBe(false);
      }
    }
  });
});
