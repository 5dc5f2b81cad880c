/**
 * The receivers: one loopback HTTP server playing the services the pipeline reports to, by their documented
 * APIs, for the tests, the demo, the benchmarks and `npm run local -- up receivers`:
 * - Slack Web API under `/slack/api/` (chat.postMessage, chat.update, chat.getPermalink; form-encoded or
 *   JSON bodies as WebClient sends them, `{ok, …}` answers; https://docs.slack.dev/reference/methods);
 * - a Slack incoming webhook (`200 ok`);
 * - PagerDuty's Events API v2 enqueue endpoint (`202 {status, message, dedup_key}`;
 *   https://developer.pagerduty.com/docs/events-api-v2/trigger-events/);
 * - GitHub's REST API under `/github` (commit statuses create/list, deployments, deployment statuses, with
 *   `auto_inactive` for non-production deployments as GitHub documents it;
 *   https://docs.github.com/en/rest/commits/statuses, https://docs.github.com/en/rest/deployments).
 * It records every request, checks credentials (the constants below, or any with `anyCredentials`), and
 * can be told to answer a route with scripted responses (429 with Retry-After, 500 forever…). Not a mock of
 * our code: the action talks HTTP to it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/slack/api/chat.postMessage`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed body: JSON, or a form with JSON-looking fields (blocks) parsed. */
  body: Record<string, unknown>;
  raw: string;
}

export interface FakeResponse {
  /** HTTP status; 0 drops the connection without answering. */
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A Slack message as the channel shows it after updates. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** Each text the message had, in order (post, then updates). */
  texts: string[];
}

/** A commit status as GitHub lists it. */
export interface CommitStatus {
  sha: string;
  state: string;
  context: string;
  description: string;
}

export interface Deployment {
  id: number;
  environment: string;
  production_environment: boolean;
  transient_environment: boolean;
  ref: string;
  statuses: { id: number; state: string; environment_url?: string; log_url?: string; description?: string }[];
}

export const SLACK_TOKEN = 'xoxb-1111-2222-NotARealSlackToken';
export const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000042';
export const GITHUB_TOKEN = 'ghs_NotARealGitHubToken000000000000';
const WEBHOOK_PATH = '/hooks/services/T0000/B0000/WebhookSecretPart0123';

export class Receivers {
  readonly requests: RecordedRequest[] = [];
  readonly deployments: Deployment[] = [];
  /** Slack messages posted, with their updates. */
  readonly slackMessages: SlackMessage[] = [];
  /** Commit statuses created, in order. */
  readonly commitStatuses: CommitStatus[] = [];
  private server: Server | undefined;
  private base = '';
  private scripts = new Map<string, { responses: FakeResponse[]; forever: boolean }>();
  private nextTs = 1_700_000_000_000_100;
  private nextId = 100;
  private readonly anyCredentials: boolean;

  /**
   * @param options.anyCredentials accept any Slack token, routing key and GitHub token (the demo and
   *   `npm run local`); by default only SLACK_TOKEN, ROUTING_KEY and GITHUB_TOKEN are accepted
   */
  constructor(options: { anyCredentials?: boolean } = {}) {
    this.anyCredentials = options.anyCredentials === true;
  }

  get url(): string {
    return this.base;
  }
  get slackApiUrl(): string {
    return `${this.base}/slack/api/`;
  }
  get webhookUrl(): string {
    return `${this.base}${WEBHOOK_PATH}`;
  }
  get pagerDutyUrl(): string {
    return `${this.base}/pagerduty/v2/enqueue`;
  }
  get githubApiUrl(): string {
    return `${this.base}/github`;
  }

  /**
   * notify's inputs that point every channel here with the accepted credentials: slack-token, slack-channel
   * (`#deploys`), slack-api-url, pagerduty-routing-key, pagerduty-api-url, github-token (GITHUB_API_URL
   * goes in the environment: `githubApiUrl`).
   */
  notifyInputs(): Record<string, string> {
    return {
      'slack-token': SLACK_TOKEN,
      'slack-channel': '#deploys',
      'slack-api-url': this.slackApiUrl,
      'pagerduty-routing-key': ROUTING_KEY,
      'pagerduty-api-url': this.pagerDutyUrl,
      'github-token': GITHUB_TOKEN,
    };
  }

