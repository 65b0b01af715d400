import {
  type Address,
  type Cart,
  type CheckoutTotals,
  type Comment,
  CURRENCY,
  type Order,
  type OrderShipping,
  type OrderStatus,
  orderTotals,
  type PricedCart,
  type Product,
  type ProductWithComments,
  type RatingSummary,
  type Shipment,
  summarizeRatings,
  type TaxLine,
  type TaxMode,
} from "../domain/index.js";

/** What clients see. Amounts are integer cents of `currency`. */
export interface ProductView {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  currency: string;
  stock: number;
  /** The count and average of every comment's rating. */
  rating: RatingSummary;
  /** The latest few comments (COMMENT_LIMITS.latestShown), newest first; all of them are paged. */
  comments: CommentView[];
  /** True when the product is in the caller's cart; always false for anonymous callers. */
  isSelected: boolean;
}

export interface CommentView {
  id: string;
  author: string;
  rating: number;
  text: string;
  createdAt: string;
}

export interface LineView {
  id: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface PricedView {
  products: LineView[];
  promotionCode: string | null;
  discountPercentage: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  currency: string;
}

/** A cart's line: an order's, and how many the store has now. */
export interface CartLineView extends LineView {
  /** In stock now: checkout refuses a quantity above it (a notice says so beforehand). */
  available: number;
}

export interface CartView extends Omit<PricedView, "products"> {
  products: CartLineView[];
  /**
   * Unknown until an address is given (null here; `POST /checkout/quote` prices them): the
   * cart's `totalCents` is its goods after the discount.
   */
  shippingCents: null;
  taxCents: null;
  /** Grows by one on every save and checkout; 0 for a cart never saved. */
  version: number;
  updatedAt: string | null;
  /**
   * What the shopper should know before checkout: a line asking for more than is in stock, and
   * why a saved cart was priced differently from how it was saved (a product withdrawn, a code
   * expired, a merge capped).
   */
  notices: string[];
}

/** A postal address as an order or a quote shows it; an optional field absent is null. */
export interface PostalAddressView {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  phone: string | null;
}

/** One tax as applied to one order; `region` is null for a country's own rate. */
export interface TaxLineView {
  label: string;
  country: string;
  region: string | null;
  ratePpm: number;
  taxableCents: number;
  taxCents: number;
}

/** The shipping method as the order was placed with it. */
export interface OrderShippingView {
  methodId: string;
  name: string;
  priceCents: number;
  minDeliveryDays: number | null;
  maxDeliveryDays: number | null;
}

/**
 * Subtotal, discount, shipping, tax and total. `totalCents` is what the shopper pays; in a
 * tax-inclusive shop the tax is inside it, in a tax-exclusive one it is added. `taxMode` is null
 * on an order placed before checkout had tax.
 */
export interface TotalsView {
  subtotalCents: number;
  discountCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  taxMode: TaxMode | null;
  taxLines: TaxLineView[];
  currency: string;
}

/** How the parcel left: `trackingUrl` is null when the operator gave none. */
export interface ShipmentView {
  carrier: string;
  trackingNumber: string;
  /** An https URL where the customer follows the parcel. */
  trackingUrl: string | null;
  shippedAt: string;
}

export interface OrderView extends PricedView {
  id: string;
  /**
   * PLACED, then PROCESSING, then COMPLETED (paid) or FAILED; a paid order then SHIPPED and
   * DELIVERED. PLACED, PROCESSING and COMPLETED orders may be CANCELLED.
   */
  status: OrderStatus;
  /** Why the order failed; on FAILED orders only. */
  failureReason?: string;
  createdAt: string;
  shippingCents: number;
  taxCents: number;
  taxMode: TaxMode | null;
  taxLines: TaxLineView[];
  /** Null on orders placed before checkout took an address. */
  shippingAddress: PostalAddressView | null;
  /** The billing address: the shipping address unless another was given; null as above. */
  billingAddress: PostalAddressView | null;
  shipping: OrderShippingView | null;
  /** The e-mail address of a guest's order; null on a customer's (the account has it). */
  guestEmail: string | null;
  /** Null until the order is SHIPPED. */
  shipment: ShipmentView | null;
  /** When it was delivered; null until the order is DELIVERED. */
  deliveredAt: string | null;
}

export function commentView(comment: Comment): CommentView {
  return {
    id: comment.id,
    author: comment.author,
    rating: comment.rating,
    text: comment.text,
    createdAt: comment.createdAt,
  };
}

export function productView(product: ProductWithComments, isSelected: boolean): ProductView {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    imageUrl: product.imageUrl,
    priceCents: product.priceCents,
    currency: CURRENCY,
    stock: product.stock,
    rating: summarizeRatings(product.commentCount, product.ratingTotal),
    comments: product.comments.map(commentView),
    isSelected,
  };
}

