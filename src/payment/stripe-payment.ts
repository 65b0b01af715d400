import Stripe from "stripe";
import { AppError, paymentUnavailable } from "../domain/index.js";
import type {
  Logger,
  PaymentLedger,
  PaymentProvider,
  PaymentRecord,
  PaymentRequest,
  PaymentResult,
  RefundResult,
} from "../services/index.js";
import { paymentEventOf, unverifiedWebhook } from "./stripe-events.js";

// The only module that loads the `stripe` package: compose imports it by path, on demand, so a
// function that never talks to Stripe never loads it (see payment/index.ts).

export interface StripePaymentOptions {
  /** The account's secret key (`sk_...`): server side only, never logged. */
  secretKey: string;
  /** The webhook endpoint's signing secret (`whsec_...`). */
  webhookSecret: string;
  /** The publishable key (`pk_...`) the page loads Stripe.js with. */
  publishableKey: string;
  /** Base URL of Stripe's API (only scheme, host and port are used); tests point it at a stand-in. */
  apiUrl?: string | undefined;
  /** How long one request to Stripe may take; default 10,000. */
  timeoutMs?: number | undefined;
  /** Retries of a request that failed on the network, a 409 or a 5xx; default 2. */
  maxNetworkRetries?: number | undefined;
}

export interface StripePaymentDeps {
  /** Where each order's PaymentIntent and payment are recorded: the store. */
  ledger: PaymentLedger;
  clock?: { now(): Date };
  log?: Logger;
}

const STRIPE_API_URL = "https://api.stripe.com";
/** Stripe's own default: a signed delivery older than this is refused as a possible replay. */
const WEBHOOK_TOLERANCE_SECONDS = 300;
const NOTHING_CHARGED: RefundResult = {
  refunded: false,
  reason: "nothing was charged for this order",
};
const DECLINED_REASON = "the payment was declined";

// Stripe keeps an idempotency key's answer for 24 hours: a retry within them reuses the first
// request's PaymentIntent or refund; after them, the ledger's records do.
const intentKey = (orderId: string) => `order-${orderId}-intent`;
const refundKey = (orderId: string) => `order-${orderId}-refund`;

const resultOf = (record: PaymentRecord): PaymentResult =>
  record.approved
    ? { approved: true }
    : { approved: false, reason: record.reason ?? DECLINED_REASON };

const protocolOf = (api: URL): "http" | "https" => {
  if (api.protocol === "https:") return "https";
  if (api.protocol === "http:") return "http";
  throw new Error(`the Stripe API URL must be http(s), not ${api.protocol}`);
};

/** The client, aimed at `apiUrl`: the library takes host, port and protocol apart. */
function stripeClient(options: StripePaymentOptions): Stripe {
  const api = new URL(options.apiUrl ?? STRIPE_API_URL);
  const protocol = protocolOf(api);
  return new Stripe(options.secretKey, {
    host: api.hostname,
    port: api.port === "" ? (protocol === "https" ? 443 : 80) : api.port,
    protocol,
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
  });
}

/** Stripe's refusal with `code` (an answer of its API, not a network failure). */
const refusedWith = (error: unknown, code: string): boolean =>
  error instanceof Stripe.errors.StripeError && error.code === code;

/** What the log keeps of a failed call: Stripe's words and ids, never the request's keys. */
const describeFailure = (error: unknown): Record<string, unknown> =>
  error instanceof Stripe.errors.StripeError
    ? {
        errorType: error.type,
        code: error.code,
        statusCode: error.statusCode,
        requestId: error.requestId,
        error: error.message,
      }
    : { error: error instanceof Error ? error.message : String(error) };

/**
 * Payments taken by Stripe: the page confirms the order's PaymentIntent with Stripe's Payment
 * Element, and Stripe tells the shop by a signed webhook. The order's PaymentIntent is started
 * once (an idempotency key per order, then a put-once record in the ledger), so a retry, a second
 * page or another process reuses it. `charge` reads the PaymentIntent for the sweeper's
 * reconciliation, `refund` gives a taken payment back once (or calls off one not taken), and
 * `webhook` verifies Stripe's deliveries. Whatever fails at Stripe reaches callers as
 * PAYMENT_UNAVAILABLE; Stripe's own words go to the log only.
 */
