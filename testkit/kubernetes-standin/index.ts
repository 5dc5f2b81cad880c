/**
 * The Kubernetes API stand-in: an HTTP server on 127.0.0.1 that the real `kubectl` and
 * `@kubernetes/client-node` drive like an API server (discovery, CRUD, server-side apply, watch, pod logs,
 * service proxy), with controllers that roll Deployments out and run Jobs, and pods that become ready or not
 * from their image. It is a STAND-IN: no real control plane (API server, controllers, kubelet) runs in
 * these machines' tests. See README.md here for what it implements and what it does not.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Api } from './api.ts';
import { Controllers, type ControllerOptions, type LogLine } from './controller.ts';
import { findResource, GATEWAY_GROUP, RESOURCES, type ResourceInfo } from './resources.ts';
import { createHandler, PROXY_TARGET_ANNOTATION, type FaultRule, type RequestRecord } from './server.ts';
import { Store, type KubeObject } from './store.ts';

export { defaultPodFate, type PodFate, type ControllerOptions, type LogLine } from './controller.ts';
export { PROXY_TARGET_ANNOTATION, type FaultRule, type RequestRecord } from './server.ts';
export type { KubeObject } from './store.ts';

/** Options of startKubernetesStandIn. */
export interface KubernetesStandInOptions extends ControllerOptions {
  /** Namespaces created at start besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
  /** Bearer token the kubeconfig carries and the server requires (default: random). */
  token?: string;
  /**
   * Decides which bearer tokens get in, instead of comparing with `token` (the kubeconfig still carries
   * `token`). For tests of other credentials, e.g. an EKS `k8s-aws-v1.<presigned STS URL>` token. Only over https.
   */
  authenticate?: (bearerToken: string) => boolean;
  /** Interval of BOOKMARK events on watches that ask for them (`allowWatchBookmarks`). Default 1000 ms. */
  watchBookmarkMs?: number;
  /** Where to write the kubeconfig (default: a new temp folder, removed by stop()). */
  kubeconfigPath?: string;
  /** Context / cluster / user name in the kubeconfig. Default `gantry-stand-in`. */
  contextName?: string;
  /** Namespace the kubeconfig's context selects. Default `default`. */
  namespace?: string;
  /**
   * Serve https with a self-signed certificate for 127.0.0.1 (made with the `openssl` CLI), as real clusters
   * do. Default true. With false it serves plain http and checks no token: kubectl does not send a bearer
   * token over plain http.
   */
  tls?: boolean;
  /**
   * Serve the Gateway API (gateway.networking.k8s.io/v1 Gateways and HTTPRoutes), as a cluster with its CRDs
   * installed does. Default true; false: the group is absent from discovery, as on a cluster without them.
   */
  gatewayApi?: boolean;
}

/** A running stand-in and the handles tests use. */
export interface KubernetesStandIn {
  /** `https://127.0.0.1:<port>` (or http:// with tls: false). */
  url: string;
  /** PEM of the self-signed certificate (the kubeconfig's certificate-authority-data); '' over http. */
  caPem: string;
  /** Path of the kubeconfig file (mode 0600). */
  kubeconfigPath: string;
  /** The kubeconfig's YAML text. */
  kubeconfig: string;
  /** The bearer token the server requires. */
  token: string;
  /** Every request received, in order. */
  requests: RequestRecord[];
  /** How many TCP connections clients have opened to it so far (a client that pools opens few). */
  readonly connections: number;
  /** Reads one object straight from the store (undefined when absent). `resource` is the plural, e.g. `deployments`. */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Lists objects straight from the store. */
  list(resource: string, namespace?: string): KubeObject[];
  /** Puts an object in as a client's create would (defaults, validation); returns the stored object. */
  create(resource: string, obj: KubeObject): KubeObject;
  /** The log lines of a pod's container. */
  podLogs(namespace: string, pod: string, container?: string): LogLine[];
  /** Adds a log line to a pod's container. */
  appendPodLog(namespace: string, pod: string, container: string, text: string): void;
  /** Makes the service proxy of `namespace/name` forward to a loopback base URL (or stop, with undefined). */
  setServiceBackend(namespace: string, name: string, url: string | undefined): void;
  /** Answers the next matching requests with an error status (429, 500, 503…). */
  injectFault(rule: FaultRule): void;
  /** Runs the controllers once now (they also run on every change and every resyncMs). */
  reconcile(): void;
  /** Errors thrown inside the controller loop (should stay empty). */
  controllerErrors: unknown[];
  /** Stops the server, ends open watches, removes the kubeconfig folder it created. */
  stop(): Promise<void>;
}

