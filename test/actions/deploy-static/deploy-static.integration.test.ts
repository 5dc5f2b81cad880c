/**
 * deploy-static against moto's S3 and CloudFront, with the AWS CLI (`aws s3 sync`) as the reference for
 * what a bucket should hold after publishing the same folder.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GetInvalidationCommand, CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startMoto, type Moto } from '../../../testkit/moto.ts';
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
    const result = await deployStatic(
      workspace,
      { source: 'ref-site', bucket: 'gantry-ref', prefix: 'web' },
      env(),
    );
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
      new GetInvalidationCommand({
        DistributionId: distributionId,
        Id: second.outputs['invalidation-id'] ?? '',
      }),
    );
    cloudfront.destroy();
    expect([...(invalidation.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual(
      ['/', '/assets/style.css', '/index.html', '/new.txt', '/robots.txt'].sort(),
    );
    expect(invalidation.Invalidation?.Status?.toLowerCase()).toBe('completed');

    // Nothing changed: nothing uploaded, no invalidation.
    const third = await deployStatic(workspace, inputs, env());
    expect(third.outputs).toMatchObject({ uploaded: '0', deleted: '0', 'invalidation-id': '' });

    // Rollback: back to release 1 (the no-op deploy kept release 1 as the previous release).
    const back = await deployStatic(workspace, { ...inputs, source: '', rollback: 'true' }, env());
    expect(back.error).toBeUndefined();
    expect(back.outputs).toMatchObject({ uploaded: '3', deleted: '1' });
    const md5s = (objects: Map<string, { md5: string }>): Map<string, string> =>
      new Map([...objects].map(([key, object]) => [key, object.md5]));
    expect(md5s(await readBucket(s3, 'site'))).toEqual(md5s(release1));
    expect(back.outputs['invalidation-id']).not.toBe('');
    // A second rollback rolls forward to release 2.
    const forward = await deployStatic(workspace, { ...inputs, source: '', rollback: 'true' }, env());
    expect(forward.error).toBeUndefined();
    expect(md5s(await readBucket(s3, 'site'))).toEqual(md5s(release2));
  }, 180_000);

  test('a multipart object the AWS CLI uploaded (md5-of-md5s-N ETag) is recognised as unchanged', async () => {
    const site = path.join(workspace, 'big');
    const big = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await writeSite(site, { 'video/intro.bin': big, 'index.html': Buffer.from('<p>big</p>') });
    await createBucket(s3, 'big', false);
    await awsCli(moto, ['s3', 'cp', path.join(site, 'video/intro.bin'), 's3://big/video/intro.bin']);
    const before = await readBucket(s3, 'big');
    expect(before.get('video/intro.bin')?.etag).toMatch(/^[0-9a-f]{32}-2$/);
    const result = await deployStatic(workspace, { source: 'big', bucket: 'big' }, env());
    expect(result.error).toBeUndefined();
    expect(result.outputs).toMatchObject({ uploaded: '1', unchanged: '1' });
    // Our own multipart upload of a changed big file gives the same kind of ETag, and the bytes land.
    big[0] = 1;
    await writeSite(site, { 'video/intro.bin': big });
    const again = await deployStatic(workspace, { source: 'big', bucket: 'big' }, env());
    expect(again.outputs).toMatchObject({ uploaded: '1', unchanged: '1' });
    const after = await readBucket(s3, 'big');
    expect(after.get('video/intro.bin')?.etag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(after.get('video/intro.bin')?.md5).toBe(createHash('md5').update(big).digest('hex'));
  }, 120_000);

  test('a prefix served as the origin path: invalidation paths are the URLs, not the keys', async () => {
    const site = path.join(workspace, 'origin');
    await writeSite(site, { 'index.html': Buffer.from('v1'), 'app.js': Buffer.from('a') });
    await createBucket(s3, 'origin', false);
    const distributionId = await createDistribution(moto, 'origin', '/web');
    const result = await deployStatic(
      workspace,
      { source: 'origin', bucket: 'origin', prefix: 'web', 'distribution-id': distributionId },
      env(),
    );
    expect(result.error).toBeUndefined();
    const cloudfront = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const invalidation = await cloudfront.send(
      new GetInvalidationCommand({
        DistributionId: distributionId,
        Id: result.outputs['invalidation-id'] ?? '',
      }),
    );
    cloudfront.destroy();
    expect([...(invalidation.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual([
      '/',
      '/app.js',
      '/index.html',
    ]);
  }, 60_000);

  test('dry-run reports the plan and writes nothing', async () => {
    const site = path.join(workspace, 'dry');
    await writeSite(site, sampleSite());
    await createBucket(s3, 'dry', true);
    await s3.send(new PutObjectCommand({ Bucket: 'dry', Key: 'old.html', Body: 'old' }));
    const result = await deployStatic(
      workspace,
      { source: 'dry', bucket: 'dry', delete: 'true', 'dry-run': 'true' },
      env(),
    );
    expect(result.error).toBeUndefined();
    expect(result.outputs).toMatchObject({
      uploaded: String(Object.keys(sampleSite()).length),
      deleted: '1',
    });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'dry' }));
    expect((listed.Contents ?? []).map((item) => item.Key)).toEqual(['old.html']);
    expect(result.logger.text()).toContain('would delete old.html');
  }, 60_000);

  test('rollback without a previous release, or on a bucket without versioning, fails clearly', async () => {
    const site = path.join(workspace, 'plain');
    await writeSite(site, { 'index.html': Buffer.from('v1') });
    await createBucket(s3, 'plain', false);
    const none = await deployStatic(workspace, { bucket: 'plain', rollback: 'true' }, env());
    expect(none.error?.message).toMatch(/No previous release recorded/);
    await deployStatic(workspace, { source: 'plain', bucket: 'plain' }, env());
    await writeSite(site, { 'index.html': Buffer.from('v2') });
    const second = await deployStatic(workspace, { source: 'plain', bucket: 'plain' }, env());
    expect(
      second.logger.lines.some((line) => line.level === 'warning' && /no versioning/.test(line.message)),
    ).toBe(true);
    const back = await deployStatic(workspace, { bucket: 'plain', rollback: 'true' }, env());
    expect(back.error?.message).toMatch(/without object versions/);
  }, 60_000);

  test.each([
    [
      { source: '../outside', bucket: 'site' },
      /Input 'source': "\.\.\/outside" resolves to .*, outside the workspace/,
    ],
    [{ source: '/etc', bucket: 'site' }, /Input 'source': "\/etc" resolves to .*, outside the workspace/],
    [{ source: 'site', bucket: 's3://site' }, /Input 'bucket'/],
    [{ source: 'site', bucket: 'site', prefix: 'a/../b' }, /Input 'prefix'/],
    [{ source: 'site', bucket: 'site', 'distribution-id': 'not an id' }, /Input 'distribution-id'/],
    [{ source: 'site', bucket: 'site', invalidate: 'some' }, /Input 'invalidate'/],
    [{ source: 'site', bucket: 'site', timeout: '2h' }, /Input 'timeout'/],
    [{ source: 'site', bucket: 'site', 'cache-control': 'no colon here' }, /Input 'cache-control': line 1/],
    [{ bucket: 'site' }, /Input 'source'/],
  ])('bad input %j fails naming it, before any AWS call', async (inputs, message) => {
    // The endpoint is a closed port: an AWS call would fail with a connection error instead.
    const result = await deployStatic(workspace, inputs, {
      ...env(),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(result.error?.name).toBe('InputError');
    expect(result.error?.message).toMatch(message);
  });

  test('a symbolic link out of the build folder is refused', async () => {
    const site = path.join(workspace, 'linked');
    await writeSite(site, { 'index.html': Buffer.from('x') });
    await symlink('/etc/hostname', path.join(site, 'leak.txt'));
    await createBucket(s3, 'linked', false);
    const result = await deployStatic(workspace, { source: 'linked', bucket: 'linked' }, env());
    expect(result.error?.message).toMatch(/leak\.txt is a symbolic link to .* outside the source folder/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'linked' }));
    expect(listed.Contents ?? []).toEqual([]);
  }, 60_000);
});
