import { describe, expect, it } from "vitest";
import { MemoryStore, SEED_PRODUCTS, SEED_PROMOTIONS } from "../../../src/store/index.js";
import { expectProblem, manualClock, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const saveCart = (token: string, body: unknown) =>
  t.invoke({ method: "POST", resource: "/cart", token, body: JSON.stringify(body) });

const getCart = (token: string) => t.invoke({ method: "GET", resource: "/cart", token });

describe("GET /cart", () => {
  it("answers an empty, never-saved cart for a new user", async () => {
    await start();
    const ada = await t.signup();

    const res = await getCart(ada.token);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      products: [],
      promotionCode: null,
      discountPercentage: 0,
      subtotalCents: 0,
      discountCents: 0,
      totalCents: 0,
      // Shipping and tax wait for an address: the checkout quote prices them.
      shippingCents: null,
      taxCents: null,
      currency: "USD",
      version: 0,
      updatedAt: null,
      notices: [],
    });
  });

  it("prices a saved cart without a code that expired since, and says so", async () => {
    const clock = manualClock("2026-06-01T10:00:00.000Z");
    const store = new MemoryStore({
      promotions: [
        ...SEED_PROMOTIONS,
        { code: "FLASH50", percentOff: 50, expiresAt: "2026-06-01T11:00:00.000Z" },
      ],
    });
    await start({ clock, store });
    const ada = await t.signup();
    const saved = await saveCart(ada.token, {
      products: [{ id: "linen-notebook", quantity: 2 }],
      promotionCode: "flash50",
    });
    expect(saved.json).toMatchObject({ promotionCode: "FLASH50", totalCents: 1450 });

    clock.advanceSeconds(3600);
    const res = await getCart(ada.token);

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      promotionCode: null,
      discountCents: 0,
      totalCents: 2900,
      notices: ["promotion code FLASH50 can no longer be used"],
    });
  });

  it("answers 401 without a token", async () => {
    await start();

    expectProblem(await t.invoke({ method: "GET", resource: "/cart" }), 401, "UNAUTHENTICATED");
  });
});

