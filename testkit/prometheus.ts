/**
 * A real Prometheus (Debian's `prometheus` package, see .ci/system-packages.txt) for tests, the demo and
 * benchmarks: started on a free loopback port with a generated configuration, a temp data directory and
 * a short scrape interval, scraping the given loopback targets (each with its own labels, e.g.
 * `color="green"`), and stopped with its directory removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';

/** One scrape target: `host:port` on loopback, and labels added to its series. */
export interface PrometheusTarget {
  address: string;
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  targets: PrometheusTarget[];
  /** The job label (default `hello`). */
  job?: string;
  /** Scrape and evaluation interval (Prometheus duration, default `1s`). */
  scrapeInterval?: string;
  /** The binary (default `prometheus` on PATH). */
  binary?: string;
}

export interface RunningPrometheus {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Writes a configuration and starts Prometheus, waiting (up to 30 s) until `/-/ready` answers 200.
 * @throws Error with Prometheus's stderr when it exits or is not ready in time (e.g. the package is missing)
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const directory = mkdtempSync(path.join(tmpdir(), 'gantry-prometheus-'));
  const interval = options.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: [
      {
        job_name: options.job ?? 'hello',
        static_configs: options.targets.map((target) => ({
          targets: [target.address],
          labels: target.labels ?? {},
        })),
      },
    ],
  };
  // JSON is YAML: no YAML writer needed.
  writeFileSync(path.join(directory, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${path.join(directory, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    rmSync(directory, { recursive: true, force: true });
  };
  const spawnError = new Promise<never>((_resolve, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await Promise.race([
        fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }),
        spawnError,
      ]);
      if (response.status === 200) break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await stop();
        throw new Error(
          'prometheus is not installed (apt-get install -y prometheus; see .ci/system-packages.txt)',
        );
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop };
}

/**
 * Waits until Prometheus has scraped every target at least once (`up == 1` for each), up to `timeoutMs`.
 * @throws Error naming the targets still down
 */
export async function waitForTargets(
  prometheus: RunningPrometheus,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('up == 1')}`);
    const body = (await response.json()) as { data?: { result?: unknown[] } };
    const up = body.data?.result?.length ?? 0;
    if (up >= count) return;
    last = `${up}/${count} targets up`;
    if (Date.now() > deadline) throw new Error(`Prometheus targets not up in time: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
