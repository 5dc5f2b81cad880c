export const id = 395;
export const ids = [395];
export const modules = {

/***/ 1395:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseVaultReference: () => (/* binding */ parseVaultReference),
/* harmony export */   resetVaultSession: () => (/* binding */ resetVaultSession),
/* harmony export */   resolveVaultReference: () => (/* binding */ resolveVaultReference)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9275);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3904);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(397);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9214);
/**
 * HashiCorp Vault secret references for every action's secret inputs: `vault:<path>#<key>`, read with
 * `node-vault` (https://github.com/nodevault/node-vault).
 *
 * - Connection: `VAULT_ADDR`, `VAULT_NAMESPACE` (Enterprise namespaces).
 * - Auth, first that applies: `VAULT_TOKEN`; else GitHub OIDC through the JWT auth method
 *   (https://developer.hashicorp.com/vault/docs/auth/jwt) with `VAULT_ROLE`, the runner's ID token from
 *   `core.getIDToken(VAULT_JWT_AUDIENCE)` and mount `VAULT_AUTH_MOUNT` (default `jwt`); else AppRole
 *   (https://developer.hashicorp.com/vault/docs/auth/approle) with `VAULT_ROLE_ID`/`VAULT_SECRET_ID` and mount
 *   `VAULT_APPROLE_MOUNT` (default `approle`).
 * - Secrets: KV v2 (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2, response `data.data`) by
 *   its API path (`secret/data/app`) or its logical path (`secret/app`, `data/` inserted after the mount when
 *   the first read is a 404), and KV v1 (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1,
 *   response `data`).
 *
 * Importing this module registers the `vault` resolver with `secrets.ts`; `resolveSecret` imports it lazily the
 * first time it meets a `vault:` reference, so actions that never see one do not load node-vault.
 * Errors name the reference's path and key, never a value; tokens obtained by login are masked.
 */




/**
 * Parses a reference.
 * @param reference e.g. `vault:secret/data/app/db#password`
 * @throws ConfigurationError naming the input when the reference has no path or no `#key`
 */
