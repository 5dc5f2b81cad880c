/**
 * A real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, see .ci/system-packages.txt) for tests
 * and `npm run local`: started on a free loopback port without persistence, optionally behind basic auth
 * (`--web.config.file`: exporter-toolkit's web configuration, the password's bcrypt hash made with
 * bcryptjs), and stopped with its folder removed.
 * Pushgateway API: https://github.com/prometheus/pushgateway#api
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort, startProcess, waitUntil } from './process.ts';

export interface PushgatewayOptions {
  /** Require basic auth (user `gantry`, password {@link PUSHGATEWAY_PASSWORD}) on every endpoint. */
  basicAuth?: boolean;
  /** The binary (default `prometheus-pushgateway` on PATH, as Debian installs it). */
  binary?: string;
}

export interface RunningPushgateway {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `Authorization` header value when started with `basicAuth`, else undefined. */
  authorization: string | undefined;
  /** GET `/metrics` (what Prometheus scrapes): the text exposition of every pushed group. */
  metricsText(): Promise<string>;
  /** GET `/api/v1/metrics`: the pushed groups as JSON (`data[]`, each with `labels` and its families). */
  groups(): Promise<PushgatewayGroup[]>;
  stop(): Promise<void>;
}

/** One group of `/api/v1/metrics`: its grouping labels and, per metric family, its samples. */
export interface PushgatewayGroup {
  labels: Record<string, string>;
  [family: string]: unknown;
}

export const PUSHGATEWAY_USER = 'gantry';
/** The password of the basic-auth user. */
export const PUSHGATEWAY_PASSWORD = 'pushgateway-test-password';

/**
 * Starts the Pushgateway and waits (up to 20 s) until `/-/ready` answers 200.
 * @throws Error when it does not start (e.g. the package is missing: the message says how to install it)
 */
export async function startPushgateway(options: PushgatewayOptions = {}): Promise<RunningPushgateway> {
  const directory = mkdtempSync(path.join(tmpdir(), 'gantry-pushgateway-'));
  const port = await freePort();
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: an empty path turns it off.
  const args = [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'];
  const authorization =
    options.basicAuth === true
      ? `Basic ${Buffer.from(`${PUSHGATEWAY_USER}:${PUSHGATEWAY_PASSWORD}`).toString('base64')}`
      : undefined;
  if (options.basicAuth === true) {
    const config = path.join(directory, 'web.yml');
    // JSON is YAML.
    const hash = bcrypt.hashSync(PUSHGATEWAY_PASSWORD, 10);
    writeFileSync(config, JSON.stringify({ basic_auth_users: { [PUSHGATEWAY_USER]: hash } }));
    args.push(`--web.config.file=${config}`);
  }
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess(options.binary ?? 'prometheus-pushgateway', args);
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      async () => {
        if (child.child.exitCode !== null) throw new Error('exited');
        const response = await fetch(`${url}/-/ready`, { headers, signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
      'the Pushgateway',
      20_000,
      () =>
        /ENOENT/.test(child.output())
          ? 'prometheus-pushgateway is not installed (apt-get install -y prometheus-pushgateway; see .ci/system-packages.txt)'
          : child.output().slice(-2_000),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const get = async (route: string): Promise<Response> => {
    const response = await fetch(`${url}${route}`, { headers, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`GET ${route}: HTTP ${response.status}`);
    return response;
  };
  return {
    url,
    authorization,
    metricsText: async () => (await get('/metrics')).text(),
    groups: async () => ((await (await get('/api/v1/metrics')).json()) as { data: PushgatewayGroup[] }).data,
    stop,
  };
}
