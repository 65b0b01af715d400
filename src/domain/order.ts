import type { PricedCart } from "./cart.js";
import { AppError } from "./errors.js";
import type { Promotion } from "./promotion.js";

export type OrderStatus = "PLACED" | "PROCESSING" | "COMPLETED" | "FAILED" | "CANCELLED";

export const ORDER_STATUSES: readonly OrderStatus[] = [
  "PLACED",
  "PROCESSING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
];

/** An order keeps the unit prices of the moment it was placed, whatever the catalogue says later. */
export interface Order extends PricedCart {
  id: string;
  userId: string;
  status: OrderStatus;
  createdAt: string;
  /** The key the order was placed with: a retry with the same key returns this order. */
  idempotencyKey: string;
  /** Why processing failed; present on FAILED orders only. */
  failureReason?: string;
}

/** What checkout asks the store to do in one transaction. */
export interface PlaceOrderCommand {
  order: Order;
  /** The cart version priced; a cart saved in between makes the checkout fail with CART_CHANGED. */
  cartVersion: number;
  /**
   * The promotion the order was priced with, as read (its code is `order.promotionCode`): the
   * store takes one of its uses in the same transaction, refusing when the total or the
   * customer's limit is reached, or when it changed or was deactivated meanwhile.
   */
  promotion?: Promotion;
}

/**
 * The lifecycle: PLACED -> PROCESSING -> COMPLETED, or PROCESSING -> FAILED; PLACED and
 * PROCESSING may also be CANCELLED. Nothing leaves COMPLETED, FAILED or CANCELLED, and no state
 * is skipped: the payment runs only on a PROCESSING order.
 */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PLACED: ["PROCESSING", "CANCELLED"],
  PROCESSING: ["COMPLETED", "FAILED", "CANCELLED"],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

/** The states whose order still holds its stock: the order is live, its units are taken. */
export function holdsStock(status: OrderStatus): boolean {
  return status !== "FAILED" && status !== "CANCELLED";
}

/** Going to these gives the order's stock back, in the same store transaction. */
export function returnsStock(to: OrderStatus): boolean {
  return to === "FAILED" || to === "CANCELLED";
}

/** Who may cancel an order in `status`: the shop while it is PLACED or PROCESSING, its customer
 * only while it is PLACED (the payment has not started). */
export function cancellableBy(status: OrderStatus, by: "customer" | "operator"): boolean {
  return by === "customer" ? status === "PLACED" : status === "PLACED" || status === "PROCESSING";
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** COMPLETED, FAILED and CANCELLED: processing has nothing left to do. */
export function isFinalStatus(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

/** One step of the lifecycle, as the store is asked to apply it. */
export interface OrderTransition {
  from: OrderStatus;
  to: OrderStatus;
  /** Required when `to` is FAILED, refused otherwise. */
  failureReason?: string;
}

/**
 * Refuses a step the lifecycle does not have (ILLEGAL_TRANSITION), a FAILED without a reason
 * and a reason on any other state. Stores check it before writing, so no adapter can apply one.
 */
export function assertTransition({ from, to, failureReason }: OrderTransition): void {
  if (!canTransition(from, to)) {
    throw new AppError("ILLEGAL_TRANSITION", `an order cannot go from ${from} to ${to}`);
  }
  if (to === "FAILED" && (failureReason === undefined || failureReason.trim() === "")) {
    throw new AppError("ILLEGAL_TRANSITION", "a FAILED order needs a failure reason");
  }
  if (to !== "FAILED" && failureReason !== undefined) {
    throw new AppError("ILLEGAL_TRANSITION", `a ${to} order has no failure reason`);
  }
}

/** `order` moved one step along the lifecycle; throws ILLEGAL_TRANSITION for a step it lacks. */
export function transitionOrder(order: Order, to: OrderStatus, failureReason?: string): Order {
  const transition: OrderTransition = {
    from: order.status,
    to,
    ...(failureReason === undefined ? {} : { failureReason }),
  };
  assertTransition(transition);
  const { failureReason: _previous, ...rest } = order;
  return {
    ...rest,
    lines: order.lines.map((line) => ({ ...line })),
    status: to,
    ...(failureReason === undefined ? {} : { failureReason }),
  };
}

/** Snapshot a priced cart into an order in its first state. */
export function createOrder(
  cart: PricedCart,
  fields: { id: string; userId: string; createdAt: string; idempotencyKey: string },
): Order {
  return { ...cart, ...fields, status: "PLACED", lines: cart.lines.map((line) => ({ ...line })) };
}
