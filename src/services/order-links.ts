import { createHmac, timingSafeEqual } from "node:crypto";
import type { Order } from "../domain/index.js";
import { opensOrder } from "./checkout.js";
import type { OrderLinks } from "./outbox-ports.js";

// A guest's e-mails link to the guest order page with a token of their own: the checkout's
// order access token is derived from the guest's cart token, which the shop never keeps, so
// an e-mail sent later cannot carry it. This one is an HMAC of the order id with the shop's key
// (an SSM SecureString in AWS, a file in the data directory locally): nothing is stored, and
// only the shop can make one.

/** The storefront's order pages (web/src/page-paths.ts's `guestOrder` and `order`). */
const GUEST_ORDER_PAGE = "/track/";
const CUSTOMER_ORDER_PAGE = "/account/orders/";

/** Link tokens made with the key `key` answers (read when first needed, then kept). */
export function createOrderLinks(key: () => Promise<Uint8Array>): OrderLinks {
  let loading: Promise<Uint8Array> | undefined;
  const mac = async (orderId: string): Promise<Buffer> => {
    loading ??= key().catch((error: unknown) => {
      // A failed read is tried again on the next use rather than kept.
      loading = undefined;
      throw error;
    });
    return createHmac("sha256", await loading)
      .update(`order-link\n${orderId}`, "utf8")
      .digest();
  };
  return {
    tokenFor: async (orderId) => (await mac(orderId)).toString("base64url"),
    async opens(orderId, token) {
      // The token's own characters against the expected ones: a non-canonical spelling of the
      // same bytes opens nothing. The length is no secret (every token has 43 characters).
      const expected = Buffer.from((await mac(orderId)).toString("base64url"), "utf8");
      const given = Buffer.from(token, "utf8");
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/**
 * The page an e-mail about `order` links to, under the storefront's base address `shopUrl`: a
 * guest's order page with `guestToken` in the fragment (browsers send a fragment to no server and
 * in no Referer), or the customer's own order page, which asks them to sign in.
 */
export function orderPageUrl(shopUrl: string, order: Order, guestToken?: string): string {
  const base = shopUrl.replace(/\/+$/, "");
  const id = encodeURIComponent(order.id);
  if (order.guest !== undefined && guestToken !== undefined) {
    return `${base}${GUEST_ORDER_PAGE}${id}#token=${encodeURIComponent(guestToken)}`;
  }
  return `${base}${CUSTOMER_ORDER_PAGE}${id}`;
}

/**
 * Whether `token` opens the guest order `order`: the checkout's order access token (the page
 * that placed it holds it) or the order's link token (its e-mails carry it), each compared in
 * constant time.
 */
export async function opensGuestOrder(
  links: OrderLinks,
  order: Order,
  token: string,
): Promise<boolean> {
  if (order.guest === undefined) return false;
  return opensOrder(token, order.guest.accessTokenHash) || (await links.opens(order.id, token));
}
