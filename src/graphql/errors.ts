import { GraphQLError } from "graphql";
import { AppError, type ErrorCode } from "../domain/index.js";

/** The one table from our error codes to GraphQL's customary `extensions.code`. */
const GRAPHQL_CODE: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "BAD_USER_INPUT",
  UNKNOWN_PRODUCT: "BAD_USER_INPUT",
  INVALID_PROMOTION: "BAD_USER_INPUT",
  CART_EMPTY: "BAD_USER_INPUT",
  CART_LIMIT: "BAD_USER_INPUT",
  NOT_SHIPPABLE: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  EMAIL_TAKEN: "CONFLICT",
  ADDRESS_BOOK_FULL: "CONFLICT",
  OUT_OF_STOCK: "CONFLICT",
  CART_CHANGED: "CONFLICT",
  ILLEGAL_TRANSITION: "CONFLICT",
  ORDER_NOT_CANCELLABLE: "CONFLICT",
  ORDER_NOT_PAYABLE: "CONFLICT",
  ORDER_NOT_SHIPPABLE: "CONFLICT",
  WEBHOOK_UNVERIFIED: "BAD_USER_INPUT",
  PRODUCT_EXISTS: "CONFLICT",
  PROMOTION_EXISTS: "CONFLICT",
  STOCK_NEGATIVE: "CONFLICT",
  SETTINGS_CHANGED: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  STORE_UNAVAILABLE: "STORE_UNAVAILABLE",
  PAYMENT_UNAVAILABLE: "PAYMENT_UNAVAILABLE",
  MAIL_UNAVAILABLE: "MAIL_UNAVAILABLE",
  MAIL_REJECTED: "MAIL_REJECTED",
  NOT_IMPLEMENTED: "NOT_IMPLEMENTED",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

export type ErrorLog = (entry: {
  level: "error";
  message: string;
  stack?: string;
  requestId?: string;
}) => void;

/**
 * Shapes an error of a resolver for the `errors` array: our AppErrors keep their detail, fields
 * and a stable code; anything else is logged and masked, so no stack or internal text leaks.
 */
export function formatResolverError(error: GraphQLError, log: ErrorLog): GraphQLError {
  const original = error.originalError;
  if (original === undefined || original instanceof GraphQLError) return error;
  const options = { nodes: error.nodes ?? null, path: error.path ?? null };
  if (original instanceof AppError) {
    return new GraphQLError(original.message, {
      ...options,
      extensions: {
        code: GRAPHQL_CODE[original.code],
        reason: original.code,
        ...(original.fields === undefined ? {} : { fields: original.fields }),
        ...(original.retryAfterSeconds === undefined
          ? {}
          : { retryAfterSeconds: original.retryAfterSeconds }),
      },
    });
  }
  log({
    level: "error",
    message: original.message,
    ...(original.stack === undefined ? {} : { stack: original.stack }),
  });
  return new GraphQLError("an unexpected error occurred; it has been logged", {
    ...options,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}
