/**
 * The licences of what dist/ bundles. ncc's `--license licenses.txt` lists the packages its licence plugin
 * sees, but it can miss one (fast-xml-builder, reached through fast-xml-parser, was missing): the build
 * reads every bundled module from webpack's stats, lists the npm packages per chunk in
 * `dist/gantry/bundled-packages.json`, and appends to licenses.txt each package that is not in it yet, with
 * the text of its own LICENSE file. A bundled package without a licence file fails the build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The module fields of webpack's stats JSON read here (`name` is a path such as `./node_modules/a/b.js`). */
export interface StatsModule {
  name: string;
  chunks?: (string | number)[];
  modules?: StatsModule[];
}

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)/g;

/**
 * npm packages bundled per chunk: `{ "<package>": ["<chunk id>", …] }`, sorted by package name. The last
 * `node_modules/` segment of a module's path names its package; concatenated modules count for the chunks of
 * the module that holds them. Throws nothing.
 */
export function bundledPackages(modules: StatsModule[]): Record<string, string[]> {
  const found = new Map<string, Set<string>>();
  const visit = (module: StatsModule, chunks: (string | number)[]): void => {
    const names = [...module.name.matchAll(PACKAGE)].map((m) => m[1] ?? '');
    const name = names.at(-1);
    if (name !== undefined && name !== '') {
      const set = found.get(name) ?? new Set<string>();
      for (const chunk of chunks) set.add(String(chunk));
      found.set(name, set);
    }
    for (const inner of module.modules ?? []) visit(inner, chunks);
  };
  for (const module of modules) visit(module, module.chunks ?? []);
  return Object.fromEntries(
    [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => [name, [...set].sort()]),
  );
}

/**
 * True when licenses.txt has an entry for `name`: ncc writes each entry as the package name alone on a line
 * after a blank line (or at the top), then its SPDX id when package.json has one, then the licence text.
 */
export function isListed(licensesText: string, name: string): boolean {
  return licensesText.startsWith(`${name}\n`) || licensesText.includes(`\n\n${name}\n`);
}

/**
 * licenses.txt completed with every package of `packages` it lacks, read from
 * `<nodeModules>/<package>/package.json` (`license`) and its LICENSE/LICENCE/COPYING file.
 * @throws Error naming the package when it has no licence file.
 */
export function completeLicenses(licensesText: string, packages: string[], nodeModules: string): string {
  const added: string[] = [];
  for (const name of packages) {
    if (isListed(licensesText, name)) continue;
    const dir = path.join(nodeModules, name);
    const file = existsSync(dir)
      ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
      : undefined;
    if (file === undefined) throw new Error(`bundled package ${name} has no licence file in ${dir}`);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { license?: string };
    added.push(
      `${name}\n${manifest.license ?? 'SEE LICENSE'}\n${readFileSync(path.join(dir, file), 'utf8').trim()}\n`,
    );
  }
  if (added.length === 0) return licensesText;
  return `${licensesText.replace(/\n*$/, '\n')}\n${added.join('\n')}`;
}
