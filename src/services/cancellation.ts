import { cancellableBy, mayHoldPayment, type Order, orderNotCancellable } from "../domain/index.js";
import { orderUpdateOf, paymentRequestOf } from "./order-processing.js";
import type { Logger, Notifier, PaymentProvider, RefundResult, Store } from "./ports.js";

export interface CancelResult {
  order: Order;
  /** What the payment port gave back; absent when the order was never paid (PLACED). */
  refund?: RefundResult;
}

export type Canceller = (order: Order, by: "customer" | "operator") => Promise<CancelResult>;

/**
 * Cancels `order` for `by`: one conditional status change that returns its stock in the same
 * store transaction, then the payment port's refund (what was taken is given back, a payment
 * started and not taken is called off; answered when the order was PROCESSING or COMPLETED, or
 * when something was given back), then the owner's notification. Answered with
 * ORDER_NOT_CANCELLABLE (409) when the order is already CANCELLED (except an operator's cancel
 * of one whose refund is still owed: it retries the refund), FAILED, or (for a customer) past
 * PLACED; when processing moves the order meanwhile, the state it reached decides: an
 * operator's cancel follows the order into PROCESSING and COMPLETED.
 */
export function createCanceller(deps: {
  store: Store;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
}): Canceller {
  const { store, payment, notifier, log } = deps;

  /**
   * Gives back what was taken (or calls off a payment started, even on a PLACED order whose page
   * opened the payment form). The order is CANCELLED already: a failed refund is not the
   * cancel's failure, it is answered as owed, and an operator's cancel asked again makes it.
   */
  const refund = async (order: Order): Promise<RefundResult> => {
    try {
      return await payment.refund(paymentRequestOf(order));
    } catch (error) {
      log({
        level: "error",
        message: "refunding a cancelled order failed: cancel it again to retry the refund",
        orderId: order.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return {
        refunded: false,
        reason:
          "the order is cancelled, but its refund could not be made now: cancel it again shortly to retry",
      };
    }
  };

  /** A cancelled order whose payment was taken and never given back: the refund still owed. */
  const owesRefund = async (order: Order): Promise<boolean> => {
    if (order.status !== "CANCELLED") return false;
    const taken = await store.findPayment(order.id);
    return taken?.approved === true && taken.refundedAt === undefined;
  };

  return async function cancel(order, by) {
    let current = order;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (by === "operator" && (await owesRefund(current))) {
        return { order: current, refund: await refund(current) };
      }
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
        const given = await refund(cancelled);
        if (mayHoldPayment(current.status) || given.refunded) result.refund = given;
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
