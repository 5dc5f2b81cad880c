export const id = 702;
export const ids = [702];
export const modules = {

/***/ 9706:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   kz: () => (/* binding */ postgresLockKey),
/* harmony export */   vD: () => (/* binding */ mysqlLockName)
/* harmony export */ });
/* unused harmony export javaStringHashCode */
/**
 * The migration lock's name, chosen as Flyway chooses it so a Gantry run and a Flyway run on the same history
 * table exclude each other: the discriminator is Java's `String.hashCode()` of the quoted table name
 * (`Table.toString()`), added to 77431708279161 for PostgreSQL advisory locks
 * (flyway/flyway `PostgreSQLAdvisoryLockTemplate`) and appended to `Flyway-` for MySQL named locks
 * (`MySQLNamedLockTemplate`).
 */
/**
 * Java's `String.hashCode()`: s[0]·31^(n−1) + … + s[n−1] over UTF-16 code units, as a signed 32-bit int.
 * @returns an integer in −2³¹ … 2³¹−1
 */
function javaStringHashCode(text) {
    let hash = 0;
    for (let i = 0; i < text.length; i++)
        hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    return hash;
}
/**
 * PostgreSQL advisory lock key for a history table.
 * @param quotedTable e.g. `"public"."flyway_schema_history"`
 * @returns the bigint key, as a decimal string for a `$1::bigint` parameter
 */
function postgresLockKey(quotedTable) {
    return (77431708279161n + BigInt(javaStringHashCode(quotedTable))).toString();
}
/**
 * MySQL `GET_LOCK` name for a history table (at most 64 characters).
 * @param quotedTable e.g. `` `app`.`flyway_schema_history` ``
 */
function mysqlLockName(quotedTable) {
    return `Flyway-${javaStringHashCode(quotedTable)}`;
}


/***/ }),

/***/ 3702:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openPostgres: () => (/* binding */ openPostgres)
});

// EXTERNAL MODULE: ./shared/src/errors.ts
var errors = __webpack_require__(3904);
// EXTERNAL MODULE: ./actions/run-migrations/src/lock-key.ts
var lock_key = __webpack_require__(9706);
;// CONCATENATED MODULE: ./actions/run-migrations/src/sql-statements.ts
/**
 * Splits a PostgreSQL script into statements and spots those that cannot run inside a transaction block,
 * as Flyway's PostgreSQL parser does (flyway/flyway `flyway-database-postgresql/.../PostgreSQLParser.java`,
 * `detectCanExecuteInTransaction`): `CREATE/DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `VACUUM`,
 * `CREATE/DROP DATABASE`, `CREATE/DROP TABLESPACE`, `ALTER SYSTEM`, `CREATE SUBSCRIPTION`, `DISCARD ALL`.
 * Lexing follows https://www.postgresql.org/docs/current/sql-syntax-lexical.html: '…' and E'…' strings,
 * "…" identifiers, $tag$…$tag$ bodies, -- and nested block comments.
 */
/**
 * Splits SQL text on top-level semicolons.
 * @returns the statements, trimmed, without their terminating `;`, comment-only pieces dropped
 */
