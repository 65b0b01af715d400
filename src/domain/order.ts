import type { PricedCart } from "./cart.js";

export type OrderStatus = "PLACED" | "PROCESSING" | "COMPLETED" | "FAILED";

/** An order keeps the unit prices of the moment it was placed, whatever the catalogue says later. */
export interface Order extends PricedCart {
  id: string;
  userId: string;
  status: OrderStatus;
  createdAt: string;
  /** The key the order was placed with: a retry with the same key returns this order. */
  idempotencyKey: string;
}

/** What checkout asks the store to do in one transaction. */
export interface PlaceOrderCommand {
  order: Order;
  /** The cart version priced; a cart saved in between makes the checkout fail with CART_CHANGED. */
  cartVersion: number;
}

/** Snapshot a priced cart into an order in its first state. */
export function createOrder(
  cart: PricedCart,
  fields: { id: string; userId: string; createdAt: string; idempotencyKey: string },
): Order {
  return { ...cart, ...fields, status: "PLACED", lines: cart.lines.map((line) => ({ ...line })) };
}
