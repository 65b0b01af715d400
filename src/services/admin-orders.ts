import { type OrderStatus, orderNotFound } from "../domain/index.js";
import { type AdminOrderView, adminOrderView } from "./admin-views.js";
import { createCanceller } from "./cancellation.js";
import { requireAdmin } from "./operator-access.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type { Caller, Logger, Notifier, PaymentProvider, RefundResult, Store } from "./ports.js";

export interface CancelledOrderView {
  order: AdminOrderView;
  /** The refund of a paid (PROCESSING) order; null when the order was never paid. */
  refund: RefundResult | null;
}

/** Every user's orders, for the operators only. */
export interface AdminOrderService {
  /** A page of every user's orders, newest first, optionally of one status only. */
  listOrders(
    caller: Caller | undefined,
    query: PageInput & { status?: OrderStatus | undefined },
  ): Promise<PageOf<AdminOrderView>>;
  getOrder(caller: Caller | undefined, orderId: string): Promise<AdminOrderView>;
  /**
   * Cancels a PLACED, PROCESSING or paid (COMPLETED) order: its stock returned in the same
   * transaction, a paid one refunded, its owner notified. ORDER_NOT_CANCELLABLE (409) for any
   * other state: a SHIPPED or DELIVERED order's parcel has left.
   */
  cancelOrder(caller: Caller | undefined, orderId: string): Promise<CancelledOrderView>;
}

export function createAdminOrderService(deps: {
  store: Store;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
}): AdminOrderService {
  const { store } = deps;
  const cancel = createCanceller(deps);

  const find = async (orderId: string) => {
    const order = await store.findOrder(orderId);
    if (order === undefined) throw orderNotFound(orderId);
    return order;
  };

  return {
    async listOrders(caller, query) {
      requireAdmin(caller);
      const orders = await store.listAllOrders({
        ...pageRequest("allOrders", query),
        ...(query.status === undefined ? {} : { status: query.status }),
      });
      return {
        items: orders.items.map(adminOrderView),
        nextCursor: nextCursorOf("allOrders", orders.next),
      };
    },

    async getOrder(caller, orderId) {
      requireAdmin(caller);
      return adminOrderView(await find(orderId));
    },

    async cancelOrder(caller, orderId) {
      requireAdmin(caller);
      const result = await cancel(await find(orderId), "operator");
      return { order: adminOrderView(result.order), refund: result.refund ?? null };
    },
  };
}
