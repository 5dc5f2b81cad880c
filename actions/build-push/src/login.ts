/**
 * Registry login: which credentials a registry gets, the way the peers do it —
 * aws-actions/amazon-ecr-login (ECR `GetAuthorizationToken`, a base64 `AWS:<password>` token) and
 * docker/login-action (ghcr.io with the GitHub token, any registry with username/password) — but written
 * only to this action's temporary auth file.
 */
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { Inputs } from './inputs.ts';
import type { ImageReference } from './metadata.ts';
import type { RegistryCredentials } from './registry-client.ts';

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` (ECR private registry hosts). */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host, or undefined for other hosts. */
export function parseEcrHost(registry: string): { registryId: string; region: string } | undefined {
  const match = ECR_HOST.exec(registry);
  return match === null ? undefined : { registryId: match[1] ?? '', region: match[2] ?? '' };
}

/** How this run logs in. */
export type LoginPlan =
  | { kind: 'ecr'; region: string; registryId?: string }
  | { kind: 'ghcr'; username: string; token: string }
  | { kind: 'password'; username: string; password: string }
  | { kind: 'none'; reason: string };

/**
 * Decides how to log in from the `login` input and the registry host.
 * - `auto`: ECR hosts → `ecr`; `ghcr.io` → `ghcr` when there is a GitHub token; else `password` when a
 *   username and password are given; else `none` (anonymous);
 * - explicit choices must have what they need.
 * @param env for `AWS_REGION`/`AWS_DEFAULT_REGION` and `GITHUB_ACTOR`
 * @throws InputError when an explicit choice lacks its inputs (region, token, username/password)
 */
export function planLogin(
  inputs: Pick<Inputs, 'login' | 'username' | 'password' | 'github-token' | 'aws-region'>,
  image: ImageReference,
  env: NodeJS.ProcessEnv = process.env,
): LoginPlan {
  const ecrHost = parseEcrHost(image.registry);
  const hasPassword = inputs.username !== '' && inputs.password !== '';
  let kind = inputs.login;
  if (kind === 'auto') {
    if (ecrHost !== undefined) kind = 'ecr';
    else if (image.registry === 'ghcr.io' && inputs['github-token'] !== '' && !hasPassword) kind = 'ghcr';
    else if (hasPassword) kind = 'password';
    else
      return {
        kind: 'none',
        reason:
          image.registry === 'ghcr.io'
            ? 'no github-token or username/password for ghcr.io'
            : 'no username/password given: pushing anonymously',
      };
  }
  switch (kind) {
    case 'ecr': {
      const region =
        inputs['aws-region'] || ecrHost?.region || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || '';
      if (region === '')
        throw new InputError(
          'aws-region',
          'ECR login needs a region and the registry host names none',
          'us-east-1',
        );
      return ecrHost === undefined
        ? { kind: 'ecr', region }
        : { kind: 'ecr', region, registryId: ecrHost.registryId };
    }
    case 'ghcr':
      if (inputs['github-token'] === '')
        throw new InputError(
          'github-token',
          'login: ghcr needs a token with packages: write',
          '${{ github.token }}',
        );
      return {
        kind: 'ghcr',
        username: inputs.username || env['GITHUB_ACTOR'] || 'github-actions',
        token: inputs['github-token'],
      };
    case 'password':
      if (!hasPassword)
        throw new InputError('username', "login: password needs both 'username' and 'password'", 'ci-bot');
      return { kind: 'password', username: inputs.username, password: inputs.password };
    default:
      return { kind: 'none', reason: 'login: none' };
  }
}

/**
 * Decodes an ECR authorization token: base64 of `AWS:<password>`.
 * @throws ConfigurationError when the token is not `<user>:<password>` once decoded
 */
export function decodeEcrToken(token: string): RegistryCredentials {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0)
    throw new ConfigurationError('ECR returned an authorization token that is not user:password');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Gets ECR credentials through `GetAuthorizationToken` (the AWS SDK v3 ECR client, imported only here so
 * other paths do not load it). Region as planned, credentials from the default chain, endpoint from
 * `AWS_ENDPOINT_URL(_ECR)`. The token and password are masked before anything else happens with them.
 * @throws the SDK's error (e.g. missing credentials), wrapped to say ECR login failed
 */
export async function ecrCredentials(
  plan: { region: string; registryId?: string },
  logger: Logger,
): Promise<RegistryCredentials> {
  const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const client = new ECRClient({ region: plan.region, maxAttempts: 4 });
  try {
    const response = await client.send(
      new GetAuthorizationTokenCommand(
        plan.registryId === undefined ? {} : { registryIds: [plan.registryId] },
      ),
    );
    const token = response.authorizationData?.[0]?.authorizationToken;
    if (token === undefined || token === '') throw new Error('the response holds no authorization token');
    logger.mask(token);
    const credentials = decodeEcrToken(token);
    logger.mask(credentials.password);
    return credentials;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ConfigurationError(`ECR login (GetAuthorizationToken in ${plan.region}) failed: ${message}`);
  } finally {
    client.destroy();
  }
}

/**
 * Turns a plan into credentials (ECR through its API).
 * @returns credentials, or undefined for `none`
 */
export async function resolveCredentials(
  plan: LoginPlan,
  logger: Logger,
): Promise<RegistryCredentials | undefined> {
  switch (plan.kind) {
    case 'ecr':
      return ecrCredentials(plan, logger);
    case 'ghcr':
      return { username: plan.username, password: plan.token };
    case 'password':
      return { username: plan.username, password: plan.password };
    default:
      return undefined;
  }
}
