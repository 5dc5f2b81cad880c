/**
 * The `@actions/core` wrapper (shared/src/core.ts) is the choke point for the runner's unmasked files: a
 * registered secret — whole, each line of a multi-line secret, each JSON leaf, as `maskSecret` registers
 * them — never reaches GITHUB_OUTPUT or GITHUB_STEP_SUMMARY, even when code passes it straight to
 * `core.setOutput` or `core.summary`. The tests import `@actions/core` as every action does (the alias in
 * tsconfig.json / vitest.config.ts), so they fail if that import stops resolving to the wrapper.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as core from '@actions/core';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { clearMasks, registerMask } from '../../shared/src/output.ts';
import { maskSecret } from '../../shared/src/secrets.ts';
import { appendSummary, writeSummaryTable } from '../../shared/src/summary.ts';
import { parseFileCommands } from '../../testkit/bundle-runner.ts';

const PLAIN = 'plainSecret-0123456789';
const MULTI = '-----BEGIN KEY-----\nmultiLineOne-AAAAAAAA\nmultiLineTwo-BBBBBBBB\n-----END KEY-----';
const JSON_SECRET = '{"user":"deployer","password":"jsonLeafPassword-42"}';
const QUOTED = 'quo"ted<&>secret-77';
const SECRETS = [
  PLAIN,
  'multiLineOne-AAAAAAAA',
  'multiLineTwo-BBBBBBBB',
  'jsonLeafPassword-42',
  QUOTED,
  'quo\\"ted',
  'quo&quot;ted',
];

let dir = '';
let outputFile = '';
let summaryFile = '';
const saved = { output: process.env['GITHUB_OUTPUT'], summary: process.env['GITHUB_STEP_SUMMARY'] };

// One pair of files for the whole file: @actions/core's summary remembers its file path after the first write.
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gantry-core-'));
  outputFile = path.join(dir, 'output');
  summaryFile = path.join(dir, 'summary');
});

beforeEach(async () => {
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  process.env['GITHUB_OUTPUT'] = outputFile;
  process.env['GITHUB_STEP_SUMMARY'] = summaryFile;
  clearMasks();
  // As an action's inputs layer does: each secret masked through a logger (the capture logger registers
  // nothing in the process list, so registerMask is called as coreLogger.mask does).
  const logger = createCaptureLogger();
  const mask = logger.mask.bind(logger);
  logger.mask = (value) => {
    mask(value);
    registerMask(value);
  };
  for (const secret of [PLAIN, MULTI, JSON_SECRET, QUOTED]) maskSecret(secret, logger);
});

afterAll(async () => {
  clearMasks();
  for (const [name, value] of [
    ['GITHUB_OUTPUT', saved.output],
    ['GITHUB_STEP_SUMMARY', saved.summary],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('core.setOutput', () => {
  test('a plain secret in an output value becomes ***', async () => {
    core.setOutput('token', `Bearer ${PLAIN} accepted`);
    const outputs = parseFileCommands(await readFile(outputFile, 'utf8'));
    expect(outputs['token']).toBe('Bearer *** accepted');
  });

  test('each line of a multi-line secret, even quoted alone, becomes ***', async () => {
    core.setOutput('key', MULTI);
    core.setOutput('second-line', `the key's middle: multiLineTwo-BBBBBBBB.`);
    const text = await readFile(outputFile, 'utf8');
    expectNoSecret(text);
    const outputs = parseFileCommands(text);
    expect(outputs['key']).toBe('***');
    expect(outputs['second-line']).toBe("the key's middle: ***.");
  });

  test('a JSON leaf of a JSON secret, and a secret inside a JSON value, become ***', async () => {
    core.setOutput('password', 'jsonLeafPassword-42');
    core.setOutput('results', { checks: [{ body: `echo ${QUOTED}`, password: 'jsonLeafPassword-42' }] });
    core.setOutput('count', 3);
    const text = await readFile(outputFile, 'utf8');
    expectNoSecret(text);
    const outputs = parseFileCommands(text);
    expect(outputs['password']).toBe('***');
    expect(JSON.parse(outputs['results'] ?? '')).toEqual({
      checks: [{ body: 'echo ***', password: '***' }],
    });
    expect(outputs['count']).toBe('3');
  });

  test('core.setSecret registers the value for outputs too', async () => {
    core.setSecret('directlyMasked-9876');
    core.setOutput('echo', 'directlyMasked-9876');
    expect(parseFileCommands(await readFile(outputFile, 'utf8'))['echo']).toBe('***');
  });
});

describe('core.summary', () => {
  test('text added with any summary method is redacted when written', async () => {
    await core.summary
      .addHeading(`deploy ${PLAIN}`, 3)
      .addRaw('multiLineOne-AAAAAAAA')
      .addTable([[{ data: 'password', header: true }], ['jsonLeafPassword-42']])
      .addCodeBlock(MULTI)
      .write();
    const text = await readFile(summaryFile, 'utf8');
    expectNoSecret(text);
    expect(text).toContain('<h3>deploy ***</h3>');
    expect(text).toContain('<td>***</td>');
    expect(core.summary.isEmptyBuffer()).toBe(true);
  });

  test('HTML-escaped secrets in writeSummaryTable cells and raw appendSummary text become ***', async () => {
    await writeSummaryTable(`title ${PLAIN}`, ['name', 'value'], [['secret', QUOTED]], `footer ${MULTI}`);
    await appendSummary(`<p>${PLAIN} and multiLineTwo-BBBBBBBB</p>`);
    const text = await readFile(summaryFile, 'utf8');
    expectNoSecret(text);
    expect(text).toContain('<td>***</td>');
    expect(text).toContain('<p>*** and ***</p>');
  });

  test('an overwrite (summary.clear then write) is redacted as well', async () => {
    await core.summary.addRaw(`first ${PLAIN}`).write();
    await core.summary.addRaw(`second ${PLAIN}`).write({ overwrite: true });
    expect(await readFile(summaryFile, 'utf8')).toBe('second ***');
  });
});
