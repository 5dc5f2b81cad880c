/**
 * Build-time stand-in for `undici`, wired through `tsconfig.json` `paths` so ncc does not bundle the
 * real package (≈430 KB minified) into every action.
 *
 * What uses it: `@actions/http-client` builds a `ProxyAgent` in `getAgentDispatcher()` only when an
 * HTTP(S) proxy is configured, and `@actions/github` 9 takes undici's `fetch` as Octokit's default.
 * Here `fetch` is Node's own (Node's fetch *is* undici inside), and `ProxyAgent` can be constructed
 * but not used: Node 24's fetch honours HTTP_PROXY/HTTPS_PROXY itself when `NODE_USE_ENV_PROXY=1` is set.
 */

/**
 * The real undici, for the one user that needs it: @kubernetes/client-node connects to API servers with
 * their own CA and client certificates through an undici `Agent` passed as fetch's `dispatcher`. It is
 * loaded lazily (ncc puts it in a chunk of its own), only when such an Agent is used. The path is
 * client-node's own copy (undici 8), as package-lock.json places it. Only the two modules used are loaded —
 * `lib/dispatcher/agent.js` and `lib/web/fetch/index.js`, undici's `index.js` re-exports — not undici's
 * `index.js`, which also pulls its mock agents, caches, WebSocket and EventSource clients (fetch sends
 * through `dispatcher.dispatch` only, so `index.js`'s `Object.assign(Dispatcher.prototype, api)` is not needed).
 */
interface RealUndici {
  Agent: new (options?: unknown) => { close(): Promise<void> };
  fetch: (input: unknown, init?: unknown) => Promise<unknown>;
}
let realUndici: Promise<RealUndici> | undefined;
function loadRealUndici(): Promise<RealUndici> {
  realUndici ??= Promise.all([
    // @ts-expect-error -- undici ships types for its index only; this is its Agent class (module.exports)
    import('../../node_modules/@kubernetes/client-node/node_modules/undici/lib/dispatcher/agent.js'),
    // @ts-expect-error -- undici ships types for its index only; module.exports = { fetch, … }
    import('../../node_modules/@kubernetes/client-node/node_modules/undici/lib/web/fetch/index.js'),
  ]).then(([agent, fetch]: [{ default: RealUndici['Agent'] }, { default: Pick<RealUndici, 'fetch'> }]) => ({
    Agent: agent.default,
    fetch: fetch.default.fetch,
  }));
  return realUndici;
}

const sharedAgents = new Map<string, unknown>();

/**
 * undici's `Agent` (connection options: TLS CA, client certificate…), built from the real undici on first
 * use by {@link fetch}. Constructing it loads nothing.
 */
export class Agent {
  readonly options: unknown;
  private real: Promise<unknown> | undefined;
  constructor(options?: unknown) {
    this.options = options;
  }
  /**
   * The real undici Agent for these options, shared by every Agent built with the same options:
   * client-node builds a new Agent for each request, and sharing one keeps its connections (no new TLS
   * handshake per request). Idle connections do not keep the process alive (undici unrefs them).
   */
  dispatcher(): Promise<unknown> {
    const key = JSON.stringify(this.options) ?? '';
    this.real ??= loadRealUndici().then((undici) => {
      let shared = sharedAgents.get(key);
      if (shared === undefined) {
        shared = new undici.Agent(this.options);
        sharedAgents.set(key, shared);
      }
      return shared;
    });
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
