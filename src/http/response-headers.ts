import type { APIGatewayProxyResult } from "aws-lambda";
import { GUEST_CART_TOKEN_NAME, header } from "./headers.js";
import type { ResourceGroup, Route } from "./route.js";

/** What no cache may keep: an answer for one caller, or a refusal of who they are. */
export const NO_STORE = "no-store";

/** Every answer of these resources is someone's own: a cart, an order, a token, an operator's view. */
const PRIVATE_GROUPS: ReadonlySet<ResourceGroup> = new Set([
  "cart",
  "checkout",
  "orders",
  "payments",
  "account",
  "auth",
  "graphql",
  "admin",
]);

/**
 * The headers every API answer carries, set once at the edge: `nosniff`, so a browser never
 * reads a JSON answer as a script or a page; `Cache-Control: no-store` on whatever a shared or
 * browser cache must not keep: any answer to a request that carried a token or a guest cart's
 * token, a 401 or 403, and every answer of a private resource unless the route chose its own
 * caching (the local issuer's public keys). The public catalogue keeps what its route says.
 */
export function withSafetyHeaders(
  result: APIGatewayProxyResult,
  route: Pick<Route, "group" | "auth"> | undefined,
  request: { headers?: Readonly<Record<string, string | undefined>> | null },
): APIGatewayProxyResult {
  const headers = result.headers ?? {};
  headers["X-Content-Type-Options"] = "nosniff";
  const credentials =
    header(request, "authorization") !== undefined ||
    header(request, GUEST_CART_TOKEN_NAME) !== undefined;
  const refusedIdentity = result.statusCode === 401 || result.statusCode === 403;
  const privateRoute =
    route !== undefined &&
    (PRIVATE_GROUPS.has(route.group) || route.auth === "required" || route.auth === "admin");
  if (credentials || refusedIdentity || (privateRoute && headers["Cache-Control"] === undefined)) {
    headers["Cache-Control"] = NO_STORE;
  }
  result.headers = headers;
  return result;
}
