/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * `trigger` opens (or adds to) the incident with a `dedup_key`, `resolve` with the same key closes it.
 * The enqueue endpoint answers 202 `{status, message, dedup_key}`; 400 for an invalid event, 429 when
 * throttled, 5xx when it could not take the event (both worth retrying, per the same page).
 */
import type { Logger } from '../../../shared/src/logger.ts';
import { httpRetryDecision, postJson, withRetries, type PlannedRequest } from './delivery.ts';
import type { Severity } from './inputs.ts';
import type { RunContext } from './run-context.ts';
import { meaningOf, type Status } from './status.ts';

/** An Events API v2 event as sent (resolve events carry no payload). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: Severity;
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, string>;
  };
  links?: { href: string; text: string }[];
  client?: string;
  client_url?: string;
}

export interface PagerDutyInput {
  status: Status;
  run: RunContext;
  environment: string;
  environmentUrl: string;
  version: string;
  image: string;
  message: string;
  details: ReadonlyMap<string, string>;
  /** A headline given by the caller (the title input), used as the summary; '' or absent for the derived one. */
  title?: string;
  routingKey: string;
  severity: Severity;
  /** An explicit dedup_key, or '' for the derived one. */
  dedupKey: string;
  /** Whether `environment` is one of production-environments. */
  production: boolean;
  /** Event time (tests pass a fixed one). */
  now?: Date;
}

/** PagerDuty's limits: dedup_key ≤ 255 characters, summary ≤ 1024. */
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

/**
 * The stable dedup_key for a repository and environment: `gantry/<owner>/<repo>/<environment>`, so a later
 * run's success resolves the incident an earlier failure opened.
 */
export function dedupKeyFor(repository: string, environment: string): string {
  return `gantry/${repository}/${environment}`.slice(0, MAX_DEDUP_KEY);
}

/**
 * Builds the event for a status, or says why none is sent.
 * @returns the event (trigger on failure/rolled-back, resolve on success, in a production environment),
 *   or `{ skip }` with the reason
 */
export function pagerDutyEvent(input: PagerDutyInput): PagerDutyEvent | { skip: string } {
  const action = meaningOf(input.status).pagerduty;
  if (!input.production)
    return {
      skip:
        input.environment === ''
          ? 'no environment given: PagerDuty pages only for production environments'
          : `${input.environment} is not a production environment (see production-environments)`,
    };
  if (action === undefined)
    return { skip: `${input.status} is not paged (only failure, rolled-back and success are)` };
  const dedupKey = input.dedupKey || dedupKeyFor(input.run.repository, input.environment);
  if (action === 'resolve')
    return { routing_key: input.routingKey, event_action: 'resolve', dedup_key: dedupKey };

  const what = input.status === 'rolled-back' ? 'rolled back' : 'deploy failed';
  const summary =
    input.title !== undefined && input.title !== ''
      ? input.title
      : `${input.run.repository}${input.version === '' ? '' : ` ${input.version}`}: ${what} in ${input.environment}`;
  const customDetails: Record<string, string> = { status: input.status, repository: input.run.repository };
  const add = (key: string, value: string): void => {
    if (value !== '') customDetails[key] = value;
  };
  add('environment', input.environment);
  add('environment_url', input.environmentUrl);
  add('version', input.version);
  add('image', input.image);
  add('ref', input.run.refName);
  add('commit', input.run.sha);
  add('actor', input.run.actor);
  add('run_url', input.run.runUrl);
  add('message', input.message);
  for (const [key, value] of input.details) customDetails[key] = value;
  const links = [
    ...(input.run.runUrl === '' ? [] : [{ href: input.run.runUrl, text: 'Workflow run' }]),
    ...(input.environmentUrl === '' ? [] : [{ href: input.environmentUrl, text: input.environment }]),
    ...(input.run.commitUrl === ''
      ? []
      : [{ href: input.run.commitUrl, text: `Commit ${input.run.sha.slice(0, 7)}` }]),
  ];
  const event: PagerDutyEvent = {
    routing_key: input.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summary.slice(0, MAX_SUMMARY),
      source:
        input.environmentUrl === ''
          ? `${input.run.repository}/${input.environment}`
          : new URL(input.environmentUrl).host,
      severity: input.severity,
      timestamp: (input.now ?? new Date()).toISOString(),
      component: input.run.repo || input.run.repository,
      group: input.environment,
      class: 'deploy',
      custom_details: customDetails,
    },
    client: 'Gantry notify',
  };
  if (links.length > 0) event.links = links;
  if (input.run.runUrl !== '') event.client_url = input.run.runUrl;
  return event;
}

/** The request {@link sendPagerDutyEvent} would make, for dry runs. */
export function plannedPagerDuty(url: string, event: PagerDutyEvent): PlannedRequest[] {
  return [{ method: 'POST', url, body: event }];
}

/**
 * Sends an event to the enqueue endpoint, retrying 429 and 5xx.
 * @returns the dedup_key PagerDuty answered with (or the one sent)
 * @throws HttpStatusError for a 400 (invalid event) or when retries run out; the error never contains the
 *   routing key (PagerDuty's 400 body does not echo it)
 */
export async function sendPagerDutyEvent(
  url: string,
  event: PagerDutyEvent,
  logger: Logger,
): Promise<string> {
  const { text } = await withRetries(
    `PagerDuty ${event.event_action}`,
    () => postJson('PagerDuty Events API', url, event),
    httpRetryDecision,
    logger,
  );
  let dedupKey = event.dedup_key;
  try {
    const answer = JSON.parse(text) as { dedup_key?: unknown };
    if (typeof answer.dedup_key === 'string' && answer.dedup_key !== '') dedupKey = answer.dedup_key;
  } catch {
    // a 2xx without JSON still took the event
  }
  logger.info(`PagerDuty accepted the ${event.event_action} event (dedup_key ${dedupKey})`);
  return dedupKey;
}
