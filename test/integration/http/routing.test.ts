// Routing: every route of the table answers, unknown paths and methods are refused (404, 405).
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../../src/http/index.js";
import { ORDER_ACCESS_TOKEN_HEADER } from "../../../src/services/index.js";
import { adminSamples } from "../../helpers/admin-samples.js";
import type { ApiEventOptions } from "../../helpers/api-event.js";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";
import { CHECKOUT_BODY } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("routing", () => {
  it("answers every route of the route table", async () => {
    await start({ env: { PAYMENT_DELAY_MS: "0" } });
    const ada = await t.signup("ada@example.com");
    await t.saveCart(ada.token, [["lonely-bird", 1]]);
    const order = await t.checkout(ada.token);
    await t.saveCart(ada.token, [["copper-kettle", 1]]);
    const cancellable = await t.checkout(ada.token);
    await t.saveCart(ada.token, [["linen-notebook", 1]]);
    const forOperator = await t.checkout(ada.token);
    await t.saveCart(ada.token, [["lonely-bird", 1]]);
    const toShip = await t.checkout(ada.token);
    const paid = { userId: ada.userId, orderId: toShip.json.id };
    expect(await t.app.services.processing.processOrder(paid)).toBe("COMPLETED");
    const operator = await t.mintAdmin();
    const guestOrder = await t.guestCheckout([["linen-notebook", 1]]);
    const guestOrderEvent = (method: "GET" | "POST", resource: string): ApiEventOptions => ({
      method,
      resource,
      pathParameters: { id: guestOrder.orderId },
      headers: { [ORDER_ACCESS_TOKEN_HEADER]: guestOrder.orderAccessToken },
    });
    await t.saveCart(ada.token, [["wool-throw", 1]]);
    const address = {
      name: "Ada",
      line1: "1 Main St",
      city: "Berlin",
      postalCode: "10115",
      country: "DE",
    };
    const addressIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const saved = await t.invoke({
        method: "POST",
        resource: "/addresses",
        body: address,
        token: ada.token,
      });
      addressIds.push(saved.json.id);
    }
    const addressEvent = (method: "PUT" | "DELETE", id: string | undefined): ApiEventOptions => ({
      method,
      resource: "/addresses/{id}",
      path: `/addresses/${id}`,
      token: ada.token,
      ...(method === "PUT" ? { body: address } : {}),
    });
    // [the request, its status, and a request of its own for the proxy's turn when the first
    // one leaves nothing to answer it (a deleted address)]
    const samples: Record<string, [ApiEventOptions, number, ApiEventOptions?]> = {
      "GET /addresses": [{ method: "GET", resource: "/addresses", token: ada.token }, 200],
      "POST /addresses": [
        { method: "POST", resource: "/addresses", body: address, token: ada.token },
        201,
      ],
      "PUT /addresses/{id}": [addressEvent("PUT", addressIds[0]), 200],
      "DELETE /addresses/{id}": [
        addressEvent("DELETE", addressIds[1]),
        204,
        addressEvent("DELETE", addressIds[2]),
      ],
      "GET /products": [{ method: "GET", resource: "/products" }, 200],
      "GET /products/{id}": [
        { method: "GET", resource: "/products/{id}", pathParameters: { id: "lonely-bird" } },
        200,
      ],
      "GET /products/{id}/comments": [
        {
          method: "GET",
          resource: "/products/{id}/comments",
          pathParameters: { id: "lonely-bird" },
        },
        200,
      ],
      "POST /products/{id}/comments": [
        {
          method: "POST",
          resource: "/products/{id}/comments",
          pathParameters: { id: "lonely-bird" },
          token: ada.token,
          body: { rating: 5, text: "Still lovely." },
        },
        201,
      ],
      "GET /cart": [{ method: "GET", resource: "/cart", token: ada.token }, 200],
      "POST /cart": [
        {
          method: "POST",
          resource: "/cart",
          token: ada.token,
          body: { products: [{ id: "wool-throw", quantity: 2 }] },
        },
        200,
      ],
      "POST /guest-carts": [{ method: "POST", resource: "/guest-carts" }, 201],
      "POST /cart/merge": [
        {
          method: "POST",
          resource: "/cart/merge",
          token: ada.token,
          headers: { "Guest-Cart-Token": "A".repeat(43) },
        },
        200,
      ],
      "POST /checkout/quote": [
        { method: "POST", resource: "/checkout/quote", token: ada.token, body: CHECKOUT_BODY },
        200,
      ],
      "PUT /checkout": [
        { method: "PUT", resource: "/checkout", token: ada.token, body: CHECKOUT_BODY },
        202,
      ],
      "POST /guest-orders/attach": [
        {
          method: "POST",
          resource: "/guest-orders/attach",
          token: ada.token,
          body: {
            idToken: await t.mintIdToken({
              sub: ada.userId,
              email: ada.email,
              emailVerified: true,
            }),
          },
        },
        200,
      ],
      "GET /guest-orders/{id}": [guestOrderEvent("GET", "/guest-orders/{id}"), 200],
      // Before the cancels below: an order is paid only while it is in flight.
      "POST /orders/{id}/payment": [
        {
          method: "POST",
          resource: "/orders/{id}/payment",
          pathParameters: { id: order.json.id },
          token: ada.token,
        },
        200,
      ],
      "POST /guest-orders/{id}/payment": [
        guestOrderEvent("POST", "/guest-orders/{id}/payment"),
        200,
      ],
      "POST /guest-orders/{id}/cancel": [guestOrderEvent("POST", "/guest-orders/{id}/cancel"), 200],
      // The demo provider sends no webhooks: nothing can be verified.
      "POST /webhooks/stripe": [
        { method: "POST", resource: "/webhooks/stripe", body: { id: "evt_1" } },
        400,
      ],
      "GET /shipping-methods": [
        {
          method: "GET",
          resource: "/shipping-methods",
          query: { country: "DE", goodsCents: "2500" },
        },
        200,
      ],
      "GET /orders": [{ method: "GET", resource: "/orders", token: ada.token }, 200],
      "GET /orders/{id}": [
        {
          method: "GET",
          resource: "/orders/{id}",
          pathParameters: { id: order.json.id },
          token: ada.token,
        },
        200,
      ],
      "POST /auth/signup": [
        {
          method: "POST",
          resource: "/auth/signup",
          body: { email: "new@example.com", password: "long enough" },
        },
        202,
      ],
      "POST /auth/login": [
        {
          method: "POST",
          resource: "/auth/login",
          body: { email: "ada@example.com", password: "correct horse battery" },
        },
        200,
      ],
      "GET /.well-known/jwks.json": [{ method: "GET", resource: "/.well-known/jwks.json" }, 200],
      "GET /openapi.json": [{ method: "GET", resource: "/openapi.json" }, 200],
      "POST /orders/{id}/cancel": [
        {
          method: "POST",
          resource: "/orders/{id}/cancel",
          pathParameters: { id: cancellable.json.id },
          token: ada.token,
        },
        200,
      ],
      ...Object.fromEntries(
        Object.entries(
          adminSamples({
            productId: "morning-fog",
            orderId: forOperator.json.id,
            paidOrderId: toShip.json.id,
            promotionCode: "WELCOME10",
          }),
        ).map(([key, [options, status]]) => [key, [{ ...options, token: operator }, status]]),
      ),
      ...Object.fromEntries(
        ["/query", "/graphql"].flatMap((resource) => [
          [
            `POST ${resource}`,
            [{ method: "POST", resource, body: { query: "{ products { items { id } } }" } }, 200],
          ],
          [
            `GET ${resource}`,
            [
              {
                method: "GET",
                resource,
                query: { query: "{ cart { totalCents } }" },
                token: ada.token,
              },
              200,
            ],
          ],
        ]),
      ),
    };

    // A route added to the table without a sample here fails this test.
    expect(Object.keys(samples).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.resource}`).sort(),
    );
    for (const [key, [options, status, proxied]] of Object.entries(samples)) {
      const res = await t.invoke(options);
      expect({ key, status: res.statusCode }).toEqual({ key, status });
      // The same route reached through the monolith's catch-all resource.
      const viaProxy = await t.invoke({
        ...(proxied ?? options),
        resource: "/{proxy+}",
        path: proxied?.path ?? res.path,
        pathParameters: { proxy: (proxied?.path ?? res.path).slice(1) },
      });
      expect({ key, status: viaProxy.statusCode }).not.toEqual({ key, status: 404 });
      expect({ key, status: viaProxy.statusCode }).not.toEqual({ key, status: 405 });
    }
  });

  it("routes a catch-all /{proxy+} event by its path, decoding path parameters", async () => {
    await start();

    const res = await t.invoke({
      method: "GET",
      resource: "/{proxy+}",
      path: "/products/lonely%2Dbird",
    });

    expect(res.statusCode).toBe(200);
    expect(res.json.id).toBe("lonely-bird");
  });

  it.each(["/nope", "/products/lonely-bird/reviews", "/cart/items", "/"])(
    "answers 404 for an unknown path %s",
    async (path) => {
      await start();

      const res = await t.invoke({ method: "GET", resource: "/{proxy+}", path });

      expect(expectProblem(res, 404, "NOT_FOUND").detail).toBe(`no resource at ${path}`);
    },
  );

  it.each([
    ["DELETE", "/products", "/products", "GET, HEAD, OPTIONS"],
    ["PATCH", "/{proxy+}", "/cart", "GET, HEAD, POST, OPTIONS"],
    ["GET", "/checkout", "/checkout", "PUT, OPTIONS"],
    ["POST", "/{proxy+}", "/orders/123", "GET, HEAD, OPTIONS"],
    ["GET", "/{proxy+}", "/auth/login", "POST, OPTIONS"],
  ])("answers 405 with Allow for %s on %s (%s)", async (method, resource, path, allow) => {
    await start();

    const res = await t.invoke({ method, resource, path });

    const problem = expectProblem(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.allow).toBe(allow);
    expect(problem.instance).toBe(path);
  });
});
