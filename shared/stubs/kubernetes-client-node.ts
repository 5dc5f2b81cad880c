/**
 * Build-time narrowing of `@kubernetes/client-node` (2.x), wired through `tsconfig.json` `paths` (and
 * `vitest.config.ts` `resolve.alias`, so the tests run what ships): every `import('@kubernetes/client-node')`
 * in Gantry gets this module, which re-exports only the values Gantry's Kubernetes code uses, each from the
 * client's own module, and every type of the real package (`export type *`, so type imports are unchanged).
 *
 * Why: the client's barrel (`dist/index.js`) re-exports every API group (≈ 60 generated classes and their
 * request factories) and exec/attach/port-forward/cp, which pull `ws` and `tar-fs`. Imported whole, webpack
 * keeps all of it (3.5 MB minified, dist/ 8.0 MB). Named imports let webpack's used-exports analysis keep
 * only the API groups below, and exec/attach/port-forward/cp (with ws, isomorphic-ws, tar-fs, tar-stream,
 * streamx, stream-buffers) are not reached at all. A value not listed here is a type-check error where it
 * is used as a value ("exported using 'export type'"): add it here when Gantry starts using it.
 *
 * Used by shared/src/kubernetes (connection, apply, rollout, job, rollback) and the tests that drive the
 * stand-in: KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, Log, makeInformer, setHeaderOptions,
 * ApisApi (discovery of API groups: does the cluster serve the Gateway API?) and the AppsV1, BatchV1 and
 * CoreV1 API groups. Module paths follow client-node 2.0.1's `dist/` layout.
 */
import { registerRealUndici } from './undici.ts';
import { loadRealUndici } from './undici-real.ts';

// The client's TLS settings (CA, client certificates) go through an undici Agent: the undici stand-in
// sends those requests with the real undici, which only this module makes reachable.
registerRealUndici(loadRealUndici);

// The barrel's first import: sets the global File (undici 7+ needs it) on Node < 20.
import '../../node_modules/@kubernetes/client-node/dist/polyfill.js';

export type * from '../../node_modules/@kubernetes/client-node/dist/index.js';
export { KubeConfig } from '../../node_modules/@kubernetes/client-node/dist/config.js';
export { KubernetesObjectApi } from '../../node_modules/@kubernetes/client-node/dist/object.js';
export { PatchStrategy } from '../../node_modules/@kubernetes/client-node/dist/patch.js';
export { Watch } from '../../node_modules/@kubernetes/client-node/dist/watch.js';
export { Log } from '../../node_modules/@kubernetes/client-node/dist/log.js';
export { makeInformer } from '../../node_modules/@kubernetes/client-node/dist/informer.js';
export { setHeaderOptions } from '../../node_modules/@kubernetes/client-node/dist/middleware.js';
export {
  ApisApi,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
} from '../../node_modules/@kubernetes/client-node/dist/gen/index.js';