function splitStatements(sql) {
    const statements = [];
    let start = 0;
    let i = 0;
    const n = sql.length;
    const push = (end) => {
        const text = sql.slice(start, end).trim();
        if (stripComments(text).trim() !== '')
            statements.push(text);
    };
    while (i < n) {
        const c = sql[i];
        const next = sql[i + 1];
        if (c === '-' && next === '-') {
            const end = sql.indexOf('\n', i);
            i = end < 0 ? n : end + 1;
        }
        else if (c === '/' && next === '*') {
            let depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (sql[i] === '/' && sql[i + 1] === '*') {
                    depth++;
                    i += 2;
                }
                else if (sql[i] === '*' && sql[i + 1] === '/') {
                    depth--;
                    i += 2;
                }
                else
                    i++;
            }
        }
        else if (c === "'" || c === '"') {
            const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '');
            i++;
            while (i < n) {
                if (escapes && sql[i] === '\\')
                    i += 2;
                else if (sql[i] === c && sql[i + 1] === c)
                    i += 2;
                else if (sql[i] === c)
                    break;
                else
                    i++;
            }
            i++;
        }
        else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
            const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
            if (tag === null) {
                i++;
                continue;
            }
            const end = sql.indexOf(tag[0], i + tag[0].length);
            i = end < 0 ? n : end + tag[0].length;
        }
        else if (c === ';') {
            push(i);
            i++;
            start = i;
        }
        else
            i++;
    }
    push(n);
    return statements;
}
function stripComments(sql) {
    return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
const NON_TRANSACTIONAL = [
    /^(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX)\s+CONCURRENTLY\b/i,
    /^REINDEX\b[^;]*\bCONCURRENTLY\b/i,
    /^REINDEX\s+(SCHEMA|DATABASE|SYSTEM)\b/i,
    /^VACUUM\b/i,
    /^(CREATE|DROP)\s+(DATABASE|TABLESPACE)\b/i,
    /^ALTER\s+SYSTEM\b/i,
    /^(CREATE|DROP)\s+SUBSCRIPTION\b/i,
    /^ALTER\s+SUBSCRIPTION\b[^;]*\b(REFRESH|ENABLE|DISABLE)\b/i,
    /^DISCARD\s+ALL\b/i,
];
/**
 * Whether a statement cannot run inside a transaction block on PostgreSQL.
 * @param statement one statement, as returned by {@link splitStatements}
 */
function isNonTransactional(statement) {
    const text = stripComments(statement).trim();
    return NON_TRANSACTIONAL.some((pattern) => pattern.test(text));
}

;// CONCATENATED MODULE: ./actions/run-migrations/src/postgres-database.ts



const quote = (identifier) => `"${identifier.replace(/"/g, '""')}"`;
const BEGIN = 'BEGIN;\n';
/** Makes a server error's `position` (1-based character offset) point into the script, not the prefixed query. */
function shiftPosition(error, by) {
    const holder = error;
    const position = Number(holder?.position);
    if (holder !== null && typeof holder === 'object' && Number.isInteger(position) && position > by) {
        holder.position = String(position - by);
    }
    return error;
}
/**
 * Connects to PostgreSQL and returns the engine's database.
 * @throws the driver's error when the connection fails (the caller names the database, never the URL)
 */
async function openPostgres(options) {
    const { default: pg } = await __webpack_require__.e(/* import() */ 849).then(__webpack_require__.bind(__webpack_require__, 3849));
    const client = new pg.Client({
        connectionString: options.url,
        connectionTimeoutMillis: options.connectTimeoutMs,
        application_name: 'gantry-run-migrations',
    });
    // A terminated backend emits 'error' on the client; the pending query rejects too, which is what we report.
    client.on('error', () => undefined);
    await client.connect();
    const info = await client.query('SELECT current_user AS "user", current_database() AS "database", current_schema() AS "schema"');
    const session = info.rows[0];
    const schema = options.schema || session.schema || 'public';
    if (options.schema !== '') {
        await client.query(`SET search_path TO ${quote(schema)}`);
    }
    return new PostgresDatabase(client, session.user, session.database, schema, options.table);
}
class PostgresDatabase {
    engine = 'postgresql';
    ddlIsTransactional = true;
    user;
    database;
    schema;
    table;
    client;
    qualified;
    locked = false;
    constructor(client, user, database, schema, table) {
        this.client = client;
        this.user = user;
        this.database = database;
        this.schema = schema;
        this.table = table;
        this.qualified = `${quote(schema)}.${quote(table)}`;
    }
    async lock(timeoutMs) {
        const key = (0,lock_key/* postgresLockKey */.kz)(this.qualified);
        const deadline = Date.now() + timeoutMs;
        let delay = 50;
        for (;;) {
            const result = await this.client.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
            if (result.rows[0]?.locked === true) {
                this.locked = true;
                return;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new errors/* TimeoutError */.MU(`Another migration run holds the lock on ${this.schema}.${this.table} (PostgreSQL advisory lock ${key}); ` +
                    `gave up after lock-timeout ${timeoutMs} ms`);
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
            delay = Math.min(delay * 2, 1000);
        }
    }
    async unlock() {
        if (!this.locked)
            return;
        this.locked = false;
        await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [(0,lock_key/* postgresLockKey */.kz)(this.qualified)]);
    }
    async historyExists() {
        const result = await this.client.query('SELECT to_regclass($1)::text AS found', [this.qualified]);
        return result.rows[0]?.found !== null && result.rows[0]?.found !== undefined;
    }
    async createHistory() {
        // Flyway's flyway-database-postgresql createMetaDataTable.sql, table and index names included.
        await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`);
        await this.client.query(`CREATE TABLE IF NOT EXISTS ${this.qualified} (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    CONSTRAINT ${quote(`${this.table}_pk`)} PRIMARY KEY ("installed_rank")
);
CREATE INDEX IF NOT EXISTS ${quote(`${this.table}_s_idx`)} ON ${this.qualified} ("success");`);
    }
    async schemaIsEmpty() {
        const names = [this.table, `${this.table}_pk`, `${this.table}_s_idx`];
        const result = await this.client.query(`SELECT NOT EXISTS (
         SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND NOT (c.relname = ANY($2::text[])))
       AND NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1)
       AND NOT EXISTS (
         SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = $1 AND t.typrelid = 0 AND t.typelem = 0 AND t.typtype IN ('e', 'd', 'r', 'c')) AS empty`, [this.schema, names]);
        return result.rows[0]?.empty === true;
    }
    async readHistory() {
        const result = await this.client.query(`SELECT * FROM ${this.qualified} ORDER BY "installed_rank"`);
        return result.rows.map((row) => ({
            installedRank: row.installed_rank,
            version: row.version,
            description: row.description,
            type: row.type,
            script: row.script,
            checksum: row.checksum,
            installedBy: row.installed_by,
            installedOn: row.installed_on,
            executionTime: row.execution_time,
            success: row.success,
        }));
    }
    insertSql(row, serverExecutionTime = false) {
        // Literals, not parameters, so the insert can share a round trip with the script (simple query protocol).
        const text = (value, max) => value === null ? 'NULL' : this.client.escapeLiteral(value.slice(0, max));
        const int = (value) => (value === null ? 'NULL' : String(Math.trunc(value)));
        // now() is the transaction's start (the BEGIN before the script): the server measures the script's time.
        const executionTime = serverExecutionTime
            ? 'CAST(EXTRACT(EPOCH FROM clock_timestamp() - now()) * 1000 AS INTEGER)'
            : int(row.executionTime);
        return `INSERT INTO ${this.qualified}
         ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
       SELECT COALESCE(MAX("installed_rank"), 0) + 1, ${text(row.version, 50)}, ${text(row.description, 200)},
              ${text(row.type, 20)}, ${text(row.script, 1000)}, ${int(row.checksum)}, ${text(row.installedBy, 100)},
              ${executionTime}, ${row.success ? 'TRUE' : 'FALSE'} FROM ${this.qualified}`;
    }
    async insertRow(row) {
        await this.client.query(this.insertSql(row));
    }
    async applyMigration(sql, row, options) {
        const started = performance.now();
        if (options.transactional) {
            // One round trip: "BEGIN; <script>; <history row>; COMMIT" as one simple query. The server stops at the
            // first failing statement, so on an error nothing after it ran and the transaction is rolled back.
            const query = `${BEGIN}${sql}\n;\n${this.insertSql(row, true)} RETURNING "execution_time";\nCOMMIT;`;
            let results;
            try {
                results = await this.client.query(query);
            }
            catch (error) {
                await this.client.query('ROLLBACK').catch(() => undefined);
                throw shiftPosition(error, BEGIN.length);
            }
            const list = (Array.isArray(results) ? results : [results]);
            const inserted = list.filter((result) => result.command === 'INSERT').at(-1)?.rows?.[0];
            return inserted?.execution_time ?? Math.round(performance.now() - started);
        }
        try {
            for (const statement of splitStatements(sql))
                await this.client.query(statement);
        }
        catch (error) {
            const executionTime = Math.round(performance.now() - started);
            await this.insertRow({ ...row, executionTime, success: false }).catch(() => undefined);
            throw error;
        }
        const executionTime = Math.round(performance.now() - started);
        await this.insertRow({ ...row, executionTime });
        return executionTime;
    }
    async deleteFailedRows() {
        const result = await this.client.query(`DELETE FROM ${this.qualified} WHERE NOT "success"`);
        return result.rowCount ?? 0;
    }
    async updateRow(installedRank, fields) {
        await this.client.query(`UPDATE ${this.qualified} SET "checksum" = $1, "description" = $2 WHERE "installed_rank" = $3`, [fields.checksum, fields.description, installedRank]);
    }
    needsNoTransaction(sql) {
        return splitStatements(sql).some(isNonTransactional);
    }
    async close() {
        await this.client.end().catch(() => undefined);
    }
}


/***/ })

};
