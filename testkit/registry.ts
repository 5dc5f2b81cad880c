/**
 * The OCI registry of the local world: Debian's `docker-registry` (CNCF Distribution,
 * https://distribution.github.io/distribution/spec/api/) on a free loopback port with filesystem storage in
 * a temp folder, plain HTTP by default (a `registries.conf` marks it insecure for buildah), optionally
 * htpasswd auth (bcrypt through bcryptjs), TLS with a self-signed certificate, or token auth with a token
 * server of its own. Also: reading images back by the Distribution API (manifests, blobs, tags), and a TCP
 * proxy that can stop the registry mid-push. One start for the tests, the demo, the benchmarks and
 * `npm run local -- up registry`.
 */
import { createHash, createPrivateKey, randomUUID, sign as cryptoSign, X509Certificate } from 'node:crypto';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { answers, freePort, startProcess, tcpOpen, waitUntil, type Managed } from './process.ts';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface Registry {
  /** `127.0.0.1:<port>` — the registry host as an image name uses it. */
  host: string;
  port: number;
  dir: string;
  /** registries.conf that marks this registry insecure (for buildah: CONTAINERS_REGISTRIES_CONF). */
  registriesConf: string;
  /** Basic credentials when started with htpasswd auth. */
  credentials?: { username: string; password: string };
  /** The token server when started with token auth. */
  token?: TokenServer;
  /** Stops the registry process (SIGKILL) without removing its storage. */
  kill(): Promise<void>;
  /** Starts the registry again on the same port and storage. */
  restart(): Promise<void>;
  /** Stops it and removes its storage (a `dir` given by the caller is left for the caller). */
  stop(): Promise<void>;
  /** The registry's own log (stdout+stderr). */
  log(): string;
}

/** How a registry is started; every field is optional. */
export interface RegistryOptions {
  /** Folder for config and storage (default: a new temp folder, removed by `stop()`). */
  dir?: string;
  /** A user to accept (Basic auth; the bcrypt hash is written by bcryptjs). */
  htpasswd?: { username: string; password: string };
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (openssl). */
  tls?: boolean;
  /** Token auth against this token server (see startTokenServer). */
  token?: TokenServer;
}

/**
 * Starts `/usr/bin/docker-registry serve <config>` on a free loopback port and waits (up to 15 s) until
 * `/v2/` answers.
 * @throws Error with the registry's output when it does not come up
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'gantry-registry-')));
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  let tls = '';
  if (options.tls === true) {
    // A self-signed certificate for 127.0.0.1 (openssl), as a private registry without a public CA has.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    tls = `  tls:\n    certificate: ${path.join(dir, 'cert.pem')}\n    key: ${path.join(dir, 'key.pem')}\n`;
  }
  let auth =
    options.htpasswd === undefined
      ? ''
      : `auth:\n  htpasswd:\n    realm: gantry-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  if (options.token !== undefined) {
    const { realm, service, issuer, certFile } = options.token;
    auth = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${certFile}\n`;
  }
  if (options.htpasswd !== undefined) {
    const hash = bcrypt.hashSync(options.htpasswd.password, 6);
    await writeFile(path.join(dir, 'htpasswd'), `${options.htpasswd.username}:${hash}\n`);
  }
  const config = path.join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tls}${auth}`,
  );
  const host = `127.0.0.1:${port}`;
  const registriesConf = path.join(dir, 'registries.conf');
  await writeFile(registriesConf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  let child: Managed | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    const started = startProcess(REGISTRY_BINARY, ['serve', config]);
    child = started;
    await waitUntil(
      () => (options.tls === true ? tcpOpen(port) : answers(`http://${host}/v2/`)),
      'docker-registry',
      15_000,
      started.output,
    ).catch(async (error: unknown) => {
      await started.stop();
      throw error;
    });
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined) return;
    output += running.output();
    if (running.child.exitCode !== null || running.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.child.once('exit', () => resolve());
      running.child.kill('SIGKILL');
    });
  };
  await start();
  return {
    host,
    port,
    dir,
    registriesConf,
    ...(options.htpasswd === undefined ? {} : { credentials: options.htpasswd }),
    ...(options.token === undefined ? {} : { token: options.token }),
    kill,
    restart: start,
    async stop() {
      await kill();
      if (owned) await rm(dir, { recursive: true, force: true });
    },
    log: () => output + (child?.output() ?? ''),
  };
}

/** Accept header for reading manifests back (written here independently of the action's client). */
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** A registry to read from: a started one (with its credentials or token server), or just `host:port`. */
export type RegistryAccess = Pick<Registry, 'host' | 'credentials' | 'token'> | string;

/** The Authorization header a reader uses (Basic, or a token it mints); none for a bare host. */
async function authHeaders(registry: RegistryAccess, repository: string): Promise<Record<string, string>> {
  if (typeof registry === 'string') return {};
  if (registry.token !== undefined)
    return { authorization: `Bearer ${registry.token.mint(`repository:${repository}:pull`)}` };
  if (registry.credentials !== undefined) {
    const { username, password } = registry.credentials;
    return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }
  return {};
}

const hostOf = (registry: RegistryAccess): string =>
  typeof registry === 'string' ? registry : registry.host;

/**
 * Reads `/v2/<repository>/manifests/<reference>` over plain HTTP (any status is returned, not thrown).
 * @returns the status, the parsed body (`{}` unless 200), its sha256 digest and the registry's
 *   Docker-Content-Digest header
 */
