export const id = 538;
export const ids = [538];
export const modules = {

/***/ 2538:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseVaultReference: () => (/* binding */ parseVaultReference),
  resetVaultSession: () => (/* binding */ resetVaultSession),
  resolveVaultReference: () => (/* binding */ resolveVaultReference)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var core = __webpack_require__(7031);
// EXTERNAL MODULE: ./shared/src/errors.ts
var errors = __webpack_require__(3904);
;// CONCATENATED MODULE: ./shared/src/retry.ts
/**
 * Retry with exponential backoff and full jitter, honouring a server's Retry-After.
 *
 * Backoff follows the "full jitter" scheme of the AWS Architecture Blog, "Exponential Backoff And
 * Jitter" (2015): delay = random(0, min(maxDelay, base × factor^(attempt-1))). A Retry-After the server
 * sent wins over the computed delay (capped by `maxDelayMs` and the deadline).
 *
 * Test knob: `GANTRY_RETRY_DELAY_SCALE` (a number, default 1) multiplies every delay, so tests shorten
 * waits without skipping retries.
 */

/** Promise-based sleep in milliseconds. */
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
/** The delay multiplier from `GANTRY_RETRY_DELAY_SCALE` (default 1; invalid values count as 1). */
function delayScale() {
    const scale = Number(process.env['GANTRY_RETRY_DELAY_SCALE'] ?? '1');
    return Number.isFinite(scale) && scale >= 0 ? scale : 1;
}
/**
 * The backoff ceiling before jitter for a 1-based attempt: `min(maxDelayMs, baseDelayMs × factor^(attempt-1))`.
 */
function backoffCeiling(attempt, options) {
    const base = options.baseDelayMs ?? 500;
    const max = options.maxDelayMs ?? 20_000;
    return Math.min(max, base * (options.factor ?? 2) ** Math.max(0, attempt - 1));
}
/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @returns milliseconds to wait (≥ 0), or undefined when absent or unparsable
 */
function parseRetryAfter(value, nowMs = Date.now()) {
    if (value === null || value === undefined || value.trim() === '')
        return undefined;
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text))
        return Math.round(Number(text) * 1_000);
    const date = Date.parse(text);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
/** An error that carries the server's requested delay (from Retry-After or a throttling response). */
class RetryableError extends Error {
    retryAfterMs;
    constructor(message, retryAfterMs) {
        super(message);
        this.name = 'RetryableError';
        this.retryAfterMs = retryAfterMs;
    }
}
/**
 * Runs `fn` until it resolves, a failure is not retryable, the attempts are spent or the deadline is
 * near. Rethrows the last error unchanged.
 *
 * @param fn receives the 1-based attempt number
 * @returns what `fn` resolved to
 * @throws the last error `fn` threw
 */
async function retry(fn, options) {
    const random = options.random ?? Math.random;
    const wait = options.sleep ?? sleep;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            const raw = options.shouldRetry === undefined ? true : options.shouldRetry(error, attempt);
            const decision = typeof raw === 'boolean' ? { retry: raw } : raw;
            const retryAfterMs = decision.retryAfterMs ?? (error instanceof RetryableError ? error.retryAfterMs : undefined);
            if (!decision.retry || attempt >= options.attempts)
                throw error;
            const maxDelay = options.maxDelayMs ?? 20_000;
            let delay = retryAfterMs !== undefined
                ? Math.min(retryAfterMs, maxDelay)
                : random() * backoffCeiling(attempt, options);
            delay *= delayScale();
            if (options.deadline !== undefined && Date.now() + delay >= options.deadline)
                throw error;
            options.onRetry?.(error, attempt, delay);
            await wait(delay);
        }
    }
}
/** A one-line "why it failed" for retry logs. */
function retryReason(error) {
    return describeThrown(error);
}

// EXTERNAL MODULE: ./shared/src/secrets.ts
var secrets = __webpack_require__(9214);
;// CONCATENATED MODULE: ./shared/src/vault.ts
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
        throw new errors/* ConfigurationError */.j1(`Input '${input}' is a vault: reference but not of the form vault:<path>#<key> (e.g. vault:secret/data/app/db#password)`);
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
    return retry(call, { attempts: 4, baseDelayMs: 500, maxDelayMs: 5000, shouldRetry: isTransient });
}
function vaultErrorText(error) {
    const status = statusOf(error);
    return status === undefined ? (0,errors/* describeThrown */.YI)(error) : `HTTP ${status}`;
}
async function login(logger) {
    const endpoint = process.env['VAULT_ADDR'];
    if (endpoint === undefined || endpoint === '') {
        throw new errors/* ConfigurationError */.j1('A vault: reference needs VAULT_ADDR (the Vault server URL) in the environment');
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
            jwt = await core/* getIDToken */.V9(process.env['VAULT_JWT_AUDIENCE'] || undefined);
        }
        catch (error) {
            throw new errors/* ConfigurationError */.j1(`Vault JWT login needs the runner's OIDC token (add "permissions: id-token: write" to the job): ${(0,errors/* describeThrown */.YI)(error)}`);
        }
        logger.mask(jwt);
        try {
            await withRetry(() => client.jwtLogin({ role, jwt, mount_point: mount }));
        }
        catch (error) {
            throw new errors/* ConfigurationError */.j1(`Vault JWT login as role ${role} at auth/${mount} failed: ${vaultErrorText(error)}`);
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
            throw new errors/* ConfigurationError */.j1(`Vault AppRole login at auth/${mount} failed: ${vaultErrorText(error)}`);
        }
    }
    else {
        throw new errors/* ConfigurationError */.j1('A vault: reference needs Vault credentials: VAULT_TOKEN, or VAULT_ROLE (GitHub OIDC/JWT), or VAULT_ROLE_ID and VAULT_SECRET_ID (AppRole)');
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
                throw new errors/* ConfigurationError */.j1(`Input '${input}': cannot read Vault secret at path ${path} (nor ${v2}): ${vaultErrorText(error)}`);
            }
        }
        else {
            throw new errors/* ConfigurationError */.j1(`Input '${input}': cannot read Vault secret at path ${path}: ${vaultErrorText(error)}`);
        }
    }
    const data = kvData(body);
    if (data === undefined || !(key in data)) {
        throw new errors/* ConfigurationError */.j1(`Input '${input}': Vault secret at path ${path} has no key ${key}`);
    }
    const value = data[key];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    logger.mask(text);
    return text;
}
(0,secrets/* registerSecretResolver */.Uc)('vault', resolveVaultReference);


/***/ })

};
