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
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * PostgreSQL advisory lock key for a history table.
 * @param quotedTable e.g. `"public"."flyway_schema_history"`
 * @returns the bigint key, as a decimal string for a `$1::bigint` parameter
 */
export function postgresLockKey(quotedTable: string): string {
  return (77431708279161n + BigInt(javaStringHashCode(quotedTable))).toString();
}

/**
 * MySQL `GET_LOCK` name for a history table (at most 64 characters).
 * @param quotedTable e.g. `` `app`.`flyway_schema_history` ``
 */
export function mysqlLockName(quotedTable: string): string {
  return `Flyway-${javaStringHashCode(quotedTable)}`;
}
