/**
 * S3 and CloudFront clients, built the way `aws.ts` builds every AWS client (region from the input or
 * `AWS_REGION`/`AWS_DEFAULT_REGION` via {@link resolveRegion}, the SDK's default credential chain,
 * `AWS_ENDPOINT_URL*` read by the SDK itself).
 *
 * A module of its own, beside aws.ts, so the lazy `import()`s of the S3 and CloudFront SDKs are reachable
 * only from the actions that use them (deploy-static): the ECS actions import aws.ts, and every
 * `import()` in a module they load counts towards what their bundle can reach (dist/manifest.json).
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { resolveRegion, type AwsClientOptions } from './aws.ts';

/**
 * Every request bounded: 10 s to connect, 120 s without a byte on the socket (an 8 MiB part on a slow
 * link still fits); a black-holed endpoint then fails and the SDK's retry decides, instead of hanging.
 */
const REQUEST_TIMEOUTS = { connectionTimeout: 10_000, requestTimeout: 120_000 };

/**
 * An S3 client for `options.region`. Path-style addressing is used when an endpoint is set through
 * `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` (a local S3 such as moto or MinIO serves buckets under the
 * path, not as host names); against AWS itself the SDK's default (virtual-hosted style) applies.
 * @throws InputError when no region can be found
 */
export async function createS3Client(options: AwsClientOptions = {}): Promise<S3Client> {
  const region = resolveRegion(options.region);
  const { S3Client } = await import('@aws-sdk/client-s3');
  const customEndpoint = Boolean(process.env['AWS_ENDPOINT_URL_S3'] || process.env['AWS_ENDPOINT_URL']);
  return new S3Client({
    region,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: REQUEST_TIMEOUTS,
    ...(customEndpoint ? { forcePathStyle: true } : {}),
  });
}

/**
 * A CloudFront client. CloudFront is a global service whose API lives in `us-east-1`, so the region is
 * fixed there whatever `aws-region` says (a given region is still validated, so a typo fails as for the
 * other clients).
 * @throws InputError when a given region is not a region name
 */
export async function createCloudFrontClient(options: AwsClientOptions = {}): Promise<CloudFrontClient> {
  if ((options.region ?? '').trim() !== '') resolveRegion(options.region);
  const { CloudFrontClient } = await import('@aws-sdk/client-cloudfront');
  return new CloudFrontClient({
    region: 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: REQUEST_TIMEOUTS,
  });
}
