/**
 * Workflow-command injection (issue 14): for every action, user text holding `\n::warning::…` or
 * `%0A::error::…` must produce no annotation (and no other command) but Gantry's own. The bundle's stdout
 * is read as the runner reads it: a line is a command when it starts with `::` after leading whitespace
 * (actions/runner ActionCommand.TryParseV2; lines end at LF, CR or CRLF as .NET ReadLine ends them), or holds `##[name]` (the older syntax, ActionCommand.TryParse);
 * command data is then percent-decoded (%0A → newline, %25 → %).
 */
import { describe, expect, test } from 'vitest';
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../testkit/bundle-runner.ts';

const MARK = 'INJ3CTED';
const PAYLOADS = [
  `x\n::warning::${MARK}`,
  `x%0A::error::${MARK}`,
  `x\n  ::add-mask::${MARK}`,
  `x ##[warning]${MARK}`,
];
const CLOSED = 'http://127.0.0.1:9';
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface RunnerCommand {
  name: string;
  data: string;
}

/** The commands the runner would execute from this stdout, with their data decoded. */
function runnerCommands(stdout: string): RunnerCommand[] {
  const commands: RunnerCommand[] = [];
  for (const raw of stdout.split(/\r\n|\r|\n/)) {
    const line = raw.trimStart();
    const v2 = /^::([A-Za-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (v2 !== null) {
      const data = (v2[2] ?? '').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
      commands.push({ name: v2[1] ?? '', data });
      continue;
    }
    const v1 = /##\[([A-Za-z-]+)[^\]]*\](.*)$/.exec(raw);
    if (v1 !== null) commands.push({ name: v1[1] ?? '', data: v1[2] ?? '' });
  }
  return commands;
}

/** Per action: inputs that carry the payload into what the action prints (or into the error it raises). */
const carriers: Record<string, (payload: string) => Record<string, string>> = {
  'smoke-test': (payload) => ({
    checks: JSON.stringify([{ url: `${CLOSED}/health`, name: payload }]),
    timeout: '1s',
    'request-timeout': '200ms',
    'retry-delay': '100ms',
  }),
  notify: (payload) => ({
    status: 'success',
    message: payload,
    version: 'v1',
    'slack-webhook': `${CLOSED}/services/T000/B000/XXXX`,
    'commit-status': 'false',
    deployment: 'false',
    'github-token': '',
    'dry-run': 'true',
  }),
  'lint-gate': (payload) => ({
    linters: JSON.stringify([{ name: payload, run: 'true', format: 'gcc' }]),
  }),
  'build-push': (payload) => ({
    image: '127.0.0.1:9/app',
    push: 'false',
    'dry-run': 'true',
    'github-token': '',
    labels: `org.opencontainers.image.title=${payload.replace(/\n/g, ' ')}`,
    target: payload,
  }),
  'deploy-rolling': (payload) => ({ cluster: payload, service: 'web', image: `127.0.0.1:9/web@${DIGEST}` }),
  'deploy-bluegreen': (payload) => ({
    cluster: 'prod',
    service: payload,
    image: `127.0.0.1:9/web@${DIGEST}`,
  }),
  rollback: (payload) => ({ cluster: 'prod', service: 'web', to: payload }),
  'run-migrations': (payload) => ({
    'database-url': 'postgres://app:pw@127.0.0.1:9/app',
    'baseline-version': payload,
  }),
  'security-scan': (payload) => ({ scanners: 'trivy-fs', 'tool-mirror': payload, 'github-token': '' }),
};

for (const [action, carrier] of Object.entries(carriers)) {
  describe(`${action}: no injected workflow command`, () => {
    test.each(PAYLOADS)('payload %j', async (payload) => {
      const workspace = path.join(await mkdtemp(path.join(tmpdir(), 'gantry-inject-')), 'workspace');
      await mkdir(path.join(workspace, 'db', 'migration'), { recursive: true });
      const run = await runBundle(action, {
        cwd: workspace,
        inputs: carrier(payload),
        env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: CLOSED, GITHUB_API_URL: CLOSED },
        timeoutMs: 60_000,
        // GANTRY_TEST_DIST: run another build's bundles (e.g. an earlier commit's dist/, to show this failing).
        ...(process.env['GANTRY_TEST_DIST']
          ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], action, 'index.js') }
          : {}),
      });
      // The payload did reach the output (else this test would prove nothing) …
      expect(run.stdout).toContain(MARK);
      // … but no command the runner would run carries it, other than inside Gantry's own messages.
      const foreign = runnerCommands(run.stdout).filter(
        (command) =>
          command.data.startsWith(MARK) || (command.data.includes(MARK) && command.name === 'add-mask'),
      );
      expect(foreign).toEqual([]);
    });
  });
}
