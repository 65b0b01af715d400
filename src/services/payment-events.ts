import { AppError, CURRENCY, type Order, orderNotFound } from "../domain/index.js";
import type { OrderProcessor } from "./order-processing.js";
import type { Clock, Logger, PaymentEvent, PaymentProvider, Store } from "./ports.js";

/** What handling one delivery did: `duplicate` for an event handled before. */
export type PaymentEventOutcome =
  | "settled"
  | "duplicate"
  | "ignored"
  | "amount-mismatch"
  | "order-finished"
  | "unknown-order";

export interface PaymentEventReceipt {
  received: true;
  eventId: string;
  outcome: PaymentEventOutcome;
  /** The order's status afterwards, when the event was about one of ours. */
  status?: Order["status"];
}

export interface PaymentEventService {
  /**
   * Handles one delivery of the provider's webhook: verifies its signature over the raw body
   * (WEBHOOK_UNVERIFIED, 400, for anything unverified: nothing of it is read further), then, once
   * per event id, settles the order it names. A payment that succeeded for the order's amount
   * and currency pays it (COMPLETED); one for another amount changes nothing and is logged as
   * an error; a failed one fails the order (FAILED, its stock back). Every step is the order's
   * own conditional write, so deliveries of one event at once make one change. WEBHOOK_UNVERIFIED
   * too when the shop's provider sends no webhooks; STORE_UNAVAILABLE (503, so the provider
   * delivers again) while the order is not in the store yet, for UNKNOWN_ORDER_PATIENCE_MS after
   * the event was made (then `unknown-order`: another shop's, on the same account).
   */
  receive(rawBody: string, signature: string | undefined): Promise<PaymentEventReceipt>;
}

/** How long a handled event's id is kept: past Stripe's three days of redelivery. */
export const PAYMENT_EVENT_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * How long an event naming an order the store does not hold is delivered again (checkout's
 * write may still be on its way); past it the order is not this shop's (another shop, or a
 * local `stripe listen`, on the same Stripe account) and the event is answered handled.
 */
export const UNKNOWN_ORDER_PATIENCE_MS = 10 * 60_000;

export function createPaymentEventService(deps: {
  store: Store;
  payment: PaymentProvider;
  processing: OrderProcessor;
  clock: Clock;
  log: Logger;
}): PaymentEventService {
  const { store, payment, processing, clock, log } = deps;

  const settle = async (
    event: Extract<PaymentEvent, { kind: "succeeded" | "failed" }>,
  ): Promise<Pick<PaymentEventReceipt, "outcome" | "status">> => {
    // By id: a guest order attached to an account since has another owner than the metadata's.
    const order = await store.findOrder(event.orderId);
    if (order === undefined) {
      if (clock.now().getTime() - Date.parse(event.createdAt) > UNKNOWN_ORDER_PATIENCE_MS) {
        log({
          level: "warn",
          message: "a payment event names an order this store does not hold: left alone",
          orderId: event.orderId,
          eventId: event.id,
        });
        return { outcome: "unknown-order" };
      }
      // The payment was started for an order checkout has not finished writing: not handled,
      // so the provider delivers it again.
      throw new AppError(
        "STORE_UNAVAILABLE",
        `order ${event.orderId} is not in the store yet; deliver again later`,
        { retryAfterSeconds: 5, cause: orderNotFound(event.orderId) },
      );
    }
    if (event.kind === "succeeded") {
      if (event.amountCents !== order.totalCents || event.currency !== CURRENCY) {
        log({
          level: "error",
          message:
            "a payment's amount or currency does not match its order: the order is left as it is",
          orderId: order.id,
          eventId: event.id,
          paidCents: event.amountCents,
          paidCurrency: event.currency,
          orderCents: order.totalCents,
          orderCurrency: CURRENCY,
        });
        return { outcome: "amount-mismatch", status: order.status };
      }
      // The event is signed: it is the payment's record, written once, whatever else saw it.
      await store.recordPayment({
        orderId: order.id,
        userId: order.userId,
        amountCents: event.amountCents,
        approved: true,
        chargedAt: clock.now().toISOString(),
      });
    }
    // The processing settles the order from the payment: from the record just written for a
    // success; from the provider (which calls the payment off first) for a failure. It refunds
    // a payment that lands on a cancelled order.
    const status = await processing.processOrder({ userId: order.userId, orderId: order.id });
    const finished = order.status === "FAILED" || order.status === "CANCELLED";
    return { outcome: finished ? "order-finished" : "settled", ...(status ? { status } : {}) };
  };

  return {
    async receive(rawBody, signature) {
      const webhook = payment.webhook;
      if (webhook === undefined) {
        throw new AppError(
          "WEBHOOK_UNVERIFIED",
          `this shop's payment provider (${payment.name}) sends no webhooks: none can be verified`,
        );
      }
      const event = await webhook.verify(rawBody, signature);
      if ((await store.findPaymentEvent(event.id)) !== undefined) {
        return { received: true, eventId: event.id, outcome: "duplicate" };
      }
      const result =
        event.kind === "ignored" ? { outcome: "ignored" as const } : await settle(event);
      const now = clock.now();
      await store.recordPaymentEvent({
        eventId: event.id,
        type: event.receivedType,
        ...(event.kind === "ignored" ? {} : { orderId: event.orderId }),
        outcome: result.outcome,
        receivedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + PAYMENT_EVENT_RETENTION_SECONDS,
      });
      log({
        level: "info",
        message: `payment event ${event.receivedType}: ${result.outcome}`,
        eventId: event.id,
        ...(event.kind === "ignored" ? {} : { orderId: event.orderId }),
      });
      return { received: true, eventId: event.id, ...result };
    },
  };
}
