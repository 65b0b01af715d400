import { z } from "zod";
import { CART_LIMITS, MAX_RATING, MIN_RATING } from "../domain/index.js";

// Request bodies, validated at the edge before any service sees them. Unknown keys (a `userId`,
// say) are dropped, never trusted: identity comes from the verified token only.

const productId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a product id such as lonely-bird");

export const saveCartBody = z.object({
  // No line count here: more than CART_LIMITS.maxLines is a cart rule (422 CART_LIMIT, like a
  // duplicate product), not a malformed body; MAX_BODY_BYTES already bounds the array.
  products: z.array(
    z.object({
      id: productId,
      quantity: z.number().int().min(CART_LIMITS.minQuantity).max(CART_LIMITS.maxQuantity),
    }),
  ),
  promotionCode: z.string().trim().min(1).max(32).optional(),
});

export const commentBody = z.object({
  rating: z.number().int().min(MIN_RATING).max(MAX_RATING),
  text: z.string().trim().min(1).max(2000),
});

const email = z.string().trim().max(254).pipe(z.email());

export const signupBody = z.object({
  email,
  password: z.string().min(8, "must be at least 8 characters").max(256),
  name: z.string().trim().min(1).max(60).optional(),
});

export const loginBody = z.object({
  email,
  password: z.string().min(1).max(256),
});

/** Visible ASCII, as Stripe-style idempotency keys (a UUID fits). */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, "must be 1 to 128 visible ASCII characters");

export const graphqlBody = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().min(1).nullish(),
});

/** GraphQL over GET: `variables` arrives as JSON text in the query string. */
export const graphqlQuery = z.object({
  query: z.string().min(1),
  variables: z
    .string()
    .transform((text, context) => {
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value === "object" && value !== null && !Array.isArray(value)) {
          return value as Record<string, unknown>;
        }
      } catch {}
      context.addIssue({ code: "custom", message: "must be a JSON object" });
      return z.NEVER;
    })
    .optional(),
  operationName: z.string().min(1).optional(),
});