describe("POST /cart", () => {
  it("replaces the caller's cart and answers it priced by the server", async () => {
    await start();
    const ada = await t.signup();
    await saveCart(ada.token, { products: [{ id: "wool-throw", quantity: 1 }] });

    const res = await saveCart(ada.token, {
      products: [
        { id: "lonely-bird", quantity: 2, priceCents: 1 },
        { id: "solid-friendship", quantity: 1 },
      ],
    });

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      products: [
        {
          id: "lonely-bird",
          name: "Lonely Bird",
          quantity: 2,
          unitPriceCents: 2999,
          lineTotalCents: 5998,
        },
        {
          id: "solid-friendship",
          name: "Solid Friendship",
          quantity: 1,
          unitPriceCents: 1999,
          lineTotalCents: 1999,
        },
      ],
      promotionCode: null,
      subtotalCents: 7997,
      discountCents: 0,
      totalCents: 7997,
      version: 2,
      notices: [],
    });
    expect(res.json.products).toHaveLength(2);
    expect((await getCart(ada.token)).json).toEqual(res.json);
  });

  it("rounds a discount up in the shopper's favour: WELCOME10 on 2999 is 300 off", async () => {
    await start();
    const ada = await t.signup();

    const res = await saveCart(ada.token, {
      products: [{ id: "lonely-bird", quantity: 1 }],
      promotionCode: " welcome10 ",
    });

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      promotionCode: "WELCOME10",
      discountPercentage: 10,
      subtotalCents: 2999,
      discountCents: 300,
      totalCents: 2699,
    });
  });

  it("ignores a userId in the body: the cart belongs to the token's user", async () => {
    await start();
    const ada = await t.signup();
    const bob = await t.signup();

    const res = await saveCart(ada.token, {
      userId: bob.userId,
      products: [{ id: "copper-kettle", quantity: 1 }],
    });

    expect(res.statusCode).toBe(200);
    expect((await getCart(bob.token)).json.products).toEqual([]);
    expect((await getCart(ada.token)).json.products.map((p: { id: string }) => p.id)).toEqual([
      "copper-kettle",
    ]);
  });

  it("reads a base64-encoded JSON body", async () => {
    await start();
    const ada = await t.signup();

    const res = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: { products: [{ id: "morning-fog", quantity: 3 }] },
      isBase64Encoded: true,
    });

    expect(res.statusCode).toBe(200);
    expect(res.json.subtotalCents).toBe(3 * 4550);
  });

  it("reads header names in any case", async () => {
    await start();
    const ada = await t.signup();

    for (const [contentType, authorization] of [
      ["content-type", "authorization"],
      ["CONTENT-TYPE", "AUTHORIZATION"],
      ["Content-type", "aUtHoRiZaTiOn"],
    ] as const) {
      const res = await t.invoke({
        method: "POST",
        resource: "/cart",
        headers: {
          [contentType]: "application/json; charset=utf-8",
          [authorization]: `Bearer ${ada.token}`,
        },
        body: { products: [{ id: "lonely-bird", quantity: 1 }] },
      });
      expect(res.statusCode).toBe(200);
    }
  });

  describe("answers 400 naming the field", () => {
    const cases: [string, unknown, string][] = [
      [
        "a quantity sent as a string",
        { products: [{ id: "lonely-bird", quantity: "2" }] },
        "products[0].quantity",
      ],
      [
        "a fractional quantity",
        { products: [{ id: "lonely-bird", quantity: 1.5 }] },
        "products[0].quantity",
      ],
      [
        "a quantity of 0",
        { products: [{ id: "lonely-bird", quantity: 0 }] },
        "products[0].quantity",
      ],
      [
        "a quantity of 100",
        { products: [{ id: "lonely-bird", quantity: 100 }] },
        "products[0].quantity",
      ],
      [
        "a malformed product id",
        {
          products: [
            { id: "lonely-bird", quantity: 1 },
            { id: "Lonely Bird", quantity: 1 },
          ],
        },
        "products[1].id",
      ],
      ["a missing product id", { products: [{ quantity: 1 }] }, "products[0].id"],
      ["missing products", { promotionCode: "WELCOME10" }, "products"],
      ["products that are not a list", { products: "lonely-bird" }, "products"],
      [
        "a promotion code that is not a string",
        { products: [], promotionCode: 10 },
        "promotionCode",
      ],
      ["a body that is not an object", [{ id: "lonely-bird", quantity: 1 }], "body"],
    ];
    it.each(cases)("%s", async (_name, body, field) => {
      await start();
      const ada = await t.signup();

      const res = await saveCart(ada.token, body);

      const problem = expectProblem(res, 400, "VALIDATION_FAILED");
      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
      expect(problem.detail).toContain(field);
    });
  });

  it("answers 400 for malformed JSON and for a missing body", async () => {
    await start();
    const ada = await t.signup();

    const malformed = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: '{"products": [',
    });
    const missing = await t.invoke({ method: "POST", resource: "/cart", token: ada.token });

    expect(expectProblem(malformed, 400, "VALIDATION_FAILED").errors).toEqual([
      { field: "body", message: "malformed JSON" },
    ]);
    expect(expectProblem(missing, 400, "VALIDATION_FAILED").errors).toEqual([
      { field: "body", message: "required" },
    ]);
  });

  it("answers 422 UNKNOWN_PRODUCT naming the product, and keeps the saved cart", async () => {
    await start();
    const ada = await t.signup();
    const before = await saveCart(ada.token, { products: [{ id: "wool-throw", quantity: 1 }] });

    const res = await saveCart(ada.token, {
      products: [
        { id: "lonely-bird", quantity: 1 },
        { id: "unicorn-lamp", quantity: 1 },
      ],
    });

    const problem = expectProblem(res, 422, "UNKNOWN_PRODUCT");
    expect(problem.detail).toBe("unknown product: unicorn-lamp");
    expect(problem.errors).toEqual([
      { field: "products[1].id", message: "unknown product unicorn-lamp" },
    ]);
    expect((await getCart(ada.token)).json).toEqual(before.json);
  });

  it("answers 422 INVALID_PROMOTION naming promotionCode for an expired or unknown code", async () => {
    await start();
    const ada = await t.signup();
    const products = [{ id: "lonely-bird", quantity: 1 }];

    const expired = await saveCart(ada.token, { products, promotionCode: "SPRING2020" });
    const unknown = await saveCart(ada.token, { products, promotionCode: "FREESTUFF" });

    const a = expectProblem(expired, 422, "INVALID_PROMOTION");
    expect(a.detail).toBe("promotion code SPRING2020 has expired");
    expect(a.errors).toEqual([
      { field: "promotionCode", message: "expired at 2020-06-21T00:00:00.000Z" },
    ]);
    const b = expectProblem(unknown, 422, "INVALID_PROMOTION");
    expect(b.detail).toBe("promotion code FREESTUFF does not exist");
    expect(b.errors?.map((e) => e.field)).toEqual(["promotionCode"]);
    expect((await getCart(ada.token)).json.version).toBe(0);
  });

  it("answers 422 CART_LIMIT for the same product twice", async () => {
    await start();
    const ada = await t.signup();

    const res = await saveCart(ada.token, {
      products: [
        { id: "lonely-bird", quantity: 1 },
        { id: "wool-throw", quantity: 1 },
        { id: "lonely-bird", quantity: 2 },
      ],
    });

    expect(expectProblem(res, 422, "CART_LIMIT").errors).toEqual([
      { field: "products[2].id", message: "duplicate product lonely-bird" },
    ]);
  });

  it("answers 422 CART_LIMIT for 51 lines and accepts 50", async () => {
    // Few enough real products exist, so the catalogue is grown for the limit.
    const extra = Array.from({ length: 41 }, (_, i) => ({
      ...SEED_PRODUCTS[0],
      id: `extra-${i + 1}`,
      name: `Extra ${i + 1}`,
      priceCents: 100,
      stock: 10,
    })) as typeof SEED_PRODUCTS;
    await start({ store: new MemoryStore({ products: [...SEED_PRODUCTS, ...extra] }) });
    const ada = await t.signup();
    const ids = [...SEED_PRODUCTS, ...extra].map((p) => p.id);
    expect(ids).toHaveLength(51);
    const lines = ids.map((id) => ({ id, quantity: 1 }));

    const fifty = await saveCart(ada.token, { products: lines.slice(0, 50) });
    const fiftyOne = await saveCart(ada.token, { products: lines });

    expect(fifty.statusCode).toBe(200);
    expect(fifty.json.products).toHaveLength(50);
    expect(expectProblem(fiftyOne, 422, "CART_LIMIT").errors).toEqual([
      { field: "products", message: "at most 50 lines" },
    ]);
  });

  it("answers 401 without a token, before looking at the body", async () => {
    await start();

    const res = await t.invoke({ method: "POST", resource: "/cart", body: "{not json" });

    expectProblem(res, 401, "UNAUTHENTICATED");
  });
});
