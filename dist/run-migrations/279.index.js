export const id = 279;
export const ids = [279];
export const modules = {

/***/ 2279:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   flywayInvocation: () => (/* binding */ flywayInvocation),
/* harmony export */   liquibaseInvocation: () => (/* binding */ liquibaseInvocation)
/* harmony export */ });
/* unused harmony export jdbcUrl */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/**
 * `engine: flyway | liquibase`: runs that CLI with the same inputs instead of the builtin engine.
 * Credentials go through the CLIs' environment variables (`FLYWAY_USER`/`FLYWAY_PASSWORD`,
 * `LIQUIBASE_COMMAND_USERNAME`/`LIQUIBASE_COMMAND_PASSWORD`), never on the command line where `ps` shows them.
 *
 * Flyway options: https://documentation.red-gate.com/fd/parameters-224919673.html (CLI `-key=value`).
 * Liquibase options: https://docs.liquibase.com/parameters/home.html (CLI `--kebab-case=value`).
 */

/**
 * The JDBC URL for a database URL: `jdbc:postgresql://host:port/db?…`, `jdbc:mysql://…`, `jdbc:mariadb://…`;
 * user and password are left out (they go through the environment).
 */
function jdbcUrl(url) {
    const host = url.host.includes(':') ? `[${url.host}]` : url.host;
    const query = url.params.toString();
    return `jdbc:${url.flavour}://${host}:${url.port}/${encodeURIComponent(url.database)}${query === '' ? '' : `?${query}`}`;
}
/**
 * Flyway CLI arguments for the inputs.
 * @param workspace absolute folder the `locations` are relative to
 * @returns the invocation; `dry-run` runs `info` (Flyway's dry run is a Teams/Enterprise feature)
 */
function flywayInvocation(inputs, workspace) {
    const notes = [];
    const url = inputs['database-url'];
    const args = [
        `-url=${jdbcUrl(url)}`,
        `-locations=${inputs.locations.map((l) => `filesystem:${node_path__WEBPACK_IMPORTED_MODULE_0___default().resolve(workspace, l.replace(/^filesystem:/, ''))}`).join(',')}`,
        `-table=${inputs.table}`,
    ];
    if (inputs.schema !== '')
        args.push(`-schemas=${inputs.schema}`);
    if (inputs.target !== undefined)
        args.push(`-target=${inputs.target.text}`);
    if (inputs['out-of-order'])
        args.push('-outOfOrder=true');
    if (inputs['baseline-on-migrate'])
        args.push('-baselineOnMigrate=true');
    args.push(`-baselineVersion=${inputs['baseline-version'].text}`);
    args.push(`-baselineDescription=${inputs['baseline-description']}`);
    if (!inputs['placeholder-replacement'])
        args.push('-placeholderReplacement=false');
    for (const [key, value] of inputs.placeholders)
        args.push(`-placeholders.${key}=${value}`);
    // Flyway retries the lock once a second, lockRetryCount times.
    args.push(`-lockRetryCount=${Math.max(0, Math.ceil(inputs['lock-timeout'] / 1000))}`);
    if (inputs['installed-by'] !== '')
        args.push(`-installedBy=${inputs['installed-by']}`);
    args.push('-outputType=json');
    let command = inputs.command;
    if (inputs['dry-run']) {
        notes.push('dry-run: Flyway Community has no dry run; ran `info` instead, which changes nothing');
        command = 'info';
    }
    args.push(command);
    const env = {};
    if (url.user !== '')
        env['FLYWAY_USER'] = url.user;
    if (url.password !== '')
        env['FLYWAY_PASSWORD'] = url.password;
    return { program: 'flyway', args, env, notes };
}
const LIQUIBASE_COMMANDS = {
    migrate: 'update',
    validate: 'validate',
    info: 'status',
    baseline: 'changelog-sync',
    repair: 'clear-checksums',
};
/**
 * Liquibase CLI arguments for the inputs. `locations` names the changelog file (its first entry);
 * the history table is Liquibase's own DATABASECHANGELOG (named by `table` when set to something else
 * than Flyway's default).
 * @returns the invocation; `dry-run` runs `update-sql` (prints the SQL, changes nothing)
 */
function liquibaseInvocation(inputs, workspace) {
    const notes = [];
    const url = inputs['database-url'];
    const changelog = node_path__WEBPACK_IMPORTED_MODULE_0___default().resolve(workspace, (inputs.locations[0] ?? 'db/changelog.xml').replace(/^filesystem:/, ''));
    const args = [
        `--url=${jdbcUrl(url)}`,
        `--changelog-file=${node_path__WEBPACK_IMPORTED_MODULE_0___default().basename(changelog)}`,
        `--search-path=${node_path__WEBPACK_IMPORTED_MODULE_0___default().dirname(changelog)}`,
    ];
    if (inputs.table !== 'flyway_schema_history')
        args.push(`--database-changelog-table-name=${inputs.table}`);
    else
        notes.push('table: Liquibase keeps its own DATABASECHANGELOG table, not flyway_schema_history');
    if (inputs.schema !== '')
        args.push(`--default-schema-name=${inputs.schema}`, `--liquibase-schema-name=${inputs.schema}`);
    for (const [key, value] of inputs.placeholders)
        args.push(`-D${key}=${value}`);
    const minutes = Math.max(1, Math.ceil(inputs['lock-timeout'] / 60_000));
    args.push(`--change-log-lock-wait-time-in-minutes=${minutes}`);
    let command = LIQUIBASE_COMMANDS[inputs.command];
    if (inputs['dry-run'] && inputs.command === 'migrate')
        command = 'update-sql';
    else if (inputs['dry-run'])
        notes.push(`dry-run: ${inputs.command} runs as ${command}`);
    if (inputs.command === 'info')
        args.push(command, '--verbose');
    else
        args.push(command);
    if (inputs.target !== undefined && inputs.command === 'migrate') {
        notes.push('target: Liquibase has no version target; use update-to-tag with a tagged changelog');
    }
    if (inputs['out-of-order'])
        notes.push('out-of-order: Liquibase always runs changesets not yet applied');
    const env = {};
    if (url.user !== '')
        env['LIQUIBASE_COMMAND_USERNAME'] = url.user;
    if (url.password !== '')
        env['LIQUIBASE_COMMAND_PASSWORD'] = url.password;
    return { program: 'liquibase', args, env, notes };
}


/***/ })

};
