export const id = 183;
export const ids = [183];
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

/***/ 4183:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openMysql: () => (/* binding */ openMysql)
/* harmony export */ });
/* harmony import */ var _shared_src_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3904);
/* harmony import */ var _lock_key_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9706);


const quote = (identifier) => `\`${identifier.replace(/`/g, '``')}\``;
/**
 * Connects to MySQL/MariaDB and returns the engine's database.
 * @throws the driver's error when the connection fails
 */
async function openMysql(options) {
    const mysql = await __webpack_require__.e(/* import() */ 588).then(__webpack_require__.t.bind(__webpack_require__, 7588, 19));
    const connection = await mysql.createConnection({
        uri: options.url,
        multipleStatements: true,
        connectTimeout: options.connectTimeoutMs,
        dateStrings: false,
        supportBigNumbers: true,
    });
    connection.on('error', () => undefined);
    const [rows] = await connection.query("SELECT SUBSTRING_INDEX(USER(), '@', 1) AS user, DATABASE() AS db");
    const session = rows[0];
    const schema = options.schema || session.db || '';
    if (options.schema !== '' && options.schema !== session.db) {
        await connection.query(`CREATE DATABASE IF NOT EXISTS ${quote(schema)}`);
        await connection.query(`USE ${quote(schema)}`);
    }
    return new MysqlDatabase(connection, session.user, session.db ?? schema, schema, options.table);
}
class MysqlDatabase {
    engine = 'mysql';
    ddlIsTransactional = false;
    user;
    database;
    schema;
    table;
    connection;
    qualified;
    locked = false;
    constructor(connection, user, database, schema, table) {
        this.connection = connection;
        this.user = user;
        this.database = database;
        this.schema = schema;
        this.table = table;
        this.qualified = `${quote(schema)}.${quote(table)}`;
    }
    async lock(timeoutMs) {
        const name = (0,_lock_key_js__WEBPACK_IMPORTED_MODULE_1__/* .mysqlLockName */ .vD)(this.qualified);
        const deadline = Date.now() + timeoutMs;
        let delay = 50;
        for (;;) {
            const [rows] = await this.connection.query('SELECT GET_LOCK(?, 0) AS locked', [name]);
            if (Number(rows[0]?.['locked']) === 1) {
                this.locked = true;
                return;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new _shared_src_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .TimeoutError */ .MU(`Another migration run holds the lock on ${this.schema}.${this.table} (MySQL GET_LOCK '${name}'); ` +
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
        await this.connection.query('SELECT RELEASE_LOCK(?)', [(0,_lock_key_js__WEBPACK_IMPORTED_MODULE_1__/* .mysqlLockName */ .vD)(this.qualified)]);
    }
    async historyExists() {
        const [rows] = await this.connection.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [this.schema, this.table]);
        return Number(rows[0]?.['n']) > 0;
    }
    async createHistory() {
        // Flyway's flyway-mysql createMetaDataTable.sql, table and index names included.
        await this.connection.query(`CREATE TABLE IF NOT EXISTS ${this.qualified} (
    \`installed_rank\` INT NOT NULL,
    \`version\` VARCHAR(50),
    \`description\` VARCHAR(200) NOT NULL,
    \`type\` VARCHAR(20) NOT NULL,
    \`script\` VARCHAR(1000) NOT NULL,
    \`checksum\` INT,
    \`installed_by\` VARCHAR(100) NOT NULL,
    \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    \`execution_time\` INT NOT NULL,
    \`success\` BOOL NOT NULL,
    CONSTRAINT ${quote(`${this.table}_pk`)} PRIMARY KEY (\`installed_rank\`)
) ENGINE=InnoDB;
CREATE INDEX ${quote(`${this.table}_s_idx`)} ON ${this.qualified} (\`success\`);`);
    }
    async schemaIsEmpty() {
        const [rows] = await this.connection.query(`SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name <> ?)
            + (SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = ?)
            + (SELECT COUNT(*) FROM information_schema.events WHERE event_schema = ?) AS n`, [this.schema, this.table, this.schema, this.schema]);
        return Number(rows[0]?.['n']) === 0;
    }
    async readHistory() {
        const [rows] = await this.connection.query(`SELECT * FROM ${this.qualified} ORDER BY \`installed_rank\``);
        return rows.map((row) => ({
            installedRank: Number(row['installed_rank']),
            version: row['version'] ?? null,
            description: String(row['description']),
            type: String(row['type']),
            script: String(row['script']),
            checksum: row['checksum'] === null ? null : Number(row['checksum']),
            installedBy: String(row['installed_by']),
            installedOn: row['installed_on'],
            executionTime: Number(row['execution_time']),
            success: Number(row['success']) === 1,
        }));
    }
    async insertRow(row) {
        await this.connection.query(`INSERT INTO ${this.qualified}
         (\`installed_rank\`, \`version\`, \`description\`, \`type\`, \`script\`, \`checksum\`, \`installed_by\`,
          \`execution_time\`, \`success\`)
       SELECT COALESCE(MAX(\`installed_rank\`), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM ${this.qualified}`, [
            row.version,
            row.description.slice(0, 200),
            row.type,
            row.script.slice(0, 1000),
            row.checksum,
            row.installedBy.slice(0, 100),
            row.executionTime,
            row.success ? 1 : 0,
        ]);
    }
    /**
     * Records the migration as failed (`success = 0`) before running it and marks it successful afterwards, so a
     * run that dies half-way (killed connection, cancelled job) leaves the same trace as a failure Flyway records:
     * the next run refuses to continue until `repair`. DDL commits implicitly on MySQL, so nothing else can tell
     * which of the script's statements ran.
     */
    async applyMigration(sql, row, options) {
        await this.insertRow({ ...row, executionTime: 0, success: false });
        const [ranks] = await this.connection.query(`SELECT MAX(\`installed_rank\`) AS r FROM ${this.qualified}`);
        const rank = Number(ranks[0]?.['r']);
        const started = performance.now();
        const finish = (executionTime, success) => this.connection.query(`UPDATE ${this.qualified} SET \`execution_time\` = ?, \`success\` = ? WHERE \`installed_rank\` = ?`, [executionTime, success ? 1 : 0, rank]);
        if (options.transactional)
            await this.connection.query('START TRANSACTION');
        try {
            await this.connection.query(sql);
        }
        catch (error) {
            if (options.transactional)
                await this.connection.query('ROLLBACK').catch(() => undefined);
            await finish(Math.round(performance.now() - started), false).catch(() => undefined);
            throw error;
        }
        const executionTime = Math.round(performance.now() - started);
        await finish(executionTime, true);
        if (options.transactional)
            await this.connection.query('COMMIT');
        return executionTime;
    }
    async deleteFailedRows() {
        const [result] = await this.connection.query(`DELETE FROM ${this.qualified} WHERE \`success\` = 0`);
        return result.affectedRows;
    }
    async updateRow(installedRank, fields) {
        await this.connection.query(`UPDATE ${this.qualified} SET \`checksum\` = ?, \`description\` = ? WHERE \`installed_rank\` = ?`, [fields.checksum, fields.description, installedRank]);
    }
    needsNoTransaction() {
        return false;
    }
    async close() {
        await this.connection.end().catch(() => undefined);
    }
}


/***/ })

};
