/**
 * `@actions/core`, with the runner's unmasked files behind one choke point.
 *
 * The runner masks registered secrets in the log only: step outputs (`GITHUB_OUTPUT`) and the job summary
 * (`GITHUB_STEP_SUMMARY`) are files it copies as they are. So every import of `@actions/core` in Gantry —
 * the actions, the shared runtime and the bundled libraries alike — resolves here (`tsconfig.json` `paths`
 * for the build and the type check, `vitest.config.ts` `resolve.alias` for the tests), and this module
 * re-exports the real package with three functions changed:
 * - {@link setOutput} passes the value through `output.ts` `redact` (every registered secret, each line of
 *   a multi-line secret and each JSON leaf, as `secrets.ts` `maskSecret` registers them, becomes `***`);
 * - `summary.write()` redacts the whole summary buffer (raw, JSON- and HTML-escaped forms of each secret)
 *   just before it reaches the file, whatever `add…` call put a secret there;
 * - {@link setSecret} also records the value in the process's mask list, so a value masked directly with
 *   `core.setSecret` is redacted from outputs and the summary too.
 * An action therefore cannot forget: `core.setOutput(name, secret)` writes `***`.
 *
 * Upstream: https://github.com/actions/toolkit/tree/main/packages/core (3.x, ES module; `setOutput` →
 * `issueFileCommand('OUTPUT', …)`, `summary` is one shared `Summary` instance). The real module is imported
 * by its file path, which no alias maps, so there is one instance of it in the process.
 */
import * as real from '../../node_modules/@actions/core/lib/core.js';
import { redact, registerMask } from './output.ts';

export * from '../../node_modules/@actions/core/lib/core.js';

/**
 * Sets a step output as `@actions/core` does, with every registered secret in the value replaced by `***`.
 * @param name  the output's name (kebab-case, as declared in action.yml)
 * @param value a string as is; anything else as JSON (`@actions/core` `toCommandValue`), then redacted
 */
export function setOutput(name: string, value: unknown): void {
  real.setOutput(name, redact(commandValue(value)));
}

/**
 * Registers a secret with the runner (`::add-mask::`) and in this process's mask list (`registerMask`), so
 * it is masked in the log and redacted from outputs and the summary.
 * @param secret the value to mask; '' is ignored by the mask list
 */
export function setSecret(secret: string): void {
  registerMask(secret);
  real.setSecret(secret);
}

/** `@actions/core`'s `toCommandValue`: strings as is, null/undefined as '', anything else as JSON. */
function commandValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || value instanceof String) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** The job summary: the real shared instance, whose `write` redacts the buffer first (see the module doc). */
export const summary: typeof real.summary = real.summary;

const GUARDED = Symbol.for('gantry.summaryRedacted');
type GuardedSummary = typeof real.summary & { [GUARDED]?: true };
const guarded = summary as GuardedSummary;
if (guarded[GUARDED] !== true) {
  const write = summary.write.bind(summary);
  guarded.write = (options) => {
    const text = summary.stringify();
    summary.emptyBuffer().addRaw(redact(text));
    return write(options);
  };
  guarded[GUARDED] = true;
}
