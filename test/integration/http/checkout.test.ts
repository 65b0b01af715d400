import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/services/index.js";
import { MemoryStore, SEED_PROMOTIONS } from "../../../src/store/index.js";
import {
  expectProblem,
  interceptStore,
  manualClock,
  startPerTest,
  type TestApp,
} from "../../helpers/app.js";
import { CHECKOUT_BODY, PRICED_CART, US_GROUND_CENTS } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const stockOf = async (id: string): Promise<number> =>
  (await t.invoke({ method: "GET", resource: "/products/{id}", pathParameters: { id } })).json
    .stock;

describe("PUT /checkout", () => {
  it("turns the cart into an order, takes the stock and empties the cart", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, PRICED_CART.lines);

    const res = await t.checkout(ada.token, "order-1");

    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`orders/${res.json.id}`);
    expect(res.headers["idempotent-replayed"]).toBeUndefined();
    expect(res.json).toMatchObject({
      status: "PLACED",
      products: [
        { id: "lonely-bird", quantity: 2, unitPriceCents: 2999, lineTotalCents: 5998 },
        { id: "solid-friendship", quantity: 1, unitPriceCents: 1999, lineTotalCents: 1999 },
      ],
      subtotalCents: 7997,
      discountCents: 0,
      totalCents: 7997,
      currency: "USD",
    });
    expect(await stockOf("lonely-bird")).toBe(23);
    expect(await stockOf("solid-friendship")).toBe(39);
    const cart = await t.invoke({ method: "GET", resource: "/cart", token: ada.token });
    expect(cart.json).toMatchObject({ products: [], version: 2 });
  });

  it("keeps the discount, rounded up for the shopper: WELCOME10 on 2999 makes 2699", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]], "WELCOME10");

    const res = await t.checkout(ada.token);

    expect(res.statusCode).toBe(202);
    expect(res.json).toMatchObject({
      promotionCode: "WELCOME10",
      discountPercentage: 10,
      subtotalCents: 2999,
      discountCents: 300,
      // Goods under 50.00 pay for Ground to Oregon, which has no sales tax.
      shippingCents: US_GROUND_CENTS,
      taxCents: 0,
      totalCents: 2699 + US_GROUND_CENTS,
    });
  });

  it("replays the first order for the same Idempotency-Key and takes the stock once", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["copper-kettle", 2]]);

    const first = await t.checkout(ada.token, "7d5e1c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f");
    // A new cart in between must not change what the retry answers.
    await t.saveCart(ada.token, [["lonely-bird", 1]]);
    const retry = await t.checkout(ada.token, "7d5e1c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f");

    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.headers.location).toBe(`orders/${first.json.id}`);
    expect(retry.json).toEqual(first.json);
    expect(await stockOf("copper-kettle")).toBe(5);
    expect(await stockOf("lonely-bird")).toBe(25);
    const orders = await t.invoke({ method: "GET", resource: "/orders", token: ada.token });
    expect(orders.json.items.map((o: { id: string }) => o.id)).toEqual([first.json.id]);
  });

  it("keeps idempotency keys per user: another user's same key places their own order", async () => {
    await start();
    const ada = await t.signup();
    const bob = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);
    await t.saveCart(bob.token, [["wool-throw", 1]]);

    const adas = await t.checkout(ada.token, "shared-key");
    const bobs = await t.checkout(bob.token, "shared-key");

    expect(bobs.statusCode).toBe(202);
    expect(bobs.headers["idempotent-replayed"]).toBeUndefined();
    expect(bobs.json.id).not.toBe(adas.json.id);
    expect(bobs.json.products.map((p: { id: string }) => p.id)).toEqual(["wool-throw"]);
  });

  it("without a key, a second checkout finds the cart empty: 422 CART_EMPTY", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);

    const first = await t.checkout(ada.token);
    const second = await t.checkout(ada.token);

    expect(first.statusCode).toBe(202);
    expectProblem(second, 422, "CART_EMPTY");
    expect(await stockOf("lonely-bird")).toBe(24);
  });

  it("without a key, a double submit of the same cart places one order", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["brass-desk-lamp", 2]]);

    const [a, b] = await Promise.all([t.checkout(ada.token), t.checkout(ada.token)]);

    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 202]);
    expect(b.json.id).toBe(a.json.id);
    expect([a.headers["idempotent-replayed"], b.headers["idempotent-replayed"]].sort()).toEqual([
      "true",
      undefined,
    ]);
    expect(await stockOf("brass-desk-lamp")).toBe(3);
  });

  it("answers 422 CART_EMPTY for a user who never saved a cart", async () => {
    await start();
    const ada = await t.signup();

    expect(expectProblem(await t.checkout(ada.token, "k1"), 422, "CART_EMPTY").detail).toBe(
      "the cart is empty: save products to it first",
    );
  });

  it("ignores what a body says beyond the address and method: prices come from the catalogue, the user from the token", async () => {
    await start();
    const ada = await t.signup();
    const bob = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);

    const res = await t.invoke({
      method: "PUT",
      resource: "/checkout",
      token: ada.token,
      body: { ...CHECKOUT_BODY, userId: bob.userId, totalCents: 1 },
    });

    expect(res.statusCode).toBe(202);
    expect(res.json.totalCents).toBe(2999 + US_GROUND_CENTS);
    const bobs = await t.invoke({ method: "GET", resource: "/orders", token: bob.token });
    expect(bobs.json.items).toEqual([]);
  });

  it("answers 409 OUT_OF_STOCK naming the product and writes nothing", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [
      ["lonely-bird", 1],
      ["brass-desk-lamp", 6],
    ]);

    const res = await t.checkout(ada.token, "too-many-lamps");

    const problem = expectProblem(res, 409, "OUT_OF_STOCK");
    expect(problem.detail).toBe("not enough Brass Desk Lamp in stock");
    expect(problem.errors).toEqual([{ field: "products[1].id", message: "5 left" }]);
    expect(await stockOf("brass-desk-lamp")).toBe(5);
    expect(await stockOf("lonely-bird")).toBe(25);
    const cart = await t.invoke({ method: "GET", resource: "/cart", token: ada.token });
    expect(cart.json.products).toHaveLength(2);
    const orders = await t.invoke({ method: "GET", resource: "/orders", token: ada.token });
    expect(orders.json.items).toEqual([]);
    expect(cart.json.notices).toEqual(["only 5 of Brass Desk Lamp left: checkout takes at most 5"]);
    expect(cart.json.products[1].available).toBe(5);
  });

  it("answers 409 CART_CHANGED when the cart is saved again during checkout", async () => {
    let ada = { token: "" };
    let saveDuringCheckout = false;
    const store: Store = interceptStore(new MemoryStore(), async (method) => {
      if (method !== "placeOrder" || !saveDuringCheckout) return;
      saveDuringCheckout = false;
      // The shopper's other tab saves a new cart between pricing and placing the order.
      await t.saveCart(ada.token, [["wool-throw", 1]]);
    });
    await start({ store });
    ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);

    saveDuringCheckout = true;
    const res = await t.checkout(ada.token, "racing");

    expectProblem(res, 409, "CART_CHANGED");
    expect(saveDuringCheckout).toBe(false);
    expect(await stockOf("lonely-bird")).toBe(25);
    expect(await stockOf("wool-throw")).toBe(10);
    const retry = await t.checkout(ada.token, "racing");
    expect(retry.statusCode).toBe(202);
    expect(retry.json.products.map((p: { id: string }) => p.id)).toEqual(["wool-throw"]);
  });

  it("answers 422 INVALID_PROMOTION when the cart's code expired since it was saved", async () => {
    const clock = manualClock("2026-06-01T10:00:00.000Z");
    const store = new MemoryStore({
      promotions: [
        ...SEED_PROMOTIONS,
        { code: "FLASH50", percentOff: 50, expiresAt: "2026-06-01T11:00:00.000Z" },
      ],
    });
    await start({ clock, store });
    const ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]], "FLASH50");

    clock.advanceSeconds(3600);
    const res = await t.checkout(ada.token, "late");

    expect(expectProblem(res, 422, "INVALID_PROMOTION").errors).toEqual([
      { field: "promotionCode", message: "expired at 2026-06-01T11:00:00.000Z" },
    ]);
    expect(await stockOf("lonely-bird")).toBe(25);
  });

  it("answers 400 for an Idempotency-Key that is not 1 to 128 visible ASCII characters", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);

    for (const key of ["has space", "x".repeat(129), "", "clé"]) {
      const problem = expectProblem(await t.checkout(ada.token, key), 400, "VALIDATION_FAILED");
      expect(new Set(problem.errors?.map((e) => e.field))).toEqual(
        new Set(["Idempotency-Key header"]),
      );
    }
    expect(await stockOf("lonely-bird")).toBe(25);
    expect((await t.checkout(ada.token, "x".repeat(128))).statusCode).toBe(202);
  });

  it("reads the Idempotency-Key header in any case", async () => {
    await start();
    const ada = await t.signup();
    await t.saveCart(ada.token, [["lonely-bird", 1]]);
    const first = await t.checkout(ada.token, "case-key");

    const retry = await t.invoke({
      method: "PUT",
      resource: "/checkout",
      token: ada.token,
      headers: { "idempotency-KEY": "case-key" },
      body: CHECKOUT_BODY,
    });

    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.json.id).toBe(first.json.id);
  });

  it("answers 401 without a token or a guest cart's token", async () => {
    await start();

    expectProblem(
      await t.invoke({
        method: "PUT",
        resource: "/checkout",
        headers: { "Idempotency-Key": "k" },
        body: CHECKOUT_BODY,
      }),
      401,
      "UNAUTHENTICATED",
    );
  });
});
