import { AppError } from "./errors.js";

export interface Promotion {
  /** Upper-case code as a shopper types it, e.g. `WELCOME10`. */
  code: string;
  /** Whole percent off the subtotal, 1 to 100. */
  percentOff: number;
  /** ISO time from which the code works; absent means always. */
  validFrom?: string;
  /** ISO time at which the code stops working; absent means never. */
  expiresAt?: string;
  /** How many orders in all may use the code; absent means no limit. */
  maxUses?: number;
  /** How many orders of one customer may use the code; absent means no limit. */
  maxUsesPerCustomer?: number;
  /** Set when an operator deactivated the code: it is refused like an unknown one. */
  deactivated?: true;
}

/** A promotion as its operators see it: with the orders that used it so far. */
export interface ManagedPromotion extends Promotion {
  uses: number;
}

export function normalizePromotionCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Refuses a code that is unknown (`promotion` undefined), not yet valid or expired at `now`. */
export function requireUsablePromotion(
  code: string,
  promotion: Promotion | undefined,
  now: Date,
): Promotion {
  const field = "promotionCode";
  if (promotion === undefined || promotion.deactivated === true) {
    throw new AppError("INVALID_PROMOTION", `promotion code ${code} does not exist`, {
      fields: [{ field, message: "unknown promotion code" }],
    });
  }
  const time = now.getTime();
  if (promotion.validFrom !== undefined && time < Date.parse(promotion.validFrom)) {
    throw new AppError("INVALID_PROMOTION", `promotion code ${code} is not valid yet`, {
      fields: [{ field, message: `valid from ${promotion.validFrom}` }],
    });
  }
  if (promotion.expiresAt !== undefined && time >= Date.parse(promotion.expiresAt)) {
    throw new AppError("INVALID_PROMOTION", `promotion code ${code} has expired`, {
      fields: [{ field, message: `expired at ${promotion.expiresAt}` }],
    });
  }
  return promotion;
}
