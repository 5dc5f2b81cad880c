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
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number): void => {
    const text = sql.slice(start, end).trim();
    if (stripComments(text).trim() !== '') statements.push(text);
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag === null) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      i = end < 0 ? n : end + tag[0].length;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(n);
  return statements;
}

function stripComments(sql: string): string {
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
export function isNonTransactional(statement: string): boolean {
  const text = stripComments(statement).trim();
  return NON_TRANSACTIONAL.some((pattern) => pattern.test(text));
}
