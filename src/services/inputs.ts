import * as z from "zod/mini";
import {
  AppError,
  CART_LIMITS,
  COMMENT_LIMITS,
  type FieldError,
  IMAGE_UPLOADS,
  MAX_PRICE_CENTS,
  MAX_RATING,
  MIN_RATING,
  ORDER_STATUSES,
  STOCK_REASONS,
} from "../domain/index.js";
import "./zod-messages.js";

// The inputs of the use cases as clients send them, and `validate`, shared by both edges (REST
// routes and GraphQL resolvers) so that neither imports the other. They are validated at the edge
// before any service sees them. Unknown keys (a `userId`, say) are dropped, never trusted:
// identity comes from the verified token only. zod/mini rather than classic zod: the same parser
// and issues, and much less to load at a cold start (BENCHMARKS.md). Every exported schema is a
// `z.lazy`, built on its first parse: a function builds only the schemas of the routes it
// serves, and only when a request needs one, not all of them when the module loads. The pieces
// two schemas share are functions for the same reason.

const productId = () =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64),
      z.regex(/^[a-z0-9][a-z0-9-]*$/, "must be a product id such as lonely-bird"),
    );

/**
 * The store's limit on an id a client names (a path parameter such as `{id}` or `{code}`, a
 * GraphQL `id:` argument): every key that embeds one stays far under DynamoDB's key limits
 * (2,048 bytes for a partition key, 1,024 for a sort key), whatever the store.
 */
export const ID_LIMITS = { maxLength: 128 };

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** Any id a client names: 1 to `ID_LIMITS.maxLength` characters, no control characters. */
export const storeId = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(ID_LIMITS.maxLength),
      z.regex(NO_CONTROL_CHARACTERS, "must not contain control characters"),
    ),
);

/**
 * An id argument or path parameter, validated: a 400 whose field is `name` when out of limits.
 * Every path parameter of every request comes here: an id within the limits passes the same
 * tests as `storeId`'s without a zod parse, which then only says why one is refused.
 */
export const idNamed = (value: unknown, name: string): string =>
  typeof value === "string" &&
  value.length >= 1 &&
  value.length <= ID_LIMITS.maxLength &&
  NO_CONTROL_CHARACTERS.test(value)
    ? value
    : validate(storeId, value, name);

const trimmed = (min: number, max: number) =>
  z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

export const saveCartBody = z.lazy(() =>
  z.object({
    // No line count here: more than CART_LIMITS.maxLines is a cart rule (422 CART_LIMIT, like a
    // duplicate product), not a malformed body; MAX_BODY_BYTES already bounds the array.
    products: z.array(
      z.object({
        id: productId(),
        quantity: z.int().check(z.gte(CART_LIMITS.minQuantity), z.lte(CART_LIMITS.maxQuantity)),
      }),
    ),
    promotionCode: z.optional(trimmed(1, 32)),
  }),
);

export const commentBody = z.lazy(() =>
  z.object({
    rating: z.int().check(z.gte(MIN_RATING), z.lte(MAX_RATING)),
    text: trimmed(1, COMMENT_LIMITS.maxTextLength),
  }),
);

/** An address's fields as a client sends them: only the types here; `checkAddress` says more. */
const addressFields = () => ({
  name: z.optional(z.string()),
  line1: z.optional(z.string()),
  line2: z.optional(z.string()),
  city: z.optional(z.string()),
  region: z.optional(z.string()),
  postalCode: z.optional(z.string()),
  country: z.optional(z.string()),
  phone: z.optional(z.string()),
});

/**
 * An address book entry as a client sends it: the address's fields, each a string, and
 * `isDefault`. Only the types are checked here; `checkAddress` names each invalid field.
 */
export const addressBody = z.lazy(() =>
  z.object({ ...addressFields(), isDefault: z.optional(z.boolean()) }),
);

const email = () => z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email());

const shippingMethodId = () => z.string().check(z.minLength(1), z.maxLength(64));

/**
 * Where an order goes and how: a shipping address (or, signed in, `addressId` of one in the
 * address book), an optional billing address, and a shipping method. The quote takes the same,
 * the method optional (it then prices the cheapest).
 */
const checkoutFields = () => ({
  shippingAddress: z.optional(z.object(addressFields())),
  addressId: z.optional(storeId),
  billingAddress: z.optional(z.object(addressFields())),
});

export const checkoutQuoteBody = z.lazy(() =>
  z.object({ ...checkoutFields(), shippingMethodId: z.optional(shippingMethodId()) }),
);

