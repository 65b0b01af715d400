import { AppError, createOrder, type Order, orderNotFound, priceCart } from "../domain/index.js";
import { createCanceller } from "./cancellation.js";
import { loadProducts, loadPromotion } from "./cart.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type {
  Caller,
  Clock,
  IdGenerator,
  Logger,
  Notifier,
  OrderQueue,
  PaymentProvider,
  Store,
} from "./ports.js";
import { type OrderView, orderView } from "./views.js";

export interface CheckoutResult {
  order: OrderView;
  /** True when the idempotency key was used before and this is the first checkout's order. */
  replayed: boolean;
}

export interface OrderService {
  /**
   * Turns the caller's cart into an order in one store transaction and hands it to processing
   * (which runs later, elsewhere). Without an idempotency key the cart version stands in for
   * one, so a double submit of the same cart places one order. A replay answers the first
   * order as it is now.
   */
  checkout(caller: Caller, idempotencyKey: string | undefined): Promise<CheckoutResult>;
  /** A page of the caller's orders, newest first. */
  listOrders(caller: Caller, page?: PageInput): Promise<PageOf<OrderView>>;
  /** NOT_FOUND for an unknown order and for another user's order alike. */
  getOrder(caller: Caller, orderId: string): Promise<OrderView>;
  /**
   * Cancels one of the caller's orders while it is still PLACED (the payment has not started),
   * its stock returned; ORDER_NOT_CANCELLABLE (409) in any other state, NOT_FOUND as getOrder.
   */
  cancelOrder(caller: Caller, orderId: string): Promise<OrderView>;
}

export function createOrderService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  queue: OrderQueue;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
}): OrderService {
  const { store, clock, ids, queue } = deps;
  const cancel = createCanceller(deps);

  /** A still PLACED order is handed on again on a replay: processing is idempotent. */
  const handOn = async (order: Order): Promise<void> => {
    if (order.status === "PLACED") await queue.enqueue({ userId: order.userId, orderId: order.id });
  };

  /** The first checkout's order when `idempotencyKey` placed one, handed on again if PLACED. */
  const replayOf = async (
    caller: Caller,
    idempotencyKey: string | undefined,
  ): Promise<CheckoutResult | undefined> => {
    if (idempotencyKey === undefined) return undefined;
    const previous = await store.findOrderByIdempotencyKey(caller.userId, idempotencyKey);
    if (previous === undefined) return undefined;
    await handOn(previous);
    return { order: orderView(previous), replayed: true };
  };

  return {
    async checkout(caller, idempotencyKey) {
      const previous = await replayOf(caller, idempotencyKey);
      if (previous !== undefined) return previous;
      const cart = await store.getCart(caller.userId);
      if (cart === undefined || cart.lines.length === 0) {
        // A concurrent retry with this key may have placed its order, emptying the cart, between
        // the key's read above and the cart's: that order is this request's answer too.
        const placed = await replayOf(caller, idempotencyKey);
        if (placed !== undefined) return placed;
        throw new AppError("CART_EMPTY", "the cart is empty: save products to it first");
      }
      const now = clock.now();
      const [products, promotion] = await Promise.all([
        loadProducts(store, cart.lines),
        loadPromotion(store, cart.promotionCode, now),
      ]);
      const order = createOrder(priceCart(cart.lines, products, promotion), {
        id: ids.newId(),
        userId: caller.userId,
        createdAt: now.toISOString(),
        idempotencyKey: idempotencyKey ?? `cart-version-${cart.version}`,
      });
      // The order's lines follow the cart's, so a refusal names the cart line (`products[1].id`).
      const result = await store.placeOrder({
        order,
        cartVersion: cart.version,
        ...(promotion === undefined ? {} : { promotion }),
      });
      await handOn(result.order);
      return { order: orderView(result.order), replayed: !result.placed };
    },

    async listOrders(caller, page = {}) {
      const orders = await store.listOrderPage(caller.userId, pageRequest("orders", page));
      return {
        items: orders.items.map(orderView),
        nextCursor: nextCursorOf("orders", orders.next),
      };
    },

    async getOrder(caller, orderId) {
      const order = await store.getOrder(caller.userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      return orderView(order);
    },

    async cancelOrder(caller, orderId) {
      const order = await store.getOrder(caller.userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      return orderView((await cancel(order, "customer")).order);
    },
  };
}
