import { CURRENCY, type Order, type OrderStatus } from "../domain/index.js";
import type {
  Clock,
  Logger,
  Notifier,
  OrderRef,
  OrderUpdate,
  PaymentProvider,
  PaymentRequest,
  Store,
} from "./ports.js";
import { shipmentView } from "./views.js";

export interface OrderProcessor {
  /**
   * Takes a placed order through its lifecycle: PLACED -> PROCESSING, the payment, then
   * COMPLETED, or FAILED with the stock put back; an order whose payment waits for its customer
   * stays PROCESSING (the webhook, or the next run, finishes it). Safe to run any number of times, at once or
   * one after the other, for the same order: each step is a conditional write that only one run
   * wins, only the winner notifies, and a run finding the order further along carries on from
   * there (so a run that crashed mid-payment is finished by the next). Answers the status the
   * order is in afterwards; undefined when there is no such order.
   */
  processOrder(order: OrderRef): Promise<OrderStatus | undefined>;
}

/** The message a user's clients receive for `order`. */
export function orderUpdateOf(order: Order): OrderUpdate {
  return {
    type: "order.updated",
    orderId: order.id,
    status: order.status,
    ...(order.failureReason === undefined ? {} : { reason: order.failureReason }),
    ...(order.shipment === undefined ? {} : { shipment: shipmentView(order.shipment) }),
  };
}

/** What the payment port is asked for `order`: its total, in the shop's currency. */
export function paymentRequestOf(order: Order): PaymentRequest {
  return {
    orderId: order.id,
    userId: order.userId,
    amountCents: order.totalCents,
    currency: CURRENCY,
  };
}

/** How long a payment waiting for its customer is kept open by default: an hour. */
export const PAYMENT_WINDOW_MS = 60 * 60_000;

export function createOrderProcessor(deps: {
  store: Store;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
  clock?: Clock;
  /**
   * How long after checkout an order's payment may wait for its customer: past it, the next run
   * (the sweeper's) calls the payment off and fails the order, its stock back. PAYMENT_WINDOW_MS
   * by default.
   */
  paymentWindowMs?: number;
}): OrderProcessor {
  const { store, payment, notifier, log } = deps;
  const windowMs = deps.paymentWindowMs ?? PAYMENT_WINDOW_MS;
  const waitedTooLong = (order: Order) =>
    (deps.clock?.now() ?? new Date()).getTime() - Date.parse(order.createdAt) > windowMs;

  const notify = async (order: Order): Promise<void> => {
    try {
      await notifier.notify(order.userId, orderUpdateOf(order));
    } catch (error) {
      // The notifier promises not to throw; should one break that promise, the order stands.
      log({
        level: "error",
        message: "notifying an order update failed",
        orderId: order.id,
        error: String(error),
      });
    }
  };

  /** One step; the run that made it notifies, a run that lost reads where the winner left it. */
  const advance = async (order: Order, to: OrderStatus, failureReason?: string) => {
    const changed = await store.changeOrderStatus({
      userId: order.userId,
      orderId: order.id,
      from: order.status,
      to,
      ...(failureReason === undefined ? {} : { failureReason }),
    });
    if (changed !== undefined) {
      log({ level: "info", message: `order ${order.status} -> ${to}`, orderId: order.id });
      await notify(changed);
      return changed;
    }
    const now = await store.getOrder(order.userId, order.id);
    if (now === undefined) throw new Error(`order ${order.id} disappeared while processing`);
    return now;
  };

  const refund = (order: Order) => payment.refund(paymentRequestOf(order));

  return {
    async processOrder(ref) {
      let order = await store.getOrder(ref.userId, ref.orderId);
      if (order === undefined) return undefined;
      if (order.status === "PLACED") order = await advance(order, "PROCESSING");
      // Cancelled, before this run or while it moved the order on, or run again (a stream
      // retry, a resume): a charge may have landed after the cancel looked, from a run that died
      // before refunding it, and a payment the page started while the order was PLACED is still
      // open. The port refunds once at most, calls off what was not taken, and answers "nothing
      // charged" otherwise.
      if (order.status === "CANCELLED") {
        await refund(order);
        return order.status;
      }
      if (order.status === "PROCESSING") {
        const request = paymentRequestOf(order);
        let result = await payment.charge(request);
        if ("pending" in result && payment.abandon !== undefined && waitedTooLong(order)) {
          const minutes = Math.round(windowMs / 60_000);
          result = await payment.abandon(
            request,
            `the payment was not completed within ${minutes} minutes of checkout`,
          );
        }
        // Started and waiting for the customer: the provider's webhook, or a later sweep's
        // look at the payment, settles the order.
        if ("pending" in result) return order.status;
        order = result.approved
          ? await advance(order, "COMPLETED")
          : await advance(order, "FAILED", result.reason);
        // Cancelled while the payment ran: the cancel's own refund may have found no charge
        // yet, so give it back from here too (the payment port refunds an order once).
        if (result.approved && order.status === "CANCELLED") await refund(order);
      }
      return order.status;
    },
  };
}
