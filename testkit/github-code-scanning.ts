/**
 * A local GitHub REST API server for code scanning uploads
 * (`POST /repos/{owner}/{repo}/code-scanning/sarifs`, answered `202 {id, url}` as documented at
 * https://docs.github.com/en/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data).
 * and `GET …/code-scanning/sarifs/{id}` answering `{processing_status, analyses_url, errors}`
 * (https://docs.github.com/en/rest/code-scanning/code-scanning#get-information-about-a-sarif-upload).
 * Records every request; `failures` makes the next uploads answer with given statuses; `processing`
 * lists the answers to the next status reads (`complete` once it is empty).
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

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
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startGitHubApi(): Promise<GitHubApiServer> {
  const uploads: RecordedUpload[] = [];
  const failures: number[] = [];
  const processing: (string | number)[] = [];
  const statusReads: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
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
  return {
    url,
    uploads,
    failures,
    processing,
    statusReads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
