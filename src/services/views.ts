import {
  type Cart,
  type Comment,
  CURRENCY,
  type Order,
  type OrderStatus,
  type PricedCart,
  type Product,
  type ProductWithComments,
  type RatingSummary,
  summarizeRatings,
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

export interface OrderView extends PricedView {
  id: string;
  /** PLACED, then PROCESSING, then COMPLETED or FAILED. */
  status: OrderStatus;
  /** Why the order failed; on FAILED orders only. */
  failureReason?: string;
  createdAt: string;
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
    version: cart?.version ?? 0,
    updatedAt: cart?.updatedAt ?? null,
    notices: [...short, ...notices],
  };
}

export function orderView(order: Order): OrderView {
  return {
    id: order.id,
    status: order.status,
    ...(order.failureReason === undefined ? {} : { failureReason: order.failureReason }),
    ...pricedView(order),
    createdAt: order.createdAt,
  };
}
