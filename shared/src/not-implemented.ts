/**
 * The main flow of an action whose behaviour is not built yet: it validates the inputs action.yml
 * marks required (so a bad call fails the way it will later) and then fails with a clear
 * "not implemented yet" error — it never pretends to succeed.
 */
import { NotImplementedError } from './errors.ts';
import { getString } from './inputs.ts';

/**
 * @param action   the action's name, e.g. `build-push`
 * @param required the inputs action.yml marks `required: true`
 * @throws InputError for the first missing required input, else NotImplementedError
 */
export async function notImplemented(action: string, required: string[]): Promise<void> {
  for (const name of required) getString(name, { required: true });
  throw new NotImplementedError(action);
}
