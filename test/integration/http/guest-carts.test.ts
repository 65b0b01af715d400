import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import {
  ALLOWED_ORIGIN,
  expectProblem,
  manualClock,
  startPerTest,
  type TestApp,
} from "../../helpers/app.js";
import { CHECKOUT_BODY } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const WEEK_SECONDS = 7 * 24 * 60 * 60;
const HEADER = "Guest-Cart-Token";
const UNKNOWN_TOKEN = "A".repeat(43);

const createGuestCart = async (): Promise<string> => {
  const res = await t.invoke({ method: "POST", resource: "/guest-carts" });
  expect(res.statusCode).toBe(201);
  return res.json.token;
};

const guestHeaders = (token: string) => ({ [HEADER]: token });

const getGuestCart = (token: string) =>
  t.invoke({ method: "GET", resource: "/cart", headers: guestHeaders(token) });

const saveGuestCart = (token: string, body: object) =>
  t.invoke({ method: "POST", resource: "/cart", headers: guestHeaders(token), body });

const merge = (userToken: string, guestToken?: string) =>
  t.invoke({
    method: "POST",
    resource: "/cart/merge",
    token: userToken,
    ...(guestToken === undefined ? {} : { headers: guestHeaders(guestToken) }),
  });

const quantities = (json: { products: { id: string; quantity: number }[] }) =>
  json.products.map((p) => [p.id, p.quantity]);

describe("POST /guest-carts", () => {
  it("answers 201 with a 256-bit base64url token and an expiry 7 days out, for an empty cart", async () => {
    const clock = manualClock("2026-06-01T10:00:00.000Z");
    await start({ clock });

    const res = await t.invoke({ method: "POST", resource: "/guest-carts" });

    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({ token: expect.any(String), expiresAt: "2026-06-08T10:00:00.000Z" });
    expect(res.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(res.json.token, "base64url")).toHaveLength(32);
    const cart = await getGuestCart(res.json.token);
    expect(cart.statusCode).toBe(200);
    expect(cart.json).toEqual({
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
      version: 1,
      updatedAt: "2026-06-01T10:00:00.000Z",
      notices: [],
    });
  });

  it("gives each cart its own token and stores only the token's SHA-256", async () => {
    const store = new MemoryStore();
    const created: unknown[] = [];
    const recording = new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "createGuestCart") created.push(args[0]);
          return value.apply(target, args);
        };
      },
    }) as Store;
    await start({ store: recording });

    const first = await createGuestCart();
    const second = await createGuestCart();

    expect(first).not.toBe(second);
    const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");
    expect(created).toMatchObject([{ tokenHash: sha256(first) }, { tokenHash: sha256(second) }]);
    expect(JSON.stringify(created)).not.toContain(first);
    expect(JSON.stringify(created)).not.toContain(second);
  });
});

