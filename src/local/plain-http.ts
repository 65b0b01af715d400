import type { IncomingMessage, ServerResponse } from "node:http";
import { STOREFRONT_REFERRER_POLICY } from "../http/site-files.js";

/**
 * Serves a request outside the API, or answers false to leave it to the next: at once, without
 * a promise, when the request's target alone says it is not its (it is asked of every request).
 */
export type LocalHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean> | false;

/**
 * A request target split as sent: its path and its query string (undefined when there is
 * none). Not `new URL()`, which would read `//host/x` as a host name and a path `/x`.
 */
export function splitTarget(target: string): { path: string; query: string | undefined } {
  const queryAt = target.indexOf("?");
  return queryAt === -1
    ? { path: target, query: undefined }
    : { path: target.slice(0, queryAt), query: target.slice(queryAt + 1) };
}

/** On every answer the dev server writes: a browser never sniffs a body into another type. */
export const NOSNIFF = { "X-Content-Type-Options": "nosniff" } as const;

export interface BytesHeaders {
  /** The full Content-Type, charset included where it has one. */
  type: string;
  cache: string;
  /** Only for HTML; sent with `Referrer-Policy: same-origin`. */
  contentSecurityPolicy?: string | undefined;
}

/**
 * A 200 with `body` and its headers, never sniffed by the browser; a HEAD gets the headers
 * alone. What the dev server's own files (the storefront, GraphiQL, uploaded images) answer.
 */
export function sendBytes(
  request: IncomingMessage,
  response: ServerResponse,
  file: BytesHeaders,
  body: Buffer,
): void {
  const headers: Record<string, string | number> = {
    "Content-Type": file.type,
    "Content-Length": body.length,
    "Cache-Control": file.cache,
    ...NOSNIFF,
  };
  if (file.contentSecurityPolicy !== undefined) {
    headers["Content-Security-Policy"] = file.contentSecurityPolicy;
    headers["Referrer-Policy"] = STOREFRONT_REFERRER_POLICY;
  }
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}
