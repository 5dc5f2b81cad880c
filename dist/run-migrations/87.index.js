export const id = 87;
export const ids = [87];
export const modules = {

/***/ 8087:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   installCli: () => (/* binding */ installCli)
/* harmony export */ });
/* unused harmony exports cliDownloadUrl, sha256File */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _shared_src_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3904);
/**
 * Installs the Flyway or Liquibase CLI for `engine: flyway | liquibase` when it is not on PATH: a pinned
 * `engine-version` downloaded with `@actions/tool-cache`, its SHA-256 checked against `engine-sha256` before
 * anything is extracted, then cached in the runner's tool cache.
 *
 * Download URLs (Linux x64 archives), overridable for a mirror with `GANTRY_FLYWAY_DOWNLOAD_URL` /
 * `GANTRY_LIQUIBASE_DOWNLOAD_URL` (`{version}` is replaced):
 * - Flyway: https://download.red-gate.com/maven/release/com/redgate/flyway/flyway-commandline/{version}/flyway-commandline-{version}-linux-x64.tar.gz
 *   (archive holds `flyway-{version}/flyway`), per https://documentation.red-gate.com/fd/command-line-184127404.html
 * - Liquibase: https://github.com/liquibase/liquibase/releases/download/v{version}/liquibase-{version}.tar.gz
 *   (archive holds `liquibase` at its root)
 */





const DEFAULT_URLS = {
    flyway: 'https://download.red-gate.com/maven/release/com/redgate/flyway/flyway-commandline/{version}/flyway-commandline-{version}-linux-x64.tar.gz',
    liquibase: 'https://github.com/liquibase/liquibase/releases/download/v{version}/liquibase-{version}.tar.gz',
};
/**
 * The archive URL for a CLI version.
 * @param env the environment (mirror override)
 */
function cliDownloadUrl(program, version, env = process.env) {
    const template = env[`GANTRY_${program.toUpperCase()}_DOWNLOAD_URL`] || DEFAULT_URLS[program];
    return template.replace(/\{version\}/g, encodeURIComponent(version));
}
/**
 * SHA-256 of a file.
 * @returns lower-case hex
 */
async function sha256File(file) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    for await (const chunk of (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}
/**
 * Returns the path of the CLI executable for a pinned version, from the tool cache or downloaded.
 * @param sha256 the expected archive digest (64 hex digits)
 * @throws ConfigurationError when the downloaded archive's digest differs (naming both digests and the URL)
 *         or the archive holds no executable where expected
 */
async function installCli(program, version, sha256, logger) {
    const tc = await __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 9805));
    const executable = (dir) => program === 'flyway' ? node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, `flyway-${version}`, 'flyway') : node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, 'liquibase');
    const cached = tc.find(program, version);
    if (cached !== '' && (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)(executable(cached))) {
        logger.info(`Using ${program} ${version} from the tool cache`);
        return executable(cached);
    }
    const url = cliDownloadUrl(program, version);
    logger.info(`Downloading ${program} ${version} from ${url}`);
    const archive = await tc.downloadTool(url);
    const actual = await sha256File(archive);
    if (actual !== sha256.toLowerCase()) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(archive, { force: true });
        throw new _shared_src_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ConfigurationError */ .j1(`The ${program} ${version} archive from ${url} has SHA-256 ${actual}, not the expected ${sha256.toLowerCase()} ` +
            "(input 'engine-sha256'); nothing was installed");
    }
    const extracted = await tc.extractTar(archive);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(archive, { force: true });
    const dir = await tc.cacheDir(extracted, program, version);
    const program_ = executable(dir);
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)(program_)) {
        throw new _shared_src_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ConfigurationError */ .j1(`The ${program} ${version} archive holds no ${node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(dir, program_)}`);
    }
    return program_;
}


/***/ })

};