  /** PagerDuty events received (event_action, dedup_key, payload…). */
  get pagerDutyEvents(): Record<string, unknown>[] {
    return this.to('POST /pagerduty/v2/enqueue').map((r) => r.body);
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Answers `METHOD /path` (path without query) with these responses in turn before the normal behaviour;
   * with `forever`, the last one is repeated for good.
   */
  script(route: string, responses: FakeResponse[], options: { forever?: boolean } = {}): void {
    this.scripts.set(route, { responses: [...responses], forever: options.forever === true });
  }

  /** Requests to a route (`METHOD /path`, or a path prefix with `*` at the end). */
  to(route: string): RecordedRequest[] {
    const [method, path = ''] = route.split(' ');
    return this.requests.filter(
      (r) =>
        r.method === method && (path.endsWith('*') ? r.path.startsWith(path.slice(0, -1)) : r.path === path),
    );
  }

  /** Adds a deployment as if an earlier run had made it (for superseding tests). */
  seedDeployment(environment: string, state: string, production: boolean): number {
    const id = this.nextId++;
    this.deployments.push({
      id,
      environment,
      production_environment: production,
      transient_environment: false,
      ref: 'f'.repeat(40),
      statuses: [{ id: this.nextId++, state }],
    });
    return id;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.base);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: parseBody(raw, request.headers['content-type'] ?? ''),
      raw,
    };
    this.requests.push(recorded);
    const route = `${recorded.method} ${recorded.path}`;
    const script = this.scripts.get(route);
    let answer: FakeResponse | undefined;
    if (script !== undefined && script.responses.length > 0) {
      answer =
        script.forever && script.responses.length === 1 ? script.responses[0] : script.responses.shift();
    }
    answer ??= this.behave(recorded);
    if (answer.status === 0) {
      // A dropped connection: no response at all.
      request.socket.destroy();
      return;
    }
    const isText = typeof answer.body === 'string';
    response.writeHead(answer.status, {
      'content-type': isText ? 'text/plain' : 'application/json; charset=utf-8',
      ...answer.headers,
    });
    response.end(
      answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body),
    );
  }

  private behave(request: RecordedRequest): FakeResponse {
    const { path, method, body } = request;
    if (path.startsWith('/slack/api/')) return this.slack(path.slice('/slack/api/'.length), request);
    if (path === WEBHOOK_PATH && method === 'POST')
      return Array.isArray(body['blocks'])
        ? { status: 200, body: 'ok' }
        : { status: 400, body: 'invalid_blocks' };
    if (path.startsWith('/hooks/')) return { status: 404, body: 'no_service' };
    if (path === '/pagerduty/v2/enqueue' && method === 'POST') return this.pagerDuty(body);
    if (path.startsWith('/github/')) return this.github(request);
    return { status: 404, body: { message: 'Not Found' } };
  }

  private slack(method: string, request: RecordedRequest): FakeResponse {
    const auth = request.headers.authorization ?? '';
    if (this.anyCredentials ? !auth.startsWith('Bearer ') : auth !== `Bearer ${SLACK_TOKEN}`)
      return ok({ ok: false, error: 'invalid_auth' });
    const body = request.body;
    const channelArg = String(body['channel'] ?? '');
    const channel = channelArg.startsWith('#') ? 'C0DEPLOYS' : channelArg;
    switch (method) {
      case 'chat.postMessage': {
        if (channel === '') return ok({ ok: false, error: 'channel_not_found' });
        if (typeof body['text'] !== 'string' && !Array.isArray(body['blocks']))
          return ok({ ok: false, error: 'no_text' });
        const ts = this.ts();
        this.slackMessages.push({ channel, ts, texts: [String(body['text'] ?? '')] });
        if (body['thread_ts'] !== undefined && this.message(channel, String(body['thread_ts'])) === undefined)
          return ok({ ok: false, error: 'thread_not_found' });
        return ok({ ok: true, channel, ts, message: { text: body['text'], ts } });
      }
      case 'chat.update': {
        if (channelArg.startsWith('#')) return ok({ ok: false, error: 'channel_not_found' });
        const message = this.message(channelArg, String(body['ts']));
        if (message === undefined) return ok({ ok: false, error: 'message_not_found' });
        message.texts.push(String(body['text'] ?? ''));
        return ok({ ok: true, channel: channelArg, ts: body['ts'], text: body['text'] });
      }
      case 'chat.getPermalink':
        return ok({
          ok: true,
          channel,
          permalink: `https://acme.slack.com/archives/${channel}/p${String(body['message_ts']).replace('.', '')}`,
        });
      default:
        return ok({ ok: false, error: 'unknown_method' });
    }
  }

  private message(channel: string, ts: string): SlackMessage | undefined {
    return this.slackMessages.find((m) => m.channel === channel && m.ts === ts);
  }

  private pagerDuty(body: Record<string, unknown>): FakeResponse {
    const key = body['routing_key'];
    if (this.anyCredentials ? typeof key !== 'string' || key === '' : key !== ROUTING_KEY)
      return {
        status: 400,
        body: {
          status: 'invalid event',
          message: 'Event object is invalid',
          errors: ['Invalid routing key'],
        },
      };
    if (!['trigger', 'acknowledge', 'resolve'].includes(String(body['event_action'])))
      return {
        status: 400,
        body: { status: 'invalid event', message: 'Event object is invalid', errors: ['bad event_action'] },
      };
    const dedupKey = typeof body['dedup_key'] === 'string' ? body['dedup_key'] : 'generated-key';
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  private github(request: RecordedRequest): FakeResponse {
    const auth = request.headers.authorization ?? '';
    if (this.anyCredentials ? !/^(token|Bearer) \S+$/.test(auth) : auth !== `token ${GITHUB_TOKEN}`)
      return { status: 401, body: { message: 'Bad credentials' } };
    const path = request.path.slice('/github'.length);
    const body = request.body;
    let match = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(path);
    if (match && request.method === 'POST') {
      if (!['error', 'failure', 'pending', 'success'].includes(String(body['state'])))
        return { status: 422, body: { message: 'Validation Failed' } };
      this.commitStatuses.push({
        sha: match[3] ?? '',
        state: String(body['state']),
        context: String(body['context'] ?? 'default'),
        description: String(body['description'] ?? ''),
      });
      return { status: 201, body: { id: this.nextId++, ...body } };
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/.exec(path);
    if (match && request.method === 'GET') {
      const ref = match[3] ?? '';
      return { status: 200, body: this.commitStatuses.filter((s) => s.sha === ref).reverse() };
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(path);
    if (match && request.method === 'POST') {
      const deployment: Deployment = {
        id: this.nextId++,
        environment: String(body['environment'] ?? 'production'),
        production_environment: body['production_environment'] === true,
        transient_environment: body['transient_environment'] === true,
        ref: String(body['ref']),
        statuses: [],
      };
      this.deployments.push(deployment);
      return {
        status: 201,
        body: { id: deployment.id, environment: deployment.environment, ref: deployment.ref },
      };
    }
    if (match && request.method === 'GET') {
      const environment = request.query.get('environment');
      const list = this.deployments
        .filter((d) => environment === null || d.environment === environment)
        .sort((a, b) => b.id - a.id)
        .map((d) => ({
          id: d.id,
          environment: d.environment,
          ref: d.ref,
          production_environment: d.production_environment,
        }));
      return { status: 200, body: list };
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(path);
    if (match) {
      const deployment = this.deployments.find((d) => d.id === Number(match?.[3]));
      if (deployment === undefined) return { status: 404, body: { message: 'Not Found' } };
      if (request.method === 'GET') return { status: 200, body: [...deployment.statuses].reverse() };
      const state = String(body['state']);
      if (!['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'].includes(state))
        return { status: 422, body: { message: 'Validation Failed' } };
      const status = { id: this.nextId++, state, ...body } as Deployment['statuses'][number];
      deployment.statuses.push(status);
      // GitHub's auto_inactive: earlier successful non-transient, non-production deployments of the
      // environment become inactive.
      if (state === 'success' && body['auto_inactive'] !== false)
        for (const other of this.deployments)
          if (
            other.id !== deployment.id &&
            other.environment === deployment.environment &&
            !other.production_environment &&
            !other.transient_environment &&
            other.statuses.at(-1)?.state === 'success'
          )
            other.statuses.push({ id: this.nextId++, state: 'inactive' });
      return { status: 201, body: status };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private ts(): string {
    const value = String(this.nextTs++);
    return `${value.slice(0, 10)}.${value.slice(10)}`;
  }
}

function ok(body: unknown): FakeResponse {
  return { status: 200, body };
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      out[key] = /^[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
    }
    return out;
  }
  return { raw };
}

/** The receivers under the name the notify tests first gave them. */
export const FakeServices = Receivers;
export type FakeServices = Receivers;
