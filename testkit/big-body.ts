/**
 * A loopback HTTP server answering every request with a large body generated on the fly (never held in
 * memory), for memory tests and benchmarks of body reads.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts the server.
 * @param bytes the body's size in bytes (sent as `content-type: text/plain`, with a content-length)
 * @returns its base URL (`http://127.0.0.1:<port>`) and `stop()`
 */
export async function startBigBody(bytes: number): Promise<{ url: string; stop(): Promise<void> }> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const size = Math.min(chunk.length, bytes - sent);
        sent += size;
        if (!response.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    response.on('close', () => (sent = bytes));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