function pricedView(priced: PricedCart): PricedView {
  return {
    products: priced.lines.map((line) => ({
      id: line.productId,
      name: line.name,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      lineTotalCents: line.lineTotalCents,
    })),
    promotionCode: priced.promotionCode ?? null,
    discountPercentage: priced.discountPercentage,
    subtotalCents: priced.subtotalCents,
    discountCents: priced.discountCents,
    totalCents: priced.totalCents,
    currency: CURRENCY,
  };
}

/**
 * A priced cart as the shopper sees it: each line with the stock it can have now, and a notice
 * for each line asking for more (the save keeps the quantity asked: stock may come back, and
 * checkout is where it is enforced).
 */
export function cartView(
  priced: PricedCart,
  cart: Pick<Cart, "version" | "updatedAt"> | undefined,
  notices: string[],
  products: ReadonlyMap<string, Product>,
): CartView {
  const view = pricedView(priced);
  const lines = view.products.map((line) => ({
    ...line,
    available: products.get(line.id)?.stock ?? 0,
  }));
  const short = lines
    .filter((line) => line.quantity > line.available)
    .map((line) =>
      line.available === 0
        ? `${line.name} is out of stock`
        : `only ${line.available} of ${line.name} left: checkout takes at most ${line.available}`,
    );
  return {
    ...view,
    products: lines,
    shippingCents: null,
    taxCents: null,
    version: cart?.version ?? 0,
    updatedAt: cart?.updatedAt ?? null,
    notices: [...short, ...notices],
  };
}

export function postalAddressView(address: Address): PostalAddressView {
  return {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postalCode: address.postalCode ?? null,
    country: address.country,
    phone: address.phone ?? null,
  };
}

const taxLineView = (line: TaxLine): TaxLineView => ({
  label: line.label,
  country: line.country,
  region: line.region ?? null,
  ratePpm: line.ratePpm,
  taxableCents: line.taxableCents,
  taxCents: line.taxCents,
});

export function totalsView(
  totals: Omit<CheckoutTotals, "taxMode"> & { taxMode?: TaxMode },
): TotalsView {
  return {
    subtotalCents: totals.subtotalCents,
    discountCents: totals.discountCents,
    shippingCents: totals.shippingCents,
    taxCents: totals.taxCents,
    totalCents: totals.totalCents,
    taxMode: totals.taxMode ?? null,
    taxLines: totals.taxLines.map(taxLineView),
    currency: CURRENCY,
  };
}

const shippingView = (shipping: OrderShipping): OrderShippingView => ({
  methodId: shipping.methodId,
  name: shipping.name,
  priceCents: shipping.priceCents,
  minDeliveryDays: shipping.minDeliveryDays ?? null,
  maxDeliveryDays: shipping.maxDeliveryDays ?? null,
});

export const shipmentView = (shipment: Shipment): ShipmentView => ({
  carrier: shipment.carrier,
  trackingNumber: shipment.trackingNumber,
  trackingUrl: shipment.trackingUrl ?? null,
  shippedAt: shipment.shippedAt,
});

export function orderView(order: Order): OrderView {
  const totals = orderTotals(order);
  const { checkout } = order;
  return {
    id: order.id,
    status: order.status,
    ...(order.failureReason === undefined ? {} : { failureReason: order.failureReason }),
    ...pricedView(order),
    createdAt: order.createdAt,
    shippingCents: totals.shippingCents,
    taxCents: totals.taxCents,
    taxMode: totals.taxMode ?? null,
    taxLines: totals.taxLines.map(taxLineView),
    shippingAddress: checkout === undefined ? null : postalAddressView(checkout.shippingAddress),
    billingAddress:
      checkout === undefined
        ? null
        : postalAddressView(checkout.billingAddress ?? checkout.shippingAddress),
    shipping: checkout === undefined ? null : shippingView(checkout.shipping),
    guestEmail: order.guest?.email ?? null,
    shipment: order.shipment === undefined ? null : shipmentView(order.shipment),
    deliveredAt: order.deliveredAt ?? null,
  };
}
