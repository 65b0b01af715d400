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

/**
 * `amountCents × numerator / denominator`, rounded half up (a half cent goes up), exactly. The
 * product is taken in BigInt: the largest cart (4.95e11 cents) times a tax rate in parts per
 * million leaves the safe integers long before the quotient does. All three are non-negative
 * integers and `denominator` positive; a result outside the safe integers is a RangeError.
 */
export function scaleHalfUp(amountCents: number, numerator: number, denominator: number): number {
  if (!isCents(amountCents)) throw new RangeError(`amount ${amountCents} is not whole cents`);
  if (!Number.isSafeInteger(numerator) || numerator < 0) {
    throw new RangeError(`numerator ${numerator} is not a non-negative integer`);
  }
  if (!Number.isSafeInteger(denominator) || denominator < 1) {
    throw new RangeError(`denominator ${denominator} is not a positive integer`);
  }
  const d = BigInt(denominator);
  // floor((2ab + d) / 2d) == floor(ab/d + 1/2): half up without a fraction ever existing.
  const result = Number((2n * BigInt(amountCents) * BigInt(numerator) + d) / (2n * d));
  if (!Number.isSafeInteger(result)) throw new RangeError(`${result} is past the safe integers`);
  return result;
}
