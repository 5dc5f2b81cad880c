/**
 * Bundles every action with @vercel/ncc: `actions/<name>/src/index.ts` → `dist/<name>/index.js`
 * (minified, ESM, one self-contained folder per action, as the runner loads it). Any folder under
 * `actions/` with a `src/index.ts` is built, so adding an action needs no edit here.
 *
 *   node tools/build.ts            build into dist/
 *   node tools/build.ts --check    build into a temp folder and fail if dist/ differs (check-dist)
 *   node tools/build.ts NAME…      build only these actions
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** Names of the actions that have an entry point (`actions/<name>/src/index.ts`), sorted. */
export async function actionsWithEntry(): Promise<string[]> {
  const names = await readdir(path.join(root, 'actions'));
  return names.filter((name) => existsSync(path.join(root, 'actions', name, 'src', 'index.ts'))).sort();
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function buildOne(name: string, outRoot: string): Promise<void> {
  const entry = path.join('actions', name, 'src', 'index.ts');
  const out = path.join(outRoot, name);
  await rm(out, { recursive: true, force: true });
  const { code, output } = await run(process.execPath, [
    ncc,
    'build',
    entry,
    '-o',
    out,
    '--minify',
    '--quiet',
    '--license',
    'licenses.txt',
  ]);
  if (code !== 0) throw new Error(`ncc failed for ${name}:\n${output}`);
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else files.push(rel);
  }
  return files.sort();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const all = await actionsWithEntry();
  const requested = args.filter((arg) => !arg.startsWith('--'));
  for (const name of requested)
    if (!all.includes(name)) throw new Error(`No action '${name}' (have: ${all.join(', ')})`);
  const names = requested.length > 0 ? requested : all;
  const outRoot = check ? await mkdtemp(path.join(tmpdir(), 'gantry-dist-')) : path.join(root, 'dist');

  // Two at a time: the machines here have two cores.
  const queue = [...names];
  await Promise.all(
    [0, 1].map(async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const started = Date.now();
        await buildOne(name, outRoot);
        const size = (await stat(path.join(outRoot, name, 'index.js'))).size;
        console.log(
          `built ${name}: ${(size / 1024).toFixed(0)} KB in ${((Date.now() - started) / 1000).toFixed(1)}s`,
        );
      }
    }),
  );

  if (!check) {
    // Drop bundles of actions that no longer exist.
    for (const name of await readdir(outRoot))
      if (!all.includes(name)) await rm(path.join(outRoot, name), { recursive: true });
    return;
  }
  const problems: string[] = [];
  const committed = path.join(root, 'dist');
  const expected = new Set<string>();
  for (const name of names)
    for (const file of await listFiles(path.join(outRoot, name))) expected.add(path.join(name, file));
  const present = new Set<string>();
  for (const file of await listFiles(committed))
    if (requested.length === 0 || names.includes(file.split(path.sep)[0] ?? '')) present.add(file);
  for (const file of expected) {
    if (!present.has(file)) problems.push(`missing from dist/: ${file}`);
    else if (!(await readFile(path.join(outRoot, file))).equals(await readFile(path.join(committed, file))))
      problems.push(`differs: dist/${file}`);
  }
  for (const file of present)
    if (!expected.has(file)) problems.push(`not produced by the build: dist/${file}`);
  await rm(outRoot, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(`dist/ is stale — run \`npm run build\` and commit dist/:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`dist/ matches the sources (${names.length} actions)`);
  }
}

await main();
