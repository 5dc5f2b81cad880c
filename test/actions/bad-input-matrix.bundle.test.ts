/**
 * The bad-input matrix (issue 14): for every action, a table of bad inputs run through the built bundle as
 * the runner runs it. Each case must meet the bar: exit code 1, exactly one `::error::` and it names the
 * input, quotes at most ~200 characters of the value, no stack trace anywhere, and no network connection
 * (proved by testkit/no-network.ts preloaded into the bundle, which records every socket connect and DNS
 * lookup).
 */
import { describe, expect, test } from 'vitest';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../testkit/bundle-runner.ts';
import { noNetworkEnv, readNetworkLog } from '../../testkit/no-network.ts';

interface Case {
  /** What is wrong, e.g. `missing required`. */
  name: string;
  /** The input the error must name. */
  input: string;
  /** Inputs laid over the action's base inputs. */
  inputs: Record<string, string>;
}

const CLOSED = 'http://127.0.0.1:9'; // nothing listens; any connection would be recorded first
const DIGEST = `sha256:${'a'.repeat(64)}`;
const HUGE = 'x'.repeat(100 * 1024);
const INJECT = 'web\n::warning::INJECTED';

/** Environment every case runs with: AWS and GitHub endpoints on closed loopback ports. */
const ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
  AWS_SECRET_ACCESS_KEY: 'secret-example-secret-example',
  AWS_ENDPOINT_URL: CLOSED,
  GITHUB_API_URL: CLOSED,
  GANTRY_RETRY_DELAY_SCALE: '0.001',
};

const base: Record<string, Record<string, string>> = {
  'build-push': { image: '127.0.0.1:9/app', push: 'false', 'dry-run': 'true', 'github-token': '' },
  'deploy-rolling': { cluster: 'staging', service: 'web', image: `127.0.0.1:9/web@${DIGEST}` },
  'deploy-bluegreen': { cluster: 'production', service: 'web', image: `127.0.0.1:9/web@${DIGEST}` },
  rollback: { cluster: 'production', service: 'web' },
  'lint-gate': { linters: '- eslint' },
  notify: {
    status: 'success',
    environment: 'staging',
    'commit-status': 'false',
    deployment: 'false',
    'github-token': '',
    'slack-api-url': `${CLOSED}/api/`,
    'pagerduty-api-url': `${CLOSED}/v2/enqueue`,
  },
  'run-migrations': { 'database-url': 'postgres://app:pw@127.0.0.1:9/app', locations: 'db/migration' },
  'security-scan': { scanners: 'trivy-fs', 'github-token': '' },
  'smoke-test': { url: `${CLOSED}/health` },
};

const c = (name: string, input: string, inputs: Record<string, string>): Case => ({ name, input, inputs });

