/**
 * A preload that records every network connection a process tries, for tests that must prove "no network
 * call" (bad input fails before any request). Load it with `NODE_OPTIONS=--import <this file>` (Node ≥ 24
 * strips the types) and set `GANTRY_NETWORK_LOG` to a file: each `net.Socket#connect` (which `net.connect`,
 * `tls.connect`, `http(s).request` and `fetch`/undici all go through) and each `dns.lookup` appends one JSON
 * line `{ "kind": "connect" | "lookup", "target": "…" }` to it. Set `GANTRY_NETWORK_BLOCK=1` to also make
 * every connection fail with `ECONNREFUSED` after recording it.
 *
 * {@link noNetworkEnv} gives the environment for a child process; {@link readNetworkLog} reads the records.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** One attempted network use. */
export interface NetworkRecord {
  kind: 'connect' | 'lookup';
  target: string;
}

const logFile = process.env['GANTRY_NETWORK_LOG'];

function record(entry: NetworkRecord): void {
  if (logFile === undefined || logFile === '') return;
  appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
}

function describeTarget(args: unknown[]): string {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first !== null && typeof first === 'object') {
    const options = first as { host?: string; port?: number | string; path?: string | null };
    if (typeof options.path === 'string') return `unix:${options.path}`;
    return `${options.host ?? 'localhost'}:${String(options.port ?? '')}`;
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)))
    return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`;
  return `unix:${String(first)}`;
}

if (logFile !== undefined && logFile !== '') {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    record({ kind: 'connect', target: describeTarget(args) });
    if (process.env['GANTRY_NETWORK_BLOCK'] === '1') {
      const error = Object.assign(new Error('connect ECONNREFUSED (blocked by testkit/no-network)'), {
        code: 'ECONNREFUSED',
      });
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = function patchedLookup(
    hostname: string,
    ...rest: unknown[]
  ): unknown {
    record({ kind: 'lookup', target: hostname });
    return (lookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest);
  };
}

/** The absolute path of this preload, for `--import`. */
export const noNetworkPreload: string = fileURLToPath(import.meta.url);

/**
 * Environment variables that make a child Node process record its network use in `logFile`.
 * @param logFile where records go (created on the first record)
 * @param existing the child's NODE_OPTIONS so far, kept after the preload
 */
export function noNetworkEnv(logFile: string, existing = ''): Record<string, string> {
  return {
    NODE_OPTIONS: `--import ${noNetworkPreload} ${existing}`.trim(),
    GANTRY_NETWORK_LOG: logFile,
  };
}

/**
 * The records a process wrote to `logFile`.
 * @returns one entry per attempted connection or lookup, in order; [] when the file does not exist
 */
export function readNetworkLog(logFile: string): NetworkRecord[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as NetworkRecord);
}
