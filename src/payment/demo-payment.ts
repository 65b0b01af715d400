import { setTimeout as sleep } from "node:timers/promises";
import type {
  Logger,
  PaymentLedger,
  PaymentProvider,
  PaymentRecord,
  PaymentRequest,
  PaymentResult,
  RefundResult,
} from "../services/index.js";

export interface DemoPaymentOptions {
  /** `approve` every payment (the default) or `decline` every one: for tests and demos. */
  mode: "approve" | "decline";
  /** How long a charge takes: the slow step checkout no longer waits for. */
  delayMs: number;
}

export interface DemoPaymentDeps {
  /** Where each order's payment is recorded: the store, so it outlives this process. */
  ledger: PaymentLedger;
  clock?: { now(): Date };
  log?: Logger;
}

/** A refund the demo provider made: the record a real provider's dashboard would show. */
export interface DemoRefund {
  orderId: string;
  amountCents: number;
}

export interface DemoPaymentProvider extends PaymentProvider {
  /** Every refund this process made so far, in order. */
  refunds(): DemoRefund[];
}

export const DECLINED_REASON = "the payment was declined (demo provider, PAYMENT_MODE=decline)";

const resultOf = (record: PaymentRecord): PaymentResult =>
  record.approved
    ? { approved: true }
    : { approved: false, reason: record.reason ?? DECLINED_REASON };

/**
 * A stand-in payment provider that takes `delayMs` and answers as `mode` says. Charges are
 * idempotent per order id, as a real provider's are by idempotency key, and across processes and
 * restarts: the payment is one conditional write to the store's ledger, so a second charge of an
 * order (concurrent, resumed after a crash, or re-driven by the sweeper) answers the first one's
 * result and takes nothing. A refund gives back an approved payment once (a declined or absent
 * one has nothing to give back); asked while this process still takes the charge, it answers at
 * once and refunds the charge when it is taken.
 */
export function createDemoPaymentProvider(
  options: DemoPaymentOptions,
  deps: DemoPaymentDeps,
): DemoPaymentProvider {
  const { ledger, log } = deps;
  const now = () => (deps.clock?.now() ?? new Date()).toISOString();
  /** Charges running in this process: concurrent asks share one. */
  const running = new Map<string, Promise<PaymentResult>>();
  const refunded: DemoRefund[] = [];

  const take = async (request: PaymentRequest): Promise<PaymentResult> => {
    const known = await ledger.findPayment(request.orderId);
    if (known !== undefined) return resultOf(known);
    await sleep(options.delayMs);
    const approved = options.mode === "approve";
    const { recorded, payment } = await ledger.recordPayment({
      orderId: request.orderId,
      userId: request.userId,
      amountCents: request.amountCents,
      approved,
      ...(approved ? {} : { reason: DECLINED_REASON }),
      chargedAt: now(),
    });
    if (recorded) {
      log?.({
        level: "info",
        message: approved ? "payment taken" : "payment declined",
        orderId: request.orderId,
        amountCents: request.amountCents,
      });
    }
    return resultOf(payment);
  };

  const refund = async (request: PaymentRequest): Promise<RefundResult> => {
    const record = await ledger.findPayment(request.orderId);
    if (record === undefined)
      return { refunded: false, reason: "nothing was charged for this order" };
    if (!record.approved) return { refunded: false, reason: "the payment was declined" };
    if (await ledger.recordRefund(request.orderId, now())) {
      refunded.push({ orderId: request.orderId, amountCents: record.amountCents });
      log?.({ level: "info", message: "payment refunded", orderId: request.orderId });
    }
    return { refunded: true, amountCents: record.amountCents };
  };

  return {
    name: "demo",
    charge(request) {
      let result = running.get(request.orderId);
      if (result === undefined) {
        result = take(request);
        running.set(request.orderId, result);
        const forget = () => running.delete(request.orderId);
        result.then(forget, forget);
      }
      return result;
    },
    async refund(request) {
      const charging = running.get(request.orderId);
      if (charging === undefined) return refund(request);
      // A charge still running is refunded the moment it is taken; the caller need not wait.
      void charging
        .then(
          () => refund(request),
          () => undefined,
        )
        .catch((error: unknown) => {
          // The processing refunds a charge taken for a cancelled order itself, later.
          log?.({
            level: "error",
            message: "refunding the payment once taken failed",
            orderId: request.orderId,
            error: error instanceof Error ? error.message : String(error),
          });
        });
      return {
        refunded: false,
        reason: "the payment is still being taken: it is refunded as soon as it is",
      };
    },
    // The demo provider takes the payment itself: the page only watches the order.
    session: async () => ({ provider: "demo" }),
    refunds: () => refunded.map((entry) => ({ ...entry })),
  };
}
