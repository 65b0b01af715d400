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
  | "ADDRESS_BOOK_FULL"
  | "ILLEGAL_TRANSITION"
  | "ORDER_NOT_CANCELLABLE"
  | "ORDER_NOT_PAYABLE"
  | "ORDER_NOT_SHIPPABLE"
  | "WEBHOOK_UNVERIFIED"
  | "PRODUCT_EXISTS"
  | "PROMOTION_EXISTS"
  | "STOCK_NEGATIVE"
  | "SETTINGS_CHANGED"
  | "NOT_SHIPPABLE"
  | "TOO_MANY_REQUESTS"
  | "STORE_UNAVAILABLE"
  | "PAYMENT_UNAVAILABLE"
  | "MAIL_UNAVAILABLE"
  | "MAIL_REJECTED"
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

/** The payment provider failed, timed out or is busy: its own text stays in `cause`. */
export const paymentUnavailable = (cause: unknown): AppError =>
  new AppError("PAYMENT_UNAVAILABLE", "the payment provider is unavailable, retry shortly", {
    retryAfterSeconds: 2,
    cause,
  });

/** The mail service could not be reached or is refusing for a while: the message is tried again. */
export const mailUnavailable = (cause: unknown): AppError =>
  new AppError("MAIL_UNAVAILABLE", "the mail service is unavailable, retry later", { cause });

/** The mail service refuses this message for good (a bad address): it is not tried again. */
export const mailRejected = (detail: string, cause?: unknown): AppError =>
  new AppError("MAIL_REJECTED", detail, cause === undefined ? {} : { cause });

export const productNotFound = (productId: string): AppError =>
  new AppError("NOT_FOUND", `product ${productId} does not exist`);

/**
 * A comment over one of COMMENT_LIMITS' counts: `perMinute` in all, or `perProductPerDay` on the
 * one product; `retryAfterSeconds` is when its window ends.
 */
export const tooManyComments = (scope: "minute" | "product", retryAfterSeconds: number): AppError =>
  new AppError(
    "TOO_MANY_REQUESTS",
    scope === "minute"
      ? "too many comments this minute; retry later"
      : "too many comments on this product today; retry later",
    { retryAfterSeconds },
  );

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

/** A signed-in caller without the `admin` group on an operator's route. */
export const adminOnly = (): AppError =>
  new AppError("FORBIDDEN", "only the shop's operators (the admin group) may do this");

export const orderNotFound = (orderId: string): AppError =>
  new AppError("NOT_FOUND", `order ${orderId} does not exist`);

/**
 * An order that cannot be cancelled by `by` in its `status`: already cancelled, failed, or (for
 * its customer) no longer PLACED.
 */
export const orderNotCancellable = (
  orderId: string,
  status: string,
  by: "customer" | "operator",
): AppError => {
  const why =
    status === "CANCELLED"
      ? "it is already CANCELLED"
      : status === "SHIPPED" || status === "DELIVERED"
        ? `it is ${status}: its parcel has left the shop`
        : status === "FAILED" || by === "operator"
          ? `it is ${status}`
          : `it is ${status}: a customer may cancel an order only while it is PLACED; ask the shop`;
  return new AppError("ORDER_NOT_CANCELLABLE", `order ${orderId} cannot be cancelled: ${why}`);
};

/**
 * An order that is not in the state the operator's fulfilment step needs: `step` is "shipped"
 * (it must be paid, COMPLETED) or "delivered" (it must be SHIPPED). `status` is the state it is
 * in now, which another operator's step may just have reached.
 */
export const orderNotShippable = (
  orderId: string,
  status: string,
  step: "shipped" | "delivered",
): AppError => {
  const needs = step === "shipped" ? "paid (COMPLETED)" : "SHIPPED";
  return new AppError(
    "ORDER_NOT_SHIPPABLE",
    `order ${orderId} cannot be marked ${step}: it is ${status}, and only a ${needs} order can`,
  );
};

export const productExists = (productId: string): AppError =>
  new AppError("PRODUCT_EXISTS", `a product with id ${productId} already exists`, {
    fields: [{ field: "id", message: "already used" }],
  });

export const promotionExists = (code: string): AppError =>
  new AppError("PROMOTION_EXISTS", `promotion code ${code} already exists`, {
    fields: [{ field: "code", message: "already used" }],
  });

export const promotionNotFound = (code: string): AppError =>
  new AppError("NOT_FOUND", `promotion code ${code} does not exist`);

/** An adjustment that would take a product's stock below zero (it may have sold meanwhile). */
export const stockWouldGoNegative = (productId: string, stock: number, delta: number): AppError =>
  new AppError("STOCK_NEGATIVE", `cannot take ${-delta} of ${productId}: only ${stock} in stock`, {
    fields: [{ field: "delta", message: `${stock} in stock` }],
  });

/** Every use a promotion allows is taken, in all or by this customer. */
export const promotionUsedUp = (code: string, byCustomer: boolean): AppError =>
  new AppError(
    "INVALID_PROMOTION",
    byCustomer
      ? `promotion code ${code} has been used as often as one customer may`
      : `promotion code ${code} has been used up`,
    { fields: [{ field: "promotionCode", message: byCustomer ? "already used" : "used up" }] },
  );

/** An address (at `prefix`, such as `shippingAddress`) with the invalid fields named. */
export const invalidAddress = (prefix: string, fields: FieldError[]): AppError =>
  new AppError("VALIDATION_FAILED", `${prefix} is not a valid address`, { fields });

/** No shipping zone covers `country`, or its zone has no method: the shop does not ship there. */
export const notShippable = (country: string, field = "shippingAddress.country"): AppError =>
  new AppError("NOT_SHIPPABLE", `we do not ship to ${country}`, {
    fields: [{ field, message: `not shipped to ${country}` }],
  });

/** A shipping method that is not (or no longer) offered for the order's country. */
export const shippingMethodUnavailable = (methodId: string, country: string): AppError =>
  new AppError("VALIDATION_FAILED", `shipping method ${methodId} is not offered for ${country}`, {
    fields: [{ field: "shippingMethodId", message: `not offered for ${country}` }],
  });

/**
 * A save of the shop's shipping or tax settings made from a version another save has replaced
 * since: read them again, redo the change and save with the version read.
 */
export const settingsChanged = (what: string, expectedVersion: number): AppError =>
  new AppError(
    "SETTINGS_CHANGED",
    `the ${what} changed since version ${expectedVersion}: read them again and redo the change`,
    { fields: [{ field: "version", message: `no longer ${expectedVersion}` }] },
  );

/** A shipping or tax configuration an operator tried to save, with what is wrong in it. */
export const invalidConfiguration = (what: string, fields: FieldError[]): AppError =>
  new AppError("VALIDATION_FAILED", `the ${what} are not valid`, { fields });

/** An address book that already holds `max` addresses: one must go before another is added. */
export const addressBookFull = (max: number): AppError =>
  new AppError(
    "ADDRESS_BOOK_FULL",
    `an address book holds at most ${max} addresses; delete one before adding another`,
  );

/**
 * An address id that is not one of the caller's: the same answer whether it exists in another
 * customer's book or nowhere, so ids tell nothing.
 */
export const addressNotFound = (addressId: string): AppError =>
  new AppError("NOT_FOUND", `address ${addressId} does not exist`);
