/**
 * Slack delivery: the Web API through @slack/web-api's WebClient (chat.postMessage, chat.update in
 * place, a thread reply with failure details, chat.getPermalink for the summary) and incoming webhooks.
 *
 * WebClient's own retries are turned off (`retryConfig: { retries: 0 }`, `rejectRateLimitedCalls`) so
 * that every channel retries the same way through {@link withRetries}: Slack's HTTP 429 carries
 * Retry-After in seconds (https://docs.slack.dev/apis/web-api/rate-limits), which becomes the wait, and
 * GANTRY_RETRY_DELAY_SCALE shortens it in tests.
 */
import { describeThrown } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { RetryDecision } from '../../../shared/src/retry.ts';
import {
  httpRetryDecision,
  postJson,
  REQUEST_TIMEOUT_MS,
  withRetries,
  type PlannedRequest,
} from './delivery.ts';
import type { SlackMessage } from './message.ts';

/** Platform errors (`ok: false`) Slack documents as transient. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);
/** chat.update errors after which a new message is posted instead. */
const CANNOT_UPDATE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** What the Web API did. */
export interface SlackApiResult {
  /** The channel ID of the message. */
  channel: string;
  /** The message ts (for later updates). */
  ts: string;
  /** Whether an existing message was updated in place. */
  updated: boolean;
  /** The ts of the failure-details thread reply, when one was posted. */
  threadTs?: string;
  /** A link to the message, when chat.getPermalink answered. */
  permalink?: string;
}

export interface SlackApiOptions {
  token: string;
  /** Channel ID or name to post to; an ID to update in. */
  channel: string;
  /** An earlier message to update in place; '' posts a new one. */
  ts: string;
  /** The Web API base URL, e.g. `https://slack.com/api/`. */
  apiUrl: string;
  message: SlackMessage;
  /** A thread reply to add under an updated message (failure details), if any. */
  threadReply?: SlackMessage;
  logger: Logger;
}

interface SlackErrorShape {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
}

/** The Slack error code of a WebClient platform error (`channel_not_found` …), if it is one. */
export function platformError(error: unknown): string | undefined {
  const shape = error as SlackErrorShape | null;
  if (shape?.code !== 'slack_webapi_platform_error') return undefined;
  return typeof shape.data?.error === 'string' ? shape.data.error : 'unknown_error';
}

/**
 * Retry decision for WebClient errors: rate limits (429 with Retry-After seconds) wait as asked; HTTP 408,
 * 429 and 5xx, network failures and Slack's transient platform errors retry; other platform errors
 * (`channel_not_found`, `invalid_auth`, `invalid_blocks` …) do not.
 */
export function slackRetryDecision(error: unknown): RetryDecision {
  const shape = error as SlackErrorShape | null;
  switch (shape?.code) {
    case 'slack_webapi_rate_limited_error':
      return typeof shape.retryAfter === 'number'
        ? { retry: true, retryAfterMs: shape.retryAfter * 1_000 }
        : { retry: true };
    case 'slack_webapi_http_error':
      return {
        retry:
          (typeof shape.statusCode === 'number' && [408, 429].includes(shape.statusCode)) ||
          Number(shape.statusCode) >= 500,
      };
    case 'slack_webapi_request_error':
      return { retry: true };
    case 'slack_webapi_platform_error':
      return { retry: TRANSIENT_PLATFORM_ERRORS.has(platformError(error) ?? '') };
    default:
      return { retry: true };
  }
}

/** The requests {@link postToSlackApi} would make, for dry runs. */
export function plannedSlackApi(options: Omit<SlackApiOptions, 'token' | 'logger'>): PlannedRequest[] {
  const base = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  const { text, blocks } = options.message;
  if (options.ts === '')
    return [
      { method: 'POST', url: `${base}chat.postMessage`, body: { channel: options.channel, text, blocks } },
    ];
  const requests: PlannedRequest[] = [
    {
      method: 'POST',
      url: `${base}chat.update`,
      body: { channel: options.channel, ts: options.ts, text, blocks },
    },
  ];
  if (options.threadReply !== undefined)
    requests.push({
      method: 'POST',
      url: `${base}chat.postMessage`,
      body: { channel: options.channel, thread_ts: options.ts, ...options.threadReply },
    });
  return requests;
}

