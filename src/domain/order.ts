import { type Address, sameAddress } from "./address.js";
import type { PricedCart } from "./cart.js";
import { AppError } from "./errors.js";
import type { Promotion } from "./promotion.js";
import type { ShippingOption } from "./shipping.js";
import type { CheckoutTotals, TaxConfig, TaxMode } from "./tax.js";

/**
 * COMPLETED is "paid" (its name is kept from before fulfilment: every stored order, client and
 * stream consumer knows it); SHIPPED and DELIVERED follow it.
 */
export const ORDER_STATUSES = [
  "PLACED",
  "PROCESSING",
  "COMPLETED",
  "SHIPPED",
  "DELIVERED",
  "FAILED",
  "CANCELLED",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * How a parcel left: the carrier, its tracking number, where the customer follows it (https
 * only) and when it was handed over (ISO 8601).
 */
export interface Shipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string;
  shippedAt: string;
}

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
  /**
   * Where it goes, how, and its tax, as fixed at checkout. Absent on orders placed before
   * checkout took an address: read their totals with `orderTotals`.
   */
  checkout?: OrderCheckout;
  /** Present on an order placed without an account (a guest checkout); absent on a user's. */
  guest?: OrderGuest;
  /** Present from SHIPPED on. */
  shipment?: Shipment;
  /** When it was delivered (ISO 8601); on DELIVERED only. */
  deliveredAt?: string;
}

/**
 * A guest's order: the e-mail address it was placed with, and the SHA-256 (hex) of the order
 * access token that opens it; the token itself is never stored.
 */
export interface OrderGuest {
  email: string;
  accessTokenHash: string;
}

/** The shipping method as the order was placed with it, whatever the method becomes later. */
export interface OrderShipping {
  methodId: string;
  zoneId: string;
  name: string;
  /** What this order paid for it: 0 when the order was over the method's free threshold. */
  priceCents: number;
  minDeliveryDays?: number;
  maxDeliveryDays?: number;
}

/**
 * What checkout fixes on an order, copied rather than referenced, so that no later change of an
 * address book entry, a method, a zone or a tax rate changes an order: the address in its
 * canonical form, the method's name and price, each tax line with its rate, and the totals.
 */
export interface OrderCheckout {
  shippingAddress: Address;
  /** Absent when it is the shipping address (see `billingAddressOf`). */
  billingAddress?: Address;
  shipping: OrderShipping;
  /** Whether the shop taxed shipping when the order was placed. */
  taxShipping: boolean;
  /** `totalCents` here is the order's `totalCents`; `shippingCents` is `shipping.priceCents`. */
  totals: CheckoutTotals;
}

/** The totals of any order; `taxMode` is absent on an order placed before checkout had tax. */
export type OrderTotals = Omit<CheckoutTotals, "taxMode"> & { taxMode?: TaxMode };

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
  /**
   * A guest's checkout: the cart priced is the guest cart stored under this token hash, and it is
   * that cart the store checks at `cartVersion` and empties (not `order.userId`'s).
   */
  guestCartTokenHash?: string;
}

/**
 * The lifecycle: PLACED -> PROCESSING -> COMPLETED (paid) -> SHIPPED -> DELIVERED, or
 * PROCESSING -> FAILED; PLACED, PROCESSING and COMPLETED may also be CANCELLED (a paid order is
 * refunded), a SHIPPED one no longer. Nothing leaves DELIVERED, FAILED or CANCELLED, and no
 * state is skipped: the payment runs only on a PROCESSING order, only a paid one ships.
 */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PLACED: ["PROCESSING", "CANCELLED"],
  PROCESSING: ["COMPLETED", "FAILED", "CANCELLED"],
  COMPLETED: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  FAILED: [],
  CANCELLED: [],
};

/** The steps only an operator takes: a paid order shipped, a shipped one delivered. */
export function isFulfilmentStep(to: OrderStatus): boolean {
  return to === "SHIPPED" || to === "DELIVERED";
}

/** A paid order waiting for its parcel to leave: the operators' shipping queue. */
export function awaitsShipping(status: OrderStatus): boolean {
  return status === "COMPLETED";
}

/** The states whose order still holds its stock: the order is live, its units are taken. */
export function holdsStock(status: OrderStatus): boolean {
  return status !== "FAILED" && status !== "CANCELLED";
}

/** Going to these gives the order's stock back, in the same store transaction. */
export function returnsStock(to: OrderStatus): boolean {
  return to === "FAILED" || to === "CANCELLED";
}

/**
 * Who may cancel an order in `status`: the shop while it is PLACED, PROCESSING or COMPLETED
 * (paid: the payment is refunded), its customer only while it is PLACED (the payment has not
 * started).
 */
export function cancellableBy(status: OrderStatus, by: "customer" | "operator"): boolean {
  return by === "customer" ? status === "PLACED" : canTransition(status, "CANCELLED");
}

