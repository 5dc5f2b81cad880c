/**
 * lint-gate's job summary is well-formed HTML for every kind of lint report: every tag it opens is closed
 * in order, every table row has one cell per column. Before the fix, an empty cell (a linter that could not
 * run has no counts; a finding without a file has no location) was rendered by @actions/core's `addTable`
 * as an unclosed `<td>`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFlow } from '../../../testkit/bundle-runner.ts';

/** HTML elements that have no closing tag. */
const VOID = new Set(['br', 'hr', 'img']);

/**
 * Checks that every tag in `html` is closed, innermost first, and returns the summary's tables as rows of
 * cell texts (entities decoded). Throws naming the first tag out of place.
 */
function parseTables(html: string): { header: string[]; rows: string[][] }[] {
  const stack: string[] = [];
  const tables: { header: string[]; rows: string[][] }[] = [];
  let row: string[] | undefined;
  let cellStart = -1;
  for (const match of html.matchAll(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>/gi)) {
    const [tag, closing, rawName = ''] = match;
    const name = rawName.toLowerCase();
    if (VOID.has(name)) continue;
    if (closing === '') {
      stack.push(name);
      if (name === 'table') tables.push({ header: [], rows: [] });
      if (name === 'tr') row = [];
      if (name === 'td' || name === 'th') {
        if (stack.at(-2) !== 'tr') throw new Error(`<${name}> outside a row at ${match.index}`);
        cellStart = match.index + tag.length;
      }
      continue;
    }
    const open = stack.pop();
    if (open !== name) throw new Error(`</${name}> closes <${open ?? 'nothing'}> at ${match.index}`);
    if ((name === 'td' || name === 'th') && row !== undefined) {
      row.push(
        html
          .slice(cellStart, match.index)
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&'),
      );
    }
    if (name === 'tr' && row !== undefined) {
      const table = tables.at(-1);
      if (table === undefined) throw new Error('a row outside a table');
      if (table.header.length === 0) table.header = row;
      else table.rows.push(row);
      row = undefined;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.map((name) => `<${name}>`).join(' ')}`);
  return tables;
}

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'gantry-lint-summary-'));
  await writeFile(path.join(workspace, 'app.sh'), 'echo hi\n');
  // A SARIF log with one result that has no location (its Location cell is empty).
  await writeFile(
    path.join(workspace, 'nowhere.sarif'),
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'policy' } },
          results: [
            {
              ruleId: 'P1',
              level: 'warning',
              message: { text: 'repository has no <CODEOWNERS> & no owner' },
            },
          ],
        },
      ],
    }),
  );
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

type Linter = { name: string; run: string; format: string };
const gcc = (name: string, run: string): Linter => ({ name, run, format: 'gcc' });

const reports: [string, Linter[], { linters: number; findings: number }][] = [
  [
    'findings with HTML in their messages',
    [
      gcc(
        'mine',
        'printf "app.sh:1:1: error: use </td> & <b>quotes</b> [SC2086]\\napp.sh:2:3: warning: unused\\n"',
      ),
    ],
    { linters: 1, findings: 2 },
  ],
  [
    'a linter that cannot run next to a clean one (empty count cells)',
    [gcc('broken', 'exit 3'), gcc('quiet', 'true')],
    { linters: 2, findings: 0 },
  ],
  [
    'a finding without a location (empty Location cell)',
    [{ name: 'policy', run: 'cat nowhere.sarif', format: 'sarif' }],
    { linters: 1, findings: 1 },
  ],
  ['a clean run', [gcc('quiet', 'true')], { linters: 1, findings: 0 }],
];

describe('lint-gate summary HTML', () => {
  test.each(reports)('%s: every tag closed, one cell per column', async (_name, linters, expected) => {
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: { linters: JSON.stringify(linters), 'fail-on': 'never', 'max-warnings': '-1' },
    });
    expect(run.summary).not.toBe('');
    const tables = parseTables(run.summary);
    expect(tables.length).toBe(expected.findings > 0 ? 2 : 1);
    const [perLinter, findings] = tables;
    expect(perLinter?.header).toEqual(['Linter', 'Errors', 'Warnings', 'Notes', 'Status']);
    expect(perLinter?.rows.length).toBe(expected.linters);
    for (const row of perLinter?.rows ?? []) expect(row.length).toBe(5);
    if (expected.findings > 0) {
      expect(findings?.header).toEqual(['Level', 'Linter', 'Rule', 'Location', 'Message']);
      expect(findings?.rows.length).toBe(expected.findings);
      for (const row of findings?.rows ?? []) expect(row.length).toBe(5);
    }
  });

  test('cell texts survive the round trip: HTML in a message is text, empty cells stay empty', async () => {
    const run = await runFlow('lint-gate', {
      cwd: workspace,
      inputs: {
        linters: JSON.stringify([
          gcc('mine', 'printf "app.sh:1:1: error: use </td> & <b>quotes</b> [SC2086]\\n"'),
          gcc('broken', 'exit 3'),
          { name: 'policy', run: 'cat nowhere.sarif', format: 'sarif' },
        ]),
        'fail-on': 'never',
        'max-warnings': '-1',
      },
    });
    const [perLinter, findings] = parseTables(run.summary);
    const broken = perLinter?.rows.find((row) => row[0] === 'broken');
    expect(broken?.slice(1, 4)).toEqual(['', '', '']);
    expect(broken?.[4]).toMatch(/^failed: /);
    const messages = findings?.rows.map((row) => row[4]) ?? [];
    expect(messages.some((message) => message?.includes('use </td> & <b>quotes</b>'))).toBe(true);
    const policy = findings?.rows.find((row) => row[1] === 'policy');
    expect(policy?.[3]).toBe('');
    expect(policy?.[4]).toBe('repository has no <CODEOWNERS> & no owner');
  });
});
