import type { Product } from "./catalogue.js";
import { AppError, type FieldError } from "./errors.js";
import { percentageDiscountCents } from "./money.js";
import type { Promotion } from "./promotion.js";

export const CART_LIMITS = { maxLines: 50, minQuantity: 1, maxQuantity: 99 } as const;

export interface CartLine {
  productId: string;
  quantity: number;
}

/** A user's saved cart. `version` grows by one on every save and on checkout. */
export interface Cart {
  userId: string;
  lines: CartLine[];
  promotionCode?: string;
  version: number;
  updatedAt: string;
}

/**
 * An anonymous shopper's cart, known by the SHA-256 (hex) of a bearer token only the shopper
 * holds. `version` grows by one on every save, as a user's cart's does.
 */
export interface GuestCart {
  tokenHash: string;
  lines: CartLine[];
  promotionCode?: string;
  version: number;
  updatedAt: string;
  /** Epoch seconds from which the cart is gone: `GUEST_CART_TTL_SECONDS` after its last save. */
  expiresAt: number;
}

/** A guest cart lives 7 days after its last save. */
export const GUEST_CART_TTL_SECONDS = 7 * 24 * 60 * 60;

/** The lines and code of a cart, as the merge rule reads and answers them. */
export interface CartContents {
  lines: readonly CartLine[];
  promotionCode?: string | undefined;
}

export interface CartMerge {
  lines: CartLine[];
  promotionCode?: string;
  /** Products whose added-up quantity was cut to `CART_LIMITS.maxQuantity`, in merge order. */
  capped: string[];
  /** Guest products left out because the cart already had `CART_LIMITS.maxLines` lines. */
  dropped: string[];
}

/**
 * Merges a guest cart into a user's: the user's lines first, in their order, then the guest's
 * in theirs. A product on both adds its quantities, capped at `CART_LIMITS.maxQuantity`; a guest
 * product that would make a line past `CART_LIMITS.maxLines` is dropped. The user's promotion
 * code wins when both carts have one, else the guest's is taken. Reports what it capped and
 * dropped, so the shopper can be told.
 */
export function mergeCarts(user: CartContents, guest: CartContents): CartMerge {
  const lines = user.lines.map(({ productId, quantity }) => ({ productId, quantity }));
  const byProduct = new Map(lines.map((line) => [line.productId, line]));
  const capped: string[] = [];
  const dropped: string[] = [];
  for (const { productId, quantity } of guest.lines) {
    const line = byProduct.get(productId);
    if (line !== undefined) {
      const sum = line.quantity + quantity;
      line.quantity = Math.min(sum, CART_LIMITS.maxQuantity);
      if (sum > CART_LIMITS.maxQuantity && !capped.includes(productId)) capped.push(productId);
    } else if (lines.length >= CART_LIMITS.maxLines) {
      dropped.push(productId);
    } else {
      const added = { productId, quantity: Math.min(quantity, CART_LIMITS.maxQuantity) };
      if (quantity > CART_LIMITS.maxQuantity) capped.push(productId);
      lines.push(added);
      byProduct.set(productId, added);
    }
  }
  const promotionCode = user.promotionCode ?? guest.promotionCode;
  return {
    lines,
    ...(promotionCode === undefined ? {} : { promotionCode }),
    capped,
    dropped,
  };
}

export interface PricedLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface PricedCart {
  lines: PricedLine[];
  promotionCode?: string;
  discountPercentage: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
}

/**
 * Checks the rules every cart obeys whoever built it: at most 50 lines, each product once,
 * quantities 1 to 99. The HTTP edge checks the same shape first to name the field; this is the
 * rule itself, so a cart can never be stored outside it.
 */
export function assertCartLines(lines: readonly CartLine[]): void {
  const fields: FieldError[] = [];
  if (lines.length > CART_LIMITS.maxLines) {
    fields.push({ field: "products", message: `at most ${CART_LIMITS.maxLines} lines` });
  }
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (seen.has(line.productId)) {
      fields.push({
        field: `products[${index}].id`,
        message: `duplicate product ${line.productId}`,
      });
    }
    seen.add(line.productId);
    const q = line.quantity;
    if (!Number.isInteger(q) || q < CART_LIMITS.minQuantity || q > CART_LIMITS.maxQuantity) {
      fields.push({
        field: `products[${index}].quantity`,
        message: `must be an integer from ${CART_LIMITS.minQuantity} to ${CART_LIMITS.maxQuantity}`,
      });
    }
  });
  if (fields.length > 0) {
    throw new AppError("CART_LIMIT", "the cart breaks the cart rules", { fields });
  }
}

/**
 * Prices `lines` with the catalogue's current prices: every amount is computed here, in cents,
 * from the store's prices; nothing a client sends is a price. Unknown products are refused,
 * all named at once.
 */
export function priceCart(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, Product>,
  promotion?: Promotion,
): PricedCart {
  const unknown: FieldError[] = [];
  const priced: PricedLine[] = [];
  let subtotalCents = 0;
  lines.forEach((line, index) => {
    const product = products.get(line.productId);
    if (product === undefined) {
      unknown.push({
        field: `products[${index}].id`,
        message: `unknown product ${line.productId}`,
      });
      return;
    }
    const lineTotalCents = product.priceCents * line.quantity;
    subtotalCents += lineTotalCents;
    priced.push({
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPriceCents: product.priceCents,
      lineTotalCents,
    });
  });
  if (unknown.length > 0) {
    const ids = unknown.map((f) => f.message.replace("unknown product ", "")).join(", ");
    throw new AppError("UNKNOWN_PRODUCT", `unknown product: ${ids}`, { fields: unknown });
  }
  const discountPercentage = promotion?.percentOff ?? 0;
  const discountCents = percentageDiscountCents(subtotalCents, discountPercentage);
  return {
    lines: priced,
    ...(promotion === undefined ? {} : { promotionCode: promotion.code }),
    discountPercentage,
    subtotalCents,
    discountCents,
    totalCents: subtotalCents - discountCents,
  };
}
