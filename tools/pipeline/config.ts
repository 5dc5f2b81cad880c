/**
 * The runner's config file (default `tools/pipeline/pipeline.config.yml`): local substitutes for
 * third-party actions and the environments that need an approval. Also reads act-style `.secrets` /
 * `.vars` files (dotenv syntax, as `act --secret-file` reads them).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';

/** A local stand-in for a third-party action: a bash script run like a `run:` step. */
export interface Substitute {
  /** What the substitute does instead of the action (printed when it runs). */
  description: string;
  /**
   * Bash script. It gets the step's `with:` as `INPUT_<NAME>` (runner spelling) and `INPUT_<NAME>` with
   * hyphens as underscores, and writes to GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH like the action would.
   */
  run: string;
}

/** An environment's protection rules. */
export interface EnvironmentRule {
  /** The job waits for an approval (given locally with `--approve`). */
  approval?: boolean;
  /** Who would approve (printed). */
  reviewers?: string[];
}

/** The parsed config file. */
export interface PipelineConfig {
  /** By action reference without `@ref` (`owner/repo` or `owner/repo/path`), lower-case. */
  substitutes: Record<string, Substitute>;
  environments: Record<string, EnvironmentRule>;
  /**
   * Local defaults for inputs of local actions, by action folder name (`notify`): replace action.yml's
   * default when the step's `with:` does not set the input (e.g. notify's slack-api-url → a local
   * receiver). `${VAR}` is taken from the run's environment; an entry whose variables are unset is ignored.
   */
  actionDefaults: Record<string, Record<string, string>>;
  /**
   * Remote reusable workflows run from local files: a prefix of `owner/repo/path` (or `repo/path`) → a
   * local folder or file (`./.github/workflows/`).
   */
  workflows: Record<string, string>;
  /** Remote actions run from local folders: a prefix of `owner/repo/path` (or `repo/path`) → `./actions/`. */
  actions: Record<string, string>;
  /** Where the file was read from (for messages). */
  source: string;
}

/** The default config file, beside this module. */
export const defaultConfigPath = path.join(import.meta.dirname, 'pipeline.config.yml');

/**
 * Reads a config file.
 * @throws Error naming the file when it is not valid YAML or a substitute has no `run`
 */
export async function loadConfig(file: string = defaultConfigPath): Promise<PipelineConfig> {
  const doc = (parseYaml(await readFile(file, 'utf8')) ?? {}) as {
    substitutes?: Record<string, Partial<Substitute>>;
    environments?: Record<string, EnvironmentRule | null>;
    'action-defaults'?: Record<string, Record<string, unknown> | null>;
    workflows?: Record<string, string>;
    actions?: Record<string, string>;
  };
  const substitutes: Record<string, Substitute> = {};
  for (const [name, spec] of Object.entries(doc.substitutes ?? {})) {
    if (typeof spec?.run !== 'string') throw new Error(`${file}: substitute ${name} needs a \`run\` script`);
    substitutes[name.toLowerCase()] = { description: spec.description ?? name, run: spec.run };
  }
  const environments: Record<string, EnvironmentRule> = {};
  for (const [name, rule] of Object.entries(doc.environments ?? {})) environments[name] = rule ?? {};
  const actionDefaults: Record<string, Record<string, string>> = {};
  for (const [action, inputs] of Object.entries(doc['action-defaults'] ?? {})) {
    actionDefaults[action] = {};
    for (const [input, value] of Object.entries(inputs ?? {})) actionDefaults[action][input] = String(value);
  }
  const workflows: Record<string, string> = {};
  for (const [prefix, local] of Object.entries(doc.workflows ?? {}))
    workflows[prefix.toLowerCase()] = String(local);
  const actions: Record<string, string> = {};
  for (const [prefix, local] of Object.entries(doc.actions ?? {}))
    actions[prefix.toLowerCase()] = String(local);
  return { substitutes, environments, actionDefaults, workflows, actions, source: file };
}

/**
 * The local input defaults of an action with `${VAR}` expanded from `env`; an input whose variables are
 * not all set is left out (the action's own default applies).
 */
export function localDefaults(
  config: PipelineConfig,
  action: string,
  env: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [input, template] of Object.entries(config.actionDefaults[action] ?? {})) {
    let complete = true;
    const value = template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined || found === '') complete = false;
      return found ?? '';
    });
    if (complete) result[input] = value;
  }
  return result;
}

/**
 * Finds the substitute for a `uses:` reference such as `actions/checkout@v4` or
 * `github/codeql-action/upload-sarif@v3`: the longest declared prefix (`owner/repo[/path]`) wins.
 * @returns undefined when none is declared
 */
export function findSubstitute(config: PipelineConfig, uses: string): Substitute | undefined {
  const name = (uses.split('@')[0] ?? uses).toLowerCase();
  const parts = name.split('/');
  for (let length = parts.length; length >= 2; length--) {
    const found = config.substitutes[parts.slice(0, length).join('/')];
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The local path a remote reference runs from: the longest prefix of `mapping` (`owner/repo/path` or
 * `repo/path`, lower case) that `ref` (`owner/repo/path@ref`) starts with, tried with and without the owner.
 */
function mapRemote(mapping: Record<string, string>, ref: string): string | undefined {
  const name = ref.split('@')[0] ?? ref;
  const withoutOwner = name.split('/').slice(1).join('/');
  let best: { prefix: string; local: string } | undefined;
  for (const [prefix, local] of Object.entries(mapping))
    for (const candidate of [name.toLowerCase(), withoutOwner.toLowerCase()])
      if (candidate.startsWith(prefix) && (best === undefined || prefix.length > best.prefix.length))
        best = {
          prefix,
          local: `${local}${candidate === name.toLowerCase() ? name.slice(prefix.length) : withoutOwner.slice(prefix.length)}`,
        };
  return best?.local;
}

/**
 * The local file a reusable workflow reference runs: `./…` as it is; a remote
 * `owner/repo/path/file.yml@ref` through the longest matching prefix of `workflows:` (tried with and
 * without the owner).
 * @returns undefined for a remote reference with no local mapping
 */
export function localWorkflow(config: PipelineConfig, ref: string): string | undefined {
  if (ref.startsWith('./')) return ref;
  return mapRemote(config.workflows, ref);
}

/**
 * The local folder a remote action reference runs from (`<owner>/gantry/actions/smoke-test@v1` →
 * `./actions/smoke-test`), through the longest matching prefix of `actions:`; undefined when none maps it.
 */
export function localAction(config: PipelineConfig, uses: string): string | undefined {
  if (uses.startsWith('./')) return uses;
  return mapRemote(config.actions, uses);
}

/**
 * Reads an act-style secrets or vars file: dotenv syntax (`NAME=value`, quotes, `#` comments,
 * multi-line double-quoted values), parsed by Node's `util.parseEnv`.
 * @returns an empty map when the file does not exist and `optional` is true
 */
export async function readDotenv(file: string, optional = false): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = parseEnv(text);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) result[key] = value;
  return result;
}
