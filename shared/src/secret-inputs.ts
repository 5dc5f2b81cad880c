/**
 * Secret inputs: the one place that wires `vault:<path>#<key>` references to Vault. Actions that take a
 * secret input read it with {@link getSecret} from here; importing this module registers a `vault`
 * resolver that loads `vault.ts` (node-vault) lazily, on the first reference it meets. Actions without
 * secret inputs never import this module, so their bundles have no path to the Vault client.
 */
import * as core from '@actions/core';
import { InputError } from './errors.ts';
import { coreLogger, type Logger } from './logger.ts';
import { registerSecretResolver, resolveSecret } from './secrets.ts';

registerSecretResolver('vault', async (reference, input, logger) => {
  const { resolveVaultReference } = await import('./vault.ts');
  return resolveVaultReference(reference, input, logger);
});

/**
 * Resolves a secret value that may be a `vault:` reference (masking the value and the result); the
 * `resolveSecret` of secrets.ts with Vault registered.
 */
export { resolveSecret };

/**
 * A secret input: masked before anything else happens, and resolved when it is a `vault:<path>#<key>`
 * reference (the resolved value is masked too).
 * @returns the value, or '' when empty and not required
 * @throws InputError when `required` and empty; Vault errors name the reference's path, never the value
 */
export async function getSecret(
  name: string,
  options: { required?: boolean; example?: string; logger?: Logger } = {},
): Promise<string> {
  const value = core.getInput(name, { trimWhitespace: true });
  const logger = options.logger ?? coreLogger;
  if (value === '') {
    if (options.required === true) {
      throw new InputError(
        name,
        'a value is required but none was given',
        options.example ?? '${{ secrets.NAME }}',
      );
    }
    return '';
  }
  return resolveSecret(value, name, logger);
}
