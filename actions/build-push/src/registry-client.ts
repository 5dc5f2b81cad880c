/**
 * A small client for the OCI distribution API v2, enough to read back what was pushed: the manifest a tag
 * resolves to (and its digest), and blobs (the image config). Token auth follows the Docker registry
 * token specification (https://distribution.github.io/distribution/spec/auth/token/): a 401 with
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` is answered by fetching a token from the realm
 * (with the registry credentials as Basic auth, when there are any); `Basic` challenges get the
 * credentials directly. Endpoints: https://github.com/opencontainers/distribution-spec/blob/main/spec.md.
 *
 * Node's own http/https modules are used (not fetch) so that `tls-verify: false` can reach a registry with
 * a self-signed certificate, and fall back to plain HTTP as containers/image does for insecure registries.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { retry, RetryableError } from '../../../shared/src/retry.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { BODY_LIMITS, collectCapped } from '../../../shared/src/http-body.ts';

/** Manifest media types, most specific first, as `docker buildx imagetools` and crane send them. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Registry host[:port] as in the image name (`docker.io` is served by `registry-1.docker.io`). */
  registry: string;
  /** Repository path, e.g. `org/app`. */
  repository: string;
  credentials?: RegistryCredentials;
  tlsVerify: boolean;
  /** Attempts per request on 5xx and dropped connections (≥ 1). */
  attempts: number;
  logger?: Logger;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/** A manifest as served. */
export interface ServedManifest {
  /** `sha256:<hex>` of the exact bytes served (checked against `Docker-Content-Digest` when present). */
  digest: string;
  mediaType: string;
  body: Buffer;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP status from the registry that is not worth retrying (4xx), with the registry's error text. */
export class RegistryError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** True for failures worth another attempt: 5xx/429 answers and dropped or refused connections. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof RegistryError) return error.status >= 500 || error.status === 429;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/**
 * Parses a `WWW-Authenticate` challenge: scheme and its `key="value"` parameters.
 * @example parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io"')
 */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z_]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(match[1] ?? '').toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return { scheme, params };
}

/** Reads manifests and blobs of one repository. */
export class RegistryClient {
  private readonly options: RegistryClientOptions;
  private scheme: 'https' | 'http' = 'https';
  private authorization: string | undefined;

  constructor(options: RegistryClientOptions) {
    this.options = options;
  }

  private get host(): string {
    return this.options.registry === 'docker.io' ? 'registry-1.docker.io' : this.options.registry;
  }

  private basic(): string | undefined {
    const credentials = this.options.credentials;
    if (credentials === undefined) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }

  private send(url: URL, method: string, headers: Record<string, string>): Promise<RawResponse> {
    const client = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        {
          method,
          headers,
          timeout: this.options.timeoutMs ?? 30_000,
          ...(url.protocol === 'https:' && !this.options.tlsVerify ? { rejectUnauthorized: false } : {}),
        },
        (response) => {
          // Streamed and capped: manifests and configs are small; a huge answer is cut off, not buffered.
          collectCapped(response, BODY_LIMITS.registry).then(({ body, truncated }) => {
            if (truncated && (response.statusCode ?? 0) < 300)
              reject(new Error(`the registry's answer is larger than ${BODY_LIMITS.registry} bytes`));
            else resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
          }, reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      request.on('error', reject);
      request.end();
    });
  }

  /** One request on the registry host, choosing the scheme (https, or http for an insecure registry). */
  private async sendToRegistry(
    path: string,
    method: string,
    headers: Record<string, string>,
  ): Promise<RawResponse> {
    const url = new URL(`${this.scheme}://${this.host}${path}`);
    try {
      return await this.send(url, method, headers);
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      const tlsMismatch = code === 'EPROTO' || code.startsWith('ERR_SSL') || code === 'ECONNRESET';
      if (this.scheme === 'https' && !this.options.tlsVerify && tlsMismatch) {
        this.scheme = 'http';
        return this.send(new URL(`http://${this.host}${path}`), method, headers);
      }
      throw error;
    }
  }

