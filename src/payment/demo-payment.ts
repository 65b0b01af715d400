import { setTimeout as sleep } from "node:timers/promises";
import type { PaymentProvider, PaymentResult } from "../services/index.js";

export interface DemoPaymentOptions {
  /** `approve` every payment (the default) or `decline` every one: for tests and demos. */
  mode: "approve" | "decline";
  /** How long a charge takes: the slow step checkout no longer waits for. */
  delayMs: number;
}

/** Orders whose result is remembered; the oldest is forgotten first. */
const MAX_REMEMBERED_CHARGES = 10_000;

export const DECLINED_REASON = "the payment was declined (demo provider, PAYMENT_MODE=decline)";

/**
 * A stand-in payment provider that takes `delayMs` and answers as `mode` says. Charges are
 * idempotent per order id, as a real provider's are by idempotency key: a second charge of an
 * order, concurrent or later, answers the first one's result without charging again. It
 * remembers within this process only; a real provider remembers for its customers.
 */
export function createDemoPaymentProvider(options: DemoPaymentOptions): PaymentProvider {
  const charges = new Map<string, Promise<PaymentResult>>();
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
  };
}
