import createClient from "openapi-fetch";
import { BERLIN_ADDRESS, CHECKOUT_BODY } from "../../helpers/fixtures.js";
import type { paths } from "./api.js";

// A shopper's whole journey through a client generated from /openapi.json by openapi-typescript
// and driven by openapi-fetch, written as an application would: strict TypeScript, no casts and
// no `any`. The test type-checks this file against freshly generated types, then runs it.

export interface JourneyResult {
  productsSeen: number;
  /** The reviews of the first product, read a page at a time (newest first). */
  reviewsRead: number;
  reviewCount: number;
  orderId: string;
  orderTotalCents: number;
  ordersListed: string[];
  replayed: boolean;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what}: no answer body`);
  return value;
}

export async function runJourney(baseUrl: string, email: string): Promise<JourneyResult> {
  const api = createClient<paths>({ baseUrl });

  const credentials = { email, password: "correct horse battery" };
  const signedUp = await api.POST("/auth/signup", { body: { ...credentials, name: "Generated" } });
  required(signedUp.data, "sign-up");
  const signedIn = await api.POST("/auth/login", { body: credentials });
  const { accessToken } = required(signedIn.data, "sign-in");
  const auth = { Authorization: `Bearer ${accessToken}` };

  // The catalogue, page by page.
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.GET("/products", {
      params: { query: { limit: 4, ...(cursor === undefined ? {} : { cursor }) } },
    });
    const { items, nextCursor } = required(page.data, "products");
    ids.push(...items.map((product) => product.id));
    cursor = nextCursor ?? undefined;
  } while (cursor !== undefined);
  const first = required(ids[0], "first product");

  // The first product's reviews: its count, then every review through the paged route.
  const product = await api.GET("/products/{id}", { params: { path: { id: first } } });
  const reviewCount: number = required(product.data, "product").rating.count;
  let reviewsRead = 0;
  let reviewCursor: string | undefined;
  do {
    const page = await api.GET("/products/{id}/comments", {
      params: {
        path: { id: first },
        query: { limit: 1, ...(reviewCursor === undefined ? {} : { cursor: reviewCursor }) },
      },
    });
    const { items, nextCursor } = required(page.data, "reviews");
    reviewsRead += items.filter((review) => review.rating >= 1).length;
    reviewCursor = nextCursor ?? undefined;
  } while (reviewCursor !== undefined);

  // A guest cart, filled, then merged into the user's cart on sign-in.
  const guest = required((await api.POST("/guest-carts")).data, "guest cart");
  const guestHeader = { "Guest-Cart-Token": guest.token };
  const guestCart = await api.POST("/cart", {
    params: { header: guestHeader },
    body: { products: [{ id: first, quantity: 1 }] },
  });
  const line = required(guestCart.data, "guest save").products[0];
  if (line === undefined || line.available < 1) throw new Error("the guest line is missing");
  const merged = await api.POST("/cart/merge", { params: { header: guestHeader }, headers: auth });
  const cart = required(merged.data, "merge");

  const saved = await api.POST("/cart", {
    headers: auth,
    body: {
      products: [...cart.products.map((l) => ({ id: l.id, quantity: l.quantity + 1 }))],
      promotionCode: "WELCOME10",
    },
  });
  const priced = required(saved.data, "user save");

  const key = crypto.randomUUID();
  const placed = await api.PUT("/checkout", {
    params: { header: { "Idempotency-Key": key } },
    headers: auth,
    body: CHECKOUT_BODY,
  });
  const order = required(placed.data, "checkout");
  // What is paid: the goods as the cart priced them, plus shipping and the tax added on top.
  if (order.totalCents !== priced.totalCents + order.shippingCents + order.taxCents) {
    throw new Error("the order's total moved");
  }
  const again = await api.PUT("/checkout", {
    params: { header: { "Idempotency-Key": key } },
    headers: auth,
    body: CHECKOUT_BODY,
  });
  const replayed = again.response.headers.get("Idempotent-Replayed") === "true";

  const listed = await api.GET("/orders", { params: { query: { limit: 10 } }, headers: auth });
  const one = await api.GET("/orders/{id}", { params: { path: { id: order.id } }, headers: auth });
  const status:
    | "PLACED"
    | "PROCESSING"
    | "COMPLETED"
    | "SHIPPED"
    | "DELIVERED"
    | "FAILED"
    | "CANCELLED" = required(one.data, "order").status;
  if (status === "FAILED" || status === "CANCELLED") throw new Error(`the order is ${status}`);

  return {
    productsSeen: ids.length,
    reviewsRead,
    reviewCount,
    orderId: order.id,
    orderTotalCents: order.totalCents,
    ordersListed: required(listed.data, "orders").items.map((o) => o.id),
    replayed,
  };
}

export interface GuestJourneyResult {
  orderId: string;
  /** What the quote said the order would cost, and what the order says it costs. */
  quotedTotalCents: number;
  orderTotalCents: number;
  /** The order opened by its access token, and what a wrong token gets. */
  openedStatus: string;
  wrongTokenStatus: number;
  /** A retry of the checkout with its Idempotency-Key answers the same order and token. */
  replayedSameToken: boolean;
}

/** A guest's checkout through the generated client: quote, place, retry, open with the token. */
export async function runGuestJourney(baseUrl: string): Promise<GuestJourneyResult> {
  const api = createClient<paths>({ baseUrl });
  const guest = required((await api.POST("/guest-carts")).data, "guest cart");
  const guestHeader = { "Guest-Cart-Token": guest.token };
  required(
    (
      await api.POST("/cart", {
        params: { header: guestHeader },
        body: { products: [{ id: "solid-friendship", quantity: 1 }] },
      })
    ).data,
    "guest save",
  );
  const shippingAddress = BERLIN_ADDRESS;
  const quote = required(
    (
      await api.POST("/checkout/quote", {
        params: { header: guestHeader },
        body: { shippingAddress },
      })
    ).data,
    "quote",
  );
  const checkout = {
    params: { header: { ...guestHeader, "Idempotency-Key": crypto.randomUUID() } },
    body: {
      shippingAddress,
      shippingMethodId: quote.shippingMethodId,
      email: "grace@example.com",
    },
  };
  const order = required((await api.PUT("/checkout", checkout)).data, "guest checkout");
  const accessToken = required(order.orderAccessToken, "the order's access token");
  const again = required((await api.PUT("/checkout", checkout)).data, "guest checkout retried");
  const opened = await api.GET("/guest-orders/{id}", {
    params: { path: { id: order.id }, header: { "Order-Access-Token": accessToken } },
  });
  const wrong = await api.GET("/guest-orders/{id}", {
    params: { path: { id: order.id }, header: { "Order-Access-Token": "A".repeat(43) } },
  });
  return {
    orderId: order.id,
    quotedTotalCents: quote.totals.totalCents,
    orderTotalCents: order.totalCents,
    openedStatus: required(opened.data, "guest order").status,
    wrongTokenStatus: wrong.response.status,
    replayedSameToken: again.id === order.id && again.orderAccessToken === accessToken,
  };
}