describe("GET and POST /cart with a Guest-Cart-Token", () => {
  it("saves and reads a guest cart priced by the server, as a user's cart is", async () => {
    await start();
    const token = await createGuestCart();

    const saved = await saveGuestCart(token, {
      products: [
        { id: "lonely-bird", quantity: 2, priceCents: 1 },
        { id: "solid-friendship", quantity: 1 },
      ],
      promotionCode: " welcome10 ",
    });

    expect(saved.statusCode).toBe(200);
    expect(saved.json).toMatchObject({
      products: [
        { id: "lonely-bird", quantity: 2, unitPriceCents: 2999, lineTotalCents: 5998 },
        { id: "solid-friendship", quantity: 1, unitPriceCents: 1999, lineTotalCents: 1999 },
      ],
      promotionCode: "WELCOME10",
      subtotalCents: 7997,
      discountCents: 800,
      totalCents: 7197,
      version: 2,
      notices: [],
    });
    expect((await getGuestCart(token)).json).toEqual(saved.json);
  });

  it("applies the same validation and cart rules as a user's cart", async () => {
    await start();
    const token = await createGuestCart();

    expectProblem(
      await saveGuestCart(token, { products: [{ id: "no-such-thing", quantity: 1 }] }),
      422,
      "UNKNOWN_PRODUCT",
    );
    expectProblem(
      await saveGuestCart(token, { products: [{ id: "lonely-bird", quantity: 100 }] }),
      400,
      "VALIDATION_FAILED",
    );
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ id: `p-${i}`, quantity: 1 }));
    expectProblem(await saveGuestCart(token, { products: tooMany }), 422, "CART_LIMIT");
    expectProblem(
      await saveGuestCart(token, {
        products: [{ id: "lonely-bird", quantity: 1 }],
        promotionCode: "SPRING2020",
      }),
      422,
      "INVALID_PROMOTION",
    );
    expect((await getGuestCart(token)).json.version).toBe(1);
  });

  it("answers 401 to an anonymous caller without the header, before looking at the body", async () => {
    await start();

    expectProblem(await t.invoke({ method: "GET", resource: "/cart" }), 401, "UNAUTHENTICATED");
    expectProblem(
      await t.invoke({ method: "POST", resource: "/cart", body: { products: "nope" } }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("answers 400 naming the header for a malformed token", async () => {
    await start();

    for (const bad of ["", "short", `${"A".repeat(42)}=`, "A".repeat(44), `${"A".repeat(42)}+`]) {
      const res = await getGuestCart(bad);
      const problem = expectProblem(res, 400, "VALIDATION_FAILED");
      expect(problem.detail).toContain("Guest-Cart-Token header");
      expect(problem.errors?.[0]?.field).toBe("Guest-Cart-Token header");
    }
  });

  it("answers 404 'guest cart not found or expired' for an unknown token", async () => {
    await start();

    for (const res of [
      await getGuestCart(UNKNOWN_TOKEN),
      await saveGuestCart(UNKNOWN_TOKEN, { products: [{ id: "lonely-bird", quantity: 1 }] }),
    ]) {
      expect(expectProblem(res, 404, "NOT_FOUND").detail).toBe("guest cart not found or expired");
    }
  });

  it("expires a guest cart 7 days after its last save; each save pushes the expiry back", async () => {
    const clock = manualClock("2026-06-01T10:00:00.000Z");
    await start({ clock });
    const token = await createGuestCart();

    clock.advanceSeconds(WEEK_SECONDS - 1);
    expect((await saveGuestCart(token, { products: [] })).statusCode).toBe(200);
    clock.advanceSeconds(WEEK_SECONDS - 1);
    expect((await getGuestCart(token)).statusCode).toBe(200);
    clock.advanceSeconds(1);

    expect(expectProblem(await getGuestCart(token), 404, "NOT_FOUND").detail).toBe(
      "guest cart not found or expired",
    );
    expectProblem(await saveGuestCart(token, { products: [] }), 404, "NOT_FOUND");
  });

  it("answers a signed-in caller's own cart, ignoring a Guest-Cart-Token header even malformed", async () => {
    await start();
    const ada = await t.signup();
    const token = await createGuestCart();
    await saveGuestCart(token, { products: [{ id: "wool-throw", quantity: 1 }] });

    for (const header of [token, "not a token"]) {
      const saved = await t.invoke({
        method: "POST",
        resource: "/cart",
        token: ada.token,
        headers: guestHeaders(header),
        body: { products: [{ id: "copper-kettle", quantity: 1 }] },
      });
      expect(quantities(saved.json)).toEqual([["copper-kettle", 1]]);
      const read = await t.invoke({
        method: "GET",
        resource: "/cart",
        token: ada.token,
        headers: guestHeaders(header),
      });
      expect(quantities(read.json)).toEqual([["copper-kettle", 1]]);
    }
    expect(quantities((await getGuestCart(token)).json)).toEqual([["wool-throw", 1]]);
  });

  it("refuses a checkout that names neither a user nor a guest cart: 401", async () => {
    await start();
    const token = await createGuestCart();
    await saveGuestCart(token, { products: [{ id: "wool-throw", quantity: 1 }] });

    // A guest checks out with the cart's token (and an e-mail address); without it, the request
    // is nobody's, whatever its body says.
    expectProblem(
      await t.invoke({
        method: "PUT",
        resource: "/checkout",
        body: { ...CHECKOUT_BODY, email: "guest@example.com" },
      }),
      401,
      "UNAUTHENTICATED",
    );
    expect(quantities((await getGuestCart(token)).json)).toEqual([["wool-throw", 1]]);
  });
});

describe("POST /cart/merge", () => {
  it("adds the guest cart to the caller's, answers it priced with notices, and deletes the guest cart", async () => {
    await start();
    const ada = await t.signup();
    await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: { products: [{ id: "lonely-bird", quantity: 60 }] },
    });
    const token = await createGuestCart();
    await saveGuestCart(token, {
      products: [
        { id: "wool-throw", quantity: 1 },
        { id: "lonely-bird", quantity: 50 },
      ],
      promotionCode: "WELCOME10",
    });

    const res = await merge(ada.token, token);

    expect(res.statusCode).toBe(200);
    expect(quantities(res.json)).toEqual([
      ["lonely-bird", 99],
      ["wool-throw", 1],
    ]);
    expect(res.json).toMatchObject({
      promotionCode: "WELCOME10",
      version: 2,
      notices: [
        "only 25 of Lonely Bird left: checkout takes at most 25",
        "quantity of lonely-bird capped at 99 when the carts merged",
      ],
    });
    const mine = await t.invoke({ method: "GET", resource: "/cart", token: ada.token });
    expect({ ...mine.json, notices: [] }).toEqual({ ...res.json, notices: [] });
    expectProblem(await getGuestCart(token), 404, "NOT_FOUND");
  });

  it("is idempotent: merging again, or an unknown token, answers the caller's cart unchanged", async () => {
    await start();
    const ada = await t.signup();
    const token = await createGuestCart();
    await saveGuestCart(token, { products: [{ id: "wool-throw", quantity: 2 }] });

    const first = await merge(ada.token, token);
    const again = await merge(ada.token, token);
    const unknown = await merge(ada.token, UNKNOWN_TOKEN);

    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(unknown.json).toEqual(first.json);
    expect(quantities(again.json)).toEqual([["wool-throw", 2]]);
  });

  it("merges a guest cart into one user only: another user's merge of it changes nothing", async () => {
    await start();
    const ada = await t.signup();
    const bob = await t.signup();
    const token = await createGuestCart();
    await saveGuestCart(token, { products: [{ id: "wool-throw", quantity: 2 }] });

    await merge(ada.token, token);
    const byBob = await merge(bob.token, token);

    expect(byBob.statusCode).toBe(200);
    expect(byBob.json.products).toEqual([]);
    expect(byBob.json.version).toBe(0);
  });

  it("10 merges of one guest cart at once add its lines once", async () => {
    await start();
    const ada = await t.signup();
    const token = await createGuestCart();
    await saveGuestCart(token, { products: [{ id: "wool-throw", quantity: 2 }] });

    const results = await Promise.all(Array.from({ length: 10 }, () => merge(ada.token, token)));

    for (const res of results) {
      expect(res.statusCode).toBe(200);
      expect(quantities(res.json)).toEqual([["wool-throw", 2]]);
    }
    const mine = await t.invoke({ method: "GET", resource: "/cart", token: ada.token });
    expect(mine.json.version).toBe(1);
  });

  it("answers 401 without an access token, even with a guest cart token", async () => {
    await start();
    const token = await createGuestCart();

    expectProblem(
      await t.invoke({ method: "POST", resource: "/cart/merge", headers: guestHeaders(token) }),
      401,
      "UNAUTHENTICATED",
    );
    expect((await getGuestCart(token)).statusCode).toBe(200);
  });

  it("answers 400 naming the header when it is missing or malformed", async () => {
    await start();
    const ada = await t.signup();

    for (const res of [await merge(ada.token), await merge(ada.token, "nope")]) {
      const problem = expectProblem(res, 400, "VALIDATION_FAILED");
      expect(problem.detail).toContain("Guest-Cart-Token header");
      expect(problem.errors?.[0]?.field).toBe("Guest-Cart-Token header");
    }
  });
});

describe("CORS for guest carts", () => {
  it("lets a browser send Guest-Cart-Token, on /cart, /cart/merge and /guest-carts", async () => {
    await start();

    for (const resource of ["/cart", "/cart/merge", "/guest-carts"]) {
      const res = await t.invoke({ method: "OPTIONS", resource, origin: ALLOWED_ORIGIN });
      expect(res.statusCode).toBe(204);
      expect(res.headers["access-control-allow-headers"]).toContain("Guest-Cart-Token");
    }
  });
});
