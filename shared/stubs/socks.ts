/**
 * Build-time stand-in for `socks` (see socks-proxy-agent.ts): @kubernetes/client-node only uses
 * `SocksClient.createConnection` in the connector it builds for a SOCKS `proxy-url`, which Gantry does not
 * support. The connector reports the error through its callback, as a failed connection.
 */
import { SOCKS_PROXY } from './socks-proxy-agent.ts';

/** Stand-in for socks' `SocksClient`. */
export const SocksClient = {
  /**
   * Fails the connection: calls `callback` with an Error naming the unsupported feature (and throws it
   * when no callback is given, as the promise form would reject).
   */
  createConnection(_options: unknown, callback?: (error: Error, info: null) => void): void {
    const error = new Error(SOCKS_PROXY);
    if (callback === undefined) throw error;
    callback(error, null);
  },
};
