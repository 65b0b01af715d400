// Cancelling orders over HTTP: who may cancel what, the stock returned, the refund of a paid
// order, the owner's notification, and the 409s of a double cancel, a cancel racing completion
// and a cancel after COMPLETED (refunded).
import { describe, expect, it } from "vitest";
import { createDemoPaymentProvider, type DemoPaymentProvider } from "../../../src/payment/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";
import { type RecordingNotifier, recordingNotifier } from "../../helpers/processing.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

let payment: DemoPaymentProvider;
let notifier: RecordingNotifier;

async function startWith(delayMs = 0) {
  const store = new MemoryStore();
  payment = createDemoPaymentProvider({ mode: "approve", delayMs }, { ledger: store });
  notifier = recordingNotifier();
  return start({ store, payment, notifier });
}

const stockOf = async (id: string) =>
  (await t.app.store.listAllProducts()).find((product) => product.id === id)?.stock;

async function placeOrder(token: string, productId = "wool-throw", quantity = 2) {
  await t.saveCart(token, [[productId, quantity]]);
  const res = await t.checkout(token);
  expect(res.statusCode).toBe(202);
  return res.json as { id: string; totalCents: number };
}

const adminCancel = (token: string, id: string) =>
  t.invoke({
    method: "POST",
    resource: "/admin/orders/{id}/cancel",
    pathParameters: { id },
    token,
  });

const customerCancel = (token: string, id: string) =>
  t.invoke({ method: "POST", resource: "/orders/{id}/cancel", pathParameters: { id }, token });

