export const id = 546;
export const ids = [546];
export const modules = {

/***/ 2546:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ProxyAgent: () => (/* binding */ ProxyAgent)
/* harmony export */ });
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
class ProxyAgent {
    constructor() {
        throw new Error('This Gantry action was bundled without undici, so @actions/http-client cannot build a proxy dispatcher. ' +
            'Node 24 honours HTTP_PROXY/HTTPS_PROXY for fetch when NODE_USE_ENV_PROXY=1 is set.');
    }
}


/***/ })

};