/** A checkout: a guest adds the e-mail address the order's messages go to. */
export const checkoutBody = z.lazy(() =>
  z.object({
    ...checkoutFields(),
    shippingMethodId: shippingMethodId(),
    email: z.optional(email()),
  }),
);

/** The caller's ID token, which says their e-mail address and whether the pool confirmed it. */
export const attachGuestOrdersBody = z.lazy(() =>
  z.object({ idToken: z.string().check(z.minLength(1), z.maxLength(8192)) }),
);

export const signupBody = z.lazy(() =>
  z.object({
    email: email(),
    password: z.string().check(z.minLength(8, "must be at least 8 characters"), z.maxLength(256)),
    name: z.optional(trimmed(1, 60)),
  }),
);

export const loginBody = z.lazy(() =>
  z.object({
    email: email(),
    password: z.string().check(z.minLength(1), z.maxLength(256)),
  }),
);

// The operators' inputs (admin routes and their GraphQL mutations).

const priceCents = () => z.int().check(z.gte(0), z.lte(MAX_PRICE_CENTS));
/** A path of this site (`/uploads/…`, `/images/…`) or an https URL: never `javascript:` or data. */
const imageUrl = () =>
  z
    .string()
    .check(
      z.maxLength(500),
      z.regex(
        /^(\/[\w\-./]*|https:\/\/[^\s"'<>]+)$/,
        "must be a path of this site or an https URL",
      ),
    );
const description = () => z.string().check(z.trim(), z.maxLength(2000));

export const createProductBody = z.lazy(() =>
  z.object({
    /** Made from the name when absent (`Blue Vase` -> `blue-vase`). */
    id: z.optional(productId()),
    name: trimmed(1, 120),
    description: z._default(description(), ""),
    priceCents: priceCents(),
    imageUrl: imageUrl(),
    stock: z.int().check(z.gte(0), z.lte(1_000_000)),
  }),
);

export const updateProductBody = z.lazy(() =>
  z.object({
    name: z.optional(trimmed(1, 120)),
    description: z.optional(description()),
    priceCents: z.optional(priceCents()),
    imageUrl: z.optional(imageUrl()),
  }),
);

export const stockAdjustmentBody = z.lazy(() =>
  z.object({
    delta: z.int().check(z.gte(-1_000_000), z.lte(1_000_000)),
    // `initial` is the creation's own entry, never an adjustment of its own.
    reason: z.enum(STOCK_REASONS.filter((reason) => reason !== "initial")),
    note: z.optional(trimmed(1, 500)),
  }),
);

const isoTime = () => z.iso.datetime({ offset: true });

const promotionFields = () => ({
  percentOff: z.int().check(z.gte(1), z.lte(100)),
  validFrom: z.optional(isoTime()),
  validUntil: z.optional(isoTime()),
  maxUses: z.optional(z.int().check(z.gte(1), z.lte(1_000_000_000))),
  maxUsesPerCustomer: z.optional(z.int().check(z.gte(1), z.lte(1_000_000))),
  active: z._default(z.boolean(), true),
});

/** A promotion's definition; `active: false` deactivates the code (it is refused at once). */
export const promotionDefinition = z.lazy(() => z.object(promotionFields()));

const promotionCodeOf = () =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(3),
      z.maxLength(32),
      z.regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only"),
    );

export const promotionCode = z.lazy(promotionCodeOf);

export const createPromotionBody = z.lazy(() =>
  z.object({ ...promotionFields(), code: promotionCodeOf() }),
);

export const imageUploadBody = z.lazy(() =>
  z.object({
    contentType: z.enum(IMAGE_UPLOADS.contentTypes),
    bytes: z.int().check(z.gte(1), z.lte(IMAGE_UPLOADS.maxBytes)),
  }),
);

/** How long a shipment's fields may be: a carrier's name and tracking number, a tracking URL. */
export const SHIPMENT_LIMITS = { carrier: 60, trackingNumber: 60, trackingUrl: 2048 } as const;

/**
 * An absolute `https:` URL with a host: the page links to it, so never `javascript:`, `data:`
 * or plain http. Whitespace and control characters are refused rather than encoded.
 */
const HTTPS_URL = /^https:\/\/[^\s]+$/;
const parsesAsHttps = (value: string): boolean => {
  if (!NO_CONTROL_CHARACTERS.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "https:" && url.hostname !== "";
};

/** What an operator records when an order ships (`POST /admin/orders/{id}/ship`). */
export const shipmentBody = z.lazy(() =>
  z.object({
    carrier: trimmed(1, SHIPMENT_LIMITS.carrier),
    trackingNumber: z
      .string()
      .check(
        z.trim(),
        z.minLength(1),
        z.maxLength(SHIPMENT_LIMITS.trackingNumber),
        z.regex(/^[A-Za-z0-9 -]*$/, "letters, digits, spaces and - only"),
      ),
    trackingUrl: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.maxLength(SHIPMENT_LIMITS.trackingUrl),
          z.regex(HTTPS_URL, { message: "must be an absolute https: URL", abort: true }),
          z.refine(parsesAsHttps, "must be an absolute https: URL"),
        ),
    ),
  }),
);

