/**
 * Bounded reads of HTTP bodies: every body Gantry reads (smoke checks, API error answers, registry
 * manifests) is streamed and read only up to a cap, so a huge or endless answer costs at most the cap in
 * memory and the rest is never downloaded (the stream is cancelled / the socket destroyed).
 */
import type { IncomingMessage } from 'node:http';

/** Caps by purpose, in bytes. */
export const BODY_LIMITS = {
  /** A smoke check's body: what `expect-body`/`expect-json` look at. */
  check: 1024 * 1024,
  /** An API's error answer, quoted (shortened) in messages. */
  errorAnswer: 64 * 1024,
  /** A JSON answer of an API (receipts, statuses). */
  apiAnswer: 4 * 1024 * 1024,
  /** An OCI manifest or config blob (registries must accept manifests up to 4 MiB; OCI distribution spec). */
  registry: 8 * 1024 * 1024,
} as const;

/** A body read up to a cap. */
export interface CappedBody {
  /** The bytes read, at most the cap. */
  body: Buffer;
  /** True when the answer had more than the cap (the rest was not read). */
  truncated: boolean;
}

/**
 * Reads a fetch `Response` body up to `maxBytes`, then cancels the stream.
 * @param response  a fetch response whose body has not been read
 * @param maxBytes  the most bytes kept (and, give or take one network chunk, read)
 * @returns the bytes read and whether the body was longer
 * @throws what the body stream throws (a reset connection, an abort)
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<CappedBody> {
  const reader = response.body?.getReader();
  if (reader === undefined) return { body: Buffer.alloc(0), truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { body: Buffer.concat(chunks, size), truncated: false };
    const room = maxBytes - size;
    if (value.byteLength > room) {
      if (room > 0) chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
      await reader.cancel().catch(() => undefined);
      return { body: Buffer.concat(chunks, maxBytes), truncated: true };
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    size += value.byteLength;
  }
}

/**
 * Reads a fetch `Response` body as UTF-8 text, up to `maxBytes` (see {@link readBodyCapped}).
 * @returns the text (a multi-byte character cut at the cap becomes U+FFFD) and whether it was cut
 */
export async function readTextCapped(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const { body, truncated } = await readBodyCapped(response, maxBytes);
  return { text: body.toString('utf8'), truncated };
}

/**
 * Collects a Node `http.IncomingMessage` up to `maxBytes`; past the cap the response is destroyed (the
 * connection is not read further).
 * @returns a promise of the bytes read and whether the body was longer
 */
export function collectCapped(response: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    response.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = maxBytes - size;
      if (chunk.byteLength > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        settled = true;
        response.destroy();
        resolve({ body: Buffer.concat(chunks, maxBytes), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    });
    response.on('error', (error) => {
      if (!settled) reject(error);
    });
    response.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks, size), truncated: false });
    });
  });
}
