// Paying with Stripe end to end over the API, on all three stores: the page's payment session,
// Stripe's signed webhook (signatures made by Stripe's own library), the sweeper's
// reconciliation and the refund of a cancelled paid order, against a local stand-in for
// Stripe's REST API (there is no network to Stripe here).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/store.js";
import {
  createTestApp,
  expectProblem,
  manualClock,
  type TestApp,
  type TestAppOptions,
  type TestResponse,
} from "../../helpers/app.js";
import { localTables, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";
import { type RecordingNotifier, recordingNotifier } from "../../helpers/processing.js";
import {
  type StripeStandIn,
  signedDelivery,
  startStripeStandIn,
} from "../../helpers/stripe-stand-in.js";

const WEBHOOK_SECRET = "whsec_test_serverless_store";

const local = useDynamoDbLocal();
const tables = localTables(local);

const STORES: [string, () => Promise<Store>][] = [
  ["memory", async () => new MemoryStore()],
  ["sqlite", () => openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), "pay-")), "s.db") })],
  ["dynamodb", () => tables.open({})],
];

let stripe: StripeStandIn;
beforeAll(async () => {
  stripe = await startStripeStandIn();
});
afterAll(async () => {
  await stripe.close();
});

describe.each(STORES)("paying with Stripe on the %s store", (_name, openStore) => {
  let t: TestApp;
  let notifier: RecordingNotifier;
  const errors: Record<string, unknown>[] = [];

  const start = async (options: { clock?: TestAppOptions["clock"]; window?: string } = {}) => {
    notifier = recordingNotifier();
    t = await createTestApp({
      store: await openStore(),
      notifier,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      env: {
        ...(options.window === undefined ? {} : { PAYMENT_WINDOW_MINUTES: options.window }),
        PAYMENT_PROVIDER: "stripe",
        STRIPE_PUBLISHABLE_KEY: "pk_test_serverless_store",
        STRIPE_SECRET_KEY: "sk_test_serverless_store",
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: stripe.url,
      },
    });
    return t;
  };

  afterEach(async () => {
    await t?.close();
    await tables.drop();
    errors.length = 0;
  });

  const stockOf = async (id: string) =>
    (await t.app.store.listAllProducts()).find((product) => product.id === id)?.stock;

  /** A signed-in customer's order of 2 wool throws, placed and (unless told) processed. */
  async function placeOrder(options: { process?: boolean } = {}) {
    const ada = await t.signup();
    await t.saveCart(ada.token, [["wool-throw", 2]]);
    const res = await t.checkout(ada.token);
    expect(res.statusCode).toBe(202);
    const order = res.json as { id: string; totalCents: number };
    const ref = { userId: ada.userId, orderId: order.id };
    if (options.process !== false) {
      // Started and waiting for the customer: the order stays PROCESSING.
      expect(await t.app.services.processing.processOrder(ref)).toBe("PROCESSING");
    }
    return { ada, order, ref };
  }

  const paymentSession = (token: string, orderId: string) =>
    t.invoke({
      method: "POST",
      resource: "/orders/{id}/payment",
      pathParameters: { id: orderId },
      token,
    });

  const deliver = (event: object, options: { secret?: string; timestamp?: number } = {}) => {
    const { body, signature } = signedDelivery(event, options.secret ?? WEBHOOK_SECRET, options);
    return t.invoke({
      method: "POST",
      resource: "/webhooks/stripe",
      body,
      headers: { "Stripe-Signature": signature },
    });
  };

  const intentOf = async (orderId: string) => {
    const session = await t.app.store.findPaymentSession(orderId);
    if (session === undefined) throw new Error(`no payment started for ${orderId}`);
    return session.reference;
  };

  /** An operator's `POST /admin/orders/{id}/cancel`, signed in once. */
  const operatorCancel = async () => {
    const operator = await t.mintAdmin();
    return (orderId: string) =>
      t.invoke({
        method: "POST",
        resource: "/admin/orders/{id}/cancel",
        pathParameters: { id: orderId },
        token: operator,
      });
  };

  const statusOf = async (ref: { userId: string; orderId: string }) =>
    (await t.app.store.getOrder(ref.userId, ref.orderId))?.status;

  it("starts one PaymentIntent per order, hands the page its client secret, and pays the order from the signed webhook once", async () => {
    await start();
    const { ada, order, ref } = await placeOrder();
    const intentId = await intentOf(order.id);
    const created = stripe.calls("POST /v1/payment_intents");

    const sessions = await Promise.all([
      paymentSession(ada.token, order.id),
      paymentSession(ada.token, order.id),
    ]);
    for (const session of sessions) {
      expect(session.statusCode).toBe(200);
      expect(session.json).toMatchObject({
        provider: "stripe",
        publishableKey: "pk_test_serverless_store",
        amountCents: order.totalCents,
        currency: "USD",
      });
      expect(session.json.clientSecret).toMatch(new RegExp(`^${intentId}_secret_`));
    }
    expect(stripe.calls("POST /v1/payment_intents")).toBe(created);
    expect(stripe.intents().filter((intent) => intent.metadata.orderId === order.id)).toHaveLength(
      1,
    );

    const event = stripe.succeed(intentId);
    const paid = await deliver(event);
    expect(paid.statusCode).toBe(200);
    expect(paid.json).toMatchObject({ received: true, outcome: "settled", status: "COMPLETED" });
    expect(await statusOf(ref)).toBe("COMPLETED");
    expect((await deliver(event)).json).toMatchObject({ outcome: "duplicate" });
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "COMPLETED"]);
    expectProblem(await paymentSession(ada.token, order.id), 409, "ORDER_NOT_PAYABLE");
  });

  it("makes exactly one state change from the same event delivered 20 times at once", async () => {
    await start();
    const { order, ref } = await placeOrder();
    const event = stripe.succeed(await intentOf(order.id));
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    expect(await statusOf(ref)).toBe("COMPLETED");
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "COMPLETED"]);
    expect(await t.app.store.findPaymentEvent(event.id)).toMatchObject({ orderId: order.id });
  });

  it("handles a webhook that arrives before the processing's own write, and asks again for an order not there yet", async () => {
    await start();
    const { ada, order, ref } = await placeOrder({ process: false });
    // The page started the payment before the processing ran: the order is still PLACED.
    expect((await paymentSession(ada.token, order.id)).statusCode).toBe(200);
    expect(await statusOf(ref)).toBe("PLACED");
    const paid = await deliver(stripe.succeed(await intentOf(order.id)));
    expect(paid.json).toMatchObject({ outcome: "settled", status: "COMPLETED" });
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "COMPLETED"]);
    // The processing's run comes after, and finds nothing left to do.
    expect(await t.app.services.processing.processOrder(ref)).toBe("COMPLETED");
    expect(stripe.calls("POST /v1/payment_intents")).toBeGreaterThan(0);

    // An event naming an order the store does not hold (yet): 503, and not recorded as handled.
    const ghost = stripe.succeed(
      stripe.createIntent({ amount: 500, metadata: { orderId: "not-yet", userId: ada.userId } }),
    );
    const early = await deliver(ghost);
    expect(early.statusCode).toBe(503);
    expect(early.headers["retry-after"]).toBeDefined();
    expect(await t.app.store.findPaymentEvent(ghost.id)).toBeUndefined();
    // Still not there ten minutes after Stripe made the event: another shop's, left alone.
    const stale = { ...ghost, created: ghost.created - 11 * 60 };
    expect((await deliver(stale)).json).toMatchObject({ outcome: "unknown-order" });
  });

  it("refuses what is not verified: a wrong secret, a changed body, an expired signature, none at all", async () => {
    await start();
    const { order, ref } = await placeOrder();
    const event = stripe.succeed(await intentOf(order.id));
    const refusals: TestResponse[] = [
      await deliver(event, { secret: "whsec_someone_else" }),
      await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
    ];
    const { body, signature } = signedDelivery(event, WEBHOOK_SECRET);
    refusals.push(
      await t.invoke({
        method: "POST",
        resource: "/webhooks/stripe",
        body: body.replace(`"${order.id}"`, '"another-order"'),
        headers: { "Stripe-Signature": signature },
      }),
      await t.invoke({ method: "POST", resource: "/webhooks/stripe", body }),
    );
    for (const refusal of refusals) {
      const problem = expectProblem(refusal, 400, "WEBHOOK_UNVERIFIED");
      expect(problem.detail).not.toContain(WEBHOOK_SECRET);
    }
    expect(await statusOf(ref)).toBe("PROCESSING");
    expect(await t.app.store.findPaymentEvent(event.id)).toBeUndefined();
  });

  it("leaves an order whose payment's amount does not match it, and records no payment", async () => {
    await start();
    const { order, ref } = await placeOrder();
    const short = stripe.succeed(await intentOf(order.id), { amount: order.totalCents - 1 });
    expect((await deliver(short)).json).toMatchObject({ outcome: "amount-mismatch" });
    expect(await statusOf(ref)).toBe("PROCESSING");
    expect(await t.app.store.findPayment(order.id)).toBeUndefined();
  });

  it("fails the order on payment_intent.payment_failed with Stripe's reason, its stock back, the intent called off", async () => {
    await start();
    const before = await stockOf("wool-throw");
    const { order, ref } = await placeOrder();
    const intentId = await intentOf(order.id);
    const failed = await deliver(stripe.fail(intentId, "Your card was declined."));
    expect(failed.json).toMatchObject({ outcome: "settled", status: "FAILED" });
    const now = await t.app.store.getOrder(ref.userId, ref.orderId);
    expect(now?.status).toBe("FAILED");
    expect(now?.failureReason).toContain("Your card was declined.");
    expect(await stockOf("wool-throw")).toBe(before);
    expect(stripe.intents().find((intent) => intent.id === intentId)?.status).toBe("canceled");
  });

  it("pays an order whose webhook was lost when the sweeper looks at its payment", async () => {
    await start();
    const { order, ref } = await placeOrder();
    const waiting = await t.app.services.recovery.sweep({
      stuckAfterMs: 0,
      maxOrders: 10,
      concurrency: 2,
    });
    expect(waiting.statuses).toEqual({ PROCESSING: 1 });
    stripe.succeed(await intentOf(order.id)); // the event is never delivered
    const swept = await t.app.services.recovery.sweep({
      stuckAfterMs: 0,
      maxOrders: 10,
      concurrency: 2,
    });
    expect(swept.statuses).toEqual({ COMPLETED: 1 });
    expect(await statusOf(ref)).toBe("COMPLETED");
  });

  it("calls off a payment not completed within PAYMENT_WINDOW_MINUTES, failing the order with its stock back", async () => {
    const clock = manualClock(new Date().toISOString());
    await start({ clock, window: "30" });
    const sweep = () =>
      t.app.services.recovery.sweep({ stuckAfterMs: 0, maxOrders: 10, concurrency: 2 });
    const before = await stockOf("wool-throw");
    const abandoned = await placeOrder();
    const paidLate = await placeOrder();
    // Paid within the window, its webhook lost: settled as paid, never called off.
    stripe.succeed(await intentOf(paidLate.order.id));
    clock.advanceSeconds(1);
    expect((await sweep()).statuses).toEqual({ PROCESSING: 1, COMPLETED: 1 });

    clock.advanceSeconds(31 * 60);
    expect((await sweep()).statuses).toEqual({ FAILED: 1 });
    const failed = await t.app.store.getOrder(abandoned.ref.userId, abandoned.ref.orderId);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.failureReason).toMatch(/not completed within 30 minutes/);
    const intentId = await intentOf(abandoned.order.id);
    expect(stripe.intents().find((intent) => intent.id === intentId)?.status).toBe("canceled");
    expect(await statusOf(paidLate.ref)).toBe("COMPLETED");
    expect(await stockOf("wool-throw")).toBe((before ?? 0) - 2);
    expect(notifier.statusesOf(abandoned.order.id)).toEqual(["PROCESSING", "FAILED"]);
  });

  it("refunds a cancelled paid order exactly once, and calls off an unpaid one's intent", async () => {
    await start();
    const cancel = await operatorCancel();
    const { order } = await placeOrder();
    await deliver(stripe.succeed(await intentOf(order.id)));
    const refundsBefore = stripe.refunds().length;
    // A cancel that finds the order cancelled while its refund is still owed asks for the refund
    // too: the same refund, by the order's idempotency key and the ledger's one write.
    const answers = await Promise.all([cancel(order.id), cancel(order.id), cancel(order.id)]);
    for (const answer of answers) {
      if (answer.statusCode === 409) continue;
      expect(answer.json).toMatchObject({
        order: { status: "CANCELLED" },
        refund: { refunded: true, amountCents: order.totalCents },
      });
    }
    expect(answers.filter((answer) => answer.statusCode === 200).length).toBeGreaterThan(0);
    expectProblem(await cancel(order.id), 409, "ORDER_NOT_CANCELLABLE");
    expect(stripe.refunds().length - refundsBefore).toBe(1);
    expect((await t.app.store.findPayment(order.id))?.refundedAt).toBeDefined();

    const unpaid = await placeOrder();
    const intentId = await intentOf(unpaid.order.id);
    expect((await cancel(unpaid.order.id)).json).toMatchObject({ refund: { refunded: false } });
    expect(stripe.intents().find((intent) => intent.id === intentId)?.status).toBe("canceled");
    expect(stripe.refunds().length - refundsBefore).toBe(1);

    // A customer's cancel of a PLACED order whose page already started the payment calls it off.
    const placed = await placeOrder({ process: false });
    expect((await paymentSession(placed.ada.token, placed.order.id)).statusCode).toBe(200);
    const own = await t.invoke({
      method: "POST",
      resource: "/orders/{id}/cancel",
      pathParameters: { id: placed.order.id },
      token: placed.ada.token,
    });
    expect(own.json.status).toBe("CANCELLED");
    const placedIntent = await intentOf(placed.order.id);
    expect(stripe.intents().find((intent) => intent.id === placedIntent)?.status).toBe("canceled");
  });

  it("cancels a paid order even when Stripe cannot refund it now, and refunds it when the cancel is asked again", async () => {
    await start();
    const cancel = await operatorCancel();
    const { order, ref } = await placeOrder();
    await deliver(stripe.succeed(await intentOf(order.id)));
    const refundsBefore = stripe.refunds().length;
    stripe.failNext(500, { error: { type: "api_error", message: "down" } });
    const first = await cancel(order.id);
    expect(first.statusCode).toBe(200);
    expect(first.json).toMatchObject({
      order: { status: "CANCELLED" },
      refund: { refunded: false, reason: expect.stringMatching(/cancel it again/) },
    });
    expect(await statusOf(ref)).toBe("CANCELLED");
    expect(stripe.refunds().length).toBe(refundsBefore);

    const again = await cancel(order.id);
    expect(again.json).toMatchObject({ refund: { refunded: true, amountCents: order.totalCents } });
    expect(stripe.refunds().length).toBe(refundsBefore + 1);
    expectProblem(await cancel(order.id), 409, "ORDER_NOT_CANCELLABLE");
  });

  it("answers 503 PAYMENT_UNAVAILABLE, never Stripe's own words, when Stripe fails", async () => {
    await start();
    const { ada, order } = await placeOrder({ process: false });
    stripe.failNext(500, { error: { type: "api_error", message: "Stripe internal secret text" } });
    const res = await paymentSession(ada.token, order.id);
    const problem = expectProblem(res, 503, "PAYMENT_UNAVAILABLE");
    expect(JSON.stringify(problem)).not.toMatch(/stripe internal|api_error/i);
    expect(res.headers["retry-after"]).toBeDefined();
  });
});