/** `?status=` of the operators' order list (GraphQL's `status`); its page is `pageQuery`'s. */
export const orderStatusQuery = z.lazy(() =>
  z.object({ status: z.optional(z.enum(ORDER_STATUSES)) }),
);

/** Visible ASCII, as Stripe-style idempotency keys (a UUID fits). */
export const idempotencyKey = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\x21-\x7e]+$/, "must be 1 to 128 visible ASCII characters"),
    ),
);

/** The header a guest cart's token travels in. */
export const GUEST_CART_TOKEN_HEADER = "Guest-Cart-Token";

/** What `POST /guest-carts` answers: 32 random bytes, base64url without padding. */
export const guestCartToken = z.lazy(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9_-]{43}$/, "must be the 43-character token POST /guest-carts answered"),
    ),
);

/** The header a guest order's access token travels in (never the address: logs keep those). */
export const ORDER_ACCESS_TOKEN_HEADER = "Order-Access-Token";

/** The orderAccessToken a guest checkout answered: 32 bytes, base64url without padding. */
export const orderAccessToken = z.lazy(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9_-]{43}$/, "must be the 43-character orderAccessToken checkout answered"),
    ),
);

const nonEmpty = () => z.string().check(z.minLength(1));

export const graphqlBody = z.lazy(() =>
  z.object({
    query: nonEmpty(),
    variables: z.nullish(z.record(z.string(), z.unknown())),
    operationName: z.nullish(nonEmpty()),
    /** Accepted and unused (GraphQL over HTTP); anything but a map is refused. */
    extensions: z.nullish(z.record(z.string(), z.unknown())),
  }),
);

/** GraphQL over GET: `variables` arrives as JSON text in the query string. */
export const graphqlQuery = z.lazy(() =>
  z.object({
    query: nonEmpty(),
    variables: z.optional(
      z.pipe(
        z.string(),
        z.transform((text, context) => {
          try {
            const value: unknown = JSON.parse(text);
            if (typeof value === "object" && value !== null && !Array.isArray(value)) {
              return value as Record<string, unknown>;
            }
          } catch {}
          context.issues.push({ code: "custom", message: "must be a JSON object", input: text });
          return z.NEVER;
        }),
      ),
    ),
    operationName: z.optional(nonEmpty()),
  }),
);

/** Validates `value`; on failure a 400 whose `errors` name each field as `products[0].id`. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldError[] = result.error.issues.map((issue) => ({
    field: fieldPath(issue.path) || what,
    message: issue.message,
  }));
  const first = fields[0];
  const detail =
    first === undefined ? `invalid ${what}` : `invalid ${what}: ${first.field} ${first.message}`;
  throw new AppError("VALIDATION_FAILED", detail, { fields });
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** An anonymous call that names no guest cart either. */
export const anonymousWithoutGuestCart = (): AppError =>
  new AppError(
    "UNAUTHENTICATED",
    `send an access token: Authorization: Bearer <token>, or a guest cart's ${GUEST_CART_TOKEN_HEADER} header`,
  );

/** A call that must name a guest cart (a merge) and did not. */
export const guestCartTokenRequired = (): AppError =>
  new AppError("VALIDATION_FAILED", `the ${GUEST_CART_TOKEN_HEADER} header is required`, {
    fields: [{ field: `${GUEST_CART_TOKEN_HEADER} header`, message: "required" }],
  });

/** The `Guest-Cart-Token` header's value, validated; `absent` is the refusal when none was sent. */
export function requireGuestCartToken(raw: string | undefined, absent: () => AppError): string {
  if (raw === undefined) throw absent();
  return validate(guestCartToken, raw, `${GUEST_CART_TOKEN_HEADER} header`);
}
