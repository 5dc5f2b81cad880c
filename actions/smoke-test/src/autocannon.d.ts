/**
 * The part of autocannon 9's programmatic API that smoke-test's load mode uses (the package ships no
 * types). https://github.com/mcollina/autocannon#api
 */
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Concurrent connections. */
    connections?: number;
    /** Total requests to send (across connections); `duration` is ignored when set. */
    amount?: number;
    /** Seconds before one request counts as timed out. */
    timeout?: number;
    /** Seconds to run when `amount` is not set. */
    duration?: number;
  }
  interface AutocannonResult {
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    duration: number;
    latency: Record<string, number>;
    requests: { total: number; average: number };
  }
  interface AutocannonInstance {
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
    ): this;
    on(event: 'reqError', listener: (error: Error) => void): this;
    stop(): void;
  }
  function autocannon(
    options: AutocannonOptions,
    callback: (error: Error | null, result: AutocannonResult) => void,
  ): AutocannonInstance;
  export default autocannon;
}