function resourceByName(resource: string): ResourceInfo {
  const info = RESOURCES.find((r) => r.resource === resource);
  if (!info) throw new Error(`the Kubernetes stand-in does not serve ${JSON.stringify(resource)}`);
  return info;
}

/**
 * Starts the Kubernetes API stand-in on 127.0.0.1 (a free port) and writes a kubeconfig (0600, token user,
 * plain http) that kubectl and @kubernetes/client-node accept. Resolves once it is listening.
 * Throws when the port cannot be bound.
 */
export async function startKubernetesStandIn(
  options: KubernetesStandInOptions = {},
): Promise<KubernetesStandIn> {
  const store = new Store();
  const api = new Api(store);
  const controllers = new Controllers(api, options);
  const token = options.token ?? randomBytes(24).toString('hex');
  const requests: RequestRecord[] = [];
  const faults: FaultRule[] = [];
  const serviceBackends = new Map<string, string>();
  const streams = new Set<ServerResponse>();
  let port = 0;
  const tls = options.tls ?? true;
  const ownDir = mkdtempSync(join(tmpdir(), 'gantry-k8s-stand-in-'));
  let caPem = '';
  let keyPem = '';
  if (tls) {
    const keyPath = join(ownDir, 'server.key');
    const certPath = join(ownDir, 'server.crt');
    // A self-signed certificate that is its own CA, for 127.0.0.1 and localhost, valid two days.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=gantry-kubernetes-stand-in',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    caPem = readFileSync(certPath, 'utf8');
    keyPem = readFileSync(keyPath, 'utf8');
  }
  const handler = createHandler({
    api,
    controllers,
    token: tls ? token : '',
    ...(tls && options.authenticate ? { authenticate: options.authenticate } : {}),
    bookmarkIntervalMs: options.watchBookmarkMs ?? 1000,
    requests,
    faults,
    serviceBackends,
    streams,
    address: () => `127.0.0.1:${port}`,
    ...(options.gatewayApi === false ? { hiddenGroups: new Set([GATEWAY_GROUP]) } : {}),
  });
  const server = tls ? createHttpsServer({ key: keyPem, cert: caPem }, handler) : createHttpServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const nsInfo = findResource('', 'v1', 'namespaces')!;
  for (const ns of [
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    ...(options.namespaces ?? []),
  ]) {
    if (!store.get(nsInfo, undefined, ns))
      api.create(
        nsInfo,
        undefined,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        { manager: 'stand-in' },
      );
  }
  api.create(
    findResource('', 'v1', 'nodes')!,
    undefined,
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'stand-in-node',
        labels: { 'kubernetes.io/hostname': 'stand-in-node', 'kubernetes.io/os': 'linux' },
      },
      spec: {},
    },
    { manager: 'stand-in' },
  );
  const nodeInfo = findResource('', 'v1', 'nodes')!;
  api.writeStatus(nodeInfo, store.get(nodeInfo, undefined, 'stand-in-node')!, {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status (stand-in)',
      },
    ],
    nodeInfo: { kubeletVersion: 'v1.32.0-gantry-stand-in', operatingSystem: 'linux', architecture: 'amd64' },
  });
  controllers.start();

  const name = options.contextName ?? 'gantry-stand-in';
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: url,
          ...(tls ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}),
        },
      },
    ],
    users: [{ name, user: tls ? { token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
  const kubeconfigPath = options.kubeconfigPath ?? join(ownDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const podByName = (namespace: string, pod: string): KubeObject => {
    const found = store.get(findResource('', 'v1', 'pods')!, namespace, pod);
    if (!found) throw new Error(`no pod ${namespace}/${pod} in the stand-in`);
    return found;
  };
  const firstContainer = (pod: KubeObject): string =>
    ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? [])[0]?.name ?? '';

  return {
    url,
    caPem,
    kubeconfigPath,
    kubeconfig,
    token,
    requests,
    get connections() {
      return connections;
    },
    get: (resource, namespace, n) =>
      store.get(resourceByName(resource), resourceByName(resource).namespaced ? namespace : undefined, n),
    list: (resource, namespace) => store.list(resourceByName(resource), namespace),
    create: (resource, obj) =>
      api.create(resourceByName(resource), obj.metadata.namespace, obj, { manager: 'stand-in-test' }),
    podLogs: (namespace, pod, container) => {
      const p = podByName(namespace, pod);
      return controllers.podLog(p.metadata.uid ?? '', container ?? firstContainer(p));
    },
    appendPodLog: (namespace, pod, container, text) =>
      controllers.appendLog(podByName(namespace, pod).metadata.uid ?? '', container, text),
    setServiceBackend: (namespace, n, target) => {
      if (target === undefined) serviceBackends.delete(`${namespace}/${n}`);
      else serviceBackends.set(`${namespace}/${n}`, target);
    },
    injectFault: (rule) => void faults.push({ ...rule }),
    reconcile: () => controllers.reconcileAll(),
    controllerErrors: controllers.errors,
    stop: async () => {
      controllers.stop();
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * Images for tests that must behave the same on the stand-in and on a real cluster: `good` and `good2`
 * become ready, `bad` never pulls (ImagePullBackOff), `crash` exits 1 at start (CrashLoopBackOff, a failed
 * Job pod). `job` runs a command and exits 0 (it is given `sh -c <script>`).
 */
export interface TestImages {
  good: string;
  good2: string;
  bad: string;
  crash: string;
  job: string;
}

/** The stand-in's images, named by its readiness-by-image rule (defaultPodFate). */
export const STAND_IN_IMAGES: TestImages = {
  good: 'registry.local/hello:1.0.0',
  good2: 'registry.local/hello:1.1.0',
  bad: 'registry.local/hello:2.0.0-bad',
  crash: 'registry.local/hello-crash:2.0.0',
  job: 'registry.local/migrations:1.0.0',
};

/**
 * Public images for a real cluster (override with GANTRY_TEST_K8S_IMAGES, a JSON object of TestImages
 * fields). `crash` is busybox, whose default command (`sh` without a terminal) exits at once, as a crashing
 * service does.
 */
export const REAL_CLUSTER_IMAGES: TestImages = {
  good: 'registry.k8s.io/pause:3.10',
  good2: 'registry.k8s.io/pause:3.9',
  bad: 'registry.k8s.io/pause:0.0.0-bad-does-not-exist',
  crash: 'busybox:1.36',
  job: 'busybox:1.36',
};

/** A Kubernetes API for a test: a real cluster's kubeconfig, or a running stand-in. */
export interface KubernetesForTests {
  /** Path of the kubeconfig to use. */
  kubeconfigPath: string;
  /** True when it is the stand-in. */
  standIn: boolean;
  /** The stand-in's handles, when it is the stand-in. */
  handle: KubernetesStandIn | undefined;
  /** Images that behave as named on this API (see TestImages). */
  images: TestImages;
  stop(): Promise<void>;
}

/**
 * `GANTRY_TEST_KUBECONFIG` set: the real cluster it names (nothing started; stop() does nothing; images from
 * REAL_CLUSTER_IMAGES or GANTRY_TEST_K8S_IMAGES). Otherwise: startKubernetesStandIn(options). Lets one test
 * file run against both.
 */
export async function kubernetesForTests(
  options: KubernetesStandInOptions = {},
): Promise<KubernetesForTests> {
  const real = process.env.GANTRY_TEST_KUBECONFIG;
  if (real) {
    const override = process.env.GANTRY_TEST_K8S_IMAGES;
    const images = {
      ...REAL_CLUSTER_IMAGES,
      ...(override ? (JSON.parse(override) as Partial<TestImages>) : {}),
    };
    return { kubeconfigPath: real, standIn: false, handle: undefined, images, stop: async () => {} };
  }
  const handle = await startKubernetesStandIn(options);
  return {
    kubeconfigPath: handle.kubeconfigPath,
    standIn: true,
    handle,
    images: STAND_IN_IMAGES,
    stop: () => handle.stop(),
  };
}

export { PROXY_TARGET_ANNOTATION as proxyTargetAnnotation };
