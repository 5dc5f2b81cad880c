/**
 * A black hole on loopback: a TCP server that accepts connections and never answers (nor closes them) —
 * the worst "unreachable" a client can meet, where only its own timeouts end the wait.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Starts the black hole.
 * @returns `url` (`http://127.0.0.1:<port>`), how many connections it swallowed so far, and `stop()`
 */
export async function startBlackHole(): Promise<{
  url: string;
  connections(): number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
