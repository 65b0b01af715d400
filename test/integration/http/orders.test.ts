import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestApp,
  expectProblem,
  manualClock,
  type SignedUp,
  type TestApp,
} from "../../helpers/app.js";

let t: TestApp;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock("2026-07-01T09:00:00.000Z");
  t = await createTestApp({ clock });
});

afterEach(async () => {
  await t.close();
});

/** Saves a one-line cart and checks it out; answers the order. */
async function placeOrder(user: SignedUp, productId: string, quantity = 1) {
  await t.saveCart(user.token, [[productId, quantity]]);
  const res = await t.checkout(user.token);
  expect(res.statusCode).toBe(202);
  clock.advanceSeconds(60);
  return res.json;
}

const listOrders = (token: string) => t.invoke({ method: "GET", resource: "/orders", token });

const getOrder = (token: string, id: string) =>
  t.invoke({ method: "GET", resource: "/orders/{id}", pathParameters: { id }, token });

describe("GET /orders", () => {
  it("lists only the caller's orders, newest first", async () => {
    const ada = await t.signup();
    const bob = await t.signup();
    const first = await placeOrder(ada, "lonely-bird");
    const bobs = await placeOrder(bob, "wool-throw");
    const second = await placeOrder(ada, "morning-fog", 2);

    const mine = await listOrders(ada.token);
    const his = await listOrders(bob.token);

    expect(mine.statusCode).toBe(200);
    expect(mine.json.items.map((o: { id: string }) => o.id)).toEqual([second.id, first.id]);
    expect(mine.json.items[0]).toEqual(second);
    expect(his.json.items.map((o: { id: string }) => o.id)).toEqual([bobs.id]);
  });

  it("answers an empty list for a user without orders", async () => {
    const ada = await t.signup();

    const res = await listOrders(ada.token);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ items: [], nextCursor: null });
  });

  it("answers 401 without a token", async () => {
    expectProblem(await t.invoke({ method: "GET", resource: "/orders" }), 401, "UNAUTHENTICATED");
  });
});

describe("GET /orders/{id}", () => {
  it("answers one of the caller's orders as checkout answered it", async () => {
    const ada = await t.signup();
    const order = await placeOrder(ada, "copper-kettle", 2);

    const res = await getOrder(ada.token, order.id);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual(order);
    expect(res.json).toMatchObject({
      status: "PLACED",
      totalCents: 17800,
      createdAt: "2026-07-01T09:00:00.000Z",
    });
  });

  it("answers 404 for another user's order exactly as for an unknown one", async () => {
    const ada = await t.signup();
    const bob = await t.signup();
    const adas = await placeOrder(ada, "lonely-bird");

    const stolen = await getOrder(bob.token, adas.id);
    const unknown = await getOrder(bob.token, "00000000-0000-4000-8000-000000000000");

    expect(expectProblem(stolen, 404, "NOT_FOUND").detail).toBe(`order ${adas.id} does not exist`);
    expect(expectProblem(unknown, 404, "NOT_FOUND").detail).toBe(
      "order 00000000-0000-4000-8000-000000000000 does not exist",
    );
    expect(stolen.body).not.toContain("lonely-bird");
  });

  it("answers 401 without a token", async () => {
    const res = await t.invoke({
      method: "GET",
      resource: "/orders/{id}",
      pathParameters: { id: "any" },
    });

    expectProblem(res, 401, "UNAUTHENTICATED");
  });
});
