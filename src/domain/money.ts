/** Every amount in the project is an integer number of cents of this currency. */
export const CURRENCY = "USD";

/** Largest unit price the store accepts: keeps every total far inside Number.MAX_SAFE_INTEGER. */
export const MAX_PRICE_CENTS = 100_000_000;

export function isCents(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * The discount for `percentOff` of `subtotalCents`, rounded once, on the subtotal, up to the next
 * whole cent: the rounding always favours the shopper (10 % of 2999 is 300, not 299.9 or 299).
 */
export function percentageDiscountCents(subtotalCents: number, percentOff: number): number {
  if (!isCents(subtotalCents)) throw new RangeError(`subtotal ${subtotalCents} is not whole cents`);
  if (!Number.isInteger(percentOff) || percentOff < 0 || percentOff > 100) {
    throw new RangeError(`percentOff ${percentOff} is not an integer from 0 to 100`);
  }
  // Whole hundreds apart, so no product leaves the safe integers even for the largest subtotal:
  // ceil(s * p / 100) == floor(s / 100) * p + ceil((s % 100) * p / 100), and for a >= 0
  // ceil(a / 100) == floor((a + 99) / 100), with no float error.
  const hundreds = Math.floor(subtotalCents / 100);
  const rest = subtotalCents % 100;
  return hundreds * percentOff + Math.floor((rest * percentOff + 99) / 100);
}
