/**
 * Two small sites on loopback for Lighthouse: a light page (inline CSS, no script) and a page whose
 * `<head>` loads a large render-blocking script (2 MiB, then 1.5 s of main-thread work), the classic
 * cause of a poor performance score. Real HTTP (node:http), `127.0.0.1`, a free port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const LIGHT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="A light page"><title>Light</title>
<style>body{font-family:sans-serif;margin:2rem}</style></head>
<body><h1>Light page</h1><p>Nothing blocks the first paint here.</p></body></html>`;

const HEAVY = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="A heavy page"><title>Heavy</title>
<script src="/big.js"></script></head>
<body><h1>Heavy page</h1><p>A large script blocks rendering.</p></body></html>`;

/** 2 MiB of script: padding, then a busy loop of 1500 ms on the main thread. */
function bigScript(): string {
  const padding = `/* ${'x'.repeat(2 * 1024 * 1024)} */\n`;
  return `${padding}(function(){var end=Date.now()+1500;var n=0;while(Date.now()<end){n+=Math.sqrt(n+1);}window.__n=n;})();\n`;
}

export interface WebPages {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The light page's URL (`/light.html`). */
  light: string;
  /** The heavy page's URL (`/heavy.html`). */
  heavy: string;
  stop(): Promise<void>;
}

/** Starts the pages' server on a free loopback port. */
export async function startWebPages(): Promise<WebPages> {
  const script = bigScript();
  const server = createServer((request, response) => {
    const pathName = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
      response.end(body);
    };
    if (pathName === '/light.html' || pathName === '/') send(200, 'text/html; charset=utf-8', LIGHT);
    else if (pathName === '/heavy.html') send(200, 'text/html; charset=utf-8', HEAVY);
    else if (pathName === '/big.js') send(200, 'text/javascript; charset=utf-8', script);
    else send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    light: `${url}/light.html`,
    heavy: `${url}/heavy.html`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
