import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import {
  createStripePaymentProvider,
  type StripePaymentOptions,
} from "../../../src/payment/stripe-payment.js";
import type { Logger, PaymentLedger, PaymentRequest } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import {
  type StripeStandIn,
  signedBody,
  signedDelivery,
  startStripeStandIn,
} from "../../helpers/stripe-stand-in.js";

const SECRET_KEY = "sk_test_stand_in";
const WEBHOOK_SECRET = "whsec_test_stand_in";
const PUBLISHABLE_KEY = "pk_test_stand_in";

/**
 * The memory store's ledger, with `changes` in place of some of its methods: what a process
 * sees when its read came before another's write, or when its own write is lost.
 */
const ledgerOf = (store: MemoryStore, changes: Partial<PaymentLedger> = {}): PaymentLedger => ({
  findPaymentSession: (orderId) => store.findPaymentSession(orderId),
  recordPaymentSession: (record) => store.recordPaymentSession(record),
  findPaymentEvent: (eventId) => store.findPaymentEvent(eventId),
  recordPaymentEvent: (record) => store.recordPaymentEvent(record),
  findPayment: (orderId) => store.findPayment(orderId),
  recordPayment: (record) => store.recordPayment(record),
  recordRefund: (orderId, refundedAt) => store.recordRefund(orderId, refundedAt),
  ...changes,
});

const order: PaymentRequest = {
  orderId: "order-1",
  userId: "user-a",
  amountCents: 2999,
  currency: "USD",
};

const standIns: StripeStandIn[] = [];
afterEach(async () => {
  for (const standIn of standIns.splice(0)) await standIn.close();
});

type LogLine = Parameters<Logger>[0];

/**
 * A stand-in, a store and a provider over both that logs into `lines`; `provider()` is another
 * process's, over the same store (its ledger with `changes`).
 */
async function setup(options: Partial<StripePaymentOptions> = {}) {
  const stripe = await startStripeStandIn({ secretKey: SECRET_KEY });
  standIns.push(stripe);
  const ledger = new MemoryStore();
  const lines: LogLine[] = [];
  const provider = (changes: Partial<PaymentLedger> = {}) =>
    createStripePaymentProvider(
      {
        secretKey: SECRET_KEY,
        webhookSecret: WEBHOOK_SECRET,
        publishableKey: PUBLISHABLE_KEY,
        apiUrl: stripe.url,
        ...options,
      },
      { ledger: ledgerOf(ledger, changes), log: (line) => lines.push(line) },
    );
  return { stripe, ledger, lines, payment: provider(), provider };
}

/** The only intent the stand-in holds. */
function onlyIntent(stripe: StripeStandIn) {
  const intents = stripe.intents();
  expect(intents).toHaveLength(1);
  const [intent] = intents;
  if (intent === undefined) throw new Error("no intent");
  return intent;
}

/** What `promise` rejected with, as an AppError. */
async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("the Stripe payment's session", () => {
  it("starts one PaymentIntent per order, however often the page asks", async () => {
    const { stripe, ledger, payment } = await setup();
    const first = await payment.session(order);
    const second = await payment.session(order);

    const intent = onlyIntent(stripe);
    expect(first).toEqual({
      provider: "stripe",
      publishableKey: PUBLISHABLE_KEY,
      clientSecret: intent.client_secret,
      amountCents: 2999,
      currency: "USD",
    });
    expect(second).toEqual(first);
    expect(intent).toMatchObject({
      amount: 2999,
      currency: "usd",
      automatic_payment_methods: { enabled: true },
      metadata: { orderId: "order-1", userId: "user-a" },
    });
    expect(stripe.calls("POST /v1/payment_intents")).toBe(1);
    expect(stripe.calls("GET /v1/payment_intents/:id")).toBe(1);
    expect(stripe.requests()[0]?.idempotencyKey).toBe("order-order-1-intent");
    expect(await ledger.findPaymentSession("order-1")).toMatchObject({
      provider: "stripe",
      reference: intent.id,
    });
  });

  it("starts one PaymentIntent for two processes asking at once", async () => {
    const { stripe, payment, provider } = await setup();
    const [first, second] = await Promise.all([payment.session(order), provider().session(order)]);
    expect(second).toEqual(first);
    expect(stripe.intents()).toHaveLength(1);
  });

  it("answers the PaymentIntent another process recorded first, once the keys have expired", async () => {
    const { stripe, ledger, payment, provider } = await setup();
    const first = await payment.session(order);
    stripe.expireIdempotencyKeys();
    // A process that looked a day later, but before the first one's record was readable.
    const late = provider({ findPaymentSession: async () => undefined });
    expect(await late.session(order)).toEqual(first);
    expect(stripe.intents()).toHaveLength(2);
    expect((await ledger.findPaymentSession("order-1"))?.reference).toBe(stripe.intents()[0]?.id);
  });
});

