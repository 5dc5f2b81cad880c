import { afterEach, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { getInputs } from '../../../actions/build-push/src/inputs.ts';
import { decodeEcrToken, parseEcrHost, planLogin } from '../../../actions/build-push/src/login.ts';
import { parseImage } from '../../../actions/build-push/src/metadata.ts';

describe('parseEcrHost', () => {
  const cases: [string, { registryId: string; region: string } | undefined][] = [
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', { registryId: '123456789012', region: 'us-east-1' }],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      { registryId: '123456789012', region: 'us-gov-west-1' },
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      { registryId: '123456789012', region: 'cn-north-1' },
    ],
    ['public.ecr.aws', undefined],
    ['ghcr.io', undefined],
    ['12345.dkr.ecr.us-east-1.amazonaws.com', undefined],
  ];
  for (const [host, expected] of cases) test(host, () => assert.deepEqual(parseEcrHost(host), expected));
});

describe('planLogin: inputs × registry → how to log in', () => {
  const none = { login: 'auto', username: '', password: '', 'github-token': '', 'aws-region': '' } as const;
  const ecr = parseImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app');
  const ghcr = parseImage('ghcr.io/acme/app');
  const other = parseImage('registry.example.com/app');
  test('auto on an ECR host: ECR with the region and account from the host', () =>
    assert.deepEqual(planLogin(none, ecr, {}), {
      kind: 'ecr',
      region: 'eu-west-1',
      registryId: '123456789012',
    }));
  test('aws-region overrides the host region', () =>
    assert.deepEqual(planLogin({ ...none, 'aws-region': 'us-east-2' }, ecr, {}), {
      kind: 'ecr',
      region: 'us-east-2',
      registryId: '123456789012',
    }));
  test('auto on ghcr.io with a token: the token, as the actor', () =>
    assert.deepEqual(planLogin({ ...none, 'github-token': 'ghs_x' }, ghcr, { GITHUB_ACTOR: 'octocat' }), {
      kind: 'ghcr',
      username: 'octocat',
      token: 'ghs_x',
    }));
  test('auto on ghcr.io with username/password prefers them over the token', () =>
    assert.equal(
      planLogin({ ...none, 'github-token': 'ghs_x', username: 'u', password: 'p' }, ghcr, {}).kind,
      'password',
    ));
  test('auto on ghcr.io without anything: anonymous, saying why', () =>
    assert.deepEqual(planLogin(none, ghcr, {}), {
      kind: 'none',
      reason: 'no github-token or username/password for ghcr.io',
    }));
  test('auto elsewhere with username/password', () =>
    assert.deepEqual(planLogin({ ...none, username: 'u', password: 'p' }, other, {}), {
      kind: 'password',
      username: 'u',
      password: 'p',
    }));
  test('login: ecr on any host takes AWS_REGION and no registry id', () =>
    assert.deepEqual(planLogin({ ...none, login: 'ecr' }, other, { AWS_REGION: 'ap-south-1' }), {
      kind: 'ecr',
      region: 'ap-south-1',
    }));
  test('login: ecr without any region is an input error on aws-region', () =>
    assert.throws(
      () => planLogin({ ...none, login: 'ecr' }, other, {}),
      (error: unknown) => error instanceof InputError && error.input === 'aws-region',
    ));
  test('login: ghcr without a token is an input error on github-token', () =>
    assert.throws(
      () => planLogin({ ...none, login: 'ghcr' }, ghcr, {}),
      (error: unknown) => error instanceof InputError && error.input === 'github-token',
    ));
  test('login: none never logs in, even on ECR', () =>
    assert.equal(planLogin({ ...none, login: 'none' }, ecr, {}).kind, 'none'));
});

