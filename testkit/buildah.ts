/**
 * buildah (Debian `buildah`) as the local world's image builder: a private storage (vfs driver, chroot
 * isolation: what works here without privileges or pulls) under a temp folder, so nothing touches
 * /var/lib/containers; build contexts with a `FROM scratch` Containerfile (no base image can be pulled
 * here); and a minimal root filesystem so a scratch build can `RUN` shell commands.
 * https://github.com/containers/buildah/blob/main/docs/buildah-build.1.md
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface BuildahSandbox {
  dir: string;
  /**
   * Variables that give buildah its own vfs storage and chroot isolation (CONTAINERS_STORAGE_CONF,
   * BUILDAH_ISOLATION, STORAGE_DRIVER; CONTAINERS_REGISTRIES_CONF when a registries.conf was given).
   */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * A private buildah storage (vfs) under `options.dir` or a new temp folder.
 * @param options.registriesConf a registries.conf (e.g. a local registry's, marking it insecure)
 */
export async function buildahSandbox(
  options: { dir?: string; registriesConf?: string } = {},
): Promise<BuildahSandbox> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'gantry-buildah-')));
  await mkdir(dir, { recursive: true });
  const conf = path.join(dir, 'storage.conf');
  await writeFile(
    conf,
    `[storage]\ndriver = "vfs"\nrunroot = "${path.join(dir, 'run')}"\ngraphroot = "${path.join(dir, 'graph')}"\n`,
  );
  return {
    dir,
    env: {
      CONTAINERS_STORAGE_CONF: conf,
      BUILDAH_ISOLATION: 'chroot',
      STORAGE_DRIVER: 'vfs',
      ...(options.registriesConf === undefined ? {} : { CONTAINERS_REGISTRIES_CONF: options.registriesConf }),
    },
    cleanup: async () => {
      // vfs layers may hold read-only folders: make removal robust.
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * A workspace with a `FROM scratch` Containerfile in `app/` that copies one file and records a build
 * argument in a label (so tests can see build arguments reach the image and secrets do not).
 * @param containerfile another Containerfile's text
 * @returns the workspace folder (the caller removes it)
 */
export async function makeWorkspace(containerfile?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-ws-'));
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
