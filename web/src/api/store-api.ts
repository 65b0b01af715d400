import { request } from "./http.js";
import type {
  AddressBook,
  AddressInput,
  Cart,
  CartInput,
  CheckoutInput,
  CheckoutQuote,
  CheckoutQuoteInput,
  CommentPage,
  GuestCart,
  GuestOrdersAttached,
  Order,
  OrderPage,
  PaymentSession,
  PlacedOrder,
  Product,
  ProductComment,
  ProductPage,
  SavedAddress,
} from "./types.js";

const GUEST_HEADER = "Guest-Cart-Token";

function guestHeaders(guestToken: string | null): Record<string, string> {
  return guestToken === null ? {} : { [GUEST_HEADER]: guestToken };
}

const path = (id: string) => encodeURIComponent(id);

const after = (cursor: string | null) =>
  cursor === null ? "" : `?cursor=${encodeURIComponent(cursor)}`;

/** A page of the catalogue: the first, or the one `cursor` (a page's `nextCursor`) names. */
export const listProducts = (cursor: string | null = null) =>
  request<ProductPage>(`/products${after(cursor)}`, { auth: true });

export const getProduct = (id: string) => request<Product>(`/products/${path(id)}`, { auth: true });

/** REVIEWS_PAGE of a product's reviews, newest first: the first, or the one `cursor` names. */
export const listComments = (id: string, cursor: string | null = null) =>
  request<CommentPage>(
    `/products/${path(id)}/comments?limit=${REVIEWS_PAGE}${
      cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`
    }`,
  );

/** Reviews a "More reviews" press reads at once. */
const REVIEWS_PAGE = 10;

export const addComment = (id: string, comment: { rating: number; text: string }) =>
  request<ProductComment>(`/products/${path(id)}/comments`, {
    method: "POST",
    body: comment,
    auth: true,
  });

/** The signed-in user's cart, or the guest cart the token names when signed out. */
export const getCart = (guestToken: string | null) =>
  request<Cart>("/cart", { auth: true, headers: guestHeaders(guestToken) });

export const saveCart = (input: CartInput, guestToken: string | null) =>
  request<Cart>("/cart", {
    method: "POST",
    body: input,
    auth: true,
    headers: guestHeaders(guestToken),
  });

export const createGuestCart = () => request<GuestCart>("/guest-carts", { method: "POST" });

export const mergeGuestCart = (guestToken: string) =>
  request<Cart>("/cart/merge", { method: "POST", auth: true, headers: guestHeaders(guestToken) });

/**
 * Moves the finished guest orders of the signed-in user's confirmed e-mail address into their
 * account; `idToken` says the address and that the pool confirmed it.
 */
export const attachGuestOrders = (idToken: string) =>
  request<GuestOrdersAttached>("/guest-orders/attach", {
    method: "POST",
    body: { idToken },
    auth: true,
  });

/** The shipping methods to an address and the totals for one of them (else the cheapest). */
export const quoteCheckout = (input: CheckoutQuoteInput, guestToken: string | null) =>
  request<CheckoutQuote>("/checkout/quote", {
    method: "POST",
    body: input,
    auth: true,
    headers: guestHeaders(guestToken),
  });

/** Places the order; a guest's answer carries the order's access token. */
export const checkout = (input: CheckoutInput, idempotencyKey: string, guestToken: string | null) =>
  request<PlacedOrder>("/checkout", {
    method: "PUT",
    body: input,
    auth: true,
    headers: { ...guestHeaders(guestToken), "Idempotency-Key": idempotencyKey },
  });

const ORDER_ACCESS_HEADER = "Order-Access-Token";

/** A guest's order, opened by its access token: in a header, never in the address. */
export const getGuestOrder = (id: string, accessToken: string) =>
  request<Order>(`/guest-orders/${path(id)}`, { headers: { [ORDER_ACCESS_HEADER]: accessToken } });

/** Starts (or takes up again) the payment of a guest's order; see payOrder. */
export const payGuestOrder = (id: string, accessToken: string) =>
  request<PaymentSession>(`/guest-orders/${path(id)}/payment`, {
    method: "POST",
    headers: { [ORDER_ACCESS_HEADER]: accessToken },
  });

export const cancelGuestOrder = (id: string, accessToken: string) =>
  request<Order>(`/guest-orders/${path(id)}/cancel`, {
    method: "POST",
    headers: { [ORDER_ACCESS_HEADER]: accessToken },
  });

/** The signed-in user's address book, the default first. */
export const listAddresses = () => request<AddressBook>("/addresses", { auth: true });

export const addAddress = (input: AddressInput & { isDefault?: boolean }) =>
  request<SavedAddress>("/addresses", { method: "POST", body: input, auth: true });

/** A page of the signed-in user's orders, newest first. */
export const listOrders = (cursor: string | null = null) =>
  request<OrderPage>(`/orders${after(cursor)}`, { auth: true });

export const getOrder = (id: string) => request<Order>(`/orders/${path(id)}`, { auth: true });

/** Cancels one of the signed-in user's orders while it is still PLACED. */
export const cancelOrder = (id: string) =>
  request<Order>(`/orders/${path(id)}/cancel`, { method: "POST", auth: true });

/**
 * Starts (or takes up again) the payment of one of the signed-in user's orders while it is
 * PLACED or PROCESSING: one payment per order however often asked. 409 ORDER_NOT_PAYABLE once
 * it is finished, 503 PAYMENT_UNAVAILABLE when the provider cannot be reached.
 */
export const payOrder = (id: string) =>
  request<PaymentSession>(`/orders/${path(id)}/payment`, { method: "POST", auth: true });
