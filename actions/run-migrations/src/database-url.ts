/**
 * Reads the `database-url` input: `postgres://` / `postgresql://` (libpq URI,
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS) or `mysql://` / `mariadb://`.
 * The URL is a secret: errors here describe it without ever quoting it.
 */
import { InputError } from '../../../shared/src/errors.ts';

export type DatabaseEngine = 'postgresql' | 'mysql';

/** The parts of a database URL the engines need. */
export interface DatabaseUrl {
  engine: DatabaseEngine;
  /** `mariadb` when the URL said so (the flyway/liquibase wrappers pick the JDBC driver from it). */
  flavour: 'postgresql' | 'mysql' | 'mariadb';
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Query parameters (`sslmode`, `ssl` …). */
  params: URLSearchParams;
  /** The URL with `mariadb:` read as `mysql:` and `postgresql:` kept, for the drivers. */
  url: string;
}

const EXAMPLE = 'postgres://app:${{ secrets.DB_PASSWORD }}@db.internal:5432/app';

/**
 * Parses a database URL.
 * @throws InputError (for `database-url`) naming what is wrong — the scheme, a missing host or database —
 *         never the value itself
 */
export function parseDatabaseUrl(value: string, input = 'database-url'): DatabaseUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, 'is not a URL (the value is secret and not shown)', EXAMPLE);
  }
  const scheme = url.protocol.replace(/:$/, '');
  let flavour: DatabaseUrl['flavour'];
  if (scheme === 'postgres' || scheme === 'postgresql') flavour = 'postgresql';
  else if (scheme === 'mysql') flavour = 'mysql';
  else if (scheme === 'mariadb') flavour = 'mariadb';
  else {
    throw new InputError(
      input,
      `scheme "${scheme}:" is not postgres://, postgresql://, mysql:// or mariadb://`,
      EXAMPLE,
    );
  }
  if (url.hostname === '') throw new InputError(input, 'has no host', EXAMPLE);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '')
    throw new InputError(input, 'names no database (add /<database> after the host)', EXAMPLE);
  const engine: DatabaseEngine = flavour === 'postgresql' ? 'postgresql' : 'mysql';
  const driverUrl = flavour === 'mariadb' ? `mysql:${value.slice(value.indexOf(':') + 1)}` : value;
  return {
    engine,
    flavour,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (engine === 'postgresql' ? 5432 : 3306) : Number(url.port),
    database,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    params: url.searchParams,
    url: driverUrl,
  };
}
