/**
 * The notify action's inputs, read and checked in one place (nothing else calls the input readers).
 * Cross-input rules are checked here too, so a bad call fails before any channel is contacted.
 */
import { InputError } from '../../../shared/src/errors.ts';
import { getBoolean, getDuration, getEnum, getList, getMap, getString } from '../../../shared/src/inputs.ts';
import { getSecret } from '../../../shared/src/secret-inputs.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { STATUSES, statusFromJobStatus, type Status } from './status.ts';
import { quote } from '../../../shared/src/output.ts';

/** PagerDuty Events API v2 `payload.severity` values. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The inputs, keyed by their action.yml names. Secrets are already masked (and resolved if vault: refs). */
export interface Inputs {
  status: Status;
  environment: string;
  'environment-url': string;
  version: string;
  image: string;
  message: string;
  /** A headline replacing the deploy-status one, one line of at most {@link MAX_TITLE} characters, or ''. */
  title: string;
  /** KEY=VALUE lines in their given order. */
  details: Map<string, string>;
  /** The commit to report on; '' means GITHUB_SHA. */
  sha: string;
  'slack-token': string;
  'slack-channel': string;
  'slack-ts': string;
  'slack-webhook': string;
  'slack-api-url': string;
  'pagerduty-routing-key': string;
  'pagerduty-api-url': string;
  'pagerduty-severity': Severity;
  'pagerduty-dedup-key': string;
  /** Lower-cased environment names. */
  'production-environments': string[];
  'github-token': string;
  'commit-status': boolean;
  'commit-status-context': string;
  deployment: boolean;
  /** A positive integer as text, or ''. */
  'deployment-id': string;
  'deployment-description': string;
  'fail-on-error': boolean;
  /** Milliseconds the whole step may take (all channels, retries included). */
  timeout: number;
  'dry-run': boolean;
}

/**
 * A default that is still an unevaluated `${{ … }}` expression (a local run with @github/local-action or
 * the test harness, which apply action.yml defaults literally) counts as not given.
 */
function evaluated(value: string): string {
  return value.includes('${{') ? '' : value;
}

/**
 * Checks that a value is an absolute http(s) URL.
 * @throws InputError naming the input otherwise
 */
function requireHttpUrl(name: string, value: string, example: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, `${quote(value)} is not a URL`, example);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError(name, `${quote(value)} is not an http(s) URL`, example);
}

/** Same as {@link requireHttpUrl} for a secret URL: the message never repeats the value. */
function requireSecretHttpUrl(name: string, value: string, example: string): void {
  try {
    requireHttpUrl(name, value, example);
  } catch {
    throw new InputError(name, 'the value is not an http(s) URL', example);
  }
}

/** The longest title: Slack's header block holds 150 characters (the status emoji is cut into it). */
export const MAX_TITLE = 150;

/**
 * The title input: one line of printable text, at most {@link MAX_TITLE} characters.
 * @throws InputError for a line break or a longer value (control characters are refused by the input reader)
 */
function getTitle(): string {
  const example = 'Weekly security summary: acme/app';
  const value = getString('title', { singleLine: true, example });
  if (value.length > MAX_TITLE)
    throw new InputError(
      'title',
      `is ${value.length} characters; at most ${MAX_TITLE} fit a Slack header (put the rest in message)`,
      example,
    );
  return value;
}

/** The action.yml default, also used when the input is given empty. */
const DEFAULT_PRODUCTION_ENVIRONMENTS = ['production', 'prod'];

function productionEnvironments(): string[] {
  const names = getList('production-environments').map((name) => name.toLowerCase());
  return names.length === 0 ? DEFAULT_PRODUCTION_ENVIRONMENTS : names;
}

function resolveStatus(): Status {
  const given = getString('status');
  if (given !== '') {
    if ((STATUSES as readonly string[]).includes(given)) return given as Status;
    throw new InputError('status', `${quote(given)} is not one of ${STATUSES.join(', ')}`, 'success');
  }
  const jobStatus = evaluated(getString('job-status'));
  if (jobStatus === '')
    throw new InputError(
      'status',
      'no status given and job-status is empty; pass status, or job-status: ${{ job.status }}',
      'success',
    );
  const derived = statusFromJobStatus(jobStatus);
  if (derived === undefined)
    throw new InputError(
      'job-status',
      `${quote(jobStatus)} is not success, failure or cancelled`,
      '${{ job.status }}',
    );
  return derived;
}

