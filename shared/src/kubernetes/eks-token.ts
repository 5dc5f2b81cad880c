/**
 * The EKS bearer token `aws eks get-token` (and aws-iam-authenticator) makes: a presigned STS
 * GetCallerIdentity URL, signed with SigV4 for the cluster's region with the `x-k8s-aws-id: <cluster>`
 * header in the signature and an expiry of 60 s, base64url-encoded without padding behind `k8s-aws-v1.`.
 * EKS's authenticator replays the URL against STS to learn the caller's IAM identity.
 * Format: https://github.com/kubernetes-sigs/aws-iam-authenticator#api-authorization-from-outside-a-cluster
 * Signing: the AWS SDK v3's own signer (@smithy/signature-v4).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS credentials (as the SDK's credential providers return them). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a token is made for. */
export interface EksTokenRequest {
  /** The EKS cluster name (the `x-k8s-aws-id` header). */
  clusterName: string;
  /** The cluster's region: the STS regional endpoint signs for it. */
  region: string;
  credentials: AwsCredentials;
  /** Signing time (default now); tests pass a fixed one. */
  signingDate?: Date;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 (and HMAC-SHA-256 with a secret) for the signer, on node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** Token lifetime: STS presigned URLs for EKS are valid 60 s; the token is good for 15 min after signing. */
export const EKS_TOKEN_EXPIRES_SECONDS = 60;

/**
 * The presigned STS URL inside a token.
 * @returns `https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-…`
 */
export async function presignGetCallerIdentity(request: EksTokenRequest): Promise<string> {
  const hostname = `sts.${request.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'sts',
    region: request.region,
    credentials: request.credentials,
    sha256: Sha256,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': request.clusterName },
    },
    { expiresIn: EKS_TOKEN_EXPIRES_SECONDS, signingDate: request.signingDate ?? new Date() },
  );
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value ?? '']).map(
        (item: string | null) => `${encodeURIComponent(key)}=${encodeURIComponent(item ?? '')}`,
      ),
    )
    .join('&');
  return `https://${hostname}/?${query}`;
}

/**
 * Makes an EKS bearer token.
 * @returns `k8s-aws-v1.<base64url of the presigned URL, no padding>`
 */
export async function eksToken(request: EksTokenRequest): Promise<string> {
  const url = await presignGetCallerIdentity(request);
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/**
 * The job's AWS credentials from the SDK's default provider chain (environment, web identity — what
 * aws-actions/configure-aws-credentials sets up —, shared files, container and instance metadata).
 * @throws the provider chain's error when no credentials can be found
 */
export async function defaultAwsCredentials(): Promise<AwsCredentials> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const identity = await defaultProvider()();
  return {
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    ...(identity.sessionToken === undefined ? {} : { sessionToken: identity.sessionToken }),
  };
}
