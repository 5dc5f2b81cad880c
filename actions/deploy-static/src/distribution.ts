/**
 * The CloudFront side: which domain and origin path the distribution serves the bucket under, the
 * invalidation, and the wait for it to complete.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import type { Logger } from '../../../shared/src/logger.ts';
import { pollUntil } from '../../../shared/src/poll.ts';

/** What the distribution tells about where the bucket is served. */
export interface DistributionInfo {
  /** e.g. `d111111abcdef8.cloudfront.net` */
  domain: string;
  /** The OriginPath of the origin that points at the bucket ('' when none, or no such origin). */
  originPath: string;
  /** Whether an origin of the distribution points at the bucket. */
  servesBucket: boolean;
}

/**
 * Reads the distribution (GetDistribution) and finds the origin whose domain is the bucket's
 * (`<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3.amazonaws.com`, or a website endpoint).
 */
export async function describeDistribution(
  cloudfront: CloudFrontClient,
  id: string,
  bucket: string,
): Promise<DistributionInfo> {
  const answer = await cloudfront.send(new GetDistributionCommand({ Id: id }));
  const distribution = answer.Distribution;
  const origins = distribution?.DistributionConfig?.Origins?.Items ?? [];
  const origin = origins.find((item) => (item.DomainName ?? '').startsWith(`${bucket}.s3`));
  return {
    domain: distribution?.DomainName ?? '',
    originPath: origin?.OriginPath ?? '',
    servesBucket: origin !== undefined,
  };
}

/**
 * Creates an invalidation (CreateInvalidation) with a unique caller reference.
 * @param paths URL paths starting with `/` (`/*` for everything)
 * @returns the invalidation id
 */
export async function createInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  paths: readonly string[],
  reference = `gantry-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
): Promise<string> {
  const answer = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: [...paths] } },
    }),
  );
  const id = answer.Invalidation?.Id;
  if (id === undefined) throw new Error('CloudFront answered CreateInvalidation without an invalidation id');
  return id;
}

/**
 * Waits until the invalidation's status is `Completed` (GetInvalidation every `intervalMs`).
 * @param timeoutMs the deadline in milliseconds, honoured exactly
 * @returns the time it took, in milliseconds
 * @throws TimeoutError when the deadline passes first
 */
export async function waitForInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  invalidationId: string,
  timeoutMs: number,
  logger: Logger,
  intervalMs = 5_000,
): Promise<number> {
  const { elapsedMs } = await pollUntil(
    async () => {
      const answer = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
      );
      const status = answer.Invalidation?.Status ?? 'unknown';
      // CloudFront answers `InProgress` then `Completed`; compared case-insensitively (moto says `COMPLETED`).
      return status.toLowerCase() === 'completed'
        ? { done: true, value: status }
        : { done: false, progress: `invalidation ${invalidationId}: ${status}` };
    },
    { timeoutMs, intervalMs, description: `CloudFront invalidation ${invalidationId} to complete`, logger },
  );
  return elapsedMs;
}