/**
 * Posts the message through the Web API, or updates `ts` in place and adds the failure thread reply.
 * When the message to update is gone (`message_not_found`, `cant_update_message`, `edit_window_closed`)
 * a new message is posted instead, with a warning.
 *
 * @returns channel ID and ts of the message (outputs for a later update), the thread reply's ts and a
 *   permalink when available
 * @throws the WebClient error of the last attempt when Slack still refuses (e.g. `channel_not_found`,
 *   `invalid_auth`, HTTP 500 after every retry)
 */
export async function postToSlackApi(options: SlackApiOptions): Promise<SlackApiResult> {
  const { WebClient } = await import('@slack/web-api');
  const { logger } = options;
  const quiet = {
    debug: (...parts: unknown[]) => logger.debug(`slack: ${parts.map(String).join(' ')}`),
    info: (...parts: unknown[]) => logger.debug(`slack: ${parts.map(String).join(' ')}`),
    warn: (...parts: unknown[]) => logger.debug(`slack: ${parts.map(String).join(' ')}`),
    error: (...parts: unknown[]) => logger.debug(`slack: ${parts.map(String).join(' ')}`),
    setLevel: () => undefined,
    getLevel: () => 'debug' as never,
    setName: () => undefined,
  };
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: REQUEST_TIMEOUT_MS,
    logger: quiet,
  });
  const call = <T>(method: string, fn: () => Promise<T>): Promise<T> =>
    withRetries(`Slack ${method}`, fn, slackRetryDecision, logger);
  const { text, blocks } = options.message;

  let channel = options.channel;
  let ts = '';
  let updated = false;
  if (options.ts !== '') {
    try {
      const response = await call('chat.update', () =>
        client.chat.update({ channel, ts: options.ts, text, blocks }),
      );
      channel = response.channel ?? channel;
      ts = response.ts ?? options.ts;
      updated = true;
      logger.info(`Updated message ${ts} in ${channel}`);
    } catch (error) {
      const code = platformError(error);
      if (code === undefined || !CANNOT_UPDATE.has(code)) throw error;
      logger.warning(`Slack could not update message ${options.ts} (${code}); posting a new message instead`);
    }
  }
  if (!updated) {
    const response = await call('chat.postMessage', () =>
      client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false }),
    );
    channel = response.channel ?? channel;
    ts = response.ts ?? '';
    logger.info(`Posted message ${ts} in ${channel}`);
  }
  const result: SlackApiResult = { channel, ts, updated };
  if (updated && options.threadReply !== undefined) {
    // The message itself is updated; a reply that still fails is a warning, not a failed channel.
    const reply = options.threadReply;
    try {
      const response = await call('chat.postMessage (thread reply)', () =>
        client.chat.postMessage({
          channel,
          thread_ts: ts,
          text: reply.text,
          blocks: reply.blocks,
          unfurl_links: false,
        }),
      );
      if (response.ts !== undefined) result.threadTs = response.ts;
      logger.info(`Replied in the thread of ${ts} with the failure details`);
    } catch (error) {
      logger.warning(
        `Slack message ${ts} was updated, but the thread reply failed: ${describeThrown(error)}`,
      );
    }
  }
  try {
    const response = await client.chat.getPermalink({ channel, message_ts: ts });
    if (typeof response.permalink === 'string') result.permalink = response.permalink;
  } catch (error) {
    logger.debug(`chat.getPermalink failed (the summary shows no link): ${String(error)}`);
  }
  return result;
}

/** The request {@link postToSlackWebhook} would make, for dry runs (the URL is a secret: printed masked). */
export function plannedSlackWebhook(url: string, message: SlackMessage): PlannedRequest[] {
  return [{ method: 'POST', url, body: message }];
}

/**
 * Posts the message to an incoming webhook (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks).
 * Webhooks answer `200 ok`, or 4xx with a text error such as `invalid_blocks` or `no_service`.
 * @throws HttpStatusError for a non-2xx answer after retries (429 and 5xx are retried)
 */
export async function postToSlackWebhook(url: string, message: SlackMessage, logger: Logger): Promise<void> {
  await withRetries(
    'Slack webhook',
    () => postJson('The Slack webhook', url, message),
    httpRetryDecision,
    logger,
  );
  logger.info('Posted the message to the Slack webhook');
}
