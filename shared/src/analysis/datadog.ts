/**
 * Datadog as a metric provider, through its metrics query API: `GET /api/v1/query?from=&to=&query=`
 * (https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points) with the `DD-API-KEY` and
 * `DD-APPLICATION-KEY` headers. Points are `[milliseconds, value | null]`; nulls are no data; several
 * series are reduced to the largest value per timestamp. The keys are masked by the caller before this
 * is built, and never appear in errors (which name the host and path only).
 */
import { getJson, HttpStatusError, oneLine, type GetJsonOptions } from './http.ts';
import type { MetricProvider, Point, TimeRange } from './types.ts';

/** Where Datadog is and the keys to use. */
export interface DatadogOptions {
  /** The site's API base, e.g. `https://api.datadoghq.com` or `https://api.datadoghq.eu`. */
  url: string;
  apiKey: string;
  applicationKey: string;
  http?: GetJsonOptions;
}

interface QueryAnswer {
  status?: string;
  error?: string;
  errors?: string[];
  series?: { pointlist?: [number, number | null][] }[];
}

/**
 * A Datadog provider.
 * @throws (from its methods) Error with Datadog's message for a rejected query or bad keys (HTTP 4xx)
 */
export function datadogProvider(options: DatadogOptions): MetricProvider {
  const base = options.url.replace(/\/+$/, '');
  const points = async (query: string, fromMs: number, toMs: number): Promise<Point[]> => {
    const url = new URL(`${base}/api/v1/query`);
    url.searchParams.set('from', String(Math.floor(fromMs / 1000)));
    url.searchParams.set('to', String(Math.ceil(toMs / 1000)));
    url.searchParams.set('query', query);
    let answer: QueryAnswer;
    try {
      answer = (await getJson(url, {
        ...options.http,
        headers: { 'DD-API-KEY': options.apiKey, 'DD-APPLICATION-KEY': options.applicationKey },
      })) as QueryAnswer;
    } catch (error) {
      if (error instanceof HttpStatusError && error.status >= 400 && error.status < 500) {
        const why = error.status === 403 ? 'the API or application key was refused' : oneLine(error.body);
        throw new Error(`Datadog answered HTTP ${error.status}: ${why}`);
      }
      throw error;
    }
    if (answer.status !== undefined && answer.status !== 'ok')
      throw new Error(
        `Datadog answered status ${oneLine(String(answer.status))}: ${oneLine(answer.error ?? answer.errors?.join('; ') ?? '')}`,
      );
    const byTime = new Map<number, number>();
    for (const series of answer.series ?? [])
      for (const [t, v] of series.pointlist ?? []) {
        if (v === null || !Number.isFinite(v)) continue;
        byTime.set(t, Math.max(v, byTime.get(t) ?? -Infinity));
      }
    return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
  };
  return {
    name: 'datadog',
    async latest(query, at, windowMs) {
      const series = await points(query, at - windowMs, at);
      return series.at(-1)?.v;
    },
    range: (query, range: TimeRange) => points(query, range.start, range.end),
  };
}
