/**
 * Keeps task-definition fields the SDK does not model yet. AWS SDK v3 serializes only the members its
 * model knows, so a field ECS added after the SDK release (or a newer CLI wrote) would be dropped
 * silently — the v2 SDK the peer action used rejected it instead ("Unexpected key", its issues #22 and
 * #810). A build-step middleware puts every field of the original document that the serialized JSON body
 * lacks back into it, at any depth; ECS's JSON protocol (awsJson1_1) uses the member names as wire names,
 * so the document's own keys are the wire keys.
 */
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Adds to `body` every key of `original` it lacks, recursing into objects and same-index array items.
 * Values the serializer wrote are never replaced; `null`/`undefined` in `original` are not added.
 * @returns `body`, changed in place, and the dotted paths that were added
 */
export function mergeMissingFields(body: unknown, original: unknown, path = ''): string[] {
  const added: string[] = [];
  if (Array.isArray(body) && Array.isArray(original)) {
    body.forEach((item, index) =>
      added.push(...mergeMissingFields(item, original[index], `${path}[${index}]`)),
    );
    return added;
  }
  if (!isRecord(body) || !isRecord(original)) return added;
  for (const [key, value] of Object.entries(original)) {
    if (value === null || value === undefined) continue;
    const where = path === '' ? key : `${path}.${key}`;
    if (!(key in body)) {
      body[key] = value;
      added.push(where);
    } else added.push(...mergeMissingFields(body[key], value, where));
  }
  return added;
}

/**
 * The serialized JSON body as text: recent SDKs hand the build step a Uint8Array (a byte adapter), older
 * ones a string. @returns undefined for other bodies (streams)
 */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return undefined;
}

/**
 * Adds the middleware to one command instance (e.g. a RegisterTaskDefinitionCommand).
 * @param original the document the command input was made from, with all its fields
 * @param onAdded called with the paths put back (for a log line), only when there are some
 */
export function keepUnknownFields<I extends object, O extends object>(
  command: { middlewareStack: MiddlewareStack<I, O> },
  original: Record<string, unknown>,
  onAdded?: (paths: string[]) => void,
): void {
  const middleware: BuildMiddleware<I, O> = (next) => async (args) => {
    const request = args.request as { body?: unknown; headers?: Record<string, string> } | undefined;
    const text = bodyText(request?.body);
    if (request !== undefined && text !== undefined && text.startsWith('{')) {
      const body = JSON.parse(text) as unknown;
      const added = mergeMissingFields(body, original);
      if (added.length > 0) {
        const json = JSON.stringify(body);
        request.body = json;
        if (request.headers !== undefined)
          for (const name of Object.keys(request.headers))
            if (name.toLowerCase() === 'content-length')
              request.headers[name] = String(Buffer.byteLength(json));
        onAdded?.(added);
      }
    }
    return next(args);
  };
  command.middlewareStack.add(middleware, { step: 'build', name: 'gantryKeepUnknownFields', override: true });
}
