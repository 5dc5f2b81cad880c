/**
 * `npm run local` as a person runs it: parts started in the background, their environment printed as
 * exports, usable by hand, listed by status, stopped by down.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = await mkdtemp(path.join(tmpdir(), 'gantry-local-test-'));

function local(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['testkit/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GANTRY_LOCAL_STATE: state },
    timeout: 120_000,
  });
}

function exports(stdout: string): Record<string, string> {
  return Object.fromEntries(
    [...stdout.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

afterAll(async () => {
  local('down');
  await rm(state, { recursive: true, force: true });
});

describe('npm run local', () => {
  test('up receivers vault: exports on stdout, the parts answer, status lists them, down stops them', async () => {
    const up = local('up', 'receivers', 'vault');
    expect(up.status, up.stderr).toBe(0);
    const env = exports(up.stdout);
    expect(Object.keys(env).sort()).toEqual([
      'GITHUB_API_URL',
      'PAGERDUTY_API_URL',
      'SLACK_API_URL',
      'VAULT_ADDR',
      'VAULT_TOKEN',
    ]);
    expect(up.stderr).toMatch(
      /receivers: running \(pid \d+\); stop it with: npm run local -- down receivers/,
    );

    const posted = await fetch(`${env['SLACK_API_URL']}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-by-hand', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C1', text: 'deployed' }),
    });
    expect(await posted.json()).toMatchObject({ ok: true, channel: 'C1' });
    const written = await fetch(`${env['VAULT_ADDR']}/v1/secret/data/ci/db`, {
      method: 'POST',
      headers: { 'x-vault-token': env['VAULT_TOKEN'] ?? '' },
      body: JSON.stringify({ data: { url: 'postgres://x' } }),
    });
    expect(written.status).toBe(200);
    const read = await fetch(`${env['VAULT_ADDR']}/v1/secret/data/ci/db`, {
      headers: { 'x-vault-token': env['VAULT_TOKEN'] ?? '' },
    });
    expect(await read.json()).toMatchObject({ data: { data: { url: 'postgres://x' } } });

    const again = local('up', 'vault');
    expect(exports(again.stdout)['VAULT_ADDR'], 'a running part is not started twice').toBe(
      env['VAULT_ADDR'],
    );

    const status = local('status');
    expect(status.stderr).toMatch(/^receivers: running, pid \d+/m);
    expect(status.stderr).toMatch(/^vault: running, pid \d+/m);
    expect(exports(status.stdout)).toEqual(env);

    const down = local('down', 'vault');
    expect(down.stderr).toBe('vault: stopped\n');
    await expect(fetch(`${env['VAULT_ADDR']}/v1/sys/health`)).rejects.toThrow();
    expect(local('status').stderr).not.toMatch(/vault/);
    local('down');
    await expect(fetch(`${env['GITHUB_API_URL']}/repos/a/b/deployments`)).rejects.toThrow();
    expect((await readdir(state)).filter((file) => file.endsWith('.json'))).toEqual([]);
  });

  test('an unknown part or command: exit 2 with the usage and the parts it knows', () => {
    const run = local('up', 'kafka');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^unknown part: kafka\nusage: npm run local -- up <part…>/);
    expect(run.stderr).toMatch(/parts: moto, postgres, mariadb, registry/);
    expect(local('launch').status).toBe(2);
    expect(local('up').status).toBe(2);
  });
});
