import type Stripe from "stripe";
import { AppError } from "../domain/index.js";
import type { PaymentEvent } from "../services/index.js";

// Stripe's webhook events as the shop's PaymentEvents. Types only from `stripe`: verifying (and
// so loading the library) is stripe-payment.ts's job.

const FAILED_REASON = "the payment failed at Stripe";

/** A delivery refused before anything in it is believed; `detail` never quotes the secret. */
export const unverifiedWebhook = (detail: string): AppError =>
  new AppError("WEBHOOK_UNVERIFIED", `Stripe webhook not verified: ${detail}`);

/**
 * An order's PaymentIntent that succeeded or failed; one without the order in its metadata
 * (another integration's, on the same account) is `ignored`.
 */
function intentEvent(
  received: { id: string; receivedType: string; createdAt: string },
  kind: "succeeded" | "failed",
  intent: Stripe.PaymentIntent,
): PaymentEvent {
  const { orderId, userId } = intent.metadata;
  if (orderId === undefined || userId === undefined) return { ...received, kind: "ignored" };
  return {
    ...received,
    kind,
    orderId,
    userId,
    amountCents: intent.amount,
    currency: intent.currency.toUpperCase(),
    ...(kind === "failed" ? { reason: intent.last_payment_error?.message ?? FAILED_REASON } : {}),
  };
}

/** A verified Stripe event as the shop's: two types of it matter, the rest is `ignored`. */
export function paymentEventOf(event: Stripe.Event): PaymentEvent {
  const received = {
    id: event.id,
    receivedType: event.type,
    createdAt: new Date(event.created * 1000).toISOString(),
  };
  switch (event.type) {
    case "payment_intent.succeeded":
      return intentEvent(received, "succeeded", event.data.object);
    case "payment_intent.payment_failed":
      return intentEvent(received, "failed", event.data.object);
    default:
      return { ...received, kind: "ignored" };
  }
}
