/**
 * Build-time stand-in for `undici`, wired through `tsconfig.json` `paths` so ncc does not bundle the
 * real package (≈430 KB minified) into every action.
 *
 * What uses it: `@actions/http-client` builds a `ProxyAgent` in `getAgentDispatcher()` only when an
 * HTTP(S) proxy is configured, and `@actions/github` 9 takes undici's `fetch` as Octokit's default.
 * Here `fetch` is Node's own (Node's fetch *is* undici inside), and `ProxyAgent` can be constructed
 * but not used: Node 24's fetch honours HTTP_PROXY/HTTPS_PROXY itself when `NODE_USE_ENV_PROXY=1` is set.
 */

/** The two parts of the real undici that {@link Agent} needs (see undici-real.ts). */
export interface RealUndici {
  Agent: new (options?: unknown) => { close(): Promise<void> };
  fetch: (input: unknown, init?: unknown) => Promise<unknown>;
}

let realUndiciLoader: (() => Promise<RealUndici>) | undefined;
let realUndici: Promise<RealUndici> | undefined;

/**
 * Installs the loader of the real undici (undici-real.ts `loadRealUndici`). The narrowed Kubernetes
 * client (kubernetes-client-node.ts), the one user of {@link Agent}, calls it: the lazy `import()` of the
 * real undici then lives in the Kubernetes client's chunk, and the other actions, which import this module
 * for `fetch` and `ProxyAgent` only, cannot reach it.
 * @param loader resolves to the real undici's `Agent` and `fetch`
 */
export function registerRealUndici(loader: () => Promise<RealUndici>): void {
  realUndiciLoader = loader;
}

function loadRealUndici(): Promise<RealUndici> {
  const loader = realUndiciLoader;
  if (loader === undefined)
    return Promise.reject(
      new Error(
        'This Gantry action was bundled without the real undici: an undici Agent (custom TLS settings) is ' +
          'only available to the Kubernetes client (shared/stubs/kubernetes-client-node.ts registers it).',
      ),
    );
  realUndici ??= loader();
  return realUndici;
}

/**
 * undici's `Agent` (connection options: TLS CA, client certificate…), built from the real undici on first
 * use by {@link fetch}. Constructing it loads nothing. One Agent keeps its connections alive across requests;
 * client-node builds an Agent per request, and shared/src/kubernetes/connection.ts (`shareDispatcher`)
 * makes every request and watch of a kubeconfig use the first one.
 */
export class Agent {
  readonly options: unknown;
  private real: Promise<unknown> | undefined;
  constructor(options?: unknown) {
    this.options = options;
  }
  /** The real undici Agent for these options, made on first use. */
  dispatcher(): Promise<unknown> {
    this.real ??= loadRealUndici().then((undici) => new undici.Agent(this.options));
    return this.real;
  }
  /** Closes the real Agent's connections, if one was made. */
  async close(): Promise<void> {
    if (this.real !== undefined) await ((await this.real) as { close(): Promise<void> }).close();
  }
}

/**
 * Node's global fetch (undici inside Node), standing in for undici's export of the same name — except
 * when the request names an {@link Agent} as its dispatcher: then the real undici's fetch sends it.
 */
export const fetch: typeof globalThis.fetch = async (input, init) => {
  const dispatcher = (init as { dispatcher?: unknown } | undefined)?.dispatcher;
  if (dispatcher instanceof Agent) {
    const undici = await loadRealUndici();
    const real = await dispatcher.dispatcher();
    return (await undici.fetch(input, { ...(init as object), dispatcher: real })) as Response;
  }
  return globalThis.fetch(input, init);
};

/**
 * Inert stand-in for undici's ProxyAgent: constructing it is harmless (libraries build one eagerly
 * when a proxy variable is set); dispatching through it throws, naming the way out.
 */
export class ProxyAgent {
  readonly options: unknown;
  constructor(options?: unknown) {
    this.options = options;
  }
  /** @throws Error always: this bundle has no proxy dispatcher. */
  dispatch(): never {
    throw new Error(
      'This Gantry action was bundled without undici, so it has no proxy dispatcher. ' +
        'Node 24 honours HTTP_PROXY/HTTPS_PROXY for fetch when NODE_USE_ENV_PROXY=1 is set.',
    );
  }
}