export async function readManifest(
  registry: RegistryAccess,
  repository: string,
  reference: string,
): Promise<{ status: number; digest: string; header: string | null; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: ACCEPT, ...(await authHeaders(registry, repository)) };
  const response = await fetch(`http://${hostOf(registry)}/v2/${repository}/manifests/${reference}`, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
    header: response.headers.get('docker-content-digest'),
    json: response.status === 200 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {},
  };
}

/**
 * Reads a blob (an image config, a layer).
 * @throws Error with the registry's status when it is not 200
 */
export async function readBlob(
  registry: RegistryAccess,
  repository: string,
  digest: string,
): Promise<Buffer> {
  const headers = await authHeaders(registry, repository);
  const response = await fetch(`http://${hostOf(registry)}/v2/${repository}/blobs/${digest}`, {
    headers,
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status !== 200) throw new Error(`blob ${digest}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The tags of a repository ([] when it has none or is not there). */
export async function listTags(registry: RegistryAccess, repository: string): Promise<string[]> {
  const headers = await authHeaders(registry, repository);
  const response = await fetch(`http://${hostOf(registry)}/v2/${repository}/tags/list`, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) return [];
  return ((await response.json()) as { tags?: string[] }).tags ?? [];
}

/** An image reference split: `host/repo@sha256:…` or `host/repo:tag` (no tag: `latest`). */
export function splitReference(reference: string): { host: string; repository: string; reference: string } {
  const slash = reference.indexOf('/');
  const host = reference.slice(0, slash);
  const rest = reference.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon >= 0
    ? { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) }
    : { host, repository: rest, reference: 'latest' };
}

/** An image manifest as a container runtime uses it. */
export interface ImageManifest {
  digest: string;
  mediaType: string;
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

/**
 * Reads an image's manifest as a runtime pulling it would: an index is resolved to its linux/amd64 (or
 * first) manifest.
 * @throws Error with the registry's status when the manifest is not there
 */
export async function imageManifest(
  registry: RegistryAccess,
  repository: string,
  reference: string,
): Promise<ImageManifest> {
  const read = await readManifest(registry, repository, reference);
  if (read.status !== 200) throw new Error(`manifest ${repository}@${reference}: HTTP ${read.status}`);
  const json = read.json as {
    mediaType?: string;
    manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
    config?: { digest: string };
    layers?: { digest: string; mediaType: string }[];
  };
  if (json.manifests !== undefined) {
    const chosen =
      json.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
      json.manifests[0];
    if (chosen === undefined) throw new Error(`index ${repository}@${reference} has no manifests`);
    return imageManifest(registry, repository, chosen.digest);
  }
  return {
    digest: read.header ?? read.digest,
    mediaType: json.mediaType ?? '',
    config: json.config ?? { digest: '' },
    layers: json.layers ?? [],
  };
}

/**
 * A TCP proxy in front of a registry that can simulate a registry stopped mid-push: on the first request
 * whose head matches `trigger`, it calls `onTrigger` (e.g. kill the registry) and drops every connection;
 * connections that cannot reach the registry afterwards are dropped too.
 */
export async function startFaultProxy(
  upstreamPort: number,
  trigger: RegExp,
  onTrigger: () => Promise<void>,
): Promise<{ host: string; triggered: () => boolean; close: () => Promise<void> }> {
  let fired = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (!fired && trigger.test(chunk.toString('latin1'))) {
        fired = true;
        void onTrigger().then(() => {
          for (const socket of sockets) socket.destroy();
        });
        return;
      }
      if (fired && upstream.destroyed) client.destroy();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.on('end', () => client.end());
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    triggered: () => fired,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A token server for the Docker registry token auth flow, and how the registry must trust it. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** The certificate (PEM) whose key signs the tokens: the registry's `rootcertbundle`. */
  certFile: string;
  /** Token requests seen: the Basic user (or '' when anonymous) and the scope asked for. */
  requests: { user: string; scope: string }[];
  /** Signs a token granting `scope` (`repository:<name>:<actions>`), for the test's own reads. */
  mint(scope: string): string;
  close(): Promise<void>;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Starts a token server speaking the Docker registry token specification
 * (https://distribution.github.io/distribution/spec/auth/token/): `GET <realm>?service=…&scope=…` with Basic
 * credentials answers `{"token": <JWT>}`. The JWT is RS256-signed with a key whose self-signed certificate
 * (openssl) travels in the `x5c` header, as distribution 2.8's token verifier accepts. Only `username` /
 * `password` get the actions they ask for; anyone else gets a token with no access.
 */
export async function startTokenServer(user: { username: string; password: string }): Promise<TokenServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bp-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=gantry-token-issuer',
    ].concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(await readFile(keyFile));
  const der = new X509Certificate(await readFile(certFile)).raw;
  const service = 'gantry-test-registry';
  const issuer = 'gantry-test-issuer';
  const sign = (subject: string, scopes: string[], granted: boolean): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
    const access = granted
      ? scopes.map((scope) => {
          const [type = '', name = '', actions = ''] = scope.split(':');
          return { type, name, actions: actions.split(',') };
        })
      : [];
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${base64url(cryptoSign('sha256', Buffer.from(input), key))}`;
  };
  const requests: { user: string; scope: string }[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://token');
    const header = request.headers.authorization ?? '';
    const [name = '', password = ''] = header.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString().split(/:(.*)/s)
      : [];
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((scope) => scope.split(' '))
      .filter((scope) => scope !== '');
    requests.push({ user: name, scope: scopes.join(' ') });
    if (header !== '' && (name !== user.username || password !== user.password)) {
      response.writeHead(401).end('{"details":"bad credentials"}');
      return;
    }
    const token = sign(name, scopes, name === user.username);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    mint: (scope) => sign(user.username, [scope], true),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
