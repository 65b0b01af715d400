import { GUEST_CART_TOKEN_HEADER } from "../services/index.js";

/** `Guest-Cart-Token` as `header` takes it: lower-cased once here, not at every request. */
export const GUEST_CART_TOKEN_NAME = GUEST_CART_TOKEN_HEADER.toLowerCase();

/**
 * A request header by lower-case name. API Gateway keeps the client's spelling of header names,
 * so the exact key is tried first and a case-insensitive scan only when that misses.
 */
export function header(
  event: { headers?: Readonly<Record<string, string | undefined>> | null },
  lowerName: string,
): string | undefined {
  const headers = event.headers;
  if (headers === null || headers === undefined) return undefined;
  const direct = headers[lowerName];
  if (direct !== undefined) return direct;
  for (const name in headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}
