import { describe, expect, it } from "vitest";
import {
  AppError,
  normalizePromotionCode,
  type Promotion,
  requireUsablePromotion,
} from "../../../src/domain/index.js";

const spring: Promotion = {
  code: "SPRING",
  percentOff: 25,
  validFrom: "2026-03-20T00:00:00.000Z",
  expiresAt: "2026-06-21T00:00:00.000Z",
};

function refusal(code: string, promotion: Promotion | undefined, now: Date): AppError {
  try {
    requireUsablePromotion(code, promotion, now);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`expected ${code} to be refused at ${now.toISOString()}`);
}

describe("requireUsablePromotion", () => {
  it("refuses an unknown code, naming the promotionCode field", () => {
    const error = refusal("NOPE", undefined, new Date("2026-04-01T00:00:00.000Z"));
    expect(error.code).toBe("INVALID_PROMOTION");
    expect(error.message).toBe("promotion code NOPE does not exist");
    expect(error.fields).toEqual([{ field: "promotionCode", message: "unknown promotion code" }]);
  });

  it("refuses a code before it becomes valid, up to the last millisecond", () => {
    const error = refusal("SPRING", spring, new Date("2026-03-19T23:59:59.999Z"));
    expect(error.code).toBe("INVALID_PROMOTION");
    expect(error.message).toBe("promotion code SPRING is not valid yet");
    expect(error.fields).toEqual([
      { field: "promotionCode", message: "valid from 2026-03-20T00:00:00.000Z" },
    ]);
  });

  it("accepts a code from the exact moment it becomes valid", () => {
    expect(requireUsablePromotion("SPRING", spring, new Date("2026-03-20T00:00:00.000Z"))).toBe(
      spring,
    );
  });

  it("accepts a code up to the millisecond before it expires", () => {
    expect(requireUsablePromotion("SPRING", spring, new Date("2026-06-20T23:59:59.999Z"))).toBe(
      spring,
    );
  });

  it("refuses a code exactly at expiresAt and after", () => {
    for (const now of ["2026-06-21T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]) {
      const error = refusal("SPRING", spring, new Date(now));
      expect(error.code).toBe("INVALID_PROMOTION");
      expect(error.message).toBe("promotion code SPRING has expired");
      expect(error.fields).toEqual([
        { field: "promotionCode", message: "expired at 2026-06-21T00:00:00.000Z" },
      ]);
    }
  });

  it("accepts a code without dates at any time", () => {
    const always: Promotion = { code: "WELCOME10", percentOff: 10 };
    expect(requireUsablePromotion("WELCOME10", always, new Date(0))).toBe(always);
    expect(requireUsablePromotion("WELCOME10", always, new Date("2999-01-01T00:00:00Z"))).toBe(
      always,
    );
  });
});

describe("normalizePromotionCode", () => {
  it("trims and upper-cases what the shopper typed", () => {
    expect(normalizePromotionCode("  welcome10 ")).toBe("WELCOME10");
    expect(normalizePromotionCode("Spring2020")).toBe("SPRING2020");
  });
});
