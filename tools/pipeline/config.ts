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
  };
  const substitutes: Record<string, Substitute> = {};
  for (const [name, spec] of Object.entries(doc.substitutes ?? {})) {
    if (typeof spec?.run !== 'string') throw new Error(`${file}: substitute ${name} needs a \`run\` script`);
    substitutes[name.toLowerCase()] = { description: spec.description ?? name, run: spec.run };
  }
  const environments: Record<string, EnvironmentRule> = {};
  for (const [name, rule] of Object.entries(doc.environments ?? {})) environments[name] = rule ?? {};
  return { substitutes, environments, source: file };
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