const matrix: Record<string, Case[]> = {
  'build-push': [
    c('missing required', 'image', { image: '' }),
    c('bad image reference', 'image', { image: 'Not An Image!' }),
    c('wrong type: boolean', 'push', { push: 'yes' }),
    c('wrong type: integer', 'push-attempts', { 'push-attempts': 'four' }),
    c('out of range', 'push-attempts', { 'push-attempts': '99' }),
    c('unknown enum', 'builder', { builder: 'kaniko' }),
    c('bad KEY=VALUE map', 'labels', { labels: 'no equals sign here' }),
    c('bad platform', 'platforms', { platforms: 'amd64' }),
    c('control characters', 'target', { target: 'build\u001b[31mstage' }),
    c('traversal: file', 'file', { file: '../../../../etc/passwd' }),
    c('absolute path outside: file', 'file', { file: '/etc/passwd' }),
    c('traversal: context', 'context', { context: '../../..' }),
    c('100 KB value', 'builder', { builder: HUGE }),
    c('newline injection in a tag', 'tags', { tags: 'v1\n::warning::INJECTED' }),
  ],
  'deploy-rolling': [
    c('missing required', 'cluster', { cluster: '' }),
    c('missing required', 'service', { service: '' }),
    c('bad image reference', 'image', { image: 'UPPER CASE/image' }),
    c('wrong type: boolean', 'wait', { wait: 'maybe' }),
    c('wrong type: integer', 'desired-count', { 'desired-count': 'three' }),
    c('out of range', 'desired-count', { 'desired-count': '100000' }),
    c('bad duration', 'timeout', { timeout: '10 minutes' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('control characters / injection in a name', 'cluster', { cluster: INJECT }),
    c('bad ECS service name', 'service', { service: 'web service!' }),
    c('traversal', 'task-definition', { 'task-definition': '../../../../etc/hostname' }),
    c('bad region', 'aws-region', { 'aws-region': 'mars-north-1' }),
    c('100 KB value', 'cluster', { cluster: HUGE }),
    c('bad KEY=VALUE', 'environment', { environment: '1BAD=x' }),
  ],
  'deploy-bluegreen': [
    c('missing required', 'cluster', { cluster: '' }),
    c('missing required', 'image', { image: '' }),
    c('unknown enum', 'strategy', { strategy: 'rainbow' }),
    c('wrong type: boolean', 'rollback-on-failure', { 'rollback-on-failure': '1' }),
    c('bad duration', 'smoke-timeout', { 'smoke-timeout': 'soon' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('bad URL', 'test-url', { 'test-url': 'not a url' }),
    c('bad traffic steps', 'traffic-steps', {
      strategy: 'alb-weighted',
      'listener-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/1/2',
      'blue-service': 'web-blue',
      'green-service': 'web-green',
      'blue-target-group-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1',
      'green-target-group-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2',
      'traffic-steps': '10,abc',
    }),
    c('control characters / injection in a name', 'service', { service: INJECT }),
    c('traversal', 'task-definition', { 'task-definition': '../../../../etc/hostname' }),
    c('bad region', 'aws-region', { 'aws-region': 'x' }),
    c('100 KB value', 'strategy', { strategy: HUGE }),
    c('bad bake time', 'bake-time', { 'bake-time': '-5m' }),
  ],
  rollback: [
    c('missing required', 'cluster', { cluster: '' }),
    c('missing required', 'service', { service: '' }),
    c('wrong type: boolean', 'wait', { wait: 'ja' }),
    c('bad duration', 'timeout', { timeout: '15' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('bad revision target', 'to', { to: 'yesterday!' }),
    c('control characters / injection in a name', 'cluster', { cluster: INJECT }),
    c('bad ECS cluster name', 'cluster', { cluster: 'prod cluster' }),
    c('bad listener ARN', 'listener-arn', { 'listener-arn': 'not-an-arn' }),
    c('bad region', 'aws-region', { 'aws-region': 'EU' }),
    c('100 KB value', 'service', { service: HUGE }),
    c('100 KB value in a duration', 'timeout', { timeout: HUGE }),
  ],
  'lint-gate': [
    c('missing required', 'linters', { linters: '' }),
    c('bad YAML', 'linters', { linters: '- eslint\n  - : [' }),
    c('unknown linter preset', 'linters', { linters: '- not-a-linter' }),
    c('unknown enum', 'fail-on', { 'fail-on': 'sometimes' }),
    c('wrong type: integer', 'max-warnings', { 'max-warnings': 'many' }),
    c('out of range', 'max-warnings', { 'max-warnings': '-7' }),
    c('out of range', 'coverage-threshold', { 'coverage-threshold': '150' }),
    c('bad duration', 'timeout', { timeout: 'ten minutes' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('traversal', 'working-directory', { 'working-directory': '../../../..' }),
    c('traversal', 'sarif-file', { 'sarif-file': '../../../../tmp/escaped.sarif' }),
    c('absolute path outside', 'coverage-file', { 'coverage-file': '/etc/passwd' }),
    c('100 KB value', 'fail-on', { 'fail-on': HUGE }),
    c('wrong type: boolean', 'annotate', { annotate: 'on' }),
  ],
  notify: [
    c('unknown enum', 'status', { status: 'exploded' }),
    c('unknown enum', 'pagerduty-severity', { 'pagerduty-severity': 'apocalyptic' }),
    c('wrong type: boolean', 'fail-on-error', { 'fail-on-error': 'y' }),
    c('bad URL', 'environment-url', { 'environment-url': 'javascript:alert(1)' }),
    c('bad URL', 'slack-api-url', { 'slack-api-url': 'ftp://slack/' }),
    c('bad webhook URL', 'slack-webhook', { 'slack-webhook': 'not a url' }),
    c('bad KEY=VALUE', 'details', { details: 'no equals here' }),
    c('bad duration', 'timeout', { timeout: 'a minute' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('control characters', 'environment', { environment: 'prod\u0007' }),
    c('injection in environment', 'environment', { environment: 'staging\n::warning::INJECTED' }),
    c('bad sha', 'sha', { sha: 'not-a-sha' }),
    c('bad deployment id', 'deployment-id', { 'deployment-id': 'abc' }),
    c('100 KB value', 'status', { status: HUGE }),
  ],
  'run-migrations': [
    c('missing required', 'database-url', { 'database-url': '' }),
    c('bad URL', 'database-url', { 'database-url': 'not a url' }),
    c('unknown enum', 'command', { command: 'drop-everything' }),
    c('unknown enum', 'engine', { engine: 'sqitch' }),
    c('bad version', 'target', { target: 'v-two' }),
    c('wrong type: boolean', 'dry-run', { 'dry-run': 'perhaps' }),
    c('bad duration', 'lock-timeout', { 'lock-timeout': 'forever' }),
    c('duration beyond the maximum', 'lock-timeout', { 'lock-timeout': '30d' }),
    c('bad KEY=VALUE', 'placeholders', { placeholders: 'owner' }),
    c('traversal', 'locations', { locations: '../../../../etc' }),
    c('absolute path outside', 'locations', { locations: '/etc' }),
    c('traversal', 'report-path', { 'report-path': '../../../../tmp/escaped.json' }),
    c('control characters', 'table', { table: 'history\u0001; DROP TABLE x' }),
    c('100 KB value', 'command', { command: HUGE }),
  ],
  'security-scan': [
    c('missing required', 'scanners', { scanners: '' }),
    c('unknown scanner', 'scanners', { scanners: 'nessus' }),
    c('unknown enum', 'severity-threshold', { 'severity-threshold': 'spicy' }),
    c('wrong type: boolean', 'fail-on-secrets', { 'fail-on-secrets': 'nope' }),
    c('bad duration', 'timeout', { timeout: '15' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('bad URL', 'tool-mirror', { 'tool-mirror': 'not a url' }),
    c('bad tool version', 'tool-versions', { 'tool-versions': 'trivy' }),
    c('traversal', 'working-directory', { 'working-directory': '../../../..' }),
    c('traversal', 'sarif-file', { 'sarif-file': '../../../../tmp/escaped.sarif' }),
    c('absolute path outside', 'ignore-file', { 'ignore-file': '/etc/passwd' }),
    c('control characters', 'category', { category: 'cat\u001b[31m' }),
    c('100 KB value', 'severity-threshold', { 'severity-threshold': HUGE }),
  ],
  'smoke-test': [
    c('no url and no checks', 'url', { url: '' }),
    c('bad URL', 'url', { url: 'not a url' }),
    c('bad scheme', 'url', { url: 'file:///etc/passwd' }),
    c('bad JSON/YAML', 'checks', { url: '', checks: '[{"url": ' }),
    c('bad check field', 'checks', { url: '', checks: `- url: ${CLOSED}/\n  metod: GET` }),
    c('bad status', 'expected-status', { 'expected-status': '99x' }),
    c('bad duration', 'timeout', { timeout: '2 minutes' }),
    c('duration beyond the maximum', 'timeout', { timeout: '30d' }),
    c('wrong type: integer', 'concurrency', { concurrency: 'lots' }),
    c('out of range', 'concurrency', { concurrency: '1000' }),
    c('bad headers YAML', 'headers', { headers: 'a: [' }),
    c('injection in a check name', 'checks', {
      url: '',
      checks: `- url: ${CLOSED}/\n  name: "a\\n::warning::INJECTED"\n  method: FETCH`,
    }),
    c('100 KB value', 'url', { url: HUGE }),
    c('bad max-latency', 'max-latency', { 'max-latency': 'fast' }),
    c('bad pushgateway scheme', 'pushgateway-url', { 'pushgateway-url': 'ftp://gw.example.com:9091' }),
    c('pushgateway-url with a push path query', 'pushgateway-url', {
      'pushgateway-url': `${CLOSED}/?job=x`,
    }),
    c('reserved grouping label', 'pushgateway-grouping', {
      'pushgateway-url': CLOSED,
      'pushgateway-grouping': 'job=other',
    }),
    c('grouping label not a label name', 'pushgateway-grouping', {
      'pushgateway-url': CLOSED,
      'pushgateway-grouping': 'data-center=eu',
    }),
    c('pushgateway-timeout beyond the maximum', 'pushgateway-timeout', {
      'pushgateway-url': CLOSED,
      'pushgateway-timeout': '10m',
    }),
  ],
};

/** One case run through the bundle: the reasons it misses the bar ([] when it meets it). */
async function verdict(action: string, testCase: Case): Promise<string[]> {
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-matrix-'));
  const workspace = path.join(temp, 'workspace');
  await mkdir(path.join(workspace, 'db', 'migration'), { recursive: true });
  await writeFile(path.join(workspace, 'db', 'migration', 'V1__init.sql'), 'select 1;\n');
  await symlink('/etc', path.join(workspace, 'etc-link')).catch(() => undefined);
  const log = path.join(temp, 'network.log');
  const run = await runBundle(action, {
    cwd: workspace,
    inputs: { ...base[action], ...testCase.inputs },
    env: { ...ENV, ...noNetworkEnv(log) },
    timeoutMs: 60_000,
    // GANTRY_TEST_DIST: run another build's bundles (e.g. the dist/ of an earlier commit, to count how
    // many cases met the bar before a change).
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], action, 'index.js') }
      : {}),
  });
  const problems: string[] = [];
  if (run.exitCode !== 1) problems.push(`exit code ${run.exitCode}`);
  const errors = run.annotations.filter((annotation) => annotation.level === 'error');
  if (errors.length !== 1) problems.push(`${errors.length} ::error:: annotations`);
  const message = errors[0]?.message ?? '';
  if (!message.includes(`'${testCase.input}'`))
    problems.push(`error does not name '${testCase.input}': ${message.slice(0, 300)}`);
  if (message.length > 1_000) problems.push(`error is ${message.length} characters long`);
  if (/\n\s+at .+:\d+:\d+\)?$/m.test(`${run.stdout}\n${run.stderr}`))
    problems.push('a stack trace was printed');
  const injected = run.annotations.filter(
    (annotation) => annotation.message.includes('INJECTED') && annotation.level !== 'error',
  );
  if (injected.length > 0) problems.push('an injected annotation');
  const network = readNetworkLog(log);
  if (network.length > 0)
    problems.push(`network: ${network.map((entry) => `${entry.kind} ${entry.target}`).join(', ')}`);
  return problems;
}

for (const [action, cases] of Object.entries(matrix)) {
  describe(`${action}: bad input`, () => {
    test('has at least 12 cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(12);
    });
    test.each(cases)(`$name ($input)`, async (testCase) => {
      expect((await verdict(action, testCase)).join('\n')).toBe('');
    });
  });
}
