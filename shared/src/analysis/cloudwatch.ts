/**
 * CloudWatch as a metric provider, through GetMetricData
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html) with the SDK's
 * CloudWatch client, built like every AWS client in Gantry (region, default credential chain,
 * `AWS_ENDPOINT_URL*`; see ../aws.ts).
 *
 * A CloudWatch check's query is a JSON (or YAML) list of `MetricDataQuery` objects in AWS's own field
 * names (`Id`, `MetricStat` {`Metric` {`Namespace`, `MetricName`, `Dimensions`}, `Period`, `Stat`},
 * `Expression`, `ReturnData`); the value is the one query returned (`ReturnData` not false, the last such
 * when several are). Metric math such as `100 * FILL(m1, 0) / m2` runs in CloudWatch.
 */
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { parse as parseYaml } from 'yaml';
import { resolveRegion } from '../aws.ts';
import type { MetricProvider, Point, TimeRange } from './types.ts';

/**
 * A CloudWatch client for `region` (the `aws-region` input, else `AWS_REGION`/`AWS_DEFAULT_REGION`).
 * @throws InputError when no region can be found
 */
export async function createCloudWatchClient(region?: string): Promise<CloudWatchClient> {
  const resolved = resolveRegion(region);
  const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
  return new CloudWatchClient({ region: resolved, maxAttempts: 3 });
}

/**
 * Parses a CloudWatch query (JSON or YAML list of MetricDataQuery).
 * @throws Error when it is not a non-empty list of objects with an `Id` and a `MetricStat` or `Expression`
 */
export function parseMetricDataQueries(text: string): MetricDataQuery[] {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new Error(`not a JSON/YAML list of MetricDataQuery: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(value) || value.length === 0)
    throw new Error('a CloudWatch query is a non-empty list of MetricDataQuery objects');
  for (const item of value) {
    const query = item as Record<string, unknown>;
    if (typeof query !== 'object' || query === null || typeof query['Id'] !== 'string')
      throw new Error('each MetricDataQuery needs an "Id" (e.g. m1)');
    if (query['MetricStat'] === undefined && query['Expression'] === undefined)
      throw new Error(`MetricDataQuery ${query['Id']} needs a "MetricStat" or an "Expression"`);
  }
  return value as MetricDataQuery[];
}

/** A CloudWatch provider on `client`. */
export function cloudWatchProvider(client: CloudWatchClient): MetricProvider {
  const series = async (
    text: string,
    start: number,
    end: number,
    scan: 'TimestampAscending' | 'TimestampDescending',
  ): Promise<Point[]> => {
    const queries = parseMetricDataQueries(text);
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const returned = queries.filter((query) => query.ReturnData !== false).at(-1)?.Id;
    const points: Point[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const answer = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: scan,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      const result = answer.MetricDataResults?.find((item) => item.Id === returned);
      const times = result?.Timestamps ?? [];
      (result?.Values ?? []).forEach((value, index) => {
        const time = times[index];
        if (time !== undefined && Number.isFinite(value)) points.push({ t: time.getTime(), v: value });
      });
      nextToken = answer.NextToken;
      pages++;
    } while (nextToken !== undefined && pages < 20);
    return points.sort((a, b) => a.t - b.t);
  };
  return {
    name: 'cloudwatch',
    async latest(query, at, windowMs) {
      // CloudWatch aggregates by period (≥ 60 s for standard metrics): look back at least one period.
      const points = await series(query, at - Math.max(windowMs, 60_000), at, 'TimestampDescending');
      return points.at(-1)?.v;
    },
    range: (query, range: TimeRange) => series(query, range.start, range.end, 'TimestampAscending'),
  };
}
