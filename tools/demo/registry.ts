/**
 * The demo's OCI registry: Debian's `docker-registry` (CNCF Distribution) on a loopback port with
 * filesystem storage in a temp folder, plain HTTP (loopback only; buildah is told through a
 * registries.conf of the demo's own that this one host is insecure). Also reads images back by the
 * Distribution API (manifest, config and layer blobs) for the local ECS agent and the tests.
 * API: https://distribution.github.io/distribution/spec/api/
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, startProcess, waitUntil, answers, type Managed } from './processes.ts';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface LocalRegistry {
  /** `127.0.0.1:<port>` as image names use it. */
  host: string;
  /** registries.conf that marks this registry insecure (for buildah: CONTAINERS_REGISTRIES_CONF). */
  registriesConf: string;
  process: Managed;
}

/** Starts the registry with storage under `dir`. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  await mkdir(path.join(dir, 'storage'), { recursive: true });
  const config = path.join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  const host = `127.0.0.1:${port}`;
  const registriesConf = path.join(dir, 'registries.conf');
  await writeFile(registriesConf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  const process = startProcess(REGISTRY_BINARY, ['serve', config]);
  await waitUntil(() => answers(`http://${host}/v2/`), 'docker-registry', 15_000, process.output);
  return { host, registriesConf, process };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface ImageManifest {
  digest: string;
  mediaType: string;
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

/** An image reference split: `host/repo@sha256:…` or `host/repo:tag`. */
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

/**
 * Reads an image manifest (an index is resolved to its linux/amd64 or first manifest).
 * @throws Error with the registry's status when it is not there
 */
export async function readManifest(
  host: string,
  repository: string,
  reference: string,
): Promise<ImageManifest> {
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
    headers: { accept: MANIFEST_TYPES },
  });
  if (!response.ok) throw new Error(`manifest ${repository}@${reference}: HTTP ${response.status}`);
  const digest = response.headers.get('docker-content-digest') ?? reference;
  const json = (await response.json()) as {
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
    return readManifest(host, repository, chosen.digest);
  }
  return {
    digest,
    mediaType: json.mediaType ?? response.headers.get('content-type') ?? '',
    config: json.config ?? { digest: '' },
    layers: json.layers ?? [],
  };
}

/** Reads a blob. */
export async function readBlob(host: string, repository: string, digest: string): Promise<Buffer> {
  const response = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`);
  if (!response.ok) throw new Error(`blob ${repository}@${digest}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The tags of a repository. */
export async function listTags(host: string, repository: string): Promise<string[]> {
  const response = await fetch(`http://${host}/v2/${repository}/tags/list`);
  if (!response.ok) return [];
  return ((await response.json()) as { tags?: string[] }).tags ?? [];
}