describe("the Stripe payment's charge (the sweeper's reconciliation)", () => {
  it("answers pending while the customer has not paid, and records nothing", async () => {
    const { ledger, payment } = await setup();
    expect(await payment.charge(order)).toEqual({ approved: false, pending: true });
    expect(await ledger.findPayment("order-1")).toBeUndefined();
  });

  it.each(["requires_confirmation", "requires_action", "processing"] as const)(
    "answers pending for an intent that %s",
    async (status) => {
      const { stripe, ledger, payment } = await setup();
      await payment.session(order);
      stripe.setStatus(onlyIntent(stripe).id, status);
      expect(await payment.charge(order)).toEqual({ approved: false, pending: true });
      expect(await ledger.findPayment("order-1")).toBeUndefined();
    },
  );

  it("records a succeeded intent approved, then answers from the ledger without asking Stripe", async () => {
    const { stripe, ledger, payment, lines } = await setup();
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id);

    expect(await payment.charge(order)).toEqual({ approved: true });
    expect(await ledger.findPayment("order-1")).toMatchObject({
      approved: true,
      amountCents: 2999,
      userId: "user-a",
    });
    const asked = stripe.calls("GET /v1/payment_intents/:id");
    expect(await payment.charge(order)).toEqual({ approved: true });
    expect(stripe.calls("GET /v1/payment_intents/:id")).toBe(asked);
    expect(lines.filter((line) => line.message === "payment taken")).toHaveLength(1);
  });

  it("records a declined card with the card's message", async () => {
    const { stripe, ledger, payment } = await setup();
    await payment.session(order);
    stripe.fail(onlyIntent(stripe).id, "Your card has insufficient funds.");
    const declined = { approved: false, reason: "Your card has insufficient funds." };
    expect(await payment.charge(order)).toEqual(declined);
    expect(await ledger.findPayment("order-1")).toMatchObject(declined);
  });

  it("calls a declined intent off before recording the decline, so no later card can pay it", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    stripe.fail(onlyIntent(stripe).id, "Your card was declined.");
    expect(await payment.charge(order)).toEqual({
      approved: false,
      reason: "Your card was declined.",
    });
    expect(onlyIntent(stripe).status).toBe("canceled");
  });

  it("settles a declined intent paid with another card meanwhile as paid", async () => {
    const { stripe, ledger, payment } = await setup();
    await payment.session(order);
    const intentId = onlyIntent(stripe).id;
    stripe.fail(intentId, "Your card was declined.");
    stripe.beforeNext("POST /v1/payment_intents/:id/cancel", () => stripe.succeed(intentId));
    expect(await payment.charge(order)).toEqual({ approved: true });
    expect(await ledger.findPayment("order-1")).toMatchObject({ approved: true });
  });

  it("records a canceled intent declined with its cancellation reason", async () => {
    const { stripe, ledger, payment } = await setup();
    await payment.session(order);
    stripe.setStatus(onlyIntent(stripe).id, "canceled");
    const declined = { approved: false, reason: "the payment was canceled (abandoned)" };
    expect(await payment.charge(order)).toEqual(declined);
    expect(await ledger.findPayment("order-1")).toMatchObject(declined);
  });

  it("leaves a payment of another amount unrecorded, pending, and logs it for an operator", async () => {
    const { stripe, ledger, payment, lines } = await setup();
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id, { amount: 100 });
    expect(await payment.charge(order)).toEqual({ approved: false, pending: true });
    expect(await ledger.findPayment("order-1")).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        orderId: "order-1",
        received: { amountCents: 100, currency: "USD" },
      }),
    );
  });
});

