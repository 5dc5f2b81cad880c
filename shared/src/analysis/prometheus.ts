/**
 * Prometheus as a metric provider, through its HTTP API
 * (https://prometheus.io/docs/prometheus/latest/querying/api/): instant queries (`GET /api/v1/query`,
 * `query` + `time`) for each interval's value and range queries (`GET /api/v1/query_range`, `query`,
 * `start`, `end`, `step`) for the statistical judge's samples. An answer with several series is reduced to
 * the largest value (per timestamp); `NaN` and `±Inf` (e.g. a ratio with no requests) are no data.
 */
import { getJson, HttpStatusError, oneLine, type GetJsonOptions } from './http.ts';
import type { MetricProvider, Point, TimeRange } from './types.ts';

/** Where Prometheus is and how to reach it. */
export interface PrometheusOptions {
  /** Base URL, e.g. `http://prometheus:9090` (a path prefix such as `/prom` is kept). */
  url: string;
  /** Extra headers, e.g. `Authorization: Bearer …` (values must be masked by the caller). */
  headers?: Record<string, string>;
  http?: GetJsonOptions;
}

interface ApiAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: { value?: [number, string]; values?: [number, string][] }[] };
}

/**
 * A Prometheus provider.
 * @throws (from its methods) Error with Prometheus's `errorType: error` for a bad query (HTTP 400/422),
 *   HttpStatusError for other failures
 */
export function prometheusProvider(options: PrometheusOptions): MetricProvider {
  const base = options.url.replace(/\/+$/, '');
  const call = async (path: string, params: Record<string, string>): Promise<ApiAnswer> => {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    let body: ApiAnswer;
    try {
      body = (await getJson(url, { ...options.http, headers: { ...options.headers } })) as ApiAnswer;
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 400 || error.status === 422)) {
        const answer = safeJson(error.body);
        throw new Error(
          `Prometheus rejected the query (${oneLine(String(answer?.errorType ?? error.status))}): ${oneLine(answer?.error ?? error.body)}`,
        );
      }
      throw error;
    }
    if (body.status !== 'success')
      throw new Error(
        `Prometheus answered status ${oneLine(String(body.status ?? '?'))}: ${oneLine(body.error ?? '')}`,
      );
    return body;
  };
  return {
    name: 'prometheus',
    async latest(query, at) {
      const answer = await call('/api/v1/query', { query, time: (at / 1000).toFixed(3) });
      const data = answer.data;
      if (data?.resultType === 'scalar') {
        const value = Number((data.result as unknown as [number, string])[1]);
        return Number.isFinite(value) ? value : undefined;
      }
      const values = (data?.result ?? [])
        .map((series) => Number(series.value?.[1]))
        .filter((value) => Number.isFinite(value));
      return values.length === 0 ? undefined : Math.max(...values);
    },
    async range(query, range: TimeRange) {
      const answer = await call('/api/v1/query_range', {
        query,
        start: (range.start / 1000).toFixed(3),
        end: (range.end / 1000).toFixed(3),
        step: `${Math.max(0.001, range.stepMs / 1000)}s`,
      });
      const byTime = new Map<number, number>();
      for (const series of answer.data?.result ?? [])
        for (const [seconds, text] of series.values ?? []) {
          const value = Number(text);
          if (!Number.isFinite(value)) continue;
          const t = Math.round(seconds * 1000);
          byTime.set(t, Math.max(value, byTime.get(t) ?? -Infinity));
        }
      return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]): Point => ({ t, v }));
    },
  };
}

function safeJson(text: string): ApiAnswer | undefined {
  try {
    return JSON.parse(text) as ApiAnswer;
  } catch {
    return undefined;
  }
}
