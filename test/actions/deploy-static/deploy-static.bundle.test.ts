/**
 * The built deploy-static bundle as the runner starts it: a deploy against moto with outputs and summary,
 * and a bad input failing with exit code 1 and an ::error naming the input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startMoto, type Moto } from '../../../testkit/moto.ts';
import { createBucket, createDistribution, readBucket, s3Client, sampleSite, writeSite } from './site.ts';

let moto: Moto;
let s3: S3Client;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  s3 = s3Client(moto);
  workspace = await mkdtemp(path.join(tmpdir(), 'deploy-static-bundle-'));
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

test('the bundle publishes the build, invalidates and reports', async () => {
  await writeSite(path.join(workspace, 'dist'), sampleSite());
  await createBucket(s3, 'bundle-site', true);
  const distributionId = await createDistribution(moto, 'bundle-site');
  const result = await runBundle('deploy-static', {
    cwd: workspace,
    env: moto.env,
    inputs: { source: 'dist', bucket: 'bundle-site', 'distribution-id': distributionId },
  });
  expect(result.exitCode, result.log).toBe(0);
  expect(result.outputs).toMatchObject({
    uploaded: String(Object.keys(sampleSite()).length),
    deleted: '0',
    unchanged: '0',
  });
  expect(result.outputs['invalidation-id']).not.toBe('');
  expect(result.summary).toContain('Static deploy to s3://bundle-site/');
  expect((await readBucket(s3, 'bundle-site')).size).toBe(Object.keys(sampleSite()).length);
}, 120_000);

test('a source outside the workspace fails with exit 1 and an error naming the input', async () => {
  const result = await runBundle('deploy-static', {
    cwd: workspace,
    env: { ...moto.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    inputs: { source: '../../etc', bucket: 'bundle-site' },
  });
  expect(result.exitCode).toBe(1);
  expect(result.annotations.some((a) => a.level === 'error' && a.message.includes("Input 'source'"))).toBe(
    true,
  );
});
