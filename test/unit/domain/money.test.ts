import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CART_LIMITS,
  isCents,
  MAX_PRICE_CENTS,
  percentageDiscountCents,
  scaleHalfUp,
} from "../../../src/domain/index.js";

/** The exact answer, in arbitrary precision: ceil(subtotal * percent / 100). */
function exactDiscount(subtotalCents: number, percentOff: number): number {
  return Number((BigInt(subtotalCents) * BigInt(percentOff) + 99n) / 100n);
}

describe("percentageDiscountCents", () => {
  it("rounds the discount up to the next cent, in the shopper's favour", () => {
    expect(percentageDiscountCents(2999, 10)).toBe(300);
    expect(percentageDiscountCents(1999, 10)).toBe(200);
    expect(percentageDiscountCents(7997, 10)).toBe(800);
    expect(percentageDiscountCents(1, 1)).toBe(1);
    expect(percentageDiscountCents(101, 25)).toBe(26);
  });

  it("does not round a discount that is already whole cents", () => {
    expect(percentageDiscountCents(3000, 10)).toBe(300);
    expect(percentageDiscountCents(400, 25)).toBe(100);
    expect(percentageDiscountCents(100, 1)).toBe(1);
  });

  it("gives nothing off at 0 % and everything off at 100 %", () => {
    expect(percentageDiscountCents(2999, 0)).toBe(0);
    expect(percentageDiscountCents(0, 0)).toBe(0);
    expect(percentageDiscountCents(2999, 100)).toBe(2999);
    expect(percentageDiscountCents(1, 100)).toBe(1);
  });

  it("is zero on an empty subtotal whatever the percentage", () => {
    expect(percentageDiscountCents(0, 10)).toBe(0);
    expect(percentageDiscountCents(0, 100)).toBe(0);
  });

  it("is exact on the largest cart the rules allow (50 lines x 99 x the maximum price)", () => {
    const largest = CART_LIMITS.maxLines * CART_LIMITS.maxQuantity * MAX_PRICE_CENTS;
    expect(largest).toBe(495_000_000_000);
    expect(percentageDiscountCents(largest, 10)).toBe(49_500_000_000);
    expect(percentageDiscountCents(largest, 33)).toBe(163_350_000_000);
    expect(percentageDiscountCents(largest - 1, 33)).toBe(163_350_000_000);
    expect(percentageDiscountCents(largest - 1, 7)).toBe(34_650_000_000);
    expect(percentageDiscountCents(largest - 15, 7)).toBe(34_649_999_999);
    expect(percentageDiscountCents(largest, 100)).toBe(largest);
  });

  it("never gives more than the subtotal, even at the edge of the safe integers", () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(percentageDiscountCents(max, 100)).toBe(max);
    for (const percent of [1, 7, 10, 33, 50, 99]) {
      for (const subtotal of [max, max - 1, 2 ** 52 + 1, 123_456_789_012_345]) {
        expect(percentageDiscountCents(subtotal, percent)).toBe(exactDiscount(subtotal, percent));
      }
    }
  });

  it("agrees with exact arithmetic on every subtotal from 0 to 1000 at every percentage", () => {
    const wrong: string[] = [];
    for (let subtotal = 0; subtotal <= 1000; subtotal++) {
      for (let percent = 0; percent <= 100; percent++) {
        const got = percentageDiscountCents(subtotal, percent);
        if (got !== exactDiscount(subtotal, percent)) wrong.push(`${subtotal}@${percent}=${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [10.5, 10],
    [-1, 10],
    [Number.NaN, 10],
    [Number.POSITIVE_INFINITY, 10],
    [Number.MAX_SAFE_INTEGER + 1, 10],
  ])("refuses the subtotal %s", (subtotal, percent) => {
    expect(() => percentageDiscountCents(subtotal, percent)).toThrow(RangeError);
    expect(() => percentageDiscountCents(subtotal, percent)).toThrow(/whole cents/);
  });

  it.each([1.5, -1, 101, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses the percentage %s",
    (percent) => {
      expect(() => percentageDiscountCents(1000, percent)).toThrow(RangeError);
      expect(() => percentageDiscountCents(1000, percent)).toThrow(/from 0 to 100/);
    },
  );
});

describe("isCents", () => {
  it("accepts whole, non-negative, safe amounts only", () => {
    expect(isCents(0)).toBe(true);
    expect(isCents(2999)).toBe(true);
    expect(isCents(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isCents(29.99)).toBe(false);
    expect(isCents(-1)).toBe(false);
    expect(isCents(Number.NaN)).toBe(false);
    expect(isCents(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
  });
});

describe("scaleHalfUp", () => {
  it("rounds an exact half cent up and anything below it down", () => {
    // 19 % of 50 cents is 9.5 cents, of 49 cents 9.31 and of 51 cents 9.69.
    expect(scaleHalfUp(50, 190_000, 1_000_000)).toBe(10);
    expect(scaleHalfUp(49, 190_000, 1_000_000)).toBe(9);
    expect(scaleHalfUp(51, 190_000, 1_000_000)).toBe(10);
    expect(scaleHalfUp(1, 1, 2)).toBe(1);
    expect(scaleHalfUp(1, 1, 3)).toBe(0);
    expect(scaleHalfUp(2, 1, 3)).toBe(1);
  });

  it("is exact where number arithmetic would not be", () => {
    const largest = CART_LIMITS.maxLines * CART_LIMITS.maxQuantity * MAX_PRICE_CENTS;
    // 495e9 x 68_750 = 3.4e16 is past 2^53: a float product would lose the last cents.
    expect(scaleHalfUp(largest + 1, 68_750, 1_000_000)).toBe(34_031_250_000);
    expect(scaleHalfUp(largest + 7, 68_750, 1_000_000)).toBe(34_031_250_000);
    expect(scaleHalfUp(largest + 8, 68_750, 1_000_000)).toBe(34_031_250_001);
    expect(scaleHalfUp(Number.MAX_SAFE_INTEGER, 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("matches the exact rational rounding for any amount and ratio", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        // at least a thousandth of the numerator's range, so every result stays a safe integer
        fc.integer({ min: 1_000, max: 2_000_000 }),
        (amount, numerator, denominator) => {
          const result = BigInt(scaleHalfUp(amount, numerator, denominator));
          const exact2 = 2n * BigInt(amount) * BigInt(numerator); // 2 x exact x denominator
          const d = BigInt(denominator);
          // result - 1/2 <= exact < result + 1/2
          return (2n * result - 1n) * d <= exact2 && exact2 < (2n * result + 1n) * d;
        },
      ),
    );
  });

  it("refuses fractions, negatives and a zero denominator", () => {
    expect(() => scaleHalfUp(1.5, 1, 1)).toThrow(RangeError);
    expect(() => scaleHalfUp(-1, 1, 1)).toThrow(RangeError);
    expect(() => scaleHalfUp(1, -1, 1)).toThrow(RangeError);
    expect(() => scaleHalfUp(1, 1, 0)).toThrow(RangeError);
    expect(() => scaleHalfUp(Number.MAX_SAFE_INTEGER, 2, 1)).toThrow(RangeError);
  });
});
