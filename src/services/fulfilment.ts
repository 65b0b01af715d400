import {
  type Order,
  type OrderStatus,
  orderNotFound,
  orderNotShippable,
  type Shipment,
} from "../domain/index.js";
import { type AdminOrderView, adminOrderView } from "./admin-views.js";
import { requireAdmin } from "./operator-access.js";
import { orderUpdateOf } from "./order-processing.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type { Caller, Clock, Logger, Notifier, Store } from "./ports.js";

/** What an operator records when the parcel leaves; `shippedAt` is the service's clock. */
export interface ShipmentInput {
  carrier: string;
  trackingNumber: string;
  /** An absolute https URL (validated at the edge); absent when the carrier has none. */
  trackingUrl?: string | undefined;
}

/**
 * The operators' part of an order's life after payment: the queue of paid orders waiting to
 * ship, and the two steps only they take, SHIPPED and DELIVERED. The store writes each step's
 * e-mail to the outbox in the step's own transaction; the owner is told over the WebSocket here.
 */
export interface FulfilmentService {
  /** A page of the paid (COMPLETED) orders waiting to ship, oldest first. */
  listShippingQueue(caller: Caller | undefined, page: PageInput): Promise<PageOf<AdminOrderView>>;
  /**
   * COMPLETED -> SHIPPED with the shipment, shipped now. NOT_FOUND for an unknown order,
   * ORDER_NOT_SHIPPABLE (409) naming its state when it is not COMPLETED, also when another
   * operator shipped (or cancelled) it meanwhile.
   */
  shipOrder(
    caller: Caller | undefined,
    orderId: string,
    shipment: ShipmentInput,
  ): Promise<AdminOrderView>;
  /** SHIPPED -> DELIVERED, delivered now; refused as `shipOrder` when it is not SHIPPED. */
  markDelivered(caller: Caller | undefined, orderId: string): Promise<AdminOrderView>;
}

export function createFulfilmentService(deps: {
  store: Store;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
}): FulfilmentService {
  const { store, notifier, clock, log } = deps;

  const find = async (orderId: string): Promise<Order> => {
    const order = await store.findOrder(orderId);
    if (order === undefined) throw orderNotFound(orderId);
    return order;
  };

  /**
   * One conditional step from `from` to `to`: the order must be in `from` when it is read and
   * still when it is written, else the refusal names the state it is in (another operator's
   * step, or a cancel, may have won the race).
   */
  const step = async (
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    details: { shipment: Shipment } | { deliveredAt: string },
    at: string,
  ): Promise<AdminOrderView> => {
    const name = to === "SHIPPED" ? "shipped" : "delivered";
    const order = await find(orderId);
    if (order.status !== from) throw orderNotShippable(order.id, order.status, name);
    const changed = await store.changeOrderStatus({
      userId: order.userId,
      orderId: order.id,
      from,
      to,
      at,
      ...details,
    });
    if (changed === undefined) {
      const now = await find(orderId);
      throw orderNotShippable(now.id, now.status, name);
    }
    log({ level: "info", message: `order ${from} -> ${to} by an operator`, orderId: order.id });
    try {
      await notifier.notify(changed.userId, orderUpdateOf(changed));
    } catch (error) {
      // The notifier promises not to throw; should one break that promise, the step stands.
      log({
        level: "error",
        message: "notifying a fulfilment step failed",
        orderId: order.id,
        error: String(error),
      });
    }
    return adminOrderView(changed);
  };

  return {
    async listShippingQueue(caller, page) {
      requireAdmin(caller);
      const orders = await store.listOrdersToShip(pageRequest("shippingQueue", page));
      return {
        items: orders.items.map(adminOrderView),
        nextCursor: nextCursorOf("shippingQueue", orders.next),
      };
    },

    async shipOrder(caller, orderId, input) {
      requireAdmin(caller);
      const at = clock.now().toISOString();
      const shipment: Shipment = {
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        ...(input.trackingUrl === undefined ? {} : { trackingUrl: input.trackingUrl }),
        shippedAt: at,
      };
      return step(orderId, "COMPLETED", "SHIPPED", { shipment }, at);
    },

    async markDelivered(caller, orderId) {
      requireAdmin(caller);
      const at = clock.now().toISOString();
      return step(orderId, "SHIPPED", "DELIVERED", { deliveredAt: at }, at);
    },
  };
}
