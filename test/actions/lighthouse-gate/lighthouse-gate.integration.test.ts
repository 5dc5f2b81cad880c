/**
 * lighthouse-gate for real: Lighthouse 13 (the workspace's node_modules/lighthouse) driving Debian's
 * Chromium headless against pages served on loopback. A light page passes performance ≥ 80; a page with
 * a large render-blocking script fails it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { inputEnvName, parseFileCommands, repoRoot } from '../../../testkit/bundle-runner.ts';
import { startWebPages, type WebPages } from '../../../testkit/web-pages.ts';

let pages: WebPages;
let workspace: string;
let files: string;

beforeAll(async () => {
  pages = await startWebPages();
  workspace = await mkdtemp(path.join(tmpdir(), 'lighthouse-ws-'));
  // A frontend repository with lighthouse as a devDependency: its node_modules is the repo's.
  await symlink(path.join(repoRoot, 'node_modules'), path.join(workspace, 'node_modules'));
  files = await mkdtemp(path.join(tmpdir(), 'lighthouse-files-'));
});
afterAll(async () => {
  await pages?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
  if (files) await rm(files, { recursive: true, force: true });
});

/** Runs the gate in-process with INPUT_* and runner files; restores the environment. */
async function gate(
  inputs: Record<string, string>,
): Promise<{ error?: Error; outputs: Record<string, string>; summary: string }> {
  const { run } = await import('../../../actions/lighthouse-gate/src/main.ts');
  const outputFile = path.join(files, `output-${Date.now()}`);
  const summaryFile = path.join(files, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const saved = { ...process.env };
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: files,
  });
  for (const [name, value] of Object.entries(inputs)) process.env[inputEnvName(name)] = value;
  let error: Error | undefined;
  try {
    await run(createCaptureLogger());
  } catch (thrown) {
    error = thrown as Error;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const outputs = parseFileCommands(await readFile(outputFile, 'utf8'));
  const summary = await readFile(summaryFile, 'utf8');
  return error === undefined ? { outputs, summary } : { error, outputs, summary };
}

describe('lighthouse-gate with Lighthouse and Chromium', () => {
  test('a light page passes performance ≥ 80 and a page with a large render-blocking script fails it', async () => {
    const result = await gate({ urls: `${pages.light}\n${pages.heavy}`, thresholds: 'performance=80' });
    const scores = JSON.parse(result.outputs['scores'] ?? '[]') as {
      url: string;
      scores: { performance?: number };
      report: string;
      passed: boolean;
    }[];
    // Printed so the report can quote them; the assertions below are what the test checks.
    console.log('lighthouse scores', JSON.stringify(scores.map((s) => [s.url, s.scores])));
    expect(scores).toHaveLength(2);
    const [light, heavy] = scores;
    expect(light?.scores.performance).toBeGreaterThanOrEqual(80);
    expect(light?.passed).toBe(true);
    expect(heavy?.scores.performance).toBeLessThan(80);
    expect(heavy?.passed).toBe(false);
    expect(result.error?.message).toMatch(/heavy\.html \(performance \d+ < 80\)/);
    expect(result.outputs['passed']).toBe('false');
    expect(result.outputs['performance']).toBe(String(heavy?.scores.performance));
    for (const entry of scores) {
      expect(entry.report.startsWith(path.join(workspace, 'lighthouse-reports'))).toBe(true);
      expect(existsSync(entry.report)).toBe(true);
      expect(await readFile(entry.report, 'utf8')).toContain('<html');
    }
    expect(result.summary).toContain('performance (≥ 80)');
  }, 300_000);

  test('level: warning reports the miss without failing the step', async () => {
    const result = await gate({
      urls: pages.heavy,
      thresholds: 'performance=80',
      level: 'warning',
      'report-dir': 'reports-warn',
    });
    expect(result.error).toBeUndefined();
    expect(result.outputs['passed']).toBe('false');
  }, 300_000);

  test.each([
    [{ urls: 'not a url' }, /Input 'urls'/],
    [{ urls: 'ftp://127.0.0.1/' }, /Input 'urls'/],
    [
      { urls: 'http://127.0.0.1/', thresholds: 'speed=80' },
      /Input 'thresholds': "speed" is not a Lighthouse category/,
    ],
    [{ urls: 'http://127.0.0.1/', thresholds: 'performance=180' }, /Input 'thresholds'/],
    [
      { urls: 'http://127.0.0.1/', 'report-dir': '../elsewhere' },
      /Input 'report-dir'.*outside the workspace/,
    ],
    [{ urls: 'http://127.0.0.1/', level: 'fatal' }, /Input 'level'/],
  ])('bad input %j fails naming it, before Chromium starts', async (inputs, message) => {
    const result = await gate(inputs);
    expect(result.error?.name).toBe('InputError');
    expect(result.error?.message).toMatch(message);
  });
});
