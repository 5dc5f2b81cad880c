import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { resolveSecret } from '../../shared/src/secret-inputs.ts';
import { parseVaultReference, resetVaultSession } from '../../shared/src/vault.ts';

// A local HTTP server speaking the parts of Vault's HTTP API the resolver uses (KV v2 and v1 reads,
// JWT and AppRole logins) and the runner's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
const SECRET = 'pg-pass-8f3Kx!';
const ROOT_TOKEN = 'hvs.root-token-for-tests';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.signature-part';
const JWT_TOKEN = 'hvs.issued-by-jwt-login';
const APPROLE_TOKEN = 'hvs.issued-by-approle-login';
const REQUEST_TOKEN = 'runner-request-token';

interface Seen {
  method: string;
  url: string;
  token?: string;
  namespace?: string;
  body?: Record<string, unknown>;
}
const seen: Seen[] = [];
let server: Server;
let base = '';

const KV2: Record<string, Record<string, unknown>> = {
  'secret/data/app/db': { password: SECRET, url: `postgres://app:${SECRET}@db/app`, port: 5432 },
  'secret/data/app/json': { config: { user: 'app', password: SECRET } },
};
const KV1: Record<string, Record<string, unknown>> = { 'kv1/app': { password: SECRET } };
const VALID_TOKENS = new Set([ROOT_TOKEN, JWT_TOKEN, APPROLE_TOKEN]);
let flakyFailures = 0;

