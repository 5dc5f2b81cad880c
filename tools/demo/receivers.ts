/**
 * Local receivers for what the pipeline sends outside, speaking the documented APIs and recording every
 * request (one loopback HTTP server):
 * - Slack Web API under `/slack/api/`: chat.postMessage, chat.update, chat.getPermalink (form or JSON
 *   bodies as @slack/web-api sends them; https://docs.slack.dev/reference/methods);
 * - PagerDuty Events API v2 at `/pagerduty/v2/enqueue` (`202 {status, message, dedup_key}`;
 *   https://developer.pagerduty.com/docs/events-api-v2/trigger-events/);
 * - GitHub REST under `/github`: commit statuses (create, list for a ref), deployments and deployment
 *   statuses (https://docs.github.com/en/rest/commits/statuses, …/deployments).
 * Any bearer/token credential is accepted (the demo's tokens are local); it is recorded, never printed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request. */
export interface Received {
  service: 'slack' | 'pagerduty' | 'github';
  method: string;
  /** Path below the service's prefix, e.g. `chat.postMessage`, `/repos/o/r/statuses/<sha>`. */
  path: string;
  body: Record<string, unknown>;
}

/** A Slack message as the channel would show it after updates. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** Each text the message had, in order (post, then updates). */
  texts: string[];
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      out[key] = /^[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
    } catch {
      out[key] = value;
    }
  }
  return out;
}

/** The receivers: start(), their URLs, what they got, stop(). */
export class Receivers {
  readonly received: Received[] = [];
  readonly slackMessages: SlackMessage[] = [];
  readonly commitStatuses: { sha: string; state: string; context: string; description: string }[] = [];
  readonly deployments: { id: number; environment: string; ref: string; statuses: string[] }[] = [];
  private server: Server | undefined;
  private base = '';
  private nextId = 1;
  private nextTs = 1_700_000_000_000_100;

  get slackApiUrl(): string {
    return `${this.base}/slack/api/`;
  }
  get pagerDutyUrl(): string {
    return `${this.base}/pagerduty/v2/enqueue`;
  }
  get githubApiUrl(): string {
    return `${this.base}/github`;
  }

  /** PagerDuty events received (event_action, dedup_key, summary, severity). */
  get pagerDutyEvents(): Record<string, unknown>[] {
    return this.received.filter((r) => r.service === 'pagerduty').map((r) => r.body);
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', this.base);
    const body = parseBody(Buffer.concat(chunks).toString('utf8'), request.headers['content-type'] ?? '');
    const method = request.method ?? 'GET';
    const send = (status: number, payload: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(payload));
    };
    if (url.pathname.startsWith('/slack/api/')) {
      const path = url.pathname.slice('/slack/api/'.length);
      this.received.push({ service: 'slack', method, path, body });
      return send(200, this.slack(path, body));
    }
    if (url.pathname === '/pagerduty/v2/enqueue' && method === 'POST') {
      this.received.push({ service: 'pagerduty', method, path: url.pathname, body });
      const dedupKey = typeof body['dedup_key'] === 'string' ? body['dedup_key'] : `dedup-${this.nextId++}`;
      return send(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    }
    if (url.pathname.startsWith('/github/')) {
      const path = url.pathname.slice('/github'.length);
      this.received.push({ service: 'github', method, path, body });
      const [status, payload] = this.github(method, path, body, url.searchParams);
      return send(status, payload);
    }
    send(404, { message: 'Not Found' });
  }

  private slack(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const channelArg = String(body['channel'] ?? '');
    const channel = channelArg.startsWith('#') ? 'C0DEPLOYS' : channelArg;
    switch (method) {
      case 'chat.postMessage': {
        const value = String(this.nextTs++);
        const ts = `${value.slice(0, 10)}.${value.slice(10)}`;
        this.slackMessages.push({ channel, ts, texts: [String(body['text'] ?? '')] });
        return { ok: true, channel, ts, message: { text: body['text'], ts } };
      }
      case 'chat.update': {
        const message = this.slackMessages.find((m) => m.channel === channel && m.ts === String(body['ts']));
        if (message === undefined) return { ok: false, error: 'message_not_found' };
        message.texts.push(String(body['text'] ?? ''));
        return { ok: true, channel, ts: body['ts'], text: body['text'] };
      }
      case 'chat.getPermalink':
        return {
          ok: true,
          channel,
          permalink: `https://demo.slack.local/archives/${channel}/p${String(body['message_ts']).replace('.', '')}`,
        };
      default:
        return { ok: true };
    }
  }

  private github(
    method: string,
    path: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): [number, unknown] {
    let match = /^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]{7,40})$/.exec(path);
    if (match !== null && method === 'POST') {
      const status = {
        sha: match[1] ?? '',
        state: String(body['state']),
        context: String(body['context'] ?? 'default'),
        description: String(body['description'] ?? ''),
      };
      this.commitStatuses.push(status);
      return [201, { id: this.nextId++, ...body }];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/statuses$/.exec(path);
    if (match !== null && method === 'GET') {
      const ref = match[1] ?? '';
      return [200, this.commitStatuses.filter((s) => s.sha === ref).reverse()];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/deployments$/.exec(path);
    if (match !== null && method === 'POST') {
      const deployment = {
        id: this.nextId++,
        environment: String(body['environment'] ?? 'production'),
        ref: String(body['ref']),
        statuses: [],
      };
      this.deployments.push(deployment);
      return [201, { id: deployment.id, environment: deployment.environment, ref: deployment.ref }];
    }
    if (match !== null && method === 'GET') {
      const environment = query.get('environment');
      return [
        200,
        this.deployments.filter((d) => environment === null || d.environment === environment).reverse(),
      ];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/.exec(path);
    if (match !== null) {
      const deployment = this.deployments.find((d) => d.id === Number(match?.[1]));
      if (deployment === undefined) return [404, { message: 'Not Found' }];
      if (method === 'GET')
        return [200, deployment.statuses.map((state, index) => ({ id: index + 1, state })).reverse()];
      deployment.statuses.push(String(body['state']));
      return [201, { id: this.nextId++, state: body['state'] }];
    }
    return [404, { message: 'Not Found' }];
  }
}