  /** Answers an auth challenge: fetches a bearer token, or falls back to Basic credentials. */
  private async authenticate(challengeHeader: string, scope: string): Promise<void> {
    const { scheme, params } = parseChallenge(challengeHeader);
    if (scheme === 'basic') {
      const basic = this.basic();
      if (basic === undefined)
        throw new RegistryError(`${this.host} asks for credentials and none were given`, 401);
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer' || params['realm'] === undefined)
      throw new RegistryError(
        `${this.host} sent an auth challenge this client does not speak: ${scheme}`,
        401,
      );
    const tokenUrl = new URL(params['realm']);
    if (params['service'] !== undefined) tokenUrl.searchParams.set('service', params['service']);
    tokenUrl.searchParams.set('scope', params['scope'] ?? scope);
    const headers: Record<string, string> = {};
    const basic = this.basic();
    if (basic !== undefined) headers['authorization'] = basic;
    const response = await this.send(tokenUrl, 'GET', headers);
    if (response.status >= 500)
      throw new RegistryError(`token service answered ${response.status}`, response.status);
    if (response.status !== 200)
      throw new RegistryError(
        `token service ${tokenUrl.host} refused the credentials (${response.status})`,
        401,
      );
    const parsed = JSON.parse(response.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = parsed.token ?? parsed.access_token;
    if (token === undefined) throw new RegistryError('token service answered without a token', 401);
    this.options.logger?.mask(token);
    this.authorization = `Bearer ${token}`;
  }

  /** GET/HEAD `path` with auth and bounded retries on 5xx and dropped connections. */
  private async request(path: string, method: string, accept: string, what: string): Promise<RawResponse> {
    const scope = `repository:${this.options.repository}:pull`;
    return retry(
      async () => {
        let response: RawResponse | undefined;
        for (let round = 0; round < 2; round++) {
          const headers: Record<string, string> = { accept };
          if (this.authorization !== undefined) headers['authorization'] = this.authorization;
          response = await this.sendToRegistry(path, method, headers);
          const challenge = response.headers['www-authenticate'];
          if (response.status !== 401 || round === 1 || typeof challenge !== 'string') break;
          await this.authenticate(challenge, scope);
        }
        const final = response as RawResponse;
        if (final.status >= 200 && final.status < 300) return final;
        if (final.status >= 300 && final.status < 400 && typeof final.headers.location === 'string') {
          // Blob storage behind a redirect (S3, CDN): follow once, without the registry's Authorization.
          const target = new URL(final.headers.location, `${this.scheme}://${this.host}`);
          const redirected = await this.send(target, method, { accept });
          if (redirected.status >= 200 && redirected.status < 300) return redirected;
          throw new RegistryError(`${what}: ${target.host} answered ${redirected.status}`, redirected.status);
        }
        const detail = final.body.toString('utf8').slice(0, 300).trim();
        throw new RegistryError(
          `${what}: ${this.host} answered ${final.status}${detail === '' ? '' : ` ${detail}`}`,
          final.status,
        );
      },
      {
        attempts: this.options.attempts,
        baseDelayMs: 500,
        maxDelayMs: 5_000,
        shouldRetry: (error) => isTransient(error),
        onRetry: (error, attempt, delayMs) =>
          this.options.logger?.info(
            `${what}: attempt ${attempt} of ${this.options.attempts} failed (${describe(error)}); retrying in ${Math.round(delayMs)} ms`,
          ),
      },
    );
  }

  /**
   * The manifest `reference` (a tag or digest) resolves to, with its digest computed over the bytes served.
   * @throws RegistryError for 4xx answers (e.g. 404 for a tag that does not exist), after retries for 5xx,
   *   or when the registry's Docker-Content-Digest disagrees with the bytes it served
   */
  async getManifest(reference: string): Promise<ServedManifest> {
    const what = `reading manifest ${this.options.registry}/${this.options.repository}:${reference}`;
    const response = await this.request(
      `/v2/${this.options.repository}/manifests/${encodeURIComponent(reference)}`,
      'GET',
      MANIFEST_ACCEPT,
      what,
    );
    const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    const header = response.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:') && header !== digest)
      throw new RegistryError(
        `${what}: Docker-Content-Digest ${header} does not match the bytes served (${digest})`,
        502,
      );
    const mediaType =
      (JSON.parse(response.body.toString('utf8')) as { mediaType?: string }).mediaType ??
      String(response.headers['content-type'] ?? '');
    return { digest, mediaType, body: response.body };
  }

  /**
   * A blob's bytes, checked against its digest.
   * @param digest `sha256:<hex>`
   * @throws RegistryError for 4xx answers or a digest mismatch
   */
  async getBlob(digest: string): Promise<Buffer> {
    const what = `reading blob ${digest}`;
    const response = await this.request(`/v2/${this.options.repository}/blobs/${digest}`, 'GET', '*/*', what);
    const actual = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    if (actual !== digest) throw new RegistryError(`${what}: the bytes served hash to ${actual}`, 502);
    return response.body;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

interface ManifestShape {
  mediaType?: string;
  config?: { digest?: string; size?: number };
  layers?: { size?: number }[];
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
}

/** A parsed manifest or index, with the fields this action uses. */
export function parseManifest(body: Buffer): ManifestShape {
  return JSON.parse(body.toString('utf8')) as ManifestShape;
}

/**
 * The compressed size of an image as pushed: config plus layers, summed over every platform of an index.
 * @returns bytes
 */
export async function imageSize(client: RegistryClient, manifest: ServedManifest): Promise<number> {
  const parsed = parseManifest(manifest.body);
  if (parsed.manifests !== undefined) {
    let total = 0;
    for (const child of parsed.manifests) {
      if (child.digest === undefined || child.platform?.architecture === 'unknown') continue; // attestations
      total += await imageSize(client, await client.getManifest(child.digest));
    }
    return total;
  }
  return (
    (parsed.config?.size ?? 0) + (parsed.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0)
  );
}
