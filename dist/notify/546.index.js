export const id = 546;
export const ids = [546];
export const modules = {

/***/ 2546:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ProxyAgent: () => (/* binding */ ProxyAgent),
/* harmony export */   fetch: () => (/* binding */ fetch)
/* harmony export */ });
/**
 * Build-time stand-in for `undici`, wired through `tsconfig.json` `paths` so ncc does not bundle the
 * real package (≈430 KB minified) into every action.
 *
 * What uses it: `@actions/http-client` builds a `ProxyAgent` in `getAgentDispatcher()` only when an
 * HTTP(S) proxy is configured, and `@actions/github` 9 takes undici's `fetch` as Octokit's default.
 * Here `fetch` is Node's own (Node's fetch *is* undici inside), and `ProxyAgent` can be constructed
 * but not used: Node 24's fetch honours HTTP_PROXY/HTTPS_PROXY itself when `NODE_USE_ENV_PROXY=1` is set.
 */
/** Node's global fetch (undici inside Node), standing in for undici's export of the same name. */
const fetch = (...args) => globalThis.fetch(...args);
/**
 * Inert stand-in for undici's ProxyAgent: constructing it is harmless (libraries build one eagerly
 * when a proxy variable is set); dispatching through it throws, naming the way out.
 */
class ProxyAgent {
    options;
    constructor(options) {
        this.options = options;
    }
    /** @throws Error always: this bundle has no proxy dispatcher. */
    dispatch() {
        throw new Error('This Gantry action was bundled without undici, so it has no proxy dispatcher. ' +
            'Node 24 honours HTTP_PROXY/HTTPS_PROXY for fetch when NODE_USE_ENV_PROXY=1 is set.');
    }
}


/***/ })

};
