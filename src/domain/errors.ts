/**
 * The one error family of the project. Services and the store throw it with a stable `code`; the
 * edge maps each code to a status once (`http/problem.ts`), so nothing below the edge knows HTTP
 * status numbers. Codes only HTTP can produce (405, 413, 415) are the edge's own (`http/`).
 */
export type ErrorCode =
  | "VALIDATION_FAILED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "EMAIL_TAKEN"
  | "OUT_OF_STOCK"
  | "CART_CHANGED"
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
}

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly fields: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

// The refusals every store adapter (and some services) make, built here once so that the three
// stores answer with the same words.

/** The backend failed or is busy: the driver's text stays in `cause`, never in the detail. */
export const storeUnavailable = (cause: unknown): AppError =>
  new AppError("STORE_UNAVAILABLE", "the store is unavailable, retry shortly", {
    retryAfterSeconds: 1,
    cause,
  });

export const productNotFound = (productId: string): AppError =>
  new AppError("NOT_FOUND", `product ${productId} does not exist`);

export const emailTaken = (email: string): AppError =>
  new AppError("EMAIL_TAKEN", `an account for ${email} already exists`, {
    fields: [{ field: "email", message: "already registered" }],
  });

/** The cart moved after checkout read it. */
export const cartChanged = (): AppError =>
  new AppError("CART_CHANGED", "the cart changed during checkout; review it and retry");

/** A product's price is no longer the one the order was priced at (or it is gone). */
export const priceChanged = (productId: string): AppError =>
  new AppError("CART_CHANGED", `the price of ${productId} changed; retry`);

/**
 * Too little of `product` left for an order of `lines`. The field names the product's first line,
 * whose index is that of the cart line it was priced from, as every other cart refusal names it
 * (`products[1].id`).
 */
export const outOfStock = (
  product: { id: string; name: string; stock: number },
  lines: readonly { productId: string }[],
): AppError => {
  const line = lines.findIndex((candidate) => candidate.productId === product.id);
  return new AppError("OUT_OF_STOCK", `not enough ${product.name} in stock`, {
    fields: [{ field: `products[${line}].id`, message: `${product.stock} left` }],
  });
};

/** A guest cart token that names no cart, or a cart that expired or was merged. */
export const guestCartNotFound = (): AppError =>
  new AppError("NOT_FOUND", "guest cart not found or expired");

/** One of the two carts of a merge moved after it was read: nothing was written. */
export const mergeConflict = (): AppError =>
  new AppError("CART_CHANGED", "a cart changed while the guest cart was merged; retry");
