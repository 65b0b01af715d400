import type { APIGatewayProxyResult } from "aws-lambda";
import { AppError, type FieldError } from "../domain/index.js";
import { HttpError, type ProblemCode } from "./http-error.js";

/**
 * The one table from error code to HTTP status and title: the handlers' problems, the OpenAPI
 * document and the gateway responses of the deployment all read it.
 */
const STATUS: Record<ProblemCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: "Invalid request" },
  UNAUTHENTICATED: { status: 401, title: "Authentication required" },
  FORBIDDEN: { status: 403, title: "Forbidden" },
  NOT_FOUND: { status: 404, title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  EMAIL_TAKEN: { status: 409, title: "Email already registered" },
  OUT_OF_STOCK: { status: 409, title: "Out of stock" },
  CART_CHANGED: { status: 409, title: "Cart changed" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  MALFORMED_REQUEST: { status: 400, title: "Malformed request" },
  REQUEST_TIMEOUT: { status: 408, title: "Request timeout" },
  HEADERS_TOO_LARGE: { status: 431, title: "Request header fields too large" },
  UNKNOWN_PRODUCT: { status: 422, title: "Unknown product" },
  INVALID_PROMOTION: { status: 422, title: "Invalid promotion code" },
  CART_EMPTY: { status: 422, title: "Cart is empty" },
  CART_LIMIT: { status: 422, title: "Cart limit exceeded" },
  ADDRESS_BOOK_FULL: { status: 409, title: "Address book full" },
  ILLEGAL_TRANSITION: { status: 409, title: "Illegal order transition" },
  ORDER_NOT_CANCELLABLE: { status: 409, title: "Order cannot be cancelled" },
  ORDER_NOT_PAYABLE: { status: 409, title: "Order cannot be paid" },
  ORDER_NOT_SHIPPABLE: { status: 409, title: "Order not in the state this step needs" },
  WEBHOOK_UNVERIFIED: { status: 400, title: "Webhook signature not verified" },
  PRODUCT_EXISTS: { status: 409, title: "Product already exists" },
  PROMOTION_EXISTS: { status: 409, title: "Promotion code already exists" },
  STOCK_NEGATIVE: { status: 409, title: "Not enough stock" },
  SETTINGS_CHANGED: { status: 409, title: "Settings changed" },
  NOT_SHIPPABLE: { status: 422, title: "Not shippable" },
  TOO_MANY_REQUESTS: { status: 429, title: "Too many requests" },
  STORE_UNAVAILABLE: { status: 503, title: "Store unavailable" },
  PAYMENT_UNAVAILABLE: { status: 503, title: "Payment provider unavailable" },
  MAIL_UNAVAILABLE: { status: 503, title: "Mail service unavailable" },
  MAIL_REJECTED: { status: 422, title: "Mail refused" },
  NOT_IMPLEMENTED: { status: 501, title: "Not implemented" },
  INTERNAL: { status: 500, title: "Internal server error" },
};

/** An RFC 9457 problem document as this API sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The `WWW-Authenticate` challenge of every 401. */
export const BEARER_CHALLENGE = 'Bearer realm="serverless-store"';

export const statusOf = (code: ProblemCode): number => STATUS[code].status;

export const titleOf = (code: ProblemCode): string => STATUS[code].title;

/** The problem's `type`: `urn:serverless-store:problem:out-of-stock` for OUT_OF_STOCK. */
export const problemTypeOf = (code: ProblemCode): string =>
  `urn:serverless-store:problem:${code.toLowerCase().replaceAll("_", "-")}`;

export type ProblemLog = (entry: {
  level: "error";
  requestId: string;
  message: string;
  stack?: string;
}) => void;

/**
 * Maps any thrown value to a problem+json result. AppErrors and HttpErrors keep their code and
 * detail; anything else is logged with the request id and answered as a bare 500, so no stack, SQL or AWS error
 * text ever reaches a client.
 */
export function problemResult(
  error: unknown,
  request: { path: string; requestId: string },
  log: ProblemLog,
): APIGatewayProxyResult {
  const known = error instanceof AppError || error instanceof HttpError;
  if (!known) {
    const failure = error instanceof Error ? error : new Error(String(error));
    log({
      level: "error",
      requestId: request.requestId,
      message: failure.message,
      ...(failure.stack === undefined ? {} : { stack: failure.stack }),
    });
  }
  const code: ProblemCode = known ? error.code : "INTERNAL";
  const { status, title } = STATUS[code];
  const problem: Problem = {
    type: problemTypeOf(code),
    title,
    status,
    detail: known ? error.message : "an unexpected error occurred; it has been logged",
    instance: request.path,
    code,
    requestId: request.requestId,
    ...(error instanceof AppError && error.fields !== undefined ? { errors: error.fields } : {}),
  };
  const headers: Record<string, string> = { "Content-Type": PROBLEM_CONTENT_TYPE };
  if (error instanceof AppError && error.retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(error.retryAfterSeconds);
  }
  if (error instanceof HttpError && error.allow !== undefined) {
    headers.Allow = error.allow.join(", ");
  }
  if (code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = BEARER_CHALLENGE;
  return { statusCode: status, headers, body: JSON.stringify(problem) };
}
