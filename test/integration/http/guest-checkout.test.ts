import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";
import { BERLIN_ADDRESS, CHECKOUT_ADDRESS } from "../../helpers/fixtures.js";

// A guest's checkout over the REST edge: the quote, the order placed with an e-mail address
// and answered with its access token, the order opened (and cancelled) with that token only,
// the rate limit per e-mail address, and guest orders attached to an account only once it has
// confirmed the address.

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const BERLIN = BERLIN_ADDRESS;

/** A guest cart holding `quantity` Lonely Birds: its token. */
async function guestCartWithBirds(quantity = 1, sourceIp?: string): Promise<string> {
  const created = await t.invoke({ method: "POST", resource: "/guest-carts" });
  expect(created.statusCode).toBe(201);
  const token: string = created.json.token;
  const saved = await t.invoke({
    method: "POST",
    resource: "/cart",
    headers: { "Guest-Cart-Token": token },
    body: { products: [{ id: "lonely-bird", quantity }] },
    ...(sourceIp === undefined ? {} : { sourceIp }),
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return token;
}

const guestCheckout = (
  cartToken: string,
  body: object,
  options: { key?: string; sourceIp?: string } = {},
) =>
  t.invoke({
    method: "PUT",
    resource: "/checkout",
    headers: {
      "Guest-Cart-Token": cartToken,
      ...(options.key === undefined ? {} : { "Idempotency-Key": options.key }),
    },
    body,
    ...(options.sourceIp === undefined ? {} : { sourceIp: options.sourceIp }),
  });

const openGuestOrder = (orderId: string, accessToken?: string) =>
  t.invoke({
    method: "GET",
    resource: "/guest-orders/{id}",
    pathParameters: { id: orderId },
    ...(accessToken === undefined ? {} : { headers: { "Order-Access-Token": accessToken } }),
  });

describe("guest checkout", () => {
  it("quotes, places a guest order with its access token, and opens it with that token only", async () => {
    await start();
    const cart = await guestCartWithBirds(1);

    const quote = await t.invoke({
      method: "POST",
      resource: "/checkout/quote",
      headers: { "Guest-Cart-Token": cart },
      body: { shippingAddress: BERLIN },
    });
    expect(quote.statusCode, quote.body).toBe(200);
    expect(quote.json.shippingMethods.map((m: { methodId: string }) => m.methodId)).toEqual([
      "eu-standard",
      "eu-express",
    ]);
    // The cheapest: 2999 + 690, and 19 % of 2999 = 569.81 -> 570 added on top.
    expect(quote.json).toMatchObject({
      shippingMethodId: "eu-standard",
      totals: { subtotalCents: 2999, shippingCents: 690, taxCents: 570, totalCents: 4259 },
    });

    const withoutEmail = await guestCheckout(cart, {
      shippingAddress: BERLIN,
      shippingMethodId: "eu-standard",
    });
    expect(expectProblem(withoutEmail, 400, "VALIDATION_FAILED").errors).toEqual([
      { field: "email", message: "required: the order's messages go there" },
    ]);

    const body = {
      shippingAddress: BERLIN,
      shippingMethodId: "eu-standard",
      email: "grace@example.com",
    };
    const key = randomUUID();
    const placed = await guestCheckout(cart, body, { key });
    expect(placed.statusCode, placed.body).toBe(202);
    const { orderAccessToken, ...order } = placed.json;
    expect(orderAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(placed.headers.location).toBe(`guest-orders/${order.id}`);
    expect(order).toMatchObject({ totalCents: 4259, guestEmail: "grace@example.com" });
    // The quote's totals are the order's.
    expect(order.taxCents).toBe(quote.json.totals.taxCents);

    const replay = await guestCheckout(cart, body, { key });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.json.orderAccessToken).toBe(orderAccessToken);

    const opened = await openGuestOrder(order.id, orderAccessToken);
    expect(opened.statusCode).toBe(200);
    expect(opened.json).toEqual(order);

    const wrong = `${orderAccessToken.slice(0, 42)}${orderAccessToken.endsWith("A") ? "B" : "A"}`;
    expectProblem(await openGuestOrder(order.id, wrong), 404, "NOT_FOUND");
    const missing = expectProblem(await openGuestOrder(order.id), 400, "VALIDATION_FAILED");
    expect(missing.errors?.[0]?.field).toBe("Order-Access-Token header");
    // The customers' route does not open it, with or without an account.
    const stranger = await t.mint();
    expectProblem(
      await t.invoke({
        method: "GET",
        resource: "/orders/{id}",
        pathParameters: { id: order.id },
        token: stranger,
      }),
      404,
      "NOT_FOUND",
    );

    const cancelled = await t.invoke({
      method: "POST",
      resource: "/guest-orders/{id}/cancel",
      pathParameters: { id: order.id },
      headers: { "Order-Access-Token": orderAccessToken },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json.status).toBe("CANCELLED");
  });

  it("refuses an anonymous checkout without a guest cart, and NOT_SHIPPABLE at the quote", async () => {
    await start();
    expectProblem(
      await t.invoke({ method: "PUT", resource: "/checkout", body: { shippingMethodId: "x" } }),
      401,
      "UNAUTHENTICATED",
    );
    const cart = await guestCartWithBirds(1);
    const refusal = await t.invoke({
      method: "POST",
      resource: "/checkout/quote",
      headers: { "Guest-Cart-Token": cart },
      body: { shippingAddress: { ...BERLIN, country: "BR", postalCode: "01310-100" } },
    });
    expect(expectProblem(refusal, 422, "NOT_SHIPPABLE").errors).toEqual([
      { field: "shippingAddress.country", message: "not shipped to BR" },
    ]);
    const invalid = await t.invoke({
      method: "POST",
      resource: "/checkout/quote",
      headers: { "Guest-Cart-Token": cart },
      body: { shippingAddress: { ...BERLIN, postalCode: "1234" }, addressId: "a1" },
    });
    expect(expectProblem(invalid, 400, "VALIDATION_FAILED").errors?.[0]?.field).toBe("addressId");
  });

  it("limits guest checkouts per e-mail address, with Retry-After", async () => {
    await start();
    const body = {
      shippingAddress: CHECKOUT_ADDRESS,
      shippingMethodId: "us-ground",
      email: "busy@example.com",
    };
    // Each from its own client address, so only the e-mail's limit (10 in 10 minutes) is met.
    for (let n = 0; n < 10; n++) {
      const sourceIp = `198.51.100.${n + 1}`;
      const res = await guestCheckout(await guestCartWithBirds(1, sourceIp), body, { sourceIp });
      expect(res.statusCode, res.body).toBe(202);
    }
    const sourceIp = "198.51.100.99";
    const refused = await guestCheckout(await guestCartWithBirds(1, sourceIp), body, { sourceIp });
    expectProblem(refused, 429, "TOO_MANY_REQUESTS");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not held back by this one's count.
    const other = await guestCheckout(
      await guestCartWithBirds(1, sourceIp),
      { ...body, email: "calm@example.com" },
      { sourceIp },
    );
    expect(other.statusCode, other.body).toBe(202);
  });

  it("attaches guest orders to an account only once it has confirmed the same address", async () => {
    await start();
    const ada = await t.signup("ada@example.com");
    const cart = await guestCartWithBirds(1);
    const placed = await guestCheckout(cart, {
      shippingAddress: BERLIN,
      shippingMethodId: "eu-standard",
      email: "ADA@example.com",
    });
    expect(placed.statusCode, placed.body).toBe(202);
    const { orderAccessToken, ...order } = placed.json;
    const attach = async (token: string) =>
      t.invoke({
        method: "POST",
        resource: "/guest-orders/attach",
        token: ada.token,
        body: { idToken: await token },
      });
    const listed = async () =>
      (await t.invoke({ method: "GET", resource: "/orders", token: ada.token })).json.items;

    // Not before the address is confirmed, and never with another user's ID token.
    const unconfirmed = await t.mintIdToken({
      sub: ada.userId,
      email: "ada@example.com",
      emailVerified: false,
    });
    expectProblem(await attach(unconfirmed), 403, "FORBIDDEN");
    const someoneElse = await t.mintIdToken({
      sub: randomUUID(),
      email: "ada@example.com",
      emailVerified: true,
    });
    const refused = expectProblem(await attach(someoneElse), 400, "VALIDATION_FAILED");
    expect(refused.errors?.[0]?.field).toBe("idToken");
    const accessTokenAsIdToken = await attach(ada.token);
    expectProblem(accessTokenAsIdToken, 401, "UNAUTHENTICATED");
    expect(await listed()).toEqual([]);

    const confirmed = await t.mintIdToken({
      sub: ada.userId,
      email: "ada@example.com",
      emailVerified: true,
    });
    // Still PLACED: it stays with the guest until processing is done with it.
    expect((await attach(confirmed)).json).toEqual({ attached: [], inFlight: 1 });
    await t.invoke({
      method: "POST",
      resource: "/guest-orders/{id}/cancel",
      pathParameters: { id: order.id },
      headers: { "Order-Access-Token": orderAccessToken },
    });
    const moved = await attach(confirmed);
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json.attached.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect(moved.json.inFlight).toBe(0);
    expect((await listed()).map((o: { id: string }) => o.id)).toEqual([order.id]);
    // The guest's link still opens it; a second attach finds nothing more.
    expect((await openGuestOrder(order.id, orderAccessToken)).statusCode).toBe(200);
    expect((await attach(confirmed)).json).toEqual({ attached: [], inFlight: 0 });
  });
});