export function createStripePaymentProvider(
  options: StripePaymentOptions,
  deps: StripePaymentDeps,
): PaymentProvider {
  const { ledger, log } = deps;
  const stripe = stripeClient(options);
  const clockNow = () => deps.clock?.now() ?? new Date();
  const now = () => clockNow().toISOString();

  /** Logs a failed call to Stripe and answers the error callers see. */
  const unavailable = (operation: string, orderId: string, error: unknown): AppError => {
    log?.({
      level: "error",
      message: "stripe request failed",
      operation,
      orderId,
      ...describeFailure(error),
    });
    return paymentUnavailable(error);
  };

  const callStripe = async <T>(
    operation: string,
    orderId: string,
    call: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw unavailable(operation, orderId, error);
    }
  };

  const retrieve = (reference: string, orderId: string) =>
    callStripe("retrieve payment intent", orderId, () => stripe.paymentIntents.retrieve(reference));

  /** The order's PaymentIntent: the one the ledger names, or one created (once) and recorded. */
  const intentOf = async (request: PaymentRequest): Promise<Stripe.PaymentIntent> => {
    const started = await ledger.findPaymentSession(request.orderId);
    if (started !== undefined) return retrieve(started.reference, request.orderId);
    const created = await callStripe("create payment intent", request.orderId, () =>
      stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: request.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          metadata: { orderId: request.orderId, userId: request.userId },
        },
        { idempotencyKey: intentKey(request.orderId) },
      ),
    );
    const standing = await ledger.recordPaymentSession({
      orderId: request.orderId,
      provider: "stripe",
      reference: created.id,
      createdAt: now(),
    });
    if (standing.reference === created.id) {
      log?.({ level: "info", message: "payment started", orderId: request.orderId });
      return created;
    }
    // Another process recorded its PaymentIntent first (after our key had expired): use that one.
    return retrieve(standing.reference, request.orderId);
  };

  const record = async (
    request: PaymentRequest,
    outcome: { approved: true; amountCents: number } | { approved: false; reason: string },
  ): Promise<PaymentRecord> => {
    const { recorded, payment } = await ledger.recordPayment({
      orderId: request.orderId,
      userId: request.userId,
      chargedAt: now(),
      ...(outcome.approved
        ? { approved: true, amountCents: outcome.amountCents }
        : { approved: false, amountCents: request.amountCents, reason: outcome.reason }),
    });
    if (recorded) {
      log?.({
        level: "info",
        message: payment.approved ? "payment taken" : "payment declined",
        orderId: request.orderId,
        amountCents: payment.amountCents,
      });
    }
    return payment;
  };

  /** Stripe took exactly what the order asks: anything else is for an operator to look at. */
  const tookWhatWasAsked = (request: PaymentRequest, intent: Stripe.PaymentIntent): boolean => {
    const matches =
      intent.amount === request.amountCents &&
      intent.amount_received === request.amountCents &&
      intent.currency.toUpperCase() === request.currency.toUpperCase();
    if (!matches) {
      log?.({
        level: "error",
        message: "stripe took another amount than the order's: left unrecorded for an operator",
        orderId: request.orderId,
        paymentIntent: intent.id,
        expected: { amountCents: request.amountCents, currency: request.currency.toUpperCase() },
        received: { amountCents: intent.amount_received, currency: intent.currency.toUpperCase() },
      });
    }
    return matches;
  };

  /** Cancels a PaymentIntent, or answers it as it stands when it is past cancelling. */
  const cancel = async (reference: string, orderId: string): Promise<Stripe.PaymentIntent> => {
    try {
      return await stripe.paymentIntents.cancel(reference);
    } catch (error) {
      // Canceled before, succeeded or processing: its status says which.
      if (!refusedWith(error, "payment_intent_unexpected_state"))
        throw unavailable("cancel payment intent", orderId, error);
      return retrieve(reference, orderId);
    }
  };

  /**
   * A declined attempt leaves the PaymentIntent payable with another card: it is called off
   * before the decline is recorded, so that no payment can land on an order failed for it. Paid
   * meanwhile, it is settled as paid instead.
   */
  const decline = async (
    request: PaymentRequest,
    intent: Stripe.PaymentIntent,
    reason: string,
  ): Promise<PaymentResult> => {
    const calledOff = await cancel(intent.id, request.orderId);
    if (calledOff.status === "canceled")
      return resultOf(await record(request, { approved: false, reason }));
    if (calledOff.status === "succeeded") return settle(request, calledOff);
    return { approved: false, pending: true };
  };

  /** What a PaymentIntent's status says of the order's payment; a settled one is recorded. */
  const settle = async (
    request: PaymentRequest,
    intent: Stripe.PaymentIntent,
  ): Promise<PaymentResult> => {
    switch (intent.status) {
      case "succeeded":
        if (!tookWhatWasAsked(request, intent)) return { approved: false, pending: true };
        return resultOf(
          await record(request, { approved: true, amountCents: intent.amount_received }),
        );
      case "canceled":
        return resultOf(
          await record(request, {
            approved: false,
            reason: `the payment was canceled (${intent.cancellation_reason ?? "no reason given"})`,
          }),
        );
      case "requires_payment_method":
        // Without an error, the customer has not tried to pay yet.
        if (intent.last_payment_error === null) return { approved: false, pending: true };
        return decline(request, intent, intent.last_payment_error.message ?? DECLINED_REASON);
      default:
        // requires_confirmation, requires_action, processing: the customer or the bank is on it.
        return { approved: false, pending: true };
    }
  };

  /** Refunds the order's taken payment at Stripe, once, and marks it refunded in the ledger. */
  const giveBack = async (
    request: PaymentRequest,
    payment: PaymentRecord,
  ): Promise<RefundResult> => {
    const started = await ledger.findPaymentSession(request.orderId);
    if (started === undefined) {
      log?.({
        level: "error",
        message: "a taken payment without its PaymentIntent in the ledger: refund it at Stripe",
        orderId: request.orderId,
      });
      throw new AppError(
        "INTERNAL",
        `order ${request.orderId}'s payment names no PaymentIntent: refund it from Stripe's dashboard`,
      );
    }
    try {
      await stripe.refunds.create(
        { payment_intent: started.reference },
        { idempotencyKey: refundKey(request.orderId) },
      );
    } catch (error) {
      // Refunded before, by a call whose ledger write was lost after its key expired.
      if (!refusedWith(error, "charge_already_refunded"))
        throw unavailable("refund", request.orderId, error);
    }
    if (await ledger.recordRefund(request.orderId, now())) {
      log?.({ level: "info", message: "payment refunded", orderId: request.orderId });
    }
    return { refunded: true, amountCents: payment.amountCents };
  };

  /** What an order's recorded payment gives back: a taken one once, a declined one nothing. */
  const refundOf = async (
    request: PaymentRequest,
    payment: PaymentRecord,
  ): Promise<RefundResult> => {
    if (!payment.approved) return { refunded: false, reason: DECLINED_REASON };
    if (payment.refundedAt !== undefined)
      return { refunded: true, amountCents: payment.amountCents };
    return giveBack(request, payment);
  };

  /** An order with no payment recorded: its PaymentIntent (if any) can no longer be paid. */
  const callOff = async (request: PaymentRequest): Promise<RefundResult> => {
    const started = await ledger.findPaymentSession(request.orderId);
    if (started === undefined) return NOTHING_CHARGED;
    const intent = await cancel(started.reference, request.orderId);
    if (intent.status === "canceled") return NOTHING_CHARGED;
    if (intent.status === "succeeded") {
      // Paid after all, before the webhook told us: recorded as taken, then given back.
      const payment = await record(request, {
        approved: true,
        amountCents: intent.amount_received,
      });
      return refundOf(request, payment);
    }
    log?.({
      level: "warn",
      message: "the payment is processing at stripe and cannot be called off yet",
      orderId: request.orderId,
      status: intent.status,
    });
    return {
      refunded: false,
      reason: "the payment is still being processed by Stripe and cannot be called off yet",
    };
  };

  return {
    name: "stripe",
    async session(request) {
      const intent = await intentOf(request);
      if (intent.client_secret === null) {
        throw unavailable("session", request.orderId, new Error("no client secret in the answer"));
      }
      return {
        provider: "stripe",
        publishableKey: options.publishableKey,
        clientSecret: intent.client_secret,
        amountCents: intent.amount,
        currency: intent.currency.toUpperCase(),
      };
    },
    async charge(request) {
      const known = await ledger.findPayment(request.orderId);
      if (known !== undefined) return resultOf(known);
      return settle(request, await intentOf(request));
    },
    async refund(request) {
      const payment = await ledger.findPayment(request.orderId);
      return payment === undefined ? callOff(request) : refundOf(request, payment);
    },
    async abandon(request, reason) {
      const known = await ledger.findPayment(request.orderId);
      if (known !== undefined) return resultOf(known);
      const intent = await intentOf(request);
      // Paid, called off, or with the bank (a processing intent cannot be cancelled): as it is.
      if (intent.status === "succeeded" || intent.status === "canceled") {
        return settle(request, intent);
      }
      if (intent.status === "processing") return { approved: false, pending: true };
      return decline(request, intent, reason);
    },
    webhook: {
      async verify(rawBody, signature) {
        if (signature === undefined || signature === "")
          throw unverifiedWebhook("the Stripe-Signature header is missing");
        let event: Stripe.Event;
        try {
          event = stripe.webhooks.constructEvent(
            rawBody,
            signature,
            options.webhookSecret,
            WEBHOOK_TOLERANCE_SECONDS,
            undefined,
            clockNow().getTime(),
          );
        } catch (error) {
          throw unverifiedWebhook(whyUnverified(error));
        }
        return paymentEventOf(event);
      },
    },
  };
}

/** Why a delivery did not verify, in our words: Stripe's may describe the secret. */
function whyUnverified(error: unknown): string {
  if (!(error instanceof Stripe.errors.StripeSignatureVerificationError))
    return "the body is not a Stripe event";
  if (error.message === "Timestamp outside the tolerance zone")
    return `the signature is more than ${WEBHOOK_TOLERANCE_SECONDS} s old: a replayed or delayed delivery`;
  return "the signature does not match this body with the endpoint's signing secret";
}