/** Whether the order's payment was (or may have been) taken: cancelling it asks for a refund. */
export function mayHoldPayment(status: OrderStatus): boolean {
  return status === "PROCESSING" || status === "COMPLETED";
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * Paid (and on), FAILED and CANCELLED: processing has nothing left to do (a cancel, or the
 * operators' fulfilment steps, may follow).
 */
export function isFinalStatus(status: OrderStatus): boolean {
  return status !== "PLACED" && status !== "PROCESSING";
}

/** One step of the lifecycle, as the store is asked to apply it. */
export interface OrderTransition {
  from: OrderStatus;
  to: OrderStatus;
  /** Required when `to` is FAILED, refused otherwise. */
  failureReason?: string;
  /** Required when `to` is SHIPPED, refused otherwise. */
  shipment?: Shipment;
  /** When it was delivered (ISO 8601): required when `to` is DELIVERED, refused otherwise. */
  deliveredAt?: string;
}

/**
 * Refuses a step the lifecycle does not have (ILLEGAL_TRANSITION), a FAILED without a reason
 * and a reason on any other state. Stores check it before writing, so no adapter can apply one.
 */
export function assertTransition({
  from,
  to,
  failureReason,
  shipment,
  deliveredAt,
}: OrderTransition): void {
  if (!canTransition(from, to)) {
    throw new AppError("ILLEGAL_TRANSITION", `an order cannot go from ${from} to ${to}`);
  }
  if (to === "FAILED" && (failureReason === undefined || failureReason.trim() === "")) {
    throw new AppError("ILLEGAL_TRANSITION", "a FAILED order needs a failure reason");
  }
  if (to !== "FAILED" && failureReason !== undefined) {
    throw new AppError("ILLEGAL_TRANSITION", `a ${to} order has no failure reason`);
  }
  if ((to === "SHIPPED") !== (shipment !== undefined)) {
    throw new AppError("ILLEGAL_TRANSITION", "a shipment is given when an order ships, only then");
  }
  if ((to === "DELIVERED") !== (deliveredAt !== undefined)) {
    throw new AppError(
      "ILLEGAL_TRANSITION",
      "a delivery time is given when an order is delivered, only then",
    );
  }
}

/** `order` moved one step along `transition` (its `from` is the order's status). */
export function transitionOrder(
  order: Order,
  to: OrderStatus,
  details:
    | {
        failureReason?: string | undefined;
        shipment?: Shipment | undefined;
        deliveredAt?: string | undefined;
      }
    | string = {},
): Order {
  const { failureReason, shipment, deliveredAt } =
    typeof details === "string" ? { failureReason: details } : details;
  const transition: OrderTransition = {
    from: order.status,
    to,
    ...(failureReason === undefined ? {} : { failureReason }),
    ...(shipment === undefined ? {} : { shipment }),
    ...(deliveredAt === undefined ? {} : { deliveredAt }),
  };
  assertTransition(transition);
  const { failureReason: _previous, ...rest } = order;
  return {
    ...rest,
    lines: order.lines.map((line) => ({ ...line })),
    status: to,
    ...(failureReason === undefined ? {} : { failureReason }),
    ...(shipment === undefined ? {} : { shipment: { ...shipment } }),
    ...(deliveredAt === undefined ? {} : { deliveredAt }),
  };
}

/**
 * Snapshot a priced cart into an order in its first state, with what checkout fixed when given
 * (copied, so that nothing the caller holds can change the order later). With `checkout`, the
 * order's `totalCents` is what the shopper pays, shipping and tax included (`checkout.totals`):
 * the amount the payment takes and a refund gives back. RangeError when `checkout`'s totals were
 * not priced from this cart and method.
 */
export function createOrder(
  cart: PricedCart,
  fields: {
    id: string;
    userId: string;
    createdAt: string;
    idempotencyKey: string;
    guest?: OrderGuest;
  },
  checkout?: OrderCheckout,
): Order {
  const lines = cart.lines.map((line) => ({ ...line }));
  const { guest, ...own } = fields;
  const placed = { ...cart, ...own, status: "PLACED" as const, lines };
  if (guest !== undefined) Object.assign(placed, { guest: { ...guest } });
  if (checkout === undefined) return placed;
  const { totals, shipping } = checkout;
  if (
    totals.subtotalCents !== cart.subtotalCents ||
    totals.discountCents !== cart.discountCents ||
    totals.shippingCents !== shipping.priceCents
  ) {
    throw new RangeError("the checkout totals were not priced from this cart and method");
  }
  return { ...placed, totalCents: totals.totalCents, checkout: structuredClone(checkout) };
}

/**
 * The snapshot an order keeps of its checkout: the chosen option's name and this order's price
 * of it, the addresses, the tax configuration's `taxShipping` and the totals `priceCheckout`
 * answered. A billing address equal to the shipping address is left out.
 */
export function snapshotCheckout(parts: {
  shippingAddress: Address;
  billingAddress?: Address | undefined;
  option: ShippingOption;
  config: TaxConfig;
  totals: CheckoutTotals;
}): OrderCheckout {
  const { shippingAddress, billingAddress, option, config, totals } = parts;
  const { methodId, zoneId, name, priceCents, minDeliveryDays, maxDeliveryDays } = option;
  const sameBilling = billingAddress === undefined || sameAddress(billingAddress, shippingAddress);
  return structuredClone({
    shippingAddress,
    ...(sameBilling ? {} : { billingAddress }),
    shipping: {
      methodId,
      zoneId,
      name,
      priceCents,
      ...(minDeliveryDays === undefined ? {} : { minDeliveryDays }),
      ...(maxDeliveryDays === undefined ? {} : { maxDeliveryDays }),
    },
    taxShipping: config.taxShipping,
    totals,
  });
}

/**
 * Subtotal, discount, shipping, tax and total of any order. One placed before checkout had
 * shipping and tax has none of either: its total is its goods' total, and no tax mode.
 */
export function orderTotals(order: Order): OrderTotals {
  if (order.checkout !== undefined) return order.checkout.totals;
  return {
    subtotalCents: order.subtotalCents,
    discountCents: order.discountCents,
    shippingCents: 0,
    taxCents: 0,
    totalCents: order.totalCents,
    taxLines: [],
  };
}

/** Where the order is billed: its billing address, else its shipping address; none on old orders. */
export function billingAddressOf(order: Order): Address | undefined {
  return order.checkout?.billingAddress ?? order.checkout?.shippingAddress;
}
