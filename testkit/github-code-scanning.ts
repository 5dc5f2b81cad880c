/**
 * A local GitHub REST API server for code scanning uploads
 * (`POST /repos/{owner}/{repo}/code-scanning/sarifs`, answered `202 {id, url}` as documented at
 * https://docs.github.com/en/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data).
 * and `GET …/code-scanning/sarifs/{id}` answering `{processing_status, analyses_url, errors}`
 * (https://docs.github.com/en/rest/code-scanning/code-scanning#get-information-about-a-sarif-upload).
 * Records every request; `failures` makes the next uploads answer with given statuses; `processing`
 * lists the answers to the next status reads (`complete` once it is empty).
 *
 * It also lists code-scanning alerts, `GET /repos/{owner}/{repo}/code-scanning/alerts`, as documented at
 * https://docs.github.com/en/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository:
 * the `alerts` given, filtered by `state` (`open`, `fixed`, `dismissed`, or `closed` for both) and
 * `tool_name`, ordered by `sort` (`created` or `updated`) and `direction` (default `desc`), paged by `page`
 * and `per_page` (default 30, at most 100) with a `Link` header (`rel="next"`, `rel="last"`) as GitHub
 * sends it. A request without `Authorization` is answered 401; `alertFailures` answers the next listings
 * with the given statuses (e.g. [502], or [403] for "Advanced Security must be enabled").
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** A code-scanning alert as the REST API returns it (the fields Gantry reads, plus a few). */
export interface CodeScanningAlert {
  number: number;
  /** ISO 8601. */
  created_at: string;
  updated_at: string;
  html_url: string;
  state: 'open' | 'fixed' | 'dismissed';
  fixed_at: string | null;
  dismissed_at: string | null;
  rule: {
    id: string;
    /** The SARIF level: none, note, warning, error. */
    severity: 'none' | 'note' | 'warning' | 'error';
    /** Set for security rules (from `security-severity`): low, medium, high, critical. */
    security_severity_level: 'low' | 'medium' | 'high' | 'critical' | null;
    description: string;
    tags: string[] | null;
  };
  tool: { name: string; version: string | null; guid: string | null };
  most_recent_instance: { ref: string; state: string; location: { path: string; start_line: number } };
}

/** One recorded upload request. */
export interface RecordedUpload {
  path: string;
  authorization: string;
  apiVersion: string;
  body: { commit_sha: string; ref: string; sarif: string; tool_name?: string; checkout_uri?: string };
  /** The SARIF log decoded from base64 + gzip. */
  log: unknown;
}

export interface GitHubApiServer {
  url: string;
  uploads: RecordedUpload[];
  /** Statuses to answer with before answering 202 again (e.g. [502] or [403]). */
  failures: number[];
  /** Answers to the next status reads: `pending`, `complete`, `failed` or an HTTP status such as 404. */
  processing: (string | number)[];
  /** Status reads seen (upload ids). */
  statusReads: string[];
  /** The alerts the listing serves (push or assign before the request). */
  alerts: CodeScanningAlert[];
  /** Statuses to answer the next alert listings with before answering normally. */
  alertFailures: number[];
  /** The query string of every alert listing request, in order (`state=open&per_page=100&page=2`). */
  alertReads: string[];
  close(): Promise<void>;
}

/**
 * A code-scanning alert with GitHub's shape, for tests: `fields` override the defaults (an open
 * `warning`-level alert of tool `trivy`, rule `CVE-2024-0001`, created and updated at 2026-01-01).
 * @param number the alert number (also in html_url)
 */
export function codeScanningAlert(
  number: number,
  fields: Partial<Omit<CodeScanningAlert, 'rule' | 'tool'>> & {
    rule?: Partial<CodeScanningAlert['rule']>;
    tool?: Partial<CodeScanningAlert['tool']>;
  } = {},
): CodeScanningAlert {
  const { rule, tool, ...rest } = fields;
  return {
    number,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: rest.created_at ?? '2026-01-01T00:00:00Z',
    html_url: `https://github.com/acme/app/security/code-scanning/${number}`,
    state: 'open',
    fixed_at: null,
    dismissed_at: null,
    most_recent_instance: {
      ref: 'refs/heads/main',
      state: rest.state ?? 'open',
      location: { path: 'package-lock.json', start_line: 1 },
    },
    ...rest,
    rule: {
      id: 'CVE-2024-0001',
      severity: 'warning',
      security_severity_level: null,
      description: 'A finding',
      tags: ['security'],
      ...rule,
    },
    tool: { name: 'trivy', version: '0.69.3', guid: null, ...tool },
  };
}

