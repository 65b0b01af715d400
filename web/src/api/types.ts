// The API's shapes, as README's API section describes them. Amounts are integer cents.

export interface Rating {
  average: number | null;
  count: number;
}

export interface ProductComment {
  id: string;
  author: string;
  rating: number;
  text: string;
  createdAt: string;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  currency: string;
  stock: number;
  /** Every review's count and average. */
  rating: Rating;
  /** The latest few reviews, newest first; GET /products/{id}/comments pages through all. */
  comments: ProductComment[];
  isSelected: boolean;
}

export interface Line {
  id: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface Priced {
  products: Line[];
  promotionCode: string | null;
  discountPercentage: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  currency: string;
}

/** A line of a cart: an order's line and how many the shop has in stock now. */
export interface CartLine extends Line {
  available: number;
}

/** A page of a list: `nextCursor` asks for the next one; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Cart extends Omit<Priced, "products"> {
  products: CartLine[];
  version: number;
  updatedAt: string | null;
  notices: string[];
}

export type OrderStatus = "PLACED" | "PROCESSING" | "COMPLETED" | "FAILED" | "CANCELLED";

export interface Order extends Priced {
  id: string;
  status: OrderStatus;
  failureReason?: string;
  createdAt: string;
}

export interface GuestCart {
  token: string;
  expiresAt: string;
}

/** What a cart save sends: the server prices it, the client never sends a price. */
export interface CartInput {
  products: { id: string; quantity: number }[];
  promotionCode?: string;
}

export interface OrderUpdate {
  type: "order.updated";
  orderId: string;
  status: OrderStatus;
  reason?: string;
}

export const TERMINAL_STATUSES: readonly OrderStatus[] = ["COMPLETED", "FAILED", "CANCELLED"];
