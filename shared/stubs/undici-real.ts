/**
 * The real undici, for the one user that needs it: @kubernetes/client-node connects to API servers with
 * their own CA and client certificates through an undici `Agent` passed as fetch's `dispatcher`. The
 * stand-in's `Agent` (undici.ts) loads it through this module, lazily (ncc puts it in a chunk of its own),
 * only when such an Agent is used; kubernetes-client-node.ts installs it with `registerRealUndici`.
 *
 * The path is client-node's own copy (undici 8), as package-lock.json places it. Only the two modules used
 * are loaded — `lib/dispatcher/agent.js` and `lib/web/fetch/index.js`, which undici's `index.js`
 * re-exports — not `index.js` itself, which also pulls its mock agents, caches, WebSocket and EventSource
 * clients (fetch sends through `dispatcher.dispatch` only, so `index.js`'s
 * `Object.assign(Dispatcher.prototype, api)` is not needed).
 */
import type { RealUndici } from './undici.ts';

/**
 * Loads the real undici's `Agent` class and `fetch` function.
 * @returns `{ Agent, fetch }` from undici 8's own modules
 */
export async function loadRealUndici(): Promise<RealUndici> {
  const [agent, fetch] = (await Promise.all([
    // @ts-expect-error -- undici ships types for its index only; this module's export is its Agent class
    import('../../node_modules/@kubernetes/client-node/node_modules/undici/lib/dispatcher/agent.js'),
    // @ts-expect-error -- undici ships types for its index only; module.exports = { fetch, … }
    import('../../node_modules/@kubernetes/client-node/node_modules/undici/lib/web/fetch/index.js'),
  ])) as [{ default: RealUndici['Agent'] }, { default: Pick<RealUndici, 'fetch'> }];
  return { Agent: agent.default, fetch: fetch.default.fetch };
}