/** Starts the server on a free loopback port. */
export async function startGitHubApi(): Promise<GitHubApiServer> {
  const uploads: RecordedUpload[] = [];
  const failures: number[] = [];
  const processing: (string | number)[] = [];
  const statusReads: string[] = [];
  const alerts: CodeScanningAlert[] = [];
  const alertFailures: number[] = [];
  const alertReads: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const listing = /^\/repos\/([^/]+)\/([^/]+)\/code-scanning\/alerts(?:\?(.*))?$/.exec(request.url ?? '');
      if (request.method === 'GET' && listing !== null) {
        const query = new URLSearchParams(listing[3] ?? '');
        alertReads.push(query.toString());
        if ((request.headers.authorization ?? '') === '') {
          response
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"message":"Requires authentication"}');
          return;
        }
        const failure = state.alertFailures.shift();
        if (failure !== undefined) {
          const message =
            failure === 403
              ? 'Advanced Security must be enabled for this repository to use code scanning.'
              : 'Server Error';
          response
            .writeHead(failure, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message }));
          return;
        }
        const wanted = query.get('state');
        const tool = query.get('tool_name');
        const sort = query.get('sort') === 'updated' ? 'updated_at' : 'created_at';
        const sign = query.get('direction') === 'asc' ? 1 : -1;
        const selected = state.alerts
          .filter((alert) =>
            wanted === null || wanted === ''
              ? true
              : wanted === 'closed'
                ? alert.state !== 'open'
                : alert.state === wanted,
          )
          .filter((alert) => tool === null || alert.tool.name === tool)
          .sort((a, b) => sign * (Date.parse(a[sort]) - Date.parse(b[sort])) || sign * (a.number - b.number));
        const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? '30') || 30));
        const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
        const last = Math.max(1, Math.ceil(selected.length / perPage));
        const link = (n: number): string => {
          const next = new URLSearchParams(query);
          next.set('page', String(n));
          return `<${url}/repos/${listing[1]}/${listing[2]}/code-scanning/alerts?${next.toString()}>`;
        };
        const links = [
          ...(page < last ? [`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`] : []),
          ...(page > 1 ? [`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`] : []),
        ];
        response
          .writeHead(200, {
            'content-type': 'application/json',
            ...(links.length > 0 ? { link: links.join(', ') } : {}),
          })
          .end(JSON.stringify(selected.slice((page - 1) * perPage, page * perPage)));
        return;
      }
      const status = /^\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs\/([^/]+)$/.exec(request.url ?? '');
      if (request.method === 'GET' && status !== null) {
        statusReads.push(status[1] ?? '');
        const next = processing.shift() ?? 'complete';
        if (typeof next === 'number') {
          response.writeHead(next, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            processing_status: next,
            analyses_url:
              next === 'complete'
                ? `${url}/repos/acme/app/code-scanning/analyses?sarif_id=${status[1]}`
                : null,
            errors:
              next === 'failed'
                ? ['locationFromSarifResult: expected artifact location', 'run 2: unknown tool']
                : null,
          }),
        );
        return;
      }
      const match = /^\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs$/.exec(request.url ?? '');
      if (request.method !== 'POST' || match === null) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      const failure = failures.shift();
      if (failure !== undefined) {
        const message = failure === 403 ? 'Resource not accessible by integration' : 'Server Error';
        response.writeHead(failure, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedUpload['body'];
      const log = JSON.parse(gunzipSync(Buffer.from(body.sarif, 'base64')).toString('utf8')) as unknown;
      uploads.push({
        path: request.url ?? '',
        authorization: request.headers.authorization ?? '',
        apiVersion: String(request.headers['x-github-api-version'] ?? ''),
        body,
        log,
      });
      const id = `sarif-${uploads.length}`;
      response
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id, url: `${url}${request.url ?? ''}/${id}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const state: GitHubApiServer = {
    url,
    uploads,
    failures,
    processing,
    statusReads,
    alerts,
    alertFailures,
    alertReads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return state;
}
