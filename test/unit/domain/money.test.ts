import { describe, expect, it } from "vitest";
import {
  CART_LIMITS,
  isCents,
  MAX_PRICE_CENTS,
  percentageDiscountCents,
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
