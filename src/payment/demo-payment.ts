import { setTimeout as sleep } from "node:timers/promises";
import type { PaymentProvider, PaymentResult, RefundResult } from "../services/index.js";

export interface DemoPaymentOptions {
  /** `approve` every payment (the default) or `decline` every one: for tests and demos. */
  mode: "approve" | "decline";
  /** How long a charge takes: the slow step checkout no longer waits for. */
  delayMs: number;
}

/** A refund the demo provider made: the record a real provider's dashboard would show. */
export interface DemoRefund {
  orderId: string;
  amountCents: number;
}

export interface DemoPaymentProvider extends PaymentProvider {
  /** Every refund made so far, in order. */
  refunds(): DemoRefund[];
}

/** Orders whose result is remembered; the oldest is forgotten first. */
const MAX_REMEMBERED_CHARGES = 10_000;

export const DECLINED_REASON = "the payment was declined (demo provider, PAYMENT_MODE=decline)";

/**
 * A stand-in payment provider that takes `delayMs` and answers as `mode` says. Charges are
 * idempotent per order id, as a real provider's are by idempotency key: a second charge of an
 * order, concurrent or later, answers the first one's result without charging again. It
 * remembers within this process only; a real provider remembers for its customers. A refund
 * gives back an approved charge once (a declined or absent one has nothing to give back) and is
 * recorded in `refunds()`.
 */
export function createDemoPaymentProvider(options: DemoPaymentOptions): DemoPaymentProvider {
  const charges = new Map<string, Promise<PaymentResult>>();
  const refunds = new Map<string, Promise<RefundResult>>();
  const refunded: DemoRefund[] = [];
  const charge = async (): Promise<PaymentResult> => {
    await sleep(options.delayMs);
    return options.mode === "approve"
      ? { approved: true }
      : { approved: false, reason: DECLINED_REASON };
  };
  return {
    charge(request) {
      let result = charges.get(request.orderId);
      if (result === undefined) {
        if (charges.size >= MAX_REMEMBERED_CHARGES) {
          // Maps iterate in insertion order: the first key is the oldest charge.
          const oldest = charges.keys().next().value;
          if (oldest !== undefined) charges.delete(oldest);
        }
        result = charge();
        charges.set(request.orderId, result);
        // A charge that threw was never taken: let a retry try again.
        result.catch(() => charges.delete(request.orderId));
      }
      return result;
    },
    refund(request) {
      let result = refunds.get(request.orderId);
      if (result === undefined) {
        // The charge (perhaps still in flight) decides: only a taken payment is given back.
        const charged = charges.get(request.orderId);
        result = (charged ?? Promise.resolve(undefined)).then(
          (outcome): RefundResult => {
            if (outcome?.approved !== true) {
              refunds.delete(request.orderId);
              return { refunded: false, reason: "nothing was charged for this order" };
            }
            refunded.push({ orderId: request.orderId, amountCents: request.amountCents });
            return { refunded: true, amountCents: request.amountCents };
          },
          () => ({ refunded: false, reason: "nothing was charged for this order" }),
        );
        refunds.set(request.orderId, result);
      }
      return result;
    },
    refunds: () => refunded.map((refund) => ({ ...refund })),
  };
}
