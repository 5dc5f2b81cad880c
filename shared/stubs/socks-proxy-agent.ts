/**
 * Build-time stand-in for `socks-proxy-agent` (and {@link ./socks.ts} for `socks`), wired through
 * `tsconfig.json` `paths`: @kubernetes/client-node's `config.js` imports both for a kubeconfig cluster whose
 * `proxy-url` is `socks5://…` / `socks4://…`, a feature no Gantry action offers. Leaving them out keeps
 * socks, ip-address, smart-buffer and agent-base (≈ 210 KB before minifying) out of dist/. Importing this
 * module is harmless; building an agent throws, naming the feature.
 */
import { unsupported } from './unsupported.ts';

/** What a kubeconfig with a SOCKS proxy-url reaches. */
export const SOCKS_PROXY = unsupported(
  'a SOCKS proxy-url in the kubeconfig',
  'socks-proxy-agent',
  'Give a kubeconfig whose cluster the runner reaches without a SOCKS proxy.',
).message;

/** Stand-in for socks-proxy-agent's `SocksProxyAgent`. */
export class SocksProxyAgent {
  /** @throws Error always, naming the unsupported feature. */
  constructor() {
    throw new Error(SOCKS_PROXY);
  }
}
