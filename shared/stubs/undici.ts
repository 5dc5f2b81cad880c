/**
 * Build-time stand-in for `undici`, wired through `tsconfig.json` `paths` so ncc does not bundle the
 * real package (≈430 KB minified) into every action.
 *
 * Why it is safe: `@actions/core` pulls `undici` in only through `@actions/http-client`, which constructs
 * `ProxyAgent` solely in `getAgentDispatcher()` when an HTTP(S) proxy is configured — a path none of our
 * actions that use this stub take (they call the network with Node's own `fetch`). An action that needs
 * the real package opts out with its own `actions/<name>/tsconfig.json` without this mapping.
 *
 * @throws Error whenever `ProxyAgent` is constructed, naming the way out.
 */
export class ProxyAgent {
  constructor() {
    throw new Error(
      'This Gantry action was bundled without undici, so @actions/http-client cannot build a proxy dispatcher. ' +
        'Node 24 honours HTTP_PROXY/HTTPS_PROXY for fetch when NODE_USE_ENV_PROXY=1 is set.',
    );
  }
}
