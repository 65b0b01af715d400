/**
 * The one error family of the project. Services, the store and the HTTP edge throw it with a
 * stable `code`; the edge maps each code to a status once (`http/problem.ts`), so nothing below
 * the edge knows HTTP status numbers.
 */
export type ErrorCode =
  | "VALIDATION_FAILED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "EMAIL_TAKEN"
  | "OUT_OF_STOCK"
  | "CART_CHANGED"
  | "IDEMPOTENCY_KEY_IN_USE"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNKNOWN_PRODUCT"
  | "INVALID_PROMOTION"
  | "CART_EMPTY"
  | "CART_LIMIT"
  | "ILLEGAL_TRANSITION"
  | "TOO_MANY_REQUESTS"
  | "STORE_UNAVAILABLE"
  | "NOT_IMPLEMENTED"
  | "INTERNAL";

/** One invalid input: `field` is a path such as `products[2].quantity`. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions extends ErrorOptions {
  fields?: FieldError[];
  /** Seconds a client should wait before retrying (429, 503). */
  retryAfterSeconds?: number;
  /** Methods the resource does allow (405). */
  allow?: string[];
}

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly fields: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly allow: string[] | undefined;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.allow = options.allow;
  }
}

/** A guest cart token that names no cart, or a cart that expired or was merged. */
export const guestCartNotFound = (): AppError =>
  new AppError("NOT_FOUND", "guest cart not found or expired");

/** One of the two carts of a merge moved after it was read: nothing was written. */
export const mergeConflict = (): AppError =>
  new AppError("CART_CHANGED", "a cart changed while the guest cart was merged; retry");

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
