/**
 * Kubernetes clients built in one place (as shared/src/aws.ts builds AWS clients), with the official
 * client (@kubernetes/client-node):
 * - a `kubeconfig` input (masked already by the inputs layer) is written to a 0600 file in a 0700 folder
 *   under RUNNER_TEMP, its path saved for the post step, which removes it ({@link removeKubeconfig});
 * - otherwise `KUBECONFIG` (several paths allowed), else ~/.kube/config — the client's `loadFromDefault`;
 * - `context` picks a context; `eks-cluster` replaces the context's user by a bearer token made from the
 *   job's AWS credentials (eks-token.ts), masked before use;
 * - the chosen user's credentials (token, password, client key) are masked as whole values once, on
 *   connecting, whichever way the kubeconfig came ({@link maskKubeconfigCredentials}).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError, describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { loadState, saveState } from '../state.ts';
import type { KubernetesConnectionInputs } from './connection-inputs.ts';
import { defaultAwsCredentials, eksToken, type AwsCredentials } from './eks-token.ts';

const STATE_KEY = 'kubeconfig-dir';

/** The client-node module, loaded lazily (a bad input never pays for it). */
export async function k8sSdk(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

/** A connection: the loaded kubeconfig and the namespace objects without one go to. */
export interface KubernetesConnection {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The API server URL (for messages). */
  server: string;
}

/**
 * Builds the connection from the connection inputs.
 * @param options.credentials AWS credentials for `eks-cluster` (default: the SDK's default chain)
 * @throws ConfigurationError when no kubeconfig can be loaded, the context does not exist, or the
 *   kubeconfig names no cluster; the AWS provider chain's error when `eks-cluster` is set without credentials
 */
export async function connect(
  inputs: KubernetesConnectionInputs,
  logger: Logger,
  options: { credentials?: () => Promise<AwsCredentials>; now?: () => Date } = {},
): Promise<KubernetesConnection> {
  const { KubeConfig } = await k8sSdk();
  const kubeConfig = new KubeConfig();
  try {
    if (inputs.kubeconfig !== '') kubeConfig.loadFromFile(writeKubeconfig(inputs.kubeconfig));
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw new ConfigurationError(
      `Cannot load the kubeconfig (${inputs.kubeconfig !== '' ? 'input kubeconfig' : process.env['KUBECONFIG'] ? 'KUBECONFIG' : '~/.kube/config'}): ${describeThrown(error)}`,
    );
  }
  if (inputs.context !== '') {
    if (kubeConfig.getContextObject(inputs.context) === null)
      throw new ConfigurationError(
        `The kubeconfig has no context "${inputs.context}" (it has: ${
          kubeConfig
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    kubeConfig.setCurrentContext(inputs.context);
  }
  // Before anything can print them: the input is masked only line by line, a KUBECONFIG file not at all.
  maskKubeconfigCredentials(kubeConfig, logger);
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null)
    throw new ConfigurationError(
      'The kubeconfig names no cluster for its current context (set `context`, or use `aws eks update-kubeconfig` / azure/setup-kubectl / kind to write one)',
    );
  if (inputs['eks-cluster'] !== '') {
    const credentials = await (options.credentials ?? defaultAwsCredentials)();
    const token = await eksToken({
      clusterName: inputs['eks-cluster'],
      region: inputs['aws-region'],
      credentials,
      ...(options.now === undefined ? {} : { signingDate: options.now() }),
    });
    logger.mask(token);
    useToken(kubeConfig, token);
    logger.info(
      `Authenticating to EKS cluster ${inputs['eks-cluster']} with a token from the AWS credentials`,
    );
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  const namespace = inputs.namespace || context?.namespace || 'default';
  shareDispatcher(kubeConfig);
  return { kubeConfig, namespace, server: cluster.server };
}

/**
 * Makes every request and watch of `kubeConfig` share one undici dispatcher (per cluster and user), so
 * connections are kept alive and reused: client-node 2.0 builds a new undici Agent — a new TCP and TLS
 * connection — for each request (KubeConfig.applySecurityAuthentication → createDispatcher). Idle
 * keep-alive sockets are unref'd by undici, so they never hold the process open.
 */
export function shareDispatcher(kubeConfig: KubeConfig): void {
  const original = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
  const shared = new Map<string, NonNullable<ReturnType<RequestContextLike['getDispatcher']>>>();
  kubeConfig.applySecurityAuthentication = async (context: RequestContextLike): Promise<void> => {
    await original(context as Parameters<typeof original>[0]);
    const made = context.getDispatcher();
    if (made === undefined) return;
    const key = `${kubeConfig.getCurrentContext()}\u0000${kubeConfig.getCurrentCluster()?.server ?? ''}`;
    const known = shared.get(key);
    if (known === undefined) shared.set(key, made);
    else {
      context.setDispatcher(known);
      void made.close().catch(() => undefined);
    }
  };
}

/** The part of client-node's RequestContext the shared dispatcher uses. */
type RequestContextLike = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/**
 * Masks the credentials the kubeconfig's current user holds — `token`, `password` and `client-key-data`
 * (base64, as the kubeconfig holds it) — as whole values, through
 * `logger.mask` (the runner's `::add-mask::`). The `kubeconfig` input is masked only line by line by the
 * inputs layer (`token: …` as a line), and a kubeconfig from `KUBECONFIG` is not masked at all, so
 * {@link connect} calls this once for every Kubernetes action. Fields of the kubeconfig format:
 * https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/ (AuthInfo).
 * @param kubeConfig a loaded kubeconfig; its current context's user is read (none: nothing is masked)
 */
export function maskKubeconfigCredentials(kubeConfig: KubeConfig, logger: Logger): void {
  const user = kubeConfig.getCurrentUser();
  for (const value of [user?.token, user?.password, user?.keyData]) {
    if (typeof value === 'string' && value !== '') logger.mask(value);
  }
}

/** Replaces the current context's user by one that sends `token`. */
function useToken(kubeConfig: KubeConfig, token: string): void {
  const current = kubeConfig.getCurrentContext();
  const user = 'gantry-eks-token';
  kubeConfig.loadFromOptions({
    clusters: kubeConfig.getClusters(),
    users: [...kubeConfig.getUsers().filter((u) => u.name !== user), { name: user, token }],
    contexts: kubeConfig.getContexts().map((c) => (c.name === current ? { ...c, user } : c)),
    currentContext: current,
  });
}

/**
 * Writes kubeconfig contents to `<RUNNER_TEMP>/gantry-kube-XXXX/config` (folder 0700, file 0600) and
 * saves the folder for the post step.
 * @returns the file's path
 */
export function writeKubeconfig(contents: string): string {
  const folder = mkdtempSync(path.join(process.env['RUNNER_TEMP'] || tmpdir(), 'gantry-kube-'));
  const file = path.join(folder, 'config');
  writeFileSync(file, contents, { mode: 0o600 });
  saveState(STATE_KEY, folder);
  return file;
}

/** The post step: removes the kubeconfig folder written by {@link writeKubeconfig}, if any. */
export async function removeKubeconfig(): Promise<void> {
  const folder = loadState<string>(STATE_KEY);
  if (folder === undefined || !path.basename(folder).startsWith('gantry-kube-')) return;
  rmSync(folder, { recursive: true, force: true });
}