describe("the Stripe payment's refund", () => {
  it("refunds a taken payment once, however often it is asked", async () => {
    const { stripe, ledger, payment } = await setup();
    await payment.session(order);
    const intent = onlyIntent(stripe);
    stripe.succeed(intent.id);
    await payment.charge(order);

    const answers = [
      await payment.refund(order),
      await payment.refund(order),
      await payment.refund(order),
    ];
    expect(answers).toEqual(Array(3).fill({ refunded: true, amountCents: 2999 }));
    expect(stripe.calls("POST /v1/refunds")).toBe(1);
    expect(stripe.refunds()).toEqual([
      expect.objectContaining({ payment_intent: intent.id, amount: 2999 }),
    ]);
    const refundRequest = stripe
      .requests()
      .find((request) => request.endpoint === "POST /v1/refunds");
    expect(refundRequest?.idempotencyKey).toBe("order-order-1-refund");
    expect(await ledger.findPayment("order-1")).toMatchObject({ refundedAt: expect.any(String) });
  });

  it("refunds once when asked by several processes at once", async () => {
    const { stripe, payment, provider } = await setup();
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id);
    await payment.charge(order);
    const answers = await Promise.all([
      payment.refund(order),
      provider().refund(order),
      provider().refund(order),
    ]);
    expect(answers).toEqual(Array(3).fill({ refunded: true, amountCents: 2999 }));
    expect(stripe.refunds()).toHaveLength(1);
  });

  it("marks a payment refunded that Stripe refunded before, when the ledger missed it", async () => {
    const { stripe, ledger, payment, provider } = await setup();
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id);
    await payment.charge(order);
    // A process refunds at Stripe, then its ledger write fails; the refund's key expires since.
    const failing = provider({
      recordRefund: async () => {
        throw new Error("the store went away");
      },
    });
    await expect(failing.refund(order)).rejects.toThrow("the store went away");
    stripe.expireIdempotencyKeys();

    expect(await payment.refund(order)).toEqual({ refunded: true, amountCents: 2999 });
    expect(stripe.calls("POST /v1/refunds")).toBe(2);
    expect(stripe.refunds()).toHaveLength(1);
    expect(await ledger.findPayment("order-1")).toMatchObject({ refundedAt: expect.any(String) });
  });

  it("gives nothing back for a declined payment, and asks Stripe nothing", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    stripe.fail(onlyIntent(stripe).id, "Your card was declined.");
    await payment.charge(order);
    expect(await payment.refund(order)).toEqual({
      refunded: false,
      reason: "the payment was declined",
    });
    expect(stripe.calls("POST /v1/refunds")).toBe(0);
  });

  it("has nothing to give back for an order never started", async () => {
    const { stripe, payment } = await setup();
    expect(await payment.refund(order)).toEqual({
      refunded: false,
      reason: "nothing was charged for this order",
    });
    expect(stripe.requests()).toEqual([]);
  });

  it("cancels a started, unpaid PaymentIntent so that it can no longer be paid", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    const nothing = { refunded: false, reason: "nothing was charged for this order" };
    expect(await payment.refund(order)).toEqual(nothing);
    expect(onlyIntent(stripe).status).toBe("canceled");
    // Asked again: Stripe refuses to cancel a canceled intent, which is what was wanted.
    expect(await payment.refund(order)).toEqual(nothing);
    expect(stripe.calls("POST /v1/payment_intents/:id/cancel")).toBe(2);
    expect(stripe.calls("POST /v1/refunds")).toBe(0);
  });

  it("refunds a PaymentIntent paid before its webhook came", async () => {
    const { stripe, ledger, payment } = await setup();
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id);
    expect(await payment.refund(order)).toEqual({ refunded: true, amountCents: 2999 });
    expect(stripe.refunds()).toHaveLength(1);
    expect(await ledger.findPayment("order-1")).toMatchObject({
      approved: true,
      refundedAt: expect.any(String),
    });
  });
});

