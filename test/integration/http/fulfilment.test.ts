// The operators' fulfilment routes over the real handlers: the shipping queue, ship and deliver
// with the order's views (the customer's, the guest's, the operators') following, every answer
// checked against the OpenAPI document; a body's invalid field named; 404 and 409
// ORDER_NOT_SHIPPABLE; and a cancel after shipping refused with ORDER_NOT_CANCELLABLE.
import { describe, expect, it } from "vitest";
import { ORDER_ACCESS_TOKEN_HEADER } from "../../../src/services/index.js";
import type { ApiEventOptions } from "../../helpers/api-event.js";
import {
  checkedOutOrder,
  expectProblem,
  startPerTest,
  type TestApp,
  type TestResponse,
} from "../../helpers/app.js";
import { SAMPLE_SHIPMENT as SHIPMENT } from "../../helpers/fixtures.js";
import { createResponseChecker } from "../../helpers/openapi-responses.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const checker = createResponseChecker();

/** Invokes the handler; the answer, whatever it is, must be one the OpenAPI document describes. */
async function call(options: ApiEventOptions): Promise<TestResponse> {
  const res = await t.invoke(options);
  const misfits = checker.check({
    method: options.method,
    path: res.path,
    status: res.statusCode,
    contentType: res.headers["content-type"] ?? null,
    body: res.json,
  });
  expect(misfits).toEqual([]);
  return res;
}

const ship = (token: string, id: string, body: object = SHIPMENT) =>
  call({
    method: "POST",
    resource: "/admin/orders/{id}/ship",
    pathParameters: { id },
    token,
    body,
  });

const deliver = (token: string, id: string) =>
  call({ method: "POST", resource: "/admin/orders/{id}/deliver", pathParameters: { id }, token });

const queue = (token: string, query: Record<string, string> = {}) =>
  call({ method: "GET", resource: "/admin/shipping-queue", token, query });

/** A customer's order of `productId`, placed, and paid unless `paid` is false. */
const orderOf = (customer: { token: string; userId: string }, productId: string, paid = true) =>
  checkedOutOrder(t, customer, productId, { paid });

const startPaying = () => start({ env: { PAYMENT_DELAY_MS: "0" } });

