import { describe, expect, it } from "vitest";
import {
  AppError,
  assertCartLines,
  CART_LIMITS,
  type CartLine,
  type Product,
  type Promotion,
  priceCart,
} from "../../../src/domain/index.js";

function product(id: string, priceCents: number, name = id): Product {
  return { id, name, description: "", imageUrl: `/images/${id}.svg`, priceCents, stock: 10 };
}

const catalogue: ReadonlyMap<string, Product> = new Map(
  [
    product("lonely-bird", 2999, "Lonely Bird"),
    product("solid-friendship", 1999, "Solid Friendship"),
    product("brass-desk-lamp", 12900, "Brass Desk Lamp"),
  ].map((p) => [p.id, p]),
);

const welcome10: Promotion = { code: "WELCOME10", percentOff: 10 };

/** The AppError `work` throws; fails the test when it throws nothing or something else. */
function appErrorOf(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError, nothing was thrown");
}

function distinctLines(count: number, quantity = 1): CartLine[] {
  return Array.from({ length: count }, (_, i) => ({ productId: `product-${i}`, quantity }));
}

describe("priceCart", () => {
  it("takes unit prices and names from the catalogue and multiplies them out per line", () => {
    const priced = priceCart(
      [
        { productId: "lonely-bird", quantity: 2 },
        { productId: "solid-friendship", quantity: 1 },
        { productId: "brass-desk-lamp", quantity: 3 },
      ],
      catalogue,
    );
    expect(priced.lines).toEqual([
      {
        productId: "lonely-bird",
        name: "Lonely Bird",
        quantity: 2,
        unitPriceCents: 2999,
        lineTotalCents: 5998,
      },
      {
        productId: "solid-friendship",
        name: "Solid Friendship",
        quantity: 1,
        unitPriceCents: 1999,
        lineTotalCents: 1999,
      },
      {
        productId: "brass-desk-lamp",
        name: "Brass Desk Lamp",
        quantity: 3,
        unitPriceCents: 12900,
        lineTotalCents: 38700,
      },
    ]);
    expect(priced.subtotalCents).toBe(46697);
    expect(priced.discountPercentage).toBe(0);
    expect(priced.discountCents).toBe(0);
    expect(priced.totalCents).toBe(46697);
    expect(priced).not.toHaveProperty("promotionCode");
  });

  it("uses the price the catalogue holds now, whatever it was before", () => {
    const repriced = new Map(catalogue);
    repriced.set("lonely-bird", product("lonely-bird", 3499, "Lonely Bird"));
    const priced = priceCart([{ productId: "lonely-bird", quantity: 2 }], repriced);
    expect(priced.lines[0]?.unitPriceCents).toBe(3499);
    expect(priced.subtotalCents).toBe(6998);
  });

  it("applies a promotion once, to the subtotal, rounded in the shopper's favour", () => {
    const priced = priceCart(
      [
        { productId: "lonely-bird", quantity: 2 },
        { productId: "solid-friendship", quantity: 1 },
      ],
      catalogue,
      welcome10,
    );
    expect(priced.subtotalCents).toBe(7997);
    expect(priced.promotionCode).toBe("WELCOME10");
    expect(priced.discountPercentage).toBe(10);
    expect(priced.discountCents).toBe(800);
    expect(priced.totalCents).toBe(7197);
    // Line totals stay undiscounted: the discount is on the subtotal, not per line.
    expect(priced.lines.map((l) => l.lineTotalCents)).toEqual([5998, 1999]);
  });

  it("prices an empty cart at zero", () => {
    expect(priceCart([], catalogue, welcome10)).toEqual({
      lines: [],
      promotionCode: "WELCOME10",
      discountPercentage: 10,
      subtotalCents: 0,
      discountCents: 0,
      totalCents: 0,
    });
  });

  it("refuses unknown products, naming every one of them by its line", () => {
    const error = appErrorOf(() =>
      priceCart(
        [
          { productId: "lonely-bird", quantity: 1 },
          { productId: "ghost-one", quantity: 1 },
          { productId: "solid-friendship", quantity: 1 },
          { productId: "ghost-two", quantity: 2 },
        ],
        catalogue,
      ),
    );
    expect(error.code).toBe("UNKNOWN_PRODUCT");
    expect(error.fields).toEqual([
      { field: "products[1].id", message: "unknown product ghost-one" },
      { field: "products[3].id", message: "unknown product ghost-two" },
    ]);
    expect(error.message).toBe("unknown product: ghost-one, ghost-two");
  });

  it("is exact at the largest cart the rules allow", () => {
    const maxPrice = 100_000_000;
    const lines = distinctLines(CART_LIMITS.maxLines, CART_LIMITS.maxQuantity);
    const products = new Map(lines.map((l) => [l.productId, product(l.productId, maxPrice)]));
    const priced = priceCart(lines, products, { code: "BIG33", percentOff: 33 });
    expect(priced.subtotalCents).toBe(495_000_000_000);
    expect(priced.discountCents).toBe(163_350_000_000);
    expect(priced.totalCents).toBe(331_650_000_000);
  });
});

describe("assertCartLines", () => {
  it("accepts 50 distinct lines and quantities from 1 to 99", () => {
    expect(() => assertCartLines(distinctLines(50))).not.toThrow();
    expect(() => assertCartLines(distinctLines(50, 99))).not.toThrow();
    expect(() => assertCartLines([])).not.toThrow();
  });

  it("refuses a 51st line, naming the products list", () => {
    const error = appErrorOf(() => assertCartLines(distinctLines(51)));
    expect(error.code).toBe("CART_LIMIT");
    expect(error.fields).toEqual([{ field: "products", message: "at most 50 lines" }]);
  });

  it.each([0, 100, 1.5, -1, Number.NaN])("refuses the quantity %s, naming its line", (quantity) => {
    const error = appErrorOf(() =>
      assertCartLines([
        { productId: "lonely-bird", quantity: 1 },
        { productId: "solid-friendship", quantity },
      ]),
    );
    expect(error.code).toBe("CART_LIMIT");
    expect(error.fields).toEqual([
      { field: "products[1].quantity", message: "must be an integer from 1 to 99" },
    ]);
  });

  it("refuses a product listed twice, naming the repeated line", () => {
    const error = appErrorOf(() =>
      assertCartLines([
        { productId: "lonely-bird", quantity: 1 },
        { productId: "solid-friendship", quantity: 1 },
        { productId: "lonely-bird", quantity: 2 },
      ]),
    );
    expect(error.code).toBe("CART_LIMIT");
    expect(error.fields).toEqual([
      { field: "products[2].id", message: "duplicate product lonely-bird" },
    ]);
  });

  it("names every broken rule at once", () => {
    const lines = [...distinctLines(51), { productId: "product-0", quantity: 0 }];
    const error = appErrorOf(() => assertCartLines(lines));
    expect(error.fields?.map((f) => f.field)).toEqual([
      "products",
      "products[51].id",
      "products[51].quantity",
    ]);
  });
});