describe('decodeEcrToken', () => {
  test('base64 AWS:<password>; a colon inside the password is kept', () =>
    assert.deepEqual(decodeEcrToken(Buffer.from('AWS:pa:ss').toString('base64')), {
      username: 'AWS',
      password: 'pa:ss',
    }));
  test('a token without a colon is rejected', () =>
    assert.throws(() => decodeEcrToken(Buffer.from('nope').toString('base64')), /not user:password/));
});

describe('getInputs', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
    process.env['INPUT_IMAGE'] = 'ghcr.io/acme/app';
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('defaults', async () => {
    const inputs = await getInputs(createCaptureLogger());
    assert.equal(inputs.builder, 'auto');
    assert.equal(inputs.context, '.');
    assert.equal(inputs.push, true);
    assert.equal(inputs['auto-tags'], true);
    assert.equal(inputs['push-attempts'], 4);
    assert.equal(inputs['tls-verify'], true);
    assert.deepEqual(inputs.image, { name: 'ghcr.io/acme/app', registry: 'ghcr.io', repository: 'acme/app' });
  });

  test('an unexpanded ${{ github.token }} default counts as no token (local runs)', async () => {
    process.env['INPUT_GITHUB-TOKEN'] = '${{ github.token }}';
    const logger = createCaptureLogger();
    assert.equal((await getInputs(logger))['github-token'], '');
    logger.info('${{ github.token }}');
    assert.equal(
      logger.text(),
      '${{ github.token }}',
      'the literal expression is not registered as a secret',
    );
  });

  test('secrets are masked (each value) before a bad line is reported, and the error names the line only', async () => {
    process.env['INPUT_SECRETS'] = 'npm_token=s3cret-one\nnot a pair s3cret-two\n';
    const logger = createCaptureLogger();
    await assert.rejects(getInputs(logger), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.input, 'secrets');
      assert.match(error.message, /line 2 is not ID=VALUE/);
      assert.ok(!error.message.includes('s3cret'));
      return true;
    });
    logger.info('s3cret-one and not a pair s3cret-two');
    assert.equal(logger.text(), '*** and ***');
  });

  test('secrets: id → value, values with = kept', async () => {
    process.env['INPUT_SECRETS'] = 'npm_token=abc=def\n# comment\naws.key=xyz';
    const inputs = await getInputs(createCaptureLogger());
    assert.deepEqual(
      [...inputs.secrets],
      [
        ['npm_token', 'abc=def'],
        ['aws.key', 'xyz'],
      ],
    );
  });

  const bad: [string, string, string, RegExp][] = [
    ['INPUT_BUILDER', 'kaniko', 'builder', /"kaniko" is not one of auto, docker, buildah, podman/],
    ['INPUT_TAGS', 'ok,feature/x', 'tags', /tag "feature\/x" is not a valid OCI tag/],
    ['INPUT_IMAGE', 'ghcr.io/Acme/app', 'image', /lower-case/],
    ['INPUT_PLATFORMS', 'linux/amd64,amd64', 'platforms', /"amd64" is not os\/arch/],
    ['INPUT_PUSH', 'yes', 'push', /"yes" is not a boolean/],
    ['INPUT_PUSH-ATTEMPTS', '50', 'push-attempts', /above the maximum of 10/],
    ['INPUT_PROVENANCE', 'full', 'provenance', /"full" is not true, false, mode=min or mode=max/],
    ['INPUT_LOGIN', 'password', 'username', /needs both 'username' and 'password'/],
    ['INPUT_BUILD-ARGS', 'NOEQUALS', 'build-args', /line 1 \("NOEQUALS"\) is not KEY=VALUE/],
  ];
  for (const [variable, value, input, message] of bad) {
    test(`${input}: ${value} is rejected, naming the input`, async () => {
      process.env[variable] = value;
      await assert.rejects(getInputs(createCaptureLogger()), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.input, input);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a missing image is an input error naming image', async () => {
    delete process.env['INPUT_IMAGE'];
    await assert.rejects(getInputs(createCaptureLogger()), /Input 'image': a value is required/);
  });
});
