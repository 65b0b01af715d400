import type { APIGatewayProxyResult } from "aws-lambda";

export interface CorsConfig {
  /** Exact origins (`scheme://host[:port]`) allowed to call from a browser. */
  allowedOrigins: ReadonlySet<string>;
  maxAgeSeconds: number;
}

export const CORS_ALLOWED_HEADERS =
  "Authorization, Content-Type, Idempotency-Key, Guest-Cart-Token, Order-Access-Token";
const EXPOSED_HEADERS = "Location, Retry-After, Idempotent-Replayed";

export function isAllowedOrigin(cors: CorsConfig, origin: string | undefined): origin is string {
  return origin !== undefined && cors.allowedOrigins.has(origin);
}

/**
 * Adds CORS headers to a result: an allowed origin is echoed back, a disallowed one gets none
 * (the browser then blocks the response). `Vary: Origin` is always set because the answer
 * depends on the Origin header, so shared caches must key on it. `exposedHeaders`: the response
 * headers a page may read, the API's by default.
 */
export function withCors(
  result: APIGatewayProxyResult,
  cors: CorsConfig,
  origin: string | undefined,
  exposedHeaders: string = EXPOSED_HEADERS,
): APIGatewayProxyResult {
  const headers = result.headers ?? {};
  headers.Vary = "Origin";
  if (isAllowedOrigin(cors, origin)) {
    headers["Access-Control-Allow-Origin"] = origin;
    headers["Access-Control-Expose-Headers"] = exposedHeaders;
  }
  result.headers = headers;
  return result;
}

/** The answer to a preflight from an allowed origin: only the resource's own methods. */
export function preflightHeaders(cors: CorsConfig, methods: readonly string[]) {
  return {
    "Access-Control-Allow-Methods": methods.join(", "),
    "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
    "Access-Control-Max-Age": String(cors.maxAgeSeconds),
  };
}
