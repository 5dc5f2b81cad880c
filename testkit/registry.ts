/**
 * Real parts for build-push tests: a Debian `docker-registry` (CNCF Distribution) on a loopback port with
 * filesystem storage in a temp folder (optionally htpasswd auth, bcrypt through bcryptjs), a buildah
 * storage of its own (vfs driver, chroot isolation: what works here without privileges or pulls), a build
 * context with a `FROM scratch` Containerfile, a TCP proxy that can stop the registry mid-push, and a
 * moto server for the ECR API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, sign as cryptoSign, X509Certificate } from 'node:crypto';
import http from 'node:http';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort } from '../../support/http-servers.ts';
export { freePort };

/** A free loopback port (listen on 0, read it, close). */
/** Whether something accepts TCP connections on a loopback port. */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Registry {
  /** `127.0.0.1:<port>` — the registry host as an image name uses it. */
  host: string;
  port: number;
  dir: string;
  /** Basic credentials when started with htpasswd auth. */
  credentials?: { username: string; password: string };
  /** The token server when started with token auth. */
  token?: TokenServer;
  /** Stops the registry process (SIGKILL) without removing its storage. */
  kill(): Promise<void>;
  /** Starts the registry again on the same port and storage. */
  restart(): Promise<void>;
  /** Stops it and removes its storage. */
  stop(): Promise<void>;
  /** The registry's own log (stdout+stderr). */
  log(): string;
}

/**
 * Starts `/usr/bin/docker-registry serve <config>` on a free loopback port.
 * @param options.htpasswd users to accept (Basic auth, bcrypt hashes written by bcryptjs)
 */
export async function startRegistry(
  options: { htpasswd?: { username: string; password: string }; tls?: boolean; token?: TokenServer } = {},
): Promise<Registry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bp-registry-'));
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
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => {
      if (options.tls === true) return tcpOpen(port);
      const response = await fetch(`http://127.0.0.1:${port}/v2/`);
      return response.status === 200 || response.status === 401;
    }, 'docker-registry');
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    ...(options.htpasswd === undefined ? {} : { credentials: options.htpasswd }),
    ...(options.token === undefined ? {} : { token: options.token }),
    kill,
    restart: start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

/** Accept header for reading manifests back in tests (written here independently of the action's client). */
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** The Authorization header the test itself uses to read from a registry (Basic, or a token it mints). */
async function authHeaders(registry: Registry, repository: string): Promise<Record<string, string>> {
  if (registry.token !== undefined)
    return { authorization: `Bearer ${registry.token.mint(`repository:${repository}:pull`)}` };
  if (registry.credentials !== undefined) {
    const { username, password } = registry.credentials;
    return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }
  return {};
}

/**
 * Reads `/v2/<repository>/manifests/<reference>` from a test registry over plain HTTP.
 * @returns the body, its sha256 digest and the registry's Docker-Content-Digest header
 */
export async function readManifest(
  registry: Registry,
  repository: string,
  reference: string,
): Promise<{ status: number; digest: string; header: string | null; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: ACCEPT, ...(await authHeaders(registry, repository)) };
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${reference}`, {
    headers,
  });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
    header: response.headers.get('docker-content-digest'),
    json: response.status === 200 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {},
  };
}

/** Reads a blob (e.g. the image config) from a test registry. */
export async function readBlob(registry: Registry, repository: string, digest: string): Promise<Buffer> {
  const headers = await authHeaders(registry, repository);
  const response = await fetch(`http://${registry.host}/v2/${repository}/blobs/${digest}`, { headers });
  if (response.status !== 200) throw new Error(`blob ${digest}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

export interface BuildahSandbox {
  dir: string;
  /** Variables that give buildah its own vfs storage and chroot isolation. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A private buildah storage (vfs) under a temp folder, so tests never touch /var/lib/containers. */
export async function buildahSandbox(): Promise<BuildahSandbox> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bp-buildah-'));
  const conf = path.join(dir, 'storage.conf');
  await writeFile(
    conf,
    `[storage]\ndriver = "vfs"\nrunroot = "${path.join(dir, 'run')}"\ngraphroot = "${path.join(dir, 'graph')}"\n`,
  );
  return {
    dir,
    env: { CONTAINERS_STORAGE_CONF: conf, BUILDAH_ISOLATION: 'chroot', STORAGE_DRIVER: 'vfs' },
    cleanup: async () => {
      // vfs layers may hold read-only folders: make removal robust.
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * A workspace with a `FROM scratch` Containerfile that copies one file and records a build argument in a
 * label (so tests can see build arguments reach the image and secrets do not).
 */
export async function makeWorkspace(containerfile?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bp-ws-'));
  await mkdir(path.join(dir, 'app'));
  await writeFile(path.join(dir, 'app', 'hello.txt'), `hello from ${path.basename(dir)}\n`);
  await writeFile(
    path.join(dir, 'app', 'Containerfile'),
    containerfile ??
      'FROM scratch\nARG APP_VERSION=dev\nLABEL app.version=$APP_VERSION\nCOPY hello.txt /hello.txt\n',
  );
  return dir;
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

/** A moto server (`python3 -m moto.server`) on a free loopback port. */
export async function startMoto(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).status < 500, 'moto server', 30_000);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Fake AWS credentials and the moto endpoint for the SDK's default chain. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Adds a minimal root filesystem to `<workspace>/app/rootfs`: this machine's /bin/dash as /bin/sh and the
 * shared libraries `ldd` names, so a FROM scratch build can `RUN` shell commands (chroot isolation) without
 * pulling a base image.
 */
export async function addShellRootfs(workspace: string): Promise<void> {
  const rootfs = path.join(workspace, 'app', 'rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await copyFile('/bin/dash', path.join(rootfs, 'bin', 'sh'));
  const libraries = execFileSync('ldd', ['/bin/dash'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((file): file is string => file !== undefined);
  for (const library of libraries) {
    await mkdir(path.join(rootfs, path.dirname(library)), { recursive: true });
    await copyFile(library, path.join(rootfs, library));
  }
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
