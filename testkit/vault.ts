/**
 * A Vault receiver: a loopback HTTP server speaking the parts of Vault's HTTP API that Gantry's
 * `vault:<path>#<key>` secret inputs use — KV v2 reads and writes (`GET|POST|PUT /v1/<mount>/data/<path>`,
 * https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2) and KV v1 reads
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1), token auth through `X-Vault-Token`.
 * For the tests, `npm run local -- up vault` and anyone trying a `vault:` reference by hand. Records every
 * request; the token is never printed.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface VaultRequest {
  method: string;
  /** The path after `/v1/`. */
  path: string;
  token: string;
}

export interface LocalVault {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The token it accepts. */
  token: string;
  /** VAULT_ADDR and VAULT_TOKEN, as the actions read them. */
  env: Record<string, string>;
  requests: VaultRequest[];
  /** Writes a KV v2 secret at `path` (e.g. `secret/data/ci/db`). */
  put(path: string, data: Record<string, unknown>): void;
  stop(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1_048_576) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * Starts the Vault receiver on a free loopback port.
 * @param options.token the accepted token (default: a random `hvs.` token)
 * @param options.kv2 KV v2 secrets by full API path (`secret/data/<path>` → data)
 * @param options.kv1 KV v1 secrets by path (`kv/<path>` → data)
 */
export async function startVault(
  options: {
    token?: string;
    kv2?: Record<string, Record<string, unknown>>;
    kv1?: Record<string, Record<string, unknown>>;
  } = {},
): Promise<LocalVault> {
  const token = options.token ?? `hvs.${randomBytes(12).toString('hex')}`;
  const kv2 = new Map<string, { data: Record<string, unknown>; version: number }>(
    Object.entries(options.kv2 ?? {}).map(([path, data]) => [path, { data, version: 1 }]),
  );
  const kv1 = new Map(Object.entries(options.kv1 ?? {}));
  const requests: VaultRequest[] = [];
  const put = (path: string, data: Record<string, unknown>): void => {
    kv2.set(path, { data, version: (kv2.get(path)?.version ?? 0) + 1 });
  };
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://vault');
    const path = url.pathname.replace(/^\/v1\//, '');
    const method = request.method ?? 'GET';
    const given = request.headers['x-vault-token'];
    requests.push({ method, path, token: typeof given === 'string' ? given : '' });
    if (url.pathname === '/v1/sys/health') return send(200, { initialized: true, sealed: false });
    if (!url.pathname.startsWith('/v1/')) return send(404, { errors: [] });
    if (given !== token) return send(403, { errors: ['permission denied'] });
    if (method === 'POST' || method === 'PUT') {
      readJson(request).then(
        (body) => {
          if (!/^[^/]+\/data\//.test(path)) return send(405, { errors: ['only KV v2 writes'] });
          put(path, (body['data'] ?? {}) as Record<string, unknown>);
          send(200, { data: { version: kv2.get(path)?.version ?? 1 } });
        },
        () => send(400, { errors: ['invalid JSON body'] }),
      );
      return;
    }
    if (method !== 'GET') return send(405, { errors: [] });
    const v2 = kv2.get(path);
    if (v2 !== undefined)
      return send(200, {
        data: { data: v2.data, metadata: { version: v2.version, created_time: new Date(0).toISOString() } },
      });
    const v1 = kv1.get(path);
    if (v1 !== undefined) return send(200, { data: v1, lease_duration: 2_764_800 });
    send(404, { errors: [] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    env: { VAULT_ADDR: url, VAULT_TOKEN: token },
    requests,
    put,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
