/**
 * A **stand-in** for Datadog's metrics query API (`GET /api/v1/query?from=&to=&query=`,
 * https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points) on loopback: it checks the
 * `DD-API-KEY` and `DD-APPLICATION-KEY` headers (403 `{"errors":["Forbidden"]}` otherwise), answers the
 * documented shape (`status`, `series[].pointlist` of `[milliseconds, value|null]`) from series the test
 * provides per query text, 400 `{"errors":[…]}` for a query it does not know, and records each request.
 * It does not evaluate Datadog's query language: the test decides what each query answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a query answers: points between `from` and `to` (seconds), or undefined for "unknown query". */
export type StandinSeries = (
  query: string,
  fromSeconds: number,
  toSeconds: number,
) => [number, number | null][] | undefined;

export interface DatadogStandin {
  /** Base URL to pass as `datadog-url`. */
  url: string;
  /** Every request received: the query parameters and whether the keys matched. */
  requests: { query: string; from: number; to: number; authorized: boolean }[];
  stop(): Promise<void>;
}

/** Starts the stand-in on a free loopback port. */
export async function startDatadogStandin(options: {
  apiKey: string;
  applicationKey: string;
  series: StandinSeries;
}): Promise<DatadogStandin> {
  const requests: DatadogStandin['requests'] = [];
  const send = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/api/v1/query')
      return send(response, 404, { errors: ['Not found'] });
    const query = url.searchParams.get('query') ?? '';
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    const authorized =
      request.headers['dd-api-key'] === options.apiKey &&
      request.headers['dd-application-key'] === options.applicationKey;
    requests.push({ query, from, to, authorized });
    if (!authorized) return send(response, 403, { errors: ['Forbidden'] });
    if (query === '' || !Number.isFinite(from) || !Number.isFinite(to))
      return send(response, 400, { errors: ['The query, from and to parameters are required'] });
    const pointlist = options.series(query, from, to);
    if (pointlist === undefined) return send(response, 400, { errors: [`Error parsing query: ${query}`] });
    send(response, 200, {
      status: 'ok',
      res_type: 'time_series',
      from_date: from * 1000,
      to_date: to * 1000,
      query,
      series: pointlist.length === 0 ? [] : [{ metric: query, pointlist, length: pointlist.length }],
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