/**
 * Reads and validates every input. Secret inputs (slack-token, slack-webhook, pagerduty-routing-key,
 * github-token) are masked before anything else can print them.
 *
 * @param logger where secret masks are registered (the runner by default)
 * @returns the inputs, with defaults applied
 * @throws InputError for a bad value or a combination that cannot work (e.g. slack-token without
 *   slack-channel, slack-ts without slack-token, an update addressed to a channel name)
 */
export async function getInputs(logger: Logger = coreLogger): Promise<Inputs> {
  // Secrets first: masked before any error message or log line could contain them.
  const slackToken = await getSecret('slack-token', { logger });
  const slackWebhook = await getSecret('slack-webhook', { logger });
  const routingKey = await getSecret('pagerduty-routing-key', { logger });
  const githubToken = evaluated(await getSecret('github-token', { logger }));

  const status = resolveStatus();
  const inputs: Inputs = {
    status,
    environment: getString('environment', { singleLine: true, example: 'production' }),
    'environment-url': getString('environment-url'),
    version: getString('version', { singleLine: true }),
    image: getString('image', { singleLine: true }),
    message: getString('message'),
    title: getTitle(),
    details: getMap('details', { keyPattern: /^[^=\r\n]+$/, example: 'Smoke test=passed' }),
    sha: evaluated(getString('sha')),
    'slack-token': slackToken,
    'slack-channel': getString('slack-channel'),
    'slack-ts': getString('slack-ts'),
    'slack-webhook': slackWebhook,
    'slack-api-url': getString('slack-api-url', { default: 'https://slack.com/api/' }),
    'pagerduty-routing-key': routingKey,
    'pagerduty-api-url': getString('pagerduty-api-url', {
      default: 'https://events.pagerduty.com/v2/enqueue',
    }),
    'pagerduty-severity': getEnum('pagerduty-severity', SEVERITIES, { default: 'critical' }),
    'pagerduty-dedup-key': getString('pagerduty-dedup-key'),
    'production-environments': productionEnvironments(),
    'github-token': githubToken,
    'commit-status': getBoolean('commit-status', { default: true }),
    'commit-status-context': getString('commit-status-context'),
    deployment: getBoolean('deployment', { default: true }),
    'deployment-id': getString('deployment-id'),
    'deployment-description': getString('deployment-description'),
    'fail-on-error': getBoolean('fail-on-error', { default: false }),
    timeout: getDuration('timeout', { default: '60s', min: 1_000, max: 15 * 60_000 }) ?? 60_000,
    'dry-run': getBoolean('dry-run', { default: false }),
  };

  if (inputs['environment-url'] !== '')
    requireHttpUrl('environment-url', inputs['environment-url'], 'https://app.example.com');
  requireHttpUrl('slack-api-url', inputs['slack-api-url'], 'https://slack.com/api/');
  requireHttpUrl('pagerduty-api-url', inputs['pagerduty-api-url'], 'https://events.pagerduty.com/v2/enqueue');
  if (inputs['slack-webhook'] !== '')
    requireSecretHttpUrl('slack-webhook', inputs['slack-webhook'], '${{ secrets.SLACK_WEBHOOK_URL }}');

  if (inputs['slack-token'] !== '' && inputs['slack-channel'] === '')
    throw new InputError(
      'slack-channel',
      'slack-token is set but no channel to post to was given',
      'C0123456789',
    );
  if (inputs['slack-ts'] !== '') {
    if (!/^\d+\.\d+$/.test(inputs['slack-ts']))
      throw new InputError(
        'slack-ts',
        `${quote(inputs['slack-ts'])} is not a Slack message ts`,
        '1712345678.123456',
      );
    if (inputs['slack-token'] === '')
      throw new InputError('slack-ts', 'updating a message needs slack-token (webhooks cannot update)');
    if (!/^[A-Z0-9]+$/.test(inputs['slack-channel']))
      throw new InputError(
        'slack-channel',
        `${quote(inputs['slack-channel'])} is a name, but updating a message (slack-ts) needs the channel ID ` +
          'the posting step returned in its slack-channel output',
        '${{ steps.notify-start.outputs.slack-channel }}',
      );
  }
  if (inputs['deployment-id'] !== '' && !/^[1-9]\d*$/.test(inputs['deployment-id']))
    throw new InputError(
      'deployment-id',
      `${quote(inputs['deployment-id'])} is not a deployment ID`,
      '1234567890',
    );
  if (inputs.sha !== '' && !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(inputs.sha))
    throw new InputError('sha', `${quote(inputs.sha)} is not a full commit SHA`, '${{ github.sha }}');
  return inputs;
}
