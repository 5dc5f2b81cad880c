// hello-service: a tiny HTTP service for Gantry's demo. No dependencies: only Node's standard library.
//   GET /         → a greeting
//   GET /health   → 200 {"status":"ok","version":…} (503 when the release's dependency check fails)
//   GET /version  → {"version":…}
//   GET /metrics  → request counters and a latency histogram in the Prometheus text format 0.0.4
//                   (https://prometheus.io/docs/instrumenting/exposition_formats/):
//                   http_requests_total{method,code} and http_request_duration_seconds{method} (histogram)
// Configuration (environment): APP_VERSION (baked into the image), APP_HEALTH (baked in: "ok", or
// "broken" for the demo's bad release), APP_ERROR_RATE (baked in: the share of `GET /` answered 500, from
// 0 to 1, for the demo's canary that errors; default 0), APP_ENV (from the task definition), PORT
// (default 8080).
import { createServer } from 'node:http';

const version = process.env.APP_VERSION ?? '0.0.0-dev';
const environment = process.env.APP_ENV ?? 'local';
const broken = process.env.APP_HEALTH === 'broken';
const errorRate = Math.min(1, Math.max(0, Number(process.env.APP_ERROR_RATE ?? 0) || 0));
const port = Number(process.env.PORT ?? 8080);
const started = new Date();

// Metrics: counters by method and status code, and a latency histogram by method (Prometheus's default buckets).
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const requests = new Map(); // `${method} ${code}` → count
const latency = new Map(); // method → { buckets: number[], sum, count }
let served = 0;

function observe(method, code, seconds) {
  const key = `${method} ${code}`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
  let histogram = latency.get(method);
  if (histogram === undefined) {
    histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    latency.set(method, histogram);
  }
  BUCKETS.forEach((bound, index) => {
    if (seconds <= bound) histogram.buckets[index] += 1;
  });
  histogram.sum += seconds;
  histogram.count += 1;
}

function metricsText() {
  const lines = [
    '# HELP http_requests_total HTTP requests served, by method and status code.',
    '# TYPE http_requests_total counter',
  ];
  for (const [key, count] of requests) {
    const [method, code] = key.split(' ');
    lines.push(`http_requests_total{method="${method}",code="${code}"} ${count}`);
  }
  lines.push(
    '# HELP http_request_duration_seconds HTTP request latency in seconds.',
    '# TYPE http_request_duration_seconds histogram',
  );
  for (const [method, histogram] of latency) {
    BUCKETS.forEach((bound, index) =>
      lines.push(
        `http_request_duration_seconds_bucket{method="${method}",le="${bound}"} ${histogram.buckets[index]}`,
      ),
    );
    lines.push(
      `http_request_duration_seconds_bucket{method="${method}",le="+Inf"} ${histogram.count}`,
      `http_request_duration_seconds_sum{method="${method}"} ${histogram.sum}`,
      `http_request_duration_seconds_count{method="${method}"} ${histogram.count}`,
    );
  }
  lines.push(
    '# HELP hello_service_info The running version.',
    '# TYPE hello_service_info gauge',
    `hello_service_info{version="${version.replace(/["\\\n]/g, '_')}"} 1`,
  );
  return `${lines.join('\n')}\n`;
}

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}

function handle(request, response, path) {
  if (path === '/health') {
    if (broken)
      return json(response, 503, {
        status: 'failing',
        version,
        checks: { greetings: 'the greetings table has no locale column this release expects' },
      });
    return json(response, 200, {
      status: 'ok',
      version,
      environment,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    });
  }
  if (path === '/version') return json(response, 200, { version });
  if (path === '/') {
    // Deterministic error share: every request whose running count crosses a multiple of 1/errorRate fails.
    served += 1;
    if (errorRate > 0 && Math.floor(served * errorRate) > Math.floor((served - 1) * errorRate))
      return json(response, 500, { error: 'the greeting could not be rendered', version });
    response.writeHead(200, { 'content-type': 'text/plain' });
    return response.end(`Hello from hello-service ${version} (${environment})\n`);
  }
  json(response, 404, { error: 'not found' });
}

const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    return response.end(metricsText());
  }
  const start = process.hrtime.bigint();
  response.on('finish', () =>
    observe(request.method ?? 'GET', response.statusCode, Number(process.hrtime.bigint() - start) / 1e9),
  );
  handle(request, response, path);
});

server.listen(port, process.env.HOST ?? '0.0.0.0', () => {
  console.log(`hello-service ${version} listening on :${port} (${environment})`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