describe("the Stripe payment when Stripe fails", () => {
  it.each([
    [500, "api_error"],
    [402, "card_error"],
    [400, "invalid_request_error"],
    [429, "invalid_request_error"],
  ])(
    "answers PAYMENT_UNAVAILABLE to a %i, Stripe's words in the log only",
    async (status, type) => {
      const { stripe, payment, lines } = await setup({ maxNetworkRetries: 0 });
      const words = `stand-in says ${status}`;
      stripe.failNext(status, { error: { type, message: words, code: "stand_in" } });
      const error = await refusalOf(payment.session(order));
      expect(error.code).toBe("PAYMENT_UNAVAILABLE");
      expect(error.message).not.toContain(words);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "error",
          statusCode: status,
          error: expect.stringContaining(words),
        }),
      );
    },
  );

  it("answers PAYMENT_UNAVAILABLE when a started PaymentIntent cannot be read", async () => {
    const { stripe, payment } = await setup({ maxNetworkRetries: 0 });
    await payment.session(order);
    stripe.failNext(503);
    expect((await refusalOf(payment.charge(order))).code).toBe("PAYMENT_UNAVAILABLE");
    expect(stripe.calls("GET /v1/payment_intents/:id")).toBe(1);
  });

  it("leaves a refund Stripe failed unmarked, and makes it when asked again", async () => {
    const { stripe, ledger, payment } = await setup({ maxNetworkRetries: 0 });
    await payment.session(order);
    stripe.succeed(onlyIntent(stripe).id);
    await payment.charge(order);
    stripe.failNext(500);
    expect((await refusalOf(payment.refund(order))).code).toBe("PAYMENT_UNAVAILABLE");
    expect(await ledger.findPayment("order-1")).not.toHaveProperty("refundedAt");
    expect(await payment.refund(order)).toEqual({ refunded: true, amountCents: 2999 });
    expect(stripe.refunds()).toHaveLength(1);
  });

  it("answers PAYMENT_UNAVAILABLE to a wrong secret key", async () => {
    const { payment } = await setup({ secretKey: "sk_test_wrong" });
    expect((await refusalOf(payment.charge(order))).code).toBe("PAYMENT_UNAVAILABLE");
  });

  it("retries a 500 under the same idempotency key: one PaymentIntent", async () => {
    const { stripe, payment } = await setup({ maxNetworkRetries: 1 });
    stripe.failNext(500, undefined, { shouldRetry: true });
    await payment.session(order);
    expect(stripe.calls("POST /v1/payment_intents")).toBe(2);
    expect(stripe.intents()).toHaveLength(1);
  });

  it("answers PAYMENT_UNAVAILABLE within its timeout when Stripe does not answer", async () => {
    const { stripe, payment } = await setup({ timeoutMs: 200, maxNetworkRetries: 0 });
    stripe.hangNext();
    const started = performance.now();
    const error = await refusalOf(payment.session(order));
    expect(error.code).toBe("PAYMENT_UNAVAILABLE");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("the Stripe webhook", () => {
  it("verifies a signed payment_intent.succeeded and answers the order's payment", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    const event = stripe.succeed(onlyIntent(stripe).id);
    const { body, signature } = signedDelivery(event, WEBHOOK_SECRET);
    expect(await payment.webhook?.verify(body, signature)).toEqual({
      id: event.id,
      receivedType: "payment_intent.succeeded",
      createdAt: new Date(event.created * 1000).toISOString(),
      kind: "succeeded",
      orderId: "order-1",
      userId: "user-a",
      amountCents: 2999,
      currency: "USD",
    });
  });

  it("answers a payment_intent.payment_failed with the card's message", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    const event = stripe.fail(onlyIntent(stripe).id, "Your card was declined.");
    const { body, signature } = signedDelivery(event, WEBHOOK_SECRET);
    expect(await payment.webhook?.verify(body, signature)).toMatchObject({
      kind: "failed",
      orderId: "order-1",
      reason: "Your card was declined.",
    });
  });

  it("ignores other event types and intents that are not an order's", async () => {
    const { stripe, payment, provider } = await setup();
    await payment.session(order);
    const created = stripe.event(onlyIntent(stripe).id, "payment_intent.created");
    const { body, signature } = signedDelivery(created, WEBHOOK_SECRET);
    expect(await payment.webhook?.verify(body, signature)).toEqual({
      id: created.id,
      receivedType: "payment_intent.created",
      createdAt: new Date(created.created * 1000).toISOString(),
      kind: "ignored",
    });

    const foreign = stripe.succeed(onlyIntent(stripe).id);
    foreign.data.object.metadata = {};
    const delivery = signedDelivery(foreign, WEBHOOK_SECRET);
    expect(await provider().webhook?.verify(delivery.body, delivery.signature)).toMatchObject({
      kind: "ignored",
    });
  });

  it("refuses a missing, wrong, stale or tampered signature without quoting the secret", async () => {
    const { stripe, payment } = await setup();
    await payment.session(order);
    const event = stripe.succeed(onlyIntent(stripe).id);
    const { body, signature } = signedDelivery(event, WEBHOOK_SECRET);
    const verify = (raw: string, header: string | undefined) =>
      refusalOf(payment.webhook?.verify(raw, header) ?? Promise.resolve("no webhook"));

    const refusals = {
      missing: await verify(body, undefined),
      wrongSecret: await verify(body, signedDelivery(event, "whsec_other").signature),
      changedBody: await verify(body.replace("2999", "1"), signature),
      stale: await verify(
        body,
        signedDelivery(event, WEBHOOK_SECRET, { timestamp: Math.floor(Date.now() / 1000) - 301 })
          .signature,
      ),
      notJson: await verify("not json", signedBody("not json", WEBHOOK_SECRET)),
    };
    for (const error of Object.values(refusals)) {
      expect(error.code).toBe("WEBHOOK_UNVERIFIED");
      expect(error.message).not.toContain(WEBHOOK_SECRET);
      expect(error.message).not.toContain(WEBHOOK_SECRET.slice(-4));
    }
    expect(refusals.missing.message).toContain("missing");
    expect(refusals.stale.message).toContain("300 s old");
    expect(refusals.wrongSecret.message).toContain("does not match");
    expect(refusals.changedBody.message).toContain("does not match");
  });
});
