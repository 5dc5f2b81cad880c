/**
 * Generates `action-catalog.md` from every `actions/<name>/action.yml` (+ its `catalog.yml`: status and
 * example) and every reusable workflow in `.github/workflows/` (those with `on.workflow_call`).
 *
 *   node tools/catalog.ts           write action-catalog.md
 *   node tools/catalog.ts --check   fail when action-catalog.md is not what the sources generate
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CATALOG = path.join(root, 'action-catalog.md');

interface Field {
  description?: string;
  required?: boolean;
  default?: unknown;
  type?: string;
}
interface ActionYaml {
  name?: string;
  description?: string;
  inputs?: Record<string, Field>;
  outputs?: Record<string, Field>;
  runs?: { using?: string; main?: string; post?: string };
}
interface CatalogYaml {
  status?: string;
  example?: string;
}

function cell(text: unknown): string {
  return String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '_None._\n';
  return (
    [
      `| ${headers.join(' | ')} |`,
      `| ${headers.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

function fieldRows(fields: Record<string, Field> | undefined, withDefaults: boolean): string[][] {
  return Object.entries(fields ?? {}).map(([name, field]) => {
    const row = [`\`${name}\``, cell(field.description)];
    if (withDefaults) {
      row.push(field.required === true ? 'yes' : 'no');
      row.push(field.default === undefined || field.default === null ? '' : `\`${cell(field.default)}\``);
    }
    return row;
  });
}

async function actionSections(): Promise<{ index: string[]; sections: string[] }> {
  const names = (await readdir(path.join(root, 'actions')))
    .filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml')))
    .sort();
  const index: string[] = [];
  const sections: string[] = [];
  for (const name of names) {
    const action = parse(
      await readFile(path.join(root, 'actions', name, 'action.yml'), 'utf8'),
    ) as ActionYaml;
    const catalogFile = path.join(root, 'actions', name, 'catalog.yml');
    const catalog = existsSync(catalogFile)
      ? ((parse(await readFile(catalogFile, 'utf8')) as CatalogYaml | null) ?? {})
      : {};
    const implemented = catalog.status === 'implemented';
    const status = implemented
      ? 'implemented'
      : '**not implemented yet** — the step fails with a clear error';
    index.push(
      `| [${name}](#${name}) | ${cell(action.description)} | ${implemented ? 'implemented' : 'not implemented yet'} |`,
    );
    const example = catalog.example?.trimEnd() ?? `- uses: <owner>/gantry/actions/${name}@v1`;
    sections.push(
      [
        `## ${name}`,
        '',
        `${cell(action.description)}`,
        '',
        `Status: ${status}. Runtime: \`${action.runs?.using ?? '?'}\`. Source: [actions/${name}](actions/${name}/action.yml).`,
        '',
        '### Inputs',
        '',
        table(['Name', 'Description', 'Required', 'Default'], fieldRows(action.inputs, true)),
        '### Outputs',
        '',
        table(['Name', 'Description'], fieldRows(action.outputs, false)),
        '### Example',
        '',
        '```yaml',
        example,
        '```',
        '',
      ].join('\n'),
    );
  }
  return { index, sections };
}

interface WorkflowYaml {
  name?: string;
  on?: {
    workflow_call?: {
      inputs?: Record<string, Field>;
      secrets?: Record<string, Field>;
      outputs?: Record<string, Field>;
    };
  };
}

async function workflowSections(): Promise<{ index: string[]; sections: string[] }> {
  const dir = path.join(root, '.github', 'workflows');
  if (!existsSync(dir)) return { index: [], sections: [] };
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const index: string[] = [];
  const sections: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    const workflow = parse(text) as WorkflowYaml | null;
    const call = workflow?.on?.workflow_call;
    if (workflow === null || call === undefined) continue;
    const description = /^#\s*(.+)$/m.exec(text)?.[1] ?? '';
    index.push(`| [${file}](#${file.replace(/\./g, '')}) | ${cell(description)} |`);
    const inputRows = Object.entries(call.inputs ?? {}).map(([name, field]) => [
      `\`${name}\``,
      cell(field.type),
      cell(field.description),
      field.required === true ? 'yes' : 'no',
      field.default === undefined ? '' : `\`${cell(field.default)}\``,
    ]);
    const required = Object.entries(call.inputs ?? {}).filter(([, field]) => field.required === true);
    const requiredSecrets = Object.entries(call.secrets ?? {}).filter(([, field]) => field.required === true);
    const example = [
      'jobs:',
      `  ${file.replace(/\.ya?ml$/, '').replace(/[^a-z0-9]+/gi, '-')}:`,
      `    uses: <owner>/gantry/.github/workflows/${file}@v1`,
      ...(required.length > 0 ? ['    with:', ...required.map(([name]) => `      ${name}: <${name}>`)] : []),
      ...(requiredSecrets.length > 0
        ? ['    secrets:', ...requiredSecrets.map(([name]) => `      ${name}: \${{ secrets.${name} }}`)]
        : []),
    ].join('\n');
    sections.push(
      [
        `## ${file}`,
        '',
        `${cell(workflow.name)}${description === '' ? '' : ` — ${cell(description)}`}`,
        '',
        '### Inputs',
        '',
        table(['Name', 'Type', 'Description', 'Required', 'Default'], inputRows),
        '### Secrets',
        '',
        table(['Name', 'Description', 'Required', 'Default'], fieldRows(call.secrets, true)),
        '### Outputs',
        '',
        table(['Name', 'Description'], fieldRows(call.outputs, false)),
        '### Example (required inputs and secrets)',
        '',
        '```yaml',
        example,
        '```',
        '',
      ].join('\n'),
    );
  }
  return { index, sections };
}

/** The catalog's full markdown text, generated from the action and workflow files. */
export async function renderCatalog(): Promise<string> {
  const actions = await actionSections();
  const workflows = await workflowSections();
  const parts = [
    '# Gantry action catalog',
    '',
    '<!-- Generated by `npm run catalog` from actions/*/action.yml, actions/*/catalog.yml and .github/workflows/*.yml. Do not edit. -->',
    '',
    '| Action | What it does | Status |',
    '| --- | --- | --- |',
    ...actions.index,
    '',
  ];
  if (workflows.index.length > 0)
    parts.push('| Reusable workflow | What it does |', '| --- | --- |', ...workflows.index, '');
  parts.push(...actions.sections, ...workflows.sections);
  return (
    parts
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

async function main(): Promise<void> {
  const text = await renderCatalog();
  if (process.argv.includes('--check')) {
    const current = existsSync(CATALOG) ? await readFile(CATALOG, 'utf8') : '';
    if (current !== text) {
      console.error('action-catalog.md is stale — run `npm run catalog` and commit it.');
      process.exitCode = 1;
    } else console.log('action-catalog.md is up to date');
    return;
  }
  await writeFile(CATALOG, text);
  console.log('wrote action-catalog.md');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