function parseVaultReference(reference, input = 'secret') {
    const match = /^vault:\/*([^#]+?)\/*#(.+)$/.exec(reference.trim());
    if (match === null || match[1] === undefined || match[2] === undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Input '${input}' is a vault: reference but not of the form vault:<path>#<key> (e.g. vault:secret/data/app/db#password)`);
    }
    return { path: match[1], key: match[2] };
}
let session;
/** Forgets the logged-in client (tests change the environment between cases). */
function resetVaultSession() {
    session = undefined;
}
function statusOf(error) {
    const status = error?.response?.statusCode;
    return typeof status === 'number' ? status : undefined;
}
/** Vault is sealed/standby/overloaded (5xx, 429) or the connection failed: worth another try (reads and logins are idempotent). */
function isTransient(error) {
    const status = statusOf(error);
    if (status !== undefined)
        return status >= 500 || status === 429;
    const code = error?.code;
    return (typeof code === 'string' &&
        /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EPIPE|ECONNABORTED)$/.test(code));
}
/** Runs a Vault call, retried on transient failures (4 attempts, backoff from 500 ms; GANTRY_RETRY_DELAY_SCALE). */
function withRetry(call) {
    return (0,_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .retry */ .L5)(call, { attempts: 4, baseDelayMs: 500, maxDelayMs: 5000, shouldRetry: isTransient });
}
function vaultErrorText(error) {
    const status = statusOf(error);
    return status === undefined ? (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeThrown */ .YI)(error) : `HTTP ${status}`;
}
async function login(logger) {
    const endpoint = process.env['VAULT_ADDR'];
    if (endpoint === undefined || endpoint === '') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1('A vault: reference needs VAULT_ADDR (the Vault server URL) in the environment');
    }
    const { default: createClient } = (await __webpack_require__.e(/* import() */ 96).then(__webpack_require__.t.bind(__webpack_require__, 8096, 23)));
    const namespace = process.env['VAULT_NAMESPACE'];
    const token = process.env['VAULT_TOKEN'];
    const client = createClient({
        endpoint: endpoint.replace(/\/+$/, ''),
        ...(namespace ? { namespace } : {}),
        ...(token ? { token } : {}),
        requestOptions: { timeout: 30_000 },
    });
    if (token) {
        logger.mask(token);
        return client;
    }
    const role = process.env['VAULT_ROLE'];
    const roleId = process.env['VAULT_ROLE_ID'];
    if (role) {
        const mount = process.env['VAULT_AUTH_MOUNT'] || 'jwt';
        let jwt;
        try {
            jwt = await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getIDToken */ .V9(process.env['VAULT_JWT_AUDIENCE'] || undefined);
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Vault JWT login needs the runner's OIDC token (add "permissions: id-token: write" to the job): ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeThrown */ .YI)(error)}`);
        }
        logger.mask(jwt);
        try {
            await withRetry(() => client.jwtLogin({ role, jwt, mount_point: mount }));
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Vault JWT login as role ${role} at auth/${mount} failed: ${vaultErrorText(error)}`);
        }
    }
    else if (roleId) {
        const mount = process.env['VAULT_APPROLE_MOUNT'] || 'approle';
        const secretId = process.env['VAULT_SECRET_ID'];
        if (secretId)
            logger.mask(secretId);
        try {
            await withRetry(() => client.approleLogin({
                role_id: roleId,
                ...(secretId ? { secret_id: secretId } : {}),
                mount_point: mount,
            }));
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Vault AppRole login at auth/${mount} failed: ${vaultErrorText(error)}`);
        }
    }
    else {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1('A vault: reference needs Vault credentials: VAULT_TOKEN, or VAULT_ROLE (GitHub OIDC/JWT), or VAULT_ROLE_ID and VAULT_SECRET_ID (AppRole)');
    }
    if (client.token)
        logger.mask(client.token);
    return client;
}
function kvData(body) {
    const data = body?.data;
    if (data === null || typeof data !== 'object')
        return undefined;
    const inner = data.data;
    // KV v2 wraps the secret in data.data next to data.metadata; KV v1 returns it as data.
    if (inner !== null && typeof inner === 'object' && 'metadata' in data)
        return inner;
    return data;
}
/**
 * Resolves a `vault:<path>#<key>` reference to the key's value.
 * @param reference the input's raw value
 * @param input     the input's name, for errors
 * @returns the value (strings as they are; other JSON values serialised)
 * @throws ConfigurationError naming the path (and key) when Vault is not configured, login fails, the path
 *         cannot be read or has no such key — never the value
 */
async function resolveVaultReference(reference, input, logger) {
    const { path, key } = parseVaultReference(reference, input);
    session ??= login(logger);
    let client;
    try {
        client = await session;
    }
    catch (error) {
        session = undefined;
        throw error;
    }
    let body;
    try {
        body = await withRetry(() => client.read(path));
    }
    catch (error) {
        const segments = path.split('/');
        if (statusOf(error) === 404 && segments.length > 1 && segments[1] !== 'data') {
            const v2 = [segments[0], 'data', ...segments.slice(1)].join('/');
            try {
                body = await withRetry(() => client.read(v2));
            }
            catch {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Input '${input}': cannot read Vault secret at path ${path} (nor ${v2}): ${vaultErrorText(error)}`);
            }
        }
        else {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Input '${input}': cannot read Vault secret at path ${path}: ${vaultErrorText(error)}`);
        }
    }
    const data = kvData(body);
    if (data === undefined || !(key in data)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`Input '${input}': Vault secret at path ${path} has no key ${key}`);
    }
    const value = data[key];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    logger.mask(text);
    return text;
}
(0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecretResolver */ .Uc)('vault', resolveVaultReference);


/***/ })

};
