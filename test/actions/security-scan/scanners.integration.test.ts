/**
 * The binary scanners' plumbing — install, command line, exit codes, output file, conversion — with
 * stand-in executables (the real trivy, trufflehog and osv-scanner cannot be downloaded here). Each stub
 * is served as a release asset by a local HTTP server, installed and SHA-256-verified like the real tool,
 * records the arguments it got, and writes the documented-format fixture the real tool would.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolOverride } from '../../../actions/security-scan/src/inputs.ts';
import { parseScanner, runScanner, type ScanContext } from '../../../actions/security-scan/src/scanners.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { listFindings } from '../../../shared/src/sarif/findings.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const reports = path.join(repo, 'test/fixtures/security-scan/reports');
let temp = '';
let server: Server;
let mirror = '';
const overrides = new Map<string, ToolOverride>();
const argsLog = (): string => path.join(temp, 'args.log');

const STUBS: Record<string, { asset: string; kind: 'tar.gz' | 'binary'; script: string }> = {
  trivy: {
    asset: '/aquasecurity/trivy/releases/download/v0.69.3/trivy_0.69.3_Linux-64bit.tar.gz',
    kind: 'tar.gz',
    script: `#!/bin/sh
echo "trivy $*" >> "$GANTRY_TEST_ARGS_LOG"
out=""; fmt=""
while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift ;; --format) fmt="$2"; shift ;; esac; shift; done
[ "$fmt" = sarif ] || { echo "trivy stub: expected --format sarif" >&2; exit 2; }
cp "${reports}/trivy.sarif" "$out"
`,
  },
  trufflehog: {
    asset: '/trufflesecurity/trufflehog/releases/download/v3.95.8/trufflehog_3.95.8_linux_amd64.tar.gz',
    kind: 'tar.gz',
    script: `#!/bin/sh
echo "trufflehog $*" >> "$GANTRY_TEST_ARGS_LOG"
echo '{"level":"info-0","msg":"running source"}' >&2
cat "${reports}/trufflehog.jsonl"
`,
  },
  'osv-scanner': {
    asset: '/google/osv-scanner/releases/download/v2.3.3/osv-scanner_linux_amd64',
    kind: 'binary',
    script: `#!/bin/sh
echo "osv-scanner $*" >> "$GANTRY_TEST_ARGS_LOG"
out=""
while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift ;; esac; shift; done
cp "${reports}/osv-scanner.sarif" "$out"
exit 1
`,
  },
};

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-scanners-'));
  process.env['RUNNER_TEMP'] = path.join(temp, 'runner-temp');
  process.env['RUNNER_TOOL_CACHE'] = path.join(temp, 'tool-cache');
  process.env['GANTRY_TEST_ARGS_LOG'] = argsLog();
  await mkdir(process.env['RUNNER_TEMP'], { recursive: true });
  const assets = new Map<string, Buffer>();
  for (const [tool, stub] of Object.entries(STUBS)) {
    const staging = path.join(temp, `stage-${tool}`);
    await mkdir(staging);
    await writeFile(path.join(staging, tool), stub.script);
    await chmod(path.join(staging, tool), 0o755);
    let bytes: Buffer;
    if (stub.kind === 'tar.gz') {
      execFileSync('tar', ['-czf', path.join(temp, `${tool}.tgz`), '-C', staging, tool]);
      bytes = await readFile(path.join(temp, `${tool}.tgz`));
    } else bytes = await readFile(path.join(staging, tool));
    assets.set(stub.asset, bytes);
    overrides.set(tool, {
      version: /\/v([^/]+)\//.exec(stub.asset)?.[1] ?? '',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  server = createServer((request, response) => {
    const body = assets.get(request.url ?? '');
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  mirror = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

function context(dir: string): ScanContext {
  return { dir, root: repo, temp, timeoutMs: 30_000, logger: createCaptureLogger(), overrides, mirror };
}

describe('binary scanners with stand-in executables (local release server)', () => {
  const project = path.join(repo, 'test/fixtures/security-scan/project');

  test('trivy fs / config / image: documented command lines, SARIF read back with repository paths', async () => {
    await rm(argsLog(), { force: true });
    const fs = await runScanner(parseScanner('trivy-fs'), context(project));
    await runScanner(parseScanner('trivy-config'), context(project));
    const image = await runScanner(parseScanner('trivy-image:registry.local/app:1.0'), context(project));
    const calls = (await readFile(argsLog(), 'utf8')).trim().split('\n');
    assert.match(
      calls[0] ?? '',
      new RegExp(
        `^trivy fs --scanners vuln,secret --format sarif --output \\S+ --exit-code 0 --quiet ${project}$`,
      ),
    );
    assert.match(
      calls[1] ?? '',
      new RegExp(`^trivy config --format sarif --output \\S+ --exit-code 0 --quiet ${project}$`),
    );
    assert.match(
      calls[2] ?? '',
      /^trivy image --format sarif --output \S+ --exit-code 0 --quiet registry\.local\/app:1\.0$/,
    );
    const files = listFindings(mergeLogs(fs.logs, 'c')).map((f) => f.file);
    assert.deepEqual(files, [
      'test/fixtures/security-scan/project/package-lock.json',
      'test/fixtures/security-scan/project/test/fixtures/tool/package-lock.json',
      'test/fixtures/security-scan/project/config/app.env',
    ]);
    assert.equal(
      listFindings(mergeLogs(image.logs, 'c'))[0]?.file,
      'package-lock.json',
      'image paths are not files in the repository',
    );
  });

  test('trufflehog: JSON lines on stdout converted; raw secrets returned for redaction', async () => {
    const output = await runScanner(parseScanner('trufflehog'), context(project));
    const calls = (await readFile(argsLog(), 'utf8')).trim().split('\n');
    assert.equal(calls.at(-1), `trufflehog filesystem ${project} --json --no-update`);
    assert.equal(output.secrets.length, 2);
    assert.deepEqual(
      listFindings(mergeLogs(output.logs, 'c')).map((f) => [f.severity, f.file]),
      [
        ['critical', 'test/fixtures/security-scan/project/deploy/keys.txt'],
        ['high', 'test/fixtures/security-scan/project/deploy/db.yml'],
      ],
    );
  });

  test('osv-scanner (a bare binary): exit code 1 means "vulnerabilities found", not a failure', async () => {
    const output = await runScanner(parseScanner('osv-scanner'), context(project));
    const calls = (await readFile(argsLog(), 'utf8')).trim().split('\n');
    assert.match(
      calls.at(-1) ?? '',
      new RegExp(`^osv-scanner scan source --recursive --format sarif --output \\S+ ${project}$`),
    );
    const findings = listFindings(mergeLogs(output.logs, 'c'));
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity]),
      [
        ['GHSA-hrpp-h998-j3pp', 'high'],
        ['GHSA-3h5v-q93c-6h6q', 'medium'],
      ],
    );
    assert.equal(
      findings[0]?.file,
      'test/fixtures/security-scan/project/package-lock.json',
      'artifact index resolved',
    );
  });

  test('checkov and semgrep are pip tools: a missing one says how to install it', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await assert.rejects(
        runScanner(parseScanner('checkov'), context(project)),
        /checkov is not installed .*pip install checkov/,
      );
      await assert.rejects(
        runScanner(parseScanner('semgrep'), context(project)),
        /semgrep is not installed .*pip install semgrep/,
      );
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