async function readBody(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const entry: Seen = { method: request.method ?? '', url: request.url ?? '' };
    if (typeof request.headers['x-vault-token'] === 'string') entry.token = request.headers['x-vault-token'];
    if (typeof request.headers['x-vault-namespace'] === 'string')
      entry.namespace = request.headers['x-vault-namespace'];
    if (body !== undefined) entry.body = body;
    seen.push(entry);
    const send = (status: number, json: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (url.pathname === '/oidc') {
      if (request.headers.authorization !== `Bearer ${REQUEST_TOKEN}`) return send(401, { message: 'bad' });
      return send(200, { value: JWT });
    }
    if (request.method === 'POST' && url.pathname === '/v1/auth/gh-jwt/login') {
      if (body?.['role'] === 'deployer' && body['jwt'] === JWT) {
        return send(200, { auth: { client_token: JWT_TOKEN, policies: ['app'], lease_duration: 300 } });
      }
      return send(400, { errors: ['role or jwt rejected'] });
    }
    if (request.method === 'POST' && url.pathname === '/v1/auth/approle/login') {
      if (body?.['role_id'] === 'role-1' && body['secret_id'] === 'secret-id-1') {
        return send(200, { auth: { client_token: APPROLE_TOKEN, lease_duration: 300 } });
      }
      return send(400, { errors: ['invalid role or secret ID'] });
    }
    if (request.method === 'GET' && url.pathname.startsWith('/v1/')) {
      if (!VALID_TOKENS.has(entry.token ?? '')) return send(403, { errors: ['permission denied'] });
      const path = url.pathname.slice('/v1/'.length);
      if (path === 'secret/data/app/flaky' && flakyFailures-- > 0)
        return send(503, { errors: ['Vault is sealed'] });
      if (path === 'secret/data/app/flaky')
        return send(200, { data: { data: { password: SECRET }, metadata: {} } });
      const v2 = KV2[path];
      if (v2 !== undefined) {
        return send(200, {
          data: { data: v2, metadata: { version: 3, created_time: '2026-01-01T00:00:00Z' } },
        });
      }
      const v1 = KV1[path];
      if (v1 !== undefined) return send(200, { data: v1, lease_duration: 2764800 });
      return send(404, { errors: [] });
    }
    send(404, { errors: [] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ENV_KEYS = [
  'VAULT_ADDR',
  'VAULT_TOKEN',
  'VAULT_NAMESPACE',
  'VAULT_ROLE',
  'VAULT_AUTH_MOUNT',
  'VAULT_JWT_AUDIENCE',
  'VAULT_ROLE_ID',
  'VAULT_SECRET_ID',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
];
beforeEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
  process.env['VAULT_ADDR'] = base;
  seen.length = 0;
  resetVaultSession();
});

async function resolveAndPrint(reference: string) {
  const logger = createCaptureLogger();
  const value = await resolveSecret(reference, 'database-url', logger);
  logger.info(`resolved: ${value}`);
  return { value, logger };
}

describe('vault: references (local Vault API server)', () => {
  test('parses vault:<path>#<key>', () => {
    assert.deepEqual(parseVaultReference('vault:secret/data/app/db#password'), {
      path: 'secret/data/app/db',
      key: 'password',
    });
    assert.deepEqual(parseVaultReference('vault:/kv1/app/#url'), { path: 'kv1/app', key: 'url' });
    assert.throws(
      () => parseVaultReference('vault:secret/data/app', 'database-url'),
      /Input 'database-url'.*vault:<path>#<key>/,
    );
  });

  test('KV v2 with VAULT_TOKEN: returns the key, masks it, sends the token and namespace', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    process.env['VAULT_NAMESPACE'] = 'team-a';
    const { value, logger } = await resolveAndPrint('vault:secret/data/app/db#password');
    assert.equal(value, SECRET);
    assert.equal(logger.text(), 'resolved: ***');
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.token, s.namespace]),
      [['GET', '/v1/secret/data/app/db', ROOT_TOKEN, 'team-a']],
    );
  });

  test('KV v2 by its logical path (data/ inserted after the mount)', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    const { value } = await resolveAndPrint('vault:secret/app/db#url');
    assert.equal(value, `postgres://app:${SECRET}@db/app`);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/v1/secret/app/db', '/v1/secret/data/app/db'],
    );
  });

  test('KV v1', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    assert.equal((await resolveAndPrint('vault:kv1/app#password')).value, SECRET);
  });

  test('a JSON value is serialised and each leaf masked', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    const { value, logger } = await resolveAndPrint('vault:secret/data/app/json#config');
    assert.deepEqual(JSON.parse(value), { user: 'app', password: SECRET });
    logger.info(`password is ${SECRET}`);
    assert.ok(!logger.text().includes(SECRET));
  });

  test('GitHub OIDC: the runner ID token is exchanged at the configured JWT mount, with the audience', async () => {
    process.env['VAULT_ROLE'] = 'deployer';
    process.env['VAULT_AUTH_MOUNT'] = 'gh-jwt';
    process.env['VAULT_JWT_AUDIENCE'] = 'https://vault.example.com';
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${base}/oidc?api-version=2.0`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = REQUEST_TOKEN;
    const first = await resolveAndPrint('vault:secret/data/app/db#password');
    const second = await resolveAndPrint('vault:secret/data/app/db#port');
    assert.equal(first.value, SECRET);
    assert.equal(second.value, '5432');
    const oidc = seen.find((s) => s.url.startsWith('/oidc'));
    assert.match(oidc?.url ?? '', /audience=https%3A%2F%2Fvault\.example\.com/);
    const logins = seen.filter((s) => s.url === '/v1/auth/gh-jwt/login');
    assert.equal(logins.length, 1, 'logs in once per process');
    assert.deepEqual(logins[0]?.body, { role: 'deployer', jwt: JWT });
    assert.ok(seen.filter((s) => s.url === '/v1/secret/data/app/db').every((s) => s.token === JWT_TOKEN));
    first.logger.info(`token ${JWT_TOKEN} jwt ${JWT}`);
    assert.ok(!first.logger.text().includes(JWT_TOKEN) && !first.logger.text().includes(JWT));
  });

  test('AppRole login', async () => {
    process.env['VAULT_ROLE_ID'] = 'role-1';
    process.env['VAULT_SECRET_ID'] = 'secret-id-1';
    const { value } = await resolveAndPrint('vault:secret/data/app/db#password');
    assert.equal(value, SECRET);
    assert.deepEqual(seen[0]?.body, { role_id: 'role-1', secret_id: 'secret-id-1' });
    assert.equal(seen[1]?.token, APPROLE_TOKEN);
  });

  test('a 5xx from Vault (sealed, standby) is retried', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    process.env['GANTRY_RETRY_DELAY_SCALE'] = '0.01';
    flakyFailures = 2;
    try {
      assert.equal((await resolveAndPrint('vault:secret/data/app/flaky#password')).value, SECRET);
      assert.equal(seen.filter((s) => s.url === '/v1/secret/data/app/flaky').length, 3);
      flakyFailures = 10;
      await assert.rejects(
        resolveSecret('vault:secret/data/app/flaky#password', 'database-url', createCaptureLogger()),
        /cannot read Vault secret at path secret\/data\/app\/flaky: HTTP 503/,
      );
    } finally {
      delete process.env['GANTRY_RETRY_DELAY_SCALE'];
      flakyFailures = 0;
    }
  });

  test('a wrong path fails naming the path, not any value', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    await assert.rejects(
      resolveSecret('vault:secret/data/app/nope#password', 'database-url', createCaptureLogger()),
      (error: Error) => {
        assert.match(
          error.message,
          /Input 'database-url': cannot read Vault secret at path secret\/data\/app\/nope: HTTP 404/,
        );
        assert.ok(!error.message.includes(SECRET) && !error.message.includes(ROOT_TOKEN));
        return true;
      },
    );
  });

  test('a missing key fails naming path and key', async () => {
    process.env['VAULT_TOKEN'] = ROOT_TOKEN;
    await assert.rejects(
      resolveSecret('vault:secret/data/app/db#passwd', 'database-url', createCaptureLogger()),
      /Vault secret at path secret\/data\/app\/db has no key passwd$/,
    );
  });

  test('a rejected login and missing configuration fail clearly', async () => {
    process.env['VAULT_ROLE_ID'] = 'role-1';
    process.env['VAULT_SECRET_ID'] = 'wrong';
    await assert.rejects(
      resolveSecret('vault:secret/data/app/db#password', 'database-url', createCaptureLogger()),
      /Vault AppRole login at auth\/approle failed: HTTP 400/,
    );
    resetVaultSession();
    delete process.env['VAULT_ROLE_ID'];
    await assert.rejects(
      resolveSecret('vault:secret/data/app/db#password', 'database-url', createCaptureLogger()),
      /needs Vault credentials: VAULT_TOKEN, or VAULT_ROLE/,
    );
    resetVaultSession();
    delete process.env['VAULT_ADDR'];
    await assert.rejects(
      resolveSecret('vault:secret/data/app/db#password', 'database-url', createCaptureLogger()),
      /needs VAULT_ADDR/,
    );
  });

  test('values that are not references pass through untouched', async () => {
    assert.equal(
      await resolveSecret('postgres://u:p@h/db', 'database-url', createCaptureLogger()),
      'postgres://u:p@h/db',
    );
  });
});

test('without secret-inputs.ts a vault: reference is refused, naming the input (the Vault client is opt-in)', async () => {
  // A fresh process that loads only secrets.ts, as an action without secret inputs does.
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const secrets = new URL('../../shared/src/secrets.ts', import.meta.url).href;
  const script = `import { resolveSecret } from '${secrets}';
    try { await resolveSecret('vault:secret/data/app#password', 'database-url'); console.log('resolved'); }
    catch (error) { console.log('refused: ' + error.message); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.match(
    stdout,
    /refused: Input 'database-url' is a vault: reference, but this action has no vault resolver built in/,
  );
});
