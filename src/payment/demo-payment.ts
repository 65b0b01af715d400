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
 * recorded in `refunds()`; asked while the charge still runs, it answers at once and refunds the
 * charge when it is taken.
 */
export function createDemoPaymentProvider(options: DemoPaymentOptions): DemoPaymentProvider {
  const charges = new Map<string, Promise<PaymentResult>>();
  const refunds = new Map<string, Promise<RefundResult>>();
  const refunded: DemoRefund[] = [];
  const settled = new Set<string>();
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
        void result.then(
          () => settled.add(request.orderId),
          () => undefined,
        );
        // A charge that threw was never taken: let a retry try again.
        result.catch(() => charges.delete(request.orderId));
      }
      return result;
    },
    refund(request) {
      const known = refunds.get(request.orderId);
      if (known !== undefined) return known;
      const charged = charges.get(request.orderId);
      if (charged === undefined) {
        return Promise.resolve({ refunded: false, reason: "nothing was charged for this order" });
      }
      const outcome = charged.then(
        (result): RefundResult => {
          if (!result.approved) return { refunded: false, reason: "the payment was declined" };
          refunded.push({ orderId: request.orderId, amountCents: request.amountCents });
          return { refunded: true, amountCents: request.amountCents };
        },
        (): RefundResult => ({ refunded: false, reason: "nothing was charged for this order" }),
      );
      refunds.set(request.orderId, outcome);
      // A charge still running is refunded the moment it is taken; the caller need not wait.
      return settled.has(request.orderId)
        ? outcome
        : Promise.resolve({
            refunded: false,
            reason: "the payment is still being taken: it is refunded as soon as it is",
          });
    },
    refunds: () => refunded.map((refund) => ({ ...refund })),
  };
}
