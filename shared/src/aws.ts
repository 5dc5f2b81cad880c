/**
 * AWS clients built in one place, so every action finds its region, credentials and endpoint the same way:
 * - region: the action's `aws-region` input, else `AWS_REGION`, else `AWS_DEFAULT_REGION`;
 * - credentials: the SDK's default provider chain (environment, web identity — what
 *   aws-actions/configure-aws-credentials sets —, shared files, container/instance metadata);
 * - endpoint: the SDK's own "service-specific endpoints" variables, `AWS_ENDPOINT_URL` and
 *   `AWS_ENDPOINT_URL_<SERVICE>` (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
 *   which is how tests point the clients at a local moto server. Nothing here reads them: the SDK does.
 *
 * The SDK packages are imported lazily (`await import()`), so an action that fails on a bad input never
 * pays for loading them.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError } from './errors.ts';

/** Where a client is built for. */
export interface AwsClientOptions {
  /** The `aws-region` input ('' or undefined: from the environment). */
  region?: string;
  /** Total attempts per request including the first, for the SDK's standard retry mode (default 3). */
  maxAttempts?: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region to use: the input, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
 * @param input the `aws-region` input value ('' when not given)
 * @param inputName the input's name for errors (default `aws-region`)
 * @returns a region name such as `us-east-1`
 * @throws InputError when no region is given anywhere, or the value does not look like a region
 */
export function resolveRegion(input: string | undefined, inputName = 'aws-region'): string {
  const fromInput = (input ?? '').trim();
  const region = fromInput || process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'] || '';
  if (region === '')
    throw new InputError(inputName, 'no region given and AWS_REGION is not set', 'us-east-1');
  if (!REGION.test(region))
    throw new InputError(inputName, `"${region}" is not an AWS region name`, 'us-east-1');
  return region;
}

/**
 * An ECS client for `options.region` (see the module comment for credentials and endpoint).
 * @throws InputError when no region can be found
 */
export async function createEcsClient(options: AwsClientOptions = {}): Promise<ECSClient> {
  const region = resolveRegion(options.region);
  const { ECSClient } = await import('@aws-sdk/client-ecs');
  return new ECSClient({ region, maxAttempts: options.maxAttempts ?? 3 });
}

/**
 * An Elastic Load Balancing v2 client for `options.region` (see the module comment).
 * @throws InputError when no region can be found
 */
export async function createElbv2Client(
  options: AwsClientOptions = {},
): Promise<ElasticLoadBalancingV2Client> {
  const region = resolveRegion(options.region);
  const { ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return new ElasticLoadBalancingV2Client({ region, maxAttempts: options.maxAttempts ?? 3 });
}

/** Error names AWS services use for throttling (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

interface AwsErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

/**
 * True when an SDK error says "slow down": a throttling error name, `$retryable.throttling`, or HTTP 429.
 * Follows the SDK's own classification (`@smithy/service-error-classification`).
 */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as AwsErrorShape;
  if (typeof shape.name === 'string' && THROTTLING.has(shape.name)) return true;
  if (shape.$retryable?.throttling === true) return true;
  return shape.$metadata?.httpStatusCode === 429;
}

/**
 * True for failures worth another try that are not throttling: HTTP 5xx, and connection errors
 * (reset, refused, timed out) that never reached a response.
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as AwsErrorShape).$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(code)
  );
}