describe("cancelling an order", () => {
  it("an operator cancels a PLACED order: stock back, no refund, the owner told CANCELLED", async () => {
    await startWith();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const order = await placeOrder(ada.token);
    expect(await stockOf("wool-throw")).toBe(8);

    const res = await adminCancel(operator, order.id);

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      order: { id: order.id, status: "CANCELLED", userId: ada.userId },
      refund: null,
    });
    expect(await stockOf("wool-throw")).toBe(10);
    expect(notifier.sent).toEqual([
      {
        userId: ada.userId,
        message: { type: "order.updated", orderId: order.id, status: "CANCELLED" },
      },
    ]);
    const mine = await t.invoke({
      method: "GET",
      resource: "/orders/{id}",
      pathParameters: { id: order.id },
      token: ada.token,
    });
    expect(mine.json.status).toBe("CANCELLED");
  });

  it("refunds a paid (PROCESSING) order once through the payment port", async () => {
    await startWith();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const order = await placeOrder(ada.token);
    await payment.charge({
      orderId: order.id,
      userId: ada.userId,
      amountCents: order.totalCents,
      currency: "USD",
    });
    await t.app.store.changeOrderStatus({
      userId: ada.userId,
      orderId: order.id,
      from: "PLACED",
      to: "PROCESSING",
    });

    const res = await adminCancel(operator, order.id);

    expect(res.json).toMatchObject({
      order: { status: "CANCELLED" },
      refund: { refunded: true, amountCents: order.totalCents },
    });
    expect(payment.refunds()).toEqual([{ orderId: order.id, amountCents: order.totalCents }]);
    expect(await stockOf("wool-throw")).toBe(10);
  });

  it("answers a double cancel with 409 ORDER_NOT_CANCELLABLE, and refunds a paid order's cancel once", async () => {
    await startWith();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const cancelled = await placeOrder(ada.token);
    expect((await adminCancel(operator, cancelled.id)).statusCode).toBe(200);

    const again = expectProblem(
      await adminCancel(operator, cancelled.id),
      409,
      "ORDER_NOT_CANCELLABLE",
    );
    expect(again.detail).toMatch(/already CANCELLED/);
    expect(await stockOf("wool-throw")).toBe(10);

    const paid = await placeOrder(ada.token);
    await t.app.services.processing.processOrder({ userId: ada.userId, orderId: paid.id });
    expect(await stockOf("wool-throw")).toBe(8);
    // The customer may not: the payment is taken.
    const own = expectProblem(
      await t.invoke({
        method: "POST",
        resource: "/orders/{id}/cancel",
        pathParameters: { id: paid.id },
        token: ada.token,
      }),
      409,
      "ORDER_NOT_CANCELLABLE",
    );
    expect(own.detail).toMatch(/it is COMPLETED: a customer may cancel an order only while/);
    const refunded = await adminCancel(operator, paid.id);
    expect(refunded.json).toMatchObject({
      order: { status: "CANCELLED" },
      refund: { refunded: true, amountCents: paid.totalCents },
    });
    expectProblem(await adminCancel(operator, paid.id), 409, "ORDER_NOT_CANCELLABLE");
    expect(await stockOf("wool-throw")).toBe(10);
    expect(payment.refunds()).toEqual([{ orderId: paid.id, amountCents: paid.totalCents }]);
  });

  it("a cancel racing completion: the cancel wins while the payment runs, and the charge is refunded once", async () => {
    await startWith(150);
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const order = await placeOrder(ada.token);
    const processing = t.app.services.processing.processOrder({
      userId: ada.userId,
      orderId: order.id,
    });
    await expect
      .poll(async () => (await t.app.store.findOrder(order.id))?.status)
      .toBe("PROCESSING");

    const res = await adminCancel(operator, order.id);
    const finalStatus = await processing;

    expect(res.statusCode).toBe(200);
    expect(finalStatus).toBe("CANCELLED");
    expect(payment.refunds()).toEqual([{ orderId: order.id, amountCents: order.totalCents }]);
    expect(await stockOf("wool-throw")).toBe(10);
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "CANCELLED"]);
  });

  it("refunds a cancelled order whose charge landed after the cancel, when its processing runs again", async () => {
    await startWith();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const order = await placeOrder(ada.token);
    // The cancel finds nothing charged; then the charge of a processing that dies before its own
    // "cancelled, so refund" step lands in the ledger.
    expect((await adminCancel(operator, order.id)).json.refund).toBeNull();
    await t.app.store.recordPayment({
      orderId: order.id,
      userId: ada.userId,
      amountCents: order.totalCents,
      approved: true,
      chargedAt: new Date().toISOString(),
    });

    // The stream's retry, or the dev server's resume, runs the processing again.
    const ref = { userId: ada.userId, orderId: order.id };
    expect(await t.app.services.processing.processOrder(ref)).toBe("CANCELLED");
    expect(await t.app.services.processing.processOrder(ref)).toBe("CANCELLED");

    expect(payment.refunds()).toEqual([{ orderId: order.id, amountCents: order.totalCents }]);
    expect((await t.app.store.findPayment(order.id))?.refundedAt).toBeDefined();
  });

  it("a cancel racing completion ends CANCELLED either way, refunded exactly when the payment was taken", async () => {
    await startWith(0);
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const order = await placeOrder(ada.token);
    const [, cancel] = await Promise.all([
      t.app.services.processing.processOrder({ userId: ada.userId, orderId: order.id }),
      adminCancel(operator, order.id),
    ]);
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json.order.status).toBe("CANCELLED");
    expect(await stockOf("wool-throw")).toBe(10);
    const taken = await t.app.store.findPayment(order.id);
    // A payment taken before the cancel is given back once (by the cancel, or by the processing
    // once the charge it raced lands); none taken, nothing to give back.
    await expect
      .poll(() => payment.refunds())
      .toEqual(
        taken?.approved === true ? [{ orderId: order.id, amountCents: order.totalCents }] : [],
      );
  });

  it("a customer cancels their own PLACED order, not a PROCESSING one, and never another's", async () => {
    await startWith();
    const ada = await t.signup();
    const bob = await t.signup();
    const order = await placeOrder(ada.token);

    expectProblem(await customerCancel(bob.token, order.id), 404, "NOT_FOUND");
    const res = await customerCancel(ada.token, order.id);
    expect(res.statusCode).toBe(200);
    expect(res.json.status).toBe("CANCELLED");
    expect(await stockOf("wool-throw")).toBe(10);

    const paid = await placeOrder(ada.token);
    await t.app.store.changeOrderStatus({
      userId: ada.userId,
      orderId: paid.id,
      from: "PLACED",
      to: "PROCESSING",
    });
    const refused = expectProblem(
      await customerCancel(ada.token, paid.id),
      409,
      "ORDER_NOT_CANCELLABLE",
    );
    expect(refused.detail).toMatch(/only while it is PLACED/);
  });
});

describe("catalogue changes reach carts", () => {
  it("a new price shows in the cart at once; an archived product leaves it with a notice", async () => {
    await startWith();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    await t.saveCart(ada.token, [
      ["lonely-bird", 1],
      ["morning-fog", 1],
    ]);

    await t.invoke({
      method: "PATCH",
      resource: "/admin/products/{id}",
      pathParameters: { id: "lonely-bird" },
      token: operator,
      body: { priceCents: 3499 },
    });
    await t.invoke({
      method: "POST",
      resource: "/admin/products/{id}/archive",
      pathParameters: { id: "morning-fog" },
      token: operator,
    });

    const cart = await t.invoke({ method: "GET", resource: "/cart", token: ada.token });
    expect(cart.json.products).toEqual([
      expect.objectContaining({ id: "lonely-bird", unitPriceCents: 3499 }),
    ]);
    expect(cart.json.notices).toEqual(["product morning-fog is no longer sold"]);
    const products = await t.invoke({
      method: "GET",
      resource: "/products",
      query: { limit: "100" },
    });
    expect(products.json.items.map((p: { id: string }) => p.id)).not.toContain("morning-fog");
  });
});
