import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExecutable, requireExecutable, runCommand } from '../../shared/src/command.ts';
import { ConfigurationError, TimeoutError } from '../../shared/src/errors.ts';
import { relativizeUris, repoRelativePath } from '../../shared/src/sarif/paths.ts';
import type { Log } from '../../shared/src/sarif/types.ts';

describe('repository-relative paths', () => {
  test('relative, absolute and file: URIs; outside the root stays absolute; other schemes untouched', () => {
    assert.equal(repoRelativePath('src/a.ts', '/w/repo/app', '/w/repo'), 'app/src/a.ts');
    assert.equal(repoRelativePath('/w/repo/app/b.ts', '/w/repo/app', '/w/repo'), 'app/b.ts');
    assert.equal(repoRelativePath('file:///w/repo/c%20d.ts', '/w/repo', '/w/repo'), 'c d.ts');
    assert.equal(repoRelativePath('/etc/passwd', '/w/repo', '/w/repo'), '/etc/passwd');
    assert.equal(repoRelativePath('pkg:npm/qs@6.5.2', '/w/repo', '/w/repo'), 'pkg:npm/qs@6.5.2');
  });

  test('relativizeUris rewrites result locations and the artifact table, dropping uriBaseId', () => {
    const log: Log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 't' } },
          artifacts: [{ location: { uri: 'x.ts' } }],
          results: [
            {
              message: { text: 'm' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'y.ts', uriBaseId: 'ROOTPATH' } } }],
              relatedLocations: [
                { physicalLocation: { artifactLocation: { uri: 'file:///w/repo/sub/z.ts' } } },
              ],
            },
          ],
        },
      ],
    };
    relativizeUris(log, '/w/repo/sub', '/w/repo');
    const run = log.runs[0]!;
    assert.equal(run.artifacts?.[0]?.location?.uri, 'sub/x.ts');
    assert.deepEqual(run.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation, {
      uri: 'sub/y.ts',
    });
    assert.equal(
      run.results?.[0]?.relatedLocations?.[0]?.physicalLocation?.artifactLocation?.uri,
      'sub/z.ts',
    );
  });
});

describe('running tools (shared/src/command.ts)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gantry-command-'));
    await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    await mkdir(path.join(dir, 'pkg', 'deep'), { recursive: true });
    await writeFile(
      path.join(dir, 'node_modules', '.bin', 'fake-lint'),
      '#!/bin/sh\necho "args: $*"; echo oops >&2; exit 3\n',
    );
    await chmod(path.join(dir, 'node_modules', '.bin', 'fake-lint'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('node_modules/.bin is searched upwards from the working directory, then PATH', () => {
    assert.equal(
      findExecutable('fake-lint', path.join(dir, 'pkg', 'deep')),
      path.join(dir, 'node_modules', '.bin', 'fake-lint'),
    );
    assert.equal(findExecutable('fake-lint', path.join(dir, 'pkg'), { nodeModules: false }), undefined);
    assert.match(findExecutable('sh', dir) ?? '', /^\/(usr\/)?bin\/sh$/, 'found on PATH');
    assert.throws(
      () => requireExecutable('no-such-tool-xyz', dir, 'npm i -D no-such-tool-xyz'),
      (e: unknown) =>
        e instanceof ConfigurationError &&
        /no-such-tool-xyz is not installed .*: npm i -D no-such-tool-xyz/.test(e.message),
    );
  });

  test('exit codes are returned with stdout and stderr, not thrown', async () => {
    const result = await runCommand(path.join(dir, 'node_modules', '.bin', 'fake-lint'), ['a b', 'c'], {
      cwd: dir,
    });
    assert.deepEqual(result, { exitCode: 3, stdout: 'args: a b c\n', stderr: 'oops\n' });
  });

  test('a time limit kills the command and throws a TimeoutError naming it', async () => {
    await assert.rejects(
      runCommand('sleep', ['5'], { cwd: dir, timeoutMs: 200 }),
      (e: unknown) => e instanceof TimeoutError && /sleep did not finish within 200 ms/.test(e.message),
    );
  });

  test('a command that does not exist is a configuration error', async () => {
    await assert.rejects(runCommand(path.join(dir, 'missing'), [], { cwd: dir }), ConfigurationError);
  });

  test('standard input is passed when given', async () => {
    assert.equal((await runCommand('cat', [], { cwd: dir, input: 'hello' })).stdout, 'hello');
  });
});
