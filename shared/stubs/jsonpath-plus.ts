/**
 * Build-time stand-in for `jsonpath-plus` (≈ 60 KB before minifying), wired through `tsconfig.json`
 * `paths`. @kubernetes/client-node's `gcp_auth.js` and `azure_auth.js` use it only to read a new token out
 * of the `cmd-path` command's output for a kubeconfig user with the legacy `auth-provider: gcp` / `azure`,
 * which kubectl removed in 1.26 (their replacements, gke-gcloud-auth-plugin and kubelogin, are `exec`
 * credential plugins, which Gantry supports). A still-valid `access-token` works without it; a refresh
 * throws, naming the feature.
 */
import { unsupported } from './unsupported.ts';

/** Stand-in for jsonpath-plus's `JSONPath`. @throws Error always, naming the unsupported feature. */
export function JSONPath(): never {
  throw unsupported(
    "refreshing the access-token of the kubeconfig's gcp or azure auth-provider (removed from kubectl in 1.26)",
    'jsonpath-plus',
    'Use an exec credential plugin (gke-gcloud-auth-plugin, kubelogin) in the kubeconfig instead.',
  );
}
