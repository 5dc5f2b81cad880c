/**
 * Build-time stand-in for `openid-client` (with oauth4webapi, ≈ 150 KB before minifying), wired through
 * `tsconfig.json` `paths`. @kubernetes/client-node's `oidc_auth.js` uses it only to *refresh* an expired
 * `id-token` of a kubeconfig user with the legacy `auth-provider: oidc` (kubectl's replacement is an `exec`
 * credential plugin such as kubelogin, which Gantry supports). A still-valid `id-token` works without it;
 * a refresh throws, naming the feature.
 */
import { unsupported } from './unsupported.ts';

const REFRESH = unsupported(
  "refreshing an expired id-token of the kubeconfig's oidc auth-provider",
  'openid-client',
  'Give a kubeconfig whose user is an exec credential plugin (e.g. kubelogin) or a token, or a fresh id-token.',
);

/** Stand-in for openid-client's `customFetch` symbol (read when building discovery options). */
export const customFetch: unique symbol = Symbol('openid-client.customFetch');

/** @throws Error always, naming the unsupported feature. */
export function discovery(): Promise<never> {
  return Promise.reject(REFRESH);
}

/** @throws Error always, naming the unsupported feature. */
export function refreshTokenGrant(): Promise<never> {
  return Promise.reject(REFRESH);
}
