import {
  CURRENCY,
  cancellableBy,
  mayHoldPayment,
  type Order,
  orderNotCancellable,
} from "../domain/index.js";
import { orderUpdateOf } from "./order-processing.js";
import type { Logger, Notifier, PaymentProvider, RefundResult, Store } from "./ports.js";

export interface CancelResult {
  order: Order;
  /** What the payment port gave back; absent when the order was never paid (PLACED). */
  refund?: RefundResult;
}

export type Canceller = (order: Order, by: "customer" | "operator") => Promise<CancelResult>;

/**
 * Cancels `order` for `by`: one conditional status change that returns its stock in the same
 * store transaction, then a refund through the payment port when the order was PROCESSING (its
 * payment may have been taken, or is called off) or COMPLETED (paid), then the owner's
 * notification. Answered with ORDER_NOT_CANCELLABLE (409) when the order is already CANCELLED,
 * FAILED, or (for a customer) past PLACED; when processing moves the order meanwhile, the state
 * it reached decides: an operator's cancel follows the order into PROCESSING and COMPLETED.
 */
export function createCanceller(deps: {
  store: Store;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
}): Canceller {
  const { store, payment, notifier, log } = deps;

  const refund = (order: Order): Promise<RefundResult> =>
    payment.refund({
      orderId: order.id,
      userId: order.userId,
      amountCents: order.totalCents,
      currency: CURRENCY,
    });

  return async function cancel(order, by) {
    let current = order;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!cancellableBy(current.status, by)) {
        throw orderNotCancellable(current.id, current.status, by);
      }
      const cancelled = await store.changeOrderStatus({
        userId: current.userId,
        orderId: current.id,
        from: current.status,
        to: "CANCELLED",
      });
      if (cancelled !== undefined) {
        log({
          level: "info",
          message: `order ${current.status} -> CANCELLED by ${by}`,
          orderId: current.id,
        });
        const result: CancelResult = { order: cancelled };
        if (mayHoldPayment(current.status)) result.refund = await refund(cancelled);
        try {
          await notifier.notify(cancelled.userId, orderUpdateOf(cancelled));
        } catch (error) {
          log({ level: "error", message: "notifying a cancellation failed", error: String(error) });
        }
        return result;
      }
      // Processing (or another cancel) moved the order since it was read: decide on what it is now.
      const now = await store.getOrder(current.userId, current.id);
      if (now === undefined) throw orderNotCancellable(current.id, "gone", by);
      current = now;
    }
    throw orderNotCancellable(current.id, current.status, by);
  };
}
