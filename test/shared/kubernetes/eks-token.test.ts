/**
 * The EKS token against a fixed clock and credentials. The expected signature was produced by botocore's
 * SigV4QueryAuth (what `aws eks get-token` uses) for the same request, time and keys:
 *   SigV4QueryAuth(Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'), 'sts', 'us-east-1',
 *   expires=60) on GET https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15
 *   with header x-k8s-aws-id: prod, at 2026-01-02T03:04:05Z (botocore.auth.get_current_datetime patched).
 */
import { describe, expect, test } from 'vitest';
import { eksToken, presignGetCallerIdentity } from '../../../shared/src/kubernetes/eks-token.ts';

const request = {
  clusterName: 'prod',
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  signingDate: new Date('2026-01-02T03:04:05Z'),
};
const BOTOCORE_SIGNATURE = '9f570dd37f47effde39024545abc9c51d2c79a3ceeee56b192c5fa8a38ccce4b';

describe('EKS token', () => {
  test('the presigned GetCallerIdentity URL matches botocore, with x-k8s-aws-id signed and 60 s expiry', async () => {
    const url = new URL(await presignGetCallerIdentity(request));
    expect(url.origin).toBe('https://sts.us-east-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260102T030405Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260102/us-east-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(BOTOCORE_SIGNATURE);
  });
  test('the token is k8s-aws-v1. + base64url of the URL, without padding', async () => {
    const token = await eksToken(request);
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    const encoded = token.slice('k8s-aws-v1.'.length);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(encoded, 'base64url').toString()).toBe(await presignGetCallerIdentity(request));
  });
  test('a session token is signed into the URL; another cluster name changes the signature', async () => {
    const withSession = new URL(
      await presignGetCallerIdentity({
        ...request,
        credentials: { ...request.credentials, sessionToken: 'SESSION' },
      }),
    );
    expect(withSession.searchParams.get('X-Amz-Security-Token')).toBe('SESSION');
    const other = new URL(await presignGetCallerIdentity({ ...request, clusterName: 'staging' }));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(BOTOCORE_SIGNATURE);
  });
});