describe("the operators' fulfilment routes", () => {
  it("ship a paid order and deliver it: every view of it follows", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await orderOf(ada, "wool-throw");
    const mine = () =>
      call({
        method: "GET",
        resource: "/orders/{id}",
        pathParameters: { id: orderId },
        token: ada.token,
      });
    expect((await mine()).json).toMatchObject({
      status: "COMPLETED",
      shipment: null,
      deliveredAt: null,
    });

    const before = Date.now();
    const shipped = await ship(operator, orderId);
    expect(shipped.statusCode).toBe(200);
    expect(shipped.json).toMatchObject({
      id: orderId,
      userId: ada.userId,
      status: "SHIPPED",
      shipment: { ...SHIPMENT, shippedAt: expect.any(String) },
      deliveredAt: null,
    });
    const shippedAt = Date.parse(shipped.json.shipment.shippedAt);
    expect(shippedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(shippedAt).toBeLessThanOrEqual(Date.now());
    expect((await mine()).json).toMatchObject({
      status: "SHIPPED",
      shipment: shipped.json.shipment,
    });
    const listed = await call({
      method: "GET",
      resource: "/admin/orders",
      token: operator,
      query: { status: "SHIPPED" },
    });
    expect(listed.json.items.map((order: { id: string }) => order.id)).toEqual([orderId]);

    const delivered = await deliver(operator, orderId);
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json).toMatchObject({
      status: "DELIVERED",
      shipment: shipped.json.shipment,
      deliveredAt: expect.any(String),
    });
    expect((await mine()).json).toMatchObject({
      status: "DELIVERED",
      deliveredAt: delivered.json.deliveredAt,
    });
    const byOperator = await call({
      method: "GET",
      resource: "/admin/orders/{id}",
      pathParameters: { id: orderId },
      token: operator,
    });
    expect(byOperator.json).toEqual(delivered.json);
    const done = await call({
      method: "GET",
      resource: "/admin/orders",
      token: operator,
      query: { status: "DELIVERED" },
    });
    expect(done.json.items.map((order: { id: string }) => order.id)).toEqual([orderId]);
  });

  it("list the paid orders waiting to ship, oldest first, paged; a shipped one leaves", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const unpaid = await orderOf(ada, "copper-kettle", false);
    const paid: string[] = [];
    for (const product of ["wool-throw", "lonely-bird", "linen-notebook"]) {
      paid.push(await orderOf(ada, product));
    }

    const first = await queue(operator, { limit: "2" });
    expect(first.statusCode).toBe(200);
    const second = await queue(operator, { limit: "2", cursor: first.json.nextCursor });
    expect(second.json.nextCursor).toBeNull();
    const ids = [...first.json.items, ...second.json.items].map((o: { id: string }) => o.id);
    expect(ids).toEqual(paid);
    expect(ids).not.toContain(unpaid);

    await ship(operator, paid[1] ?? "", { carrier: "UPS", trackingNumber: "1Z999AA1" });
    expect((await queue(operator)).json.items.map((o: { id: string }) => o.id)).toEqual([
      paid[0],
      paid[2],
    ]);
    expectProblem(await queue(operator, { limit: "0" }), 400, "VALIDATION_FAILED");
    expectProblem(await queue(operator, { cursor: "not-a-cursor" }), 400, "VALIDATION_FAILED");
  });

  it("refuse an invalid shipment with a 400 naming the field, changing nothing", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await orderOf(ada, "wool-throw");
    const cases: [object, string][] = [
      [{ ...SHIPMENT, carrier: "  " }, "carrier"],
      [{ ...SHIPMENT, carrier: "x".repeat(61) }, "carrier"],
      [{ trackingNumber: "JJD1" }, "carrier"],
      [{ ...SHIPMENT, trackingNumber: "" }, "trackingNumber"],
      [{ ...SHIPMENT, trackingNumber: "JJD/0001" }, "trackingNumber"],
      [{ ...SHIPMENT, trackingNumber: "<b>1</b>" }, "trackingNumber"],
      [{ ...SHIPMENT, trackingNumber: "1".repeat(61) }, "trackingNumber"],
      [{ ...SHIPMENT, trackingUrl: "http://tracking.example.com/1" }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: "javascript:alert(1)" }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: "/track/1" }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: "https://" }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: "https://tracking.example.com/a b" }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: `https://t.example.com/${"a".repeat(2030)}` }, "trackingUrl"],
      [{ ...SHIPMENT, trackingUrl: 42 }, "trackingUrl"],
    ];
    for (const [body, field] of cases) {
      const problem = expectProblem(await ship(operator, orderId, body), 400, "VALIDATION_FAILED");
      expect({ body, fields: problem.errors?.map((error) => error.field) }).toEqual({
        body,
        fields: [field],
      });
    }
    const order = await t.app.store.findOrder(orderId);
    expect(order?.status).toBe("COMPLETED");
    expect(order?.shipment).toBeUndefined();
    // At the limits, and trimmed.
    const longest = {
      carrier: ` ${"c".repeat(60)} `,
      trackingNumber: "A-1 b".padEnd(60, "9"),
      trackingUrl: `https://t.example.com/${"a".repeat(2048 - 22)}`,
    };
    const shipped = await ship(operator, orderId, longest);
    expect(shipped.statusCode).toBe(200);
    expect(shipped.json.shipment).toMatchObject({
      carrier: "c".repeat(60),
      trackingNumber: longest.trackingNumber,
      trackingUrl: longest.trackingUrl,
    });
  });

  it("answer 404 for an unknown order and 409 ORDER_NOT_SHIPPABLE naming its state", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const placed = await orderOf(ada, "copper-kettle", false);
    const paid = await orderOf(ada, "wool-throw");

    expectProblem(await ship(operator, "no-such-order"), 404, "NOT_FOUND");
    expectProblem(await deliver(operator, "no-such-order"), 404, "NOT_FOUND");
    const early = expectProblem(await ship(operator, placed), 409, "ORDER_NOT_SHIPPABLE");
    expect(early.detail).toBe(
      `order ${placed} cannot be marked shipped: it is PLACED, and only a paid (COMPLETED) order can`,
    );
    const unshipped = expectProblem(await deliver(operator, paid), 409, "ORDER_NOT_SHIPPABLE");
    expect(unshipped.detail).toContain("it is COMPLETED, and only a SHIPPED order can");
    expect((await ship(operator, paid)).statusCode).toBe(200);
    const twice = expectProblem(await ship(operator, paid), 409, "ORDER_NOT_SHIPPABLE");
    expect(twice.detail).toContain("it is SHIPPED");
    expect((await deliver(operator, paid)).statusCode).toBe(200);
    const again = expectProblem(await deliver(operator, paid), 409, "ORDER_NOT_SHIPPABLE");
    expect(again.detail).toContain("it is DELIVERED");
  });

  it("refuse a cancel after shipping with 409 ORDER_NOT_CANCELLABLE: no stock back, no refund", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await orderOf(ada, "wool-throw");
    await ship(operator, orderId);
    const stock = async () =>
      (await t.app.store.listAllProducts()).find((product) => product.id === "wool-throw")?.stock;
    const stockShipped = await stock();
    const cancel = (resource: string, token: string) =>
      call({ method: "POST", resource, pathParameters: { id: orderId }, token });

    const byOperator = expectProblem(
      await cancel("/admin/orders/{id}/cancel", operator),
      409,
      "ORDER_NOT_CANCELLABLE",
    );
    expect(byOperator.detail).toBe(
      `order ${orderId} cannot be cancelled: it is SHIPPED: its parcel has left the shop`,
    );
    const byCustomer = expectProblem(
      await cancel("/orders/{id}/cancel", ada.token),
      409,
      "ORDER_NOT_CANCELLABLE",
    );
    expect(byCustomer.detail).toContain("it is SHIPPED: its parcel has left the shop");
    await deliver(operator, orderId);
    expectProblem(
      await cancel("/admin/orders/{id}/cancel", operator),
      409,
      "ORDER_NOT_CANCELLABLE",
    );

    expect(await stock()).toBe(stockShipped);
    expect((await t.app.store.findPayment(orderId))?.refundedAt).toBeUndefined();
    expect((await t.app.store.findOrder(orderId))?.status).toBe("DELIVERED");
  });

  it("ship a guest's order: the guest's order view shows the shipment", async () => {
    await startPaying();
    const operator = await t.mintAdmin();
    const guest = await t.guestCheckout([["linen-notebook", 1]]);
    const order = await t.app.store.findOrder(guest.orderId);
    const ref = { userId: order?.userId ?? "", orderId: guest.orderId };
    expect(await t.app.services.processing.processOrder(ref)).toBe("COMPLETED");

    const shipped = await ship(operator, guest.orderId);
    expect(shipped.json).toMatchObject({ status: "SHIPPED", guestEmail: "guest@example.com" });
    const seen = await call({
      method: "GET",
      resource: "/guest-orders/{id}",
      pathParameters: { id: guest.orderId },
      headers: { [ORDER_ACCESS_TOKEN_HEADER]: guest.orderAccessToken },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.json).toMatchObject({
      status: "SHIPPED",
      shipment: shipped.json.shipment,
      deliveredAt: null,
    });
  });
});
