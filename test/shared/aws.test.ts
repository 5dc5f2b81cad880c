import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createEcsClient, isThrottlingError, isTransientError, resolveRegion } from '../../shared/src/aws.ts';
import { InputError } from '../../shared/src/errors.ts';

describe('shared AWS clients', () => {
  const saved = { region: process.env['AWS_REGION'], fallback: process.env['AWS_DEFAULT_REGION'] };
  afterEach(() => {
    for (const [name, value] of [
      ['AWS_REGION', saved.region],
      ['AWS_DEFAULT_REGION', saved.fallback],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  test('region: the input, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
    process.env['AWS_REGION'] = 'eu-west-1';
    process.env['AWS_DEFAULT_REGION'] = 'us-west-2';
    assert.equal(resolveRegion('ap-southeast-2'), 'ap-southeast-2');
    assert.equal(resolveRegion(''), 'eu-west-1');
    delete process.env['AWS_REGION'];
    assert.equal(resolveRegion(undefined), 'us-west-2');
    assert.equal(resolveRegion('us-gov-west-1'), 'us-gov-west-1');
  });

  test('a missing or malformed region is an input error naming aws-region', () => {
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    assert.throws(
      () => resolveRegion(''),
      (e: unknown) => e instanceof InputError && e.input === 'aws-region',
    );
    assert.throws(() => resolveRegion('Frankfurt'), /"Frankfurt" is not an AWS region name/);
  });

  test('the ECS client gets the region; the endpoint is left to the SDK (AWS_ENDPOINT_URL)', async () => {
    const client = await createEcsClient({ region: 'eu-north-1' });
    assert.equal(await client.config.region(), 'eu-north-1');
    client.destroy();
  });

  test('throttling and transient errors are told apart from the rest', () => {
    const named = (name: string, status?: number): Error =>
      Object.assign(new Error(name), {
        name,
        $metadata: status === undefined ? {} : { httpStatusCode: status },
      });
    assert.equal(isThrottlingError(named('ThrottlingException', 400)), true);
    assert.equal(isThrottlingError(named('Whatever', 429)), true);
    assert.equal(
      isThrottlingError(Object.assign(new Error('x'), { $retryable: { throttling: true } })),
      true,
    );
    assert.equal(isThrottlingError(named('AccessDeniedException', 400)), false);
    assert.equal(isTransientError(named('ServerException', 500)), true);
    assert.equal(isTransientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), true);
    assert.equal(isTransientError(named('ClientException', 400)), false);
    assert.equal(isThrottlingError('text'), false);
  });
});
