/**
 * Test helpers for deploy-static: a sample build folder, moto buckets and a CloudFront distribution made
 * with the real SDK, the AWS CLI as the reference uploader, and `run()` driven in-process with the
 * runner's INPUT_* / GITHUB_OUTPUT conventions.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createCaptureLogger, type CaptureLogger } from '../../../shared/src/logger.ts';
import { parseFileCommands, inputEnvName } from '../../../testkit/bundle-runner.ts';
import type { Moto } from '../../../testkit/moto.ts';

const run = promisify(execFile);

/** Files of a small built site (relative path → content). */
export function sampleSite(): Record<string, Buffer> {
  const bytes = (text: string): Buffer => Buffer.from(text);
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
    'hex',
  );
  return {
    'index.html': bytes('<!doctype html><title>Home</title><script src="/assets/app-3f2a1b9c.js"></script>'),
    'about/index.html': bytes('<!doctype html><title>About</title>'),
    'assets/app-3f2a1b9c.js': bytes('console.log("app v1");'),
    'assets/style.css': bytes('body { color: #123; }'),
    'assets/vendor-DiwrgTda.js': gzipSync(Buffer.from('/* vendor */ window.v = 1;'.repeat(50))),
    'img/logo.png': png,
    'img/icon.svg': bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    'data/site.json': bytes('{"name":"site"}'),
    'robots.txt': bytes('User-agent: *\n'),
    'fonts/body.woff2': Buffer.alloc(300, 7),
    'space name.txt': bytes('a file with a space'),
  };
}

/** Writes `files` under `root` (created). */
export async function writeSite(root: string, files: Record<string, Buffer>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }
}

export function s3Client(moto: Moto): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/** Creates a bucket, versioned when asked. */
export async function createBucket(s3: S3Client, name: string, versioned: boolean): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (versioned)
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
}

/** Creates a CloudFront distribution whose S3 origin is `bucket`; returns its id. */
export async function createDistribution(moto: Moto, bucket: string, originPath = ''): Promise<string> {
  const cloudfront = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const answer = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `test-${Date.now()}-${Math.random()}`,
          Comment: 'deploy-static test',
          Enabled: true,
          DefaultRootObject: 'index.html',
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'site',
                DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
                OriginPath: originPath,
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'site',
            ViewerProtocolPolicy: 'redirect-to-https',
            MinTTL: 0,
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            TrustedSigners: { Enabled: false, Quantity: 0 },
          },
        },
      }),
    );
    return answer.Distribution?.Id ?? '';
  } finally {
    cloudfront.destroy();
  }
}

/** What one object holds: MD5 of its bytes, its headers, ETag and version. */
export interface StoredObject {
  md5: string;
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  etag: string;
  versionId?: string;
}

/** Reads every object under `prefix` (bytes hashed), skipping Gantry's `.gantry/` manifests unless asked. */
export async function readBucket(
  s3: S3Client,
  bucket: string,
  options: { prefix?: string; withManifests?: boolean } = {},
): Promise<Map<string, StoredObject>> {
  const out = new Map<string, StoredObject>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: options.prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      const key = item.Key ?? '';
      if (!options.withManifests && key.includes('.gantry/')) continue;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      out.set(key, {
        md5: createHash('md5').update(body).digest('hex'),
        contentType: object.ContentType,
        contentEncoding: object.ContentEncoding,
        cacheControl: object.CacheControl,
        etag: (object.ETag ?? '').replace(/"/g, ''),
        versionId: object.VersionId,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

/** HeadObject's version id (or undefined). */
export async function versionOf(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).VersionId;
}

/** The AWS CLI (`aws s3 …`) against moto. */
export async function awsCli(moto: Moto, args: string[]): Promise<string> {
  const { stdout } = await run('aws', args, {
    env: { ...process.env, ...moto.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: moto.endpoint },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

let summaryFile: string | undefined;

/** One in-process run of deploy-static's `run()`. */
export interface DeployRun {
  error?: Error;
  outputs: Record<string, string>;
  summary: string;
  logger: CaptureLogger;
}

/**
 * Runs deploy-static's flow in-process as the runner would start it: `INPUT_*` from `inputs`,
 * GITHUB_WORKSPACE = `workspace`, moto's environment, fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 * The environment is restored afterwards.
 */
export async function deployStatic(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<DeployRun> {
  const { run: runDeploy } = await import('../../../actions/deploy-static/src/main.ts');
  const files = await mkdtemp(path.join(tmpdir(), 'deploy-static-run-'));
  const saved = { ...process.env };
  const outputFile = path.join(files, 'output');
  // @actions/core keeps the summary file path of its first use for the whole process: one file, reset each run.
  summaryFile ??= path.join(await mkdtemp(path.join(tmpdir(), 'deploy-static-summary-')), 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  Object.assign(process.env, env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
  });
  for (const [name, value] of Object.entries(inputs)) process.env[inputEnvName(name)] = value;
  const logger = createCaptureLogger();
  let error: Error | undefined;
  try {
    await runDeploy(logger);
  } catch (thrown) {
    error = thrown as Error;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const outputs = parseFileCommands(await readFile(outputFile, 'utf8'));
  const summary = await readFile(summaryFile, 'utf8');
  await rm(files, { recursive: true, force: true });
  return error === undefined ? { outputs, summary, logger } : { error, outputs, summary, logger };
}
