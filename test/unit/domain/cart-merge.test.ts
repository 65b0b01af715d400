import { describe, expect, it } from "vitest";
import { CART_LIMITS, type CartLine, mergeCarts } from "../../../src/domain/index.js";

const line = (productId: string, quantity = 1): CartLine => ({ productId, quantity });
const many = (prefix: string, count: number): CartLine[] =>
  Array.from({ length: count }, (_, index) => line(`${prefix}-${index + 1}`));

describe("mergeCarts", () => {
  it("keeps the user's lines first and appends the guest's new products in the guest's order", () => {
    const merged = mergeCarts(
      { lines: [line("lonely-bird", 1), line("morning-fog", 2)] },
      { lines: [line("wool-throw", 3), line("copper-kettle", 1)] },
    );

    expect(merged).toStrictEqual({
      lines: [
        line("lonely-bird", 1),
        line("morning-fog", 2),
        line("wool-throw", 3),
        line("copper-kettle", 1),
      ],
      capped: [],
      dropped: [],
    });
  });

  it("adds the quantities of a product on both carts, in the user's line", () => {
    const merged = mergeCarts(
      { lines: [line("lonely-bird", 2), line("morning-fog", 1)] },
      { lines: [line("morning-fog", 4), line("lonely-bird", 3)] },
    );

    expect(merged.lines).toStrictEqual([line("lonely-bird", 5), line("morning-fog", 5)]);
  });

  it("caps an added-up quantity at the line maximum and reports the product", () => {
    const merged = mergeCarts(
      { lines: [line("lonely-bird", 60)] },
      { lines: [line("lonely-bird", 40), line("morning-fog", 2)] },
    );

    expect(merged.lines).toStrictEqual([
      line("lonely-bird", CART_LIMITS.maxQuantity),
      line("morning-fog", 2),
    ]);
    expect(merged.capped).toEqual(["lonely-bird"]);
    expect(merged.dropped).toEqual([]);
  });

  it("does not report a sum that lands exactly on the maximum", () => {
    const merged = mergeCarts(
      { lines: [line("lonely-bird", 50)] },
      { lines: [line("lonely-bird", 49)] },
    );

    expect(merged.lines).toStrictEqual([line("lonely-bird", 99)]);
    expect(merged.capped).toEqual([]);
  });

  it("drops the guest's new products past the line limit, still adding to existing lines", () => {
    const user = many("user", CART_LIMITS.maxLines - 1);
    const merged = mergeCarts(
      { lines: user },
      { lines: [line("guest-a"), line("user-1", 2), line("guest-b"), line("guest-c")] },
    );

    expect(merged.lines).toHaveLength(CART_LIMITS.maxLines);
    expect(merged.lines.at(-1)).toStrictEqual(line("guest-a"));
    expect(merged.lines[0]).toStrictEqual(line("user-1", 3));
    expect(merged.dropped).toEqual(["guest-b", "guest-c"]);
  });

  it("keeps the user's promotion code when both carts have one", () => {
    expect(
      mergeCarts(
        { lines: [], promotionCode: "SPRING20" },
        { lines: [], promotionCode: "WELCOME10" },
      ).promotionCode,
    ).toBe("SPRING20");
  });

  it("takes the guest's promotion code when the user has none, and none when neither has", () => {
    expect(mergeCarts({ lines: [] }, { lines: [], promotionCode: "WELCOME10" }).promotionCode).toBe(
      "WELCOME10",
    );
    expect("promotionCode" in mergeCarts({ lines: [] }, { lines: [] })).toBe(false);
  });

  it("leaves its inputs alone", () => {
    const user = { lines: [line("lonely-bird", 2)] };
    const guest = { lines: [line("lonely-bird", 3)] };

    mergeCarts(user, guest);

    expect(user.lines).toStrictEqual([line("lonely-bird", 2)]);
    expect(guest.lines).toStrictEqual([line("lonely-bird", 3)]);
  });

  it("merging into an empty user cart keeps the guest cart as it is", () => {
    const guest = [line("wool-throw", 2), line("lonely-bird", 1)];

    expect(mergeCarts({ lines: [] }, { lines: guest, promotionCode: "WELCOME10" })).toStrictEqual({
      lines: guest,
      promotionCode: "WELCOME10",
      capped: [],
      dropped: [],
    });
  });
});
