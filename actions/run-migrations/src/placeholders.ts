/**
 * Flyway placeholder replacement (https://documentation.red-gate.com/fd/placeholders-184127475.html):
 * `${name}` in a script is replaced by the configured value; names are case-insensitive; a placeholder with
 * no value is an error naming it. Built-in `${flyway:…}` placeholders are supplied by the caller. The
 * checksum is taken over the file before replacement, as Flyway does.
 */
import { ConfigurationError } from '../../../shared/src/errors.ts';

const PLACEHOLDER = /\$\{([A-Za-z0-9_.:-]+)\}/g;

/**
 * Replaces every `${name}` in `sql`.
 * @param values placeholder values by name (matched case-insensitively)
 * @param script the script's name, for the error
 * @throws ConfigurationError naming the script and the first placeholder without a value
 */
export function replacePlaceholders(
  sql: string,
  values: ReadonlyMap<string, string>,
  script: string,
): string {
  const lower = new Map([...values].map(([key, value]) => [key.toLowerCase(), value]));
  return sql.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lower.get(name.toLowerCase());
    if (value === undefined) {
      throw new ConfigurationError(
        `${script}: no value provided for placeholder ${whole}; set it in the 'placeholders' input (${name}=value)`,
      );
    }
    return value;
  });
}
