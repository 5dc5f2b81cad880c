// hello-service: a tiny HTTP service for Gantry's demo. No dependencies: only Node's standard library.
//   GET /         → a greeting
//   GET /health   → 200 {"status":"ok","version":…} (503 when the release's dependency check fails)
//   GET /version  → {"version":…}
// Configuration (environment): APP_VERSION (baked into the image), APP_HEALTH (baked in: "ok", or
// "broken" for the demo's bad release), APP_ENV (from the task definition), PORT (default 8080).
import { createServer } from 'node:http';

const version = process.env.APP_VERSION ?? '0.0.0-dev';
const environment = process.env.APP_ENV ?? 'local';
const broken = process.env.APP_HEALTH === 'broken';
const port = Number(process.env.PORT ?? 8080);
const started = new Date();

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}

const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
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
    response.writeHead(200, { 'content-type': 'text/plain' });
    return response.end(`Hello from hello-service ${version} (${environment})\n`);
  }
  json(response, 404, { error: 'not found' });
});

server.listen(port, process.env.HOST ?? '0.0.0.0', () => {
  console.log(`hello-service ${version} listening on :${port} (${environment})`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
