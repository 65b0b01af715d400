import { ADDRESS_BOOK_LIMITS, AppError, COMMENT_LIMITS } from "../domain/index.js";
import type { GraphqlRequest } from "../graphql/index.js";
import {
  addressBody,
  attachGuestOrdersBody,
  type Buyer,
  type Caller,
  checkoutBody,
  checkoutQuoteBody,
  commentBody,
  graphqlBody,
  graphqlQuery,
  idempotencyKey,
  loginBody,
  ORDER_ACCESS_TOKEN_HEADER,
  orderAccessToken,
  saveCartBody,
  shippingMethodsQuery,
  signupBody,
  validate,
} from "../services/index.js";
import { ADMIN_ROUTES } from "./admin-routes.js";
import { graphqlMediaOf, graphqlStatus } from "./graphql-media.js";
import { BEARER_CHALLENGE } from "./problem.js";
import {
  pageOf,
  type Reply,
  type Route,
  type RouteRequest,
  type RouteServices,
  route,
} from "./route.js";

const ok = (body: unknown): Reply => ({ statusCode: 200, body });

/** The caller of a route declared `auth: "required"`; the router has already refused anonymity. */
function signedIn(request: RouteRequest<unknown>): Caller {
  if (request.caller === undefined) throw new AppError("UNAUTHENTICATED", "sign in first");
  return request.caller;
}

/** The guest cart token of an anonymous caller; the router has already refused its absence. */
function guestToken(request: RouteRequest<unknown>): string {
  if (request.guestCartToken === undefined) {
    throw new AppError("UNAUTHENTICATED", "sign in first, or send a Guest-Cart-Token header");
  }
  return request.guestCartToken;
}

/** Who checks out: the signed-in caller, else the guest of the Guest-Cart-Token header. */
function buyerOf(request: RouteRequest<unknown>): Buyer {
  return request.caller === undefined
    ? { kind: "guest", cartToken: guestToken(request), clientAddress: request.clientAddress }
    : { kind: "customer", caller: request.caller };
}

/** The Order-Access-Token header, validated: a 400 naming it when absent or malformed. */
function accessTokenOf(request: RouteRequest<unknown>): string {
  const raw = request.header("order-access-token");
  return validate(orderAccessToken, raw, `${ORDER_ACCESS_TOKEN_HEADER} header`);
}

function param(request: RouteRequest<unknown>, name: string): string {
  return request.params[name] ?? "";
}

async function runGraphql(
  services: RouteServices,
  request: RouteRequest<unknown>,
  graphqlRequest: () => GraphqlRequest,
  method: "GET" | "POST",
): Promise<Reply> {
  const media = graphqlMediaOf(request.header("accept"));
  const headers: Record<string, string> = {
    "Content-Type": `${media}; charset=utf-8`,
    Vary: "Accept",
  };
  if (request.authFailure !== undefined) {
    // GraphQL clients read `errors`, not a problem document: the refusal in their shape.
    headers["WWW-Authenticate"] = BEARER_CHALLENGE;
    const error = { message: request.authFailure.message, extensions: { code: "UNAUTHENTICATED" } };
    return { statusCode: graphqlStatus(media, 401), headers, body: { errors: [error] } };
  }
  const result = await services.graphql.execute(graphqlRequest(), {
    caller: request.caller,
    // Raw: only the resolvers that use a guest cart validate it, as a REST route would.
    guestCartToken: request.header("guest-cart-token"),
    orderAccessToken: request.header("order-access-token"),
    clientAddress: request.clientAddress,
    method,
    requestId: request.requestId,
  });
  if (result.statusCode === 405) headers.Allow = "GET, HEAD, POST, OPTIONS";
  return { statusCode: graphqlStatus(media, result.statusCode), headers, body: result.body };
}

/** GraphQL over POST (body) and GET (query string, queries only) at the chapter's and the usual path. */
const graphqlRoutes = (resource: string): Route[] => [
  route({
    method: "POST",
    resource,
    group: "graphql",
    answers: { 200: "GraphqlResponse" },
    auth: "optional",
    store: "write",
    summary: "GraphQL: queries and mutations in a JSON body",
    body: graphqlBody,
    ownAuthErrors: true,
    handle: (services, request) => runGraphql(services, request, () => request.body, "POST"),
  }),
  route({
    method: "GET",
    resource,
    group: "graphql",
    answers: { 200: "GraphqlResponse" },
    auth: "optional",
    store: "read",
    summary: "GraphQL: queries only, in the query string",
    ownAuthErrors: true,
    handle: (services, request) =>
      runGraphql(
        services,
        request,
        () => validate(graphqlQuery, request.query, "query string"),
        "GET",
      ),
  }),
];

/**
 * THE route table. The router, the dev server, the OpenAPI document and every deployment
 * architecture are derived from it; a route is declared here and nowhere else.
 */
export const ROUTES: readonly Route[] = [
  route({
    method: "GET",
    resource: "/products",
    group: "products",
    answers: { 200: "ProductPage" },
    auth: "optional",
    store: "read",
    paged: true,
    summary:
      "A page of the catalogue in id order, each product with its rating (count and average), " +
      `its latest ${COMMENT_LIMITS.latestShown} comments and isSelected for the caller's cart; ` +
      "nextCursor fetches the next page",
    handle: async (services, request) =>
      ok(await services.catalog.listProducts(request.caller, pageOf(request))),
  }),
  route({
    method: "GET",
    resource: "/products/{id}",
    group: "products",
    answers: { 200: "Product" },
    refusals: ["NOT_FOUND"],
    auth: "optional",
    store: "read",
    summary:
      "One product with its rating (count and average) and its latest " +
      `${COMMENT_LIMITS.latestShown} comments; GET /products/{id}/comments pages through them all`,
    handle: async (services, request) =>
      ok(await services.catalog.getProduct(param(request, "id"), request.caller)),
  }),
  route({
    method: "GET",
    resource: "/products/{id}/comments",
    group: "products",
    answers: { 200: "CommentPage" },
    refusals: ["NOT_FOUND"],
    auth: "none",
    store: "read",
    paged: true,
    summary:
      "A page of a product's comments, newest first; nextCursor fetches the next (older) page",
    handle: async (services, request) =>
      ok(await services.catalog.listComments(param(request, "id"), pageOf(request))),
  }),
  route({
    method: "POST",
    resource: "/products/{id}/comments",
    group: "products",
    answers: { 201: "Comment" },
    refusals: ["NOT_FOUND", "TOO_MANY_REQUESTS"],
    auth: "required",
    store: "write",
    summary:
      `Comment on a product with a rating from 1 to 5 and a text of at most ${COMMENT_LIMITS.maxTextLength} ` +
      `characters; a user may comment ${COMMENT_LIMITS.perMinute} times a minute and ` +
      `${COMMENT_LIMITS.perProductPerDay} times a day on one product (calendar minute and day, ` +
      "UTC), else 429 with Retry-After",
    body: commentBody,
    handle: async (services, request) => ({
      statusCode: 201,
      body: await services.catalog.addComment(
        signedIn(request),
        param(request, "id"),
        request.body,
      ),
    }),
  }),
  route({
    method: "POST",
    resource: "/guest-carts",
    group: "cart",
    answers: { 201: "GuestCart" },
    auth: "none",
    store: "write",
    summary:
      "Start a guest cart for a shopper who has not signed in: 201 with its token (send it as " +
      "Guest-Cart-Token) and when it expires, 7 days after its last save",
    handle: async (services) => ({
      statusCode: 201,
      body: await services.guestCarts.createGuestCart(),
    }),
  }),
  route({
    method: "GET",
    resource: "/cart",
    group: "cart",
    answers: { 200: "Cart" },
    refusals: ["NOT_FOUND"],
    auth: "optional",
    guestCart: "anonymous",
    store: "read",
    summary: "The caller's cart, or without a token the guest cart of Guest-Cart-Token, priced",
    handle: async (services, request) =>
      ok(
        request.caller === undefined
          ? await services.guestCarts.getGuestCart(guestToken(request))
          : await services.carts.getCart(request.caller),
      ),
  }),
  route({
    method: "POST",
    resource: "/cart",
    group: "cart",
    answers: { 200: "Cart" },
    refusals: ["NOT_FOUND", "UNKNOWN_PRODUCT", "INVALID_PROMOTION", "CART_LIMIT"],
    auth: "optional",
    guestCart: "anonymous",
    store: "write",
    summary:
      "Replace the caller's cart, or without a token the guest cart of Guest-Cart-Token; " +
      "answers it priced",
    body: saveCartBody,
    handle: async (services, request) =>
      ok(
        request.caller === undefined
          ? await services.guestCarts.saveGuestCart(guestToken(request), request.body)
          : await services.carts.saveCart(request.caller, request.body),
      ),
  }),
  route({
    method: "POST",
    resource: "/cart/merge",
    group: "cart",
    answers: { 200: "Cart" },
    refusals: ["CART_CHANGED"],
    auth: "required",
    guestCart: "required",
    store: "write",
    summary:
      "Merge the guest cart of Guest-Cart-Token into the caller's cart and delete it; answers " +
      "the caller's cart priced, with notices of lines capped or dropped. An unknown, expired or " +
      "already merged token changes nothing",
    handle: async (services, request) =>
      ok(await services.guestCarts.mergeGuestCart(signedIn(request), guestToken(request))),
  }),
  route({
    method: "POST",
    resource: "/checkout/quote",
    group: "checkout",
    answers: { 200: "CheckoutQuote" },
    refusals: ["VALIDATION_FAILED", "NOT_FOUND", "CART_EMPTY", "NOT_SHIPPABLE"],
    auth: "optional",
    guestCart: "anonymous",
    store: "read",
    summary:
      "Price the caller's cart (or the guest cart of Guest-Cart-Token) shipped to an address: " +
      "the shipping methods offered there, cheapest first, and the totals with shipping and tax " +
      "for the method asked for (else the cheapest). NOT_SHIPPABLE (422, naming " +
      "shippingAddress.country) when the shop does not ship there. Nothing is written",
    body: checkoutQuoteBody,
    handle: async (services, request) =>
      ok(await services.checkout.quote(buyerOf(request), request.body)),
  }),
  route({
    method: "PUT",
    resource: "/checkout",
    group: "checkout",
    answers: { 202: "PlacedOrder", 200: "PlacedOrder" },
    refusals: [
      "VALIDATION_FAILED",
      "NOT_FOUND",
      "OUT_OF_STOCK",
      "CART_CHANGED",
      "CART_EMPTY",
      "UNKNOWN_PRODUCT",
      "INVALID_PROMOTION",
      "NOT_SHIPPABLE",
      "TOO_MANY_REQUESTS",
    ],
    auth: "optional",
    guestCart: "anonymous",
    store: "write",
    summary:
      "Turn the caller's cart, or without a token the guest cart of Guest-Cart-Token, into an " +
      "order shipped to shippingAddress (or, signed in, addressId) by shippingMethodId, priced " +
      "with shipping and tax; a guest sends email too and gets orderAccessToken, the only key " +
      "to the order (GET /guest-orders/{id}). 202 with the PLACED order, processed " +
      "asynchronously; an Idempotency-Key replay answers 200 with the first order as it is now",
    body: checkoutBody,
    handle: async (services, request) => {
      const rawKey = request.header("idempotency-key");
      const key =
        rawKey === undefined
          ? undefined
          : validate(idempotencyKey, rawKey, "Idempotency-Key header");
      const result = await services.orders.checkout(buyerOf(request), request.body, key);
      const { order, orderAccessToken } = result;
      // Relative to the request's URL, so it keeps the stage (`/dev/checkout` -> `/dev/orders/…`)
      // or a custom domain's base path that the handler never sees.
      const headers: Record<string, string> = {
        Location:
          orderAccessToken === undefined ? `orders/${order.id}` : `guest-orders/${order.id}`,
      };
      if (result.replayed) headers["Idempotent-Replayed"] = "true";
      // 202: the order is taken, its payment runs later (watch the WebSocket or GET Location).
      // A replay did nothing new: 200 with the first order in whatever state it has reached.
      return {
        statusCode: result.replayed ? 200 : 202,
        headers,
        body: orderAccessToken === undefined ? order : { ...order, orderAccessToken },
      };
    },
  }),
  route({
    method: "GET",
    resource: "/shipping-methods",
    group: "checkout",
    answers: { 200: "ShippingMethodList" },
    refusals: ["VALIDATION_FAILED", "NOT_SHIPPABLE"],
    auth: "none",
    store: "read",
    summary:
      "The shipping methods to a country (?country=DE) for goods of goodsCents (after any " +
      "discount, before tax; 0 when omitted), cheapest first, each with its price for them; " +
      "NOT_SHIPPABLE (422, naming country) when the shop does not ship there",
    handle: async (services, request) =>
      ok(
        await services.shopSettings.shippingMethods(
          validate(shippingMethodsQuery, request.query, "query string"),
        ),
      ),
  }),
  route({
    method: "GET",
    resource: "/orders",
    group: "orders",
    answers: { 200: "OrderPage" },
    auth: "required",
    store: "read",
    paged: true,
    summary: "A page of the caller's orders, newest first; nextCursor fetches the next page",
    handle: async (services, request) =>
      ok(await services.orders.listOrders(signedIn(request), pageOf(request))),
  }),
  route({
    method: "GET",
    resource: "/orders/{id}",
    group: "orders",
    answers: { 200: "Order" },
    refusals: ["NOT_FOUND"],
    auth: "required",
    store: "read",
    summary: "One of the caller's orders, with its current status",
    handle: async (services, request) =>
      ok(await services.orders.getOrder(signedIn(request), param(request, "id"))),
  }),
  route({
    method: "POST",
    resource: "/orders/{id}/cancel",
    group: "orders",
    answers: { 200: "Order" },
    refusals: ["NOT_FOUND", "ORDER_NOT_CANCELLABLE"],
    auth: "required",
    store: "write",
    summary:
      "Cancel one of the caller's orders while it is PLACED: its stock returned; " +
      "ORDER_NOT_CANCELLABLE (409) once processing started (ask the shop) or when finished",
    handle: async (services, request) =>
      ok(await services.orders.cancelOrder(signedIn(request), param(request, "id"))),
  }),
  route({
    method: "POST",
    resource: "/guest-orders/attach",
    group: "orders",
    answers: { 200: "GuestOrdersAttached" },
    refusals: ["VALIDATION_FAILED", "FORBIDDEN"],
    auth: "required",
    store: "write",
    summary:
      "Move the finished guest orders placed with the caller's e-mail address into the " +
      "caller's orders, once the user pool has confirmed that address: send the caller's ID " +
      "token (it carries the address and email_verified). 403 while the address is unconfirmed; " +
      "orders still being processed stay with the guest and are attached by a later call",
    body: attachGuestOrdersBody,
    handle: async (services, request) =>
      ok(await services.orders.attachGuestOrders(signedIn(request), request.body.idToken)),
  }),
  route({
    method: "POST",
    resource: "/orders/{id}/payment",
    group: "orders",
    answers: { 200: "PaymentSession" },
    refusals: ["NOT_FOUND", "ORDER_NOT_PAYABLE", "PAYMENT_UNAVAILABLE"],
    auth: "required",
    store: "write",
    summary:
      "Start (or take up again) the payment of one of the caller's orders: what the page needs " +
      "to take it (Stripe: the publishable key and the PaymentIntent's client secret; demo: " +
      "nothing, the shop charges by itself). One payment per order however often asked; " +
      "ORDER_NOT_PAYABLE (409) once the order is paid, failed or cancelled",
    handle: async (services, request) =>
      ok(await services.orders.payOrder(signedIn(request), param(request, "id"))),
  }),
  route({
    method: "POST",
    resource: "/guest-orders/{id}/payment",
    group: "orders",
    answers: { 200: "PaymentSession" },
    refusals: ["VALIDATION_FAILED", "NOT_FOUND", "ORDER_NOT_PAYABLE", "PAYMENT_UNAVAILABLE"],
    auth: "none",
    store: "write",
    summary: "As POST /orders/{id}/payment, for the guest's order its Order-Access-Token opens",
    handle: async (services, request) =>
      ok(await services.orders.payGuestOrder(param(request, "id"), accessTokenOf(request))),
  }),
  route({
    method: "GET",
    resource: "/guest-orders/{id}",
    group: "orders",
    answers: { 200: "Order" },
    refusals: ["VALIDATION_FAILED", "NOT_FOUND"],
    auth: "none",
    store: "read",
    summary:
      "A guest's order, opened by the orderAccessToken its checkout answered (in the " +
      "Order-Access-Token header, never in the address); 404 for any token that does not open it",
    handle: async (services, request) =>
      ok(await services.orders.getGuestOrder(param(request, "id"), accessTokenOf(request))),
  }),
  route({
    method: "POST",
    resource: "/guest-orders/{id}/cancel",
    group: "orders",
    answers: { 200: "Order" },
    refusals: ["VALIDATION_FAILED", "NOT_FOUND", "ORDER_NOT_CANCELLABLE"],
    auth: "none",
    store: "write",
    summary:
      "Cancel a guest's order, opened by its Order-Access-Token, while it is PLACED, as " +
      "POST /orders/{id}/cancel does for a customer's",
    handle: async (services, request) =>
      ok(await services.orders.cancelGuestOrder(param(request, "id"), accessTokenOf(request))),
  }),
  route({
    method: "GET",
    resource: "/addresses",
    group: "account",
    answers: { 200: "AddressBook" },
    auth: "required",
    store: "read",
    summary:
      "The caller's address book, the default first, then the oldest first: the whole book in " +
      `one answer, never paged, since a book holds at most ${ADDRESS_BOOK_LIMITS.maxAddresses}`,
    handle: async (services, request) =>
      ok(await services.addresses.listAddresses(signedIn(request))),
  }),
  route({
    method: "POST",
    resource: "/addresses",
    group: "account",
    answers: { 201: "Address" },
    location: true,
    refusals: ["ADDRESS_BOOK_FULL"],
    auth: "required",
    store: "write",
    summary:
      "Add an address to the caller's address book; isDefault true makes it the default in " +
      `place of the previous one. A book holds at most ${ADDRESS_BOOK_LIMITS.maxAddresses}: ` +
      "past that, 409 ADDRESS_BOOK_FULL",
    body: addressBody,
    handle: async (services, request) => {
      const saved = await services.addresses.addAddress(signedIn(request), request.body);
      // Relative, as checkout's: it keeps the stage or a custom domain's base path.
      return {
        statusCode: 201,
        headers: { Location: `addresses/${encodeURIComponent(saved.id)}` },
        body: saved,
      };
    },
  }),
  route({
    method: "PUT",
    resource: "/addresses/{id}",
    group: "account",
    answers: { 200: "Address" },
    refusals: ["NOT_FOUND"],
    auth: "required",
    store: "write",
    summary:
      "Replace one of the caller's addresses; isDefault true makes it the default, false stops " +
      "it being one, absent keeps it as it was. 404 for an id that is not the caller's",
    body: addressBody,
    handle: async (services, request) =>
      ok(
        await services.addresses.replaceAddress(
          signedIn(request),
          param(request, "id"),
          request.body,
        ),
      ),
  }),
  route({
    method: "DELETE",
    resource: "/addresses/{id}",
    group: "account",
    answers: { 204: null },
    refusals: ["NOT_FOUND"],
    auth: "required",
    store: "write",
    summary:
      "Delete one of the caller's addresses; deleting the default leaves the book without one " +
      "(no other address is promoted). 404 for an id that is not the caller's",
    handle: async (services, request) => {
      await services.addresses.deleteAddress(signedIn(request), param(request, "id"));
      return { statusCode: 204 };
    },
  }),
  ...ADMIN_ROUTES,
  route({
    method: "POST",
    resource: "/auth/signup",
    group: "auth",
    answers: { 202: "SignupAccepted" },
    auth: "none",
    store: "write",
    localOnly: true,
    summary:
      "Register with email and password, then sign in with POST /auth/login; answers 202 " +
      "alike for a new and an already registered email, so it tells nobody which emails exist",
    body: signupBody,
    handle: async (services, request) => ({
      statusCode: 202,
      body: await services.auth.signup(request.body),
    }),
  }),
  route({
    method: "POST",
    resource: "/auth/login",
    group: "auth",
    answers: { 200: "AccessToken" },
    refusals: ["UNAUTHENTICATED", "TOO_MANY_REQUESTS"],
    auth: "none",
    store: "read",
    localOnly: true,
    summary: "Sign in with email and password; answers an access token",
    body: loginBody,
    handle: async (services, request) =>
      ok(await services.auth.login({ ...request.body, clientAddress: request.clientAddress })),
  }),
  route({
    method: "GET",
    resource: "/.well-known/jwks.json",
    group: "auth",
    answers: { 200: "JsonWebKeySet" },
    auth: "none",
    store: "none",
    localOnly: true,
    summary: "The public keys that verify the local issuer's access tokens",
    handle: async (services) => ({
      statusCode: 200,
      headers: { "Cache-Control": "public, max-age=300" },
      body: await services.auth.jwks(),
    }),
  }),
  ...graphqlRoutes("/query"),
  ...graphqlRoutes("/graphql"),
  route({
    method: "POST",
    resource: "/webhooks/stripe",
    group: "payments",
    answers: { 200: "PaymentEventReceipt" },
    refusals: ["WEBHOOK_UNVERIFIED"],
    auth: "none",
    store: "write",
    summary:
      "Stripe's webhook: the raw body's Stripe-Signature is verified (5 minutes' tolerance) " +
      "before anything is read; 400 WEBHOOK_UNVERIFIED otherwise. Each event is handled once " +
      "(by its id); payment_intent.succeeded pays the order it names when the amount and " +
      "currency match, payment_intent.payment_failed fails it. 400 too unless PAYMENT_PROVIDER is stripe",
    handle: async (services, request) =>
      ok(
        await services.paymentEvents.receive(
          request.rawBody ?? "",
          request.header("stripe-signature"),
        ),
      ),
  }),
  route({
    method: "GET",
    resource: "/openapi.json",
    group: "docs",
    answers: { 200: "OpenApiDocument" },
    auth: "none",
    store: "none",
    summary: "This API as an OpenAPI 3.1 document, derived from the route table",
    handle: async () => {
      // Loaded here only: no other function builds the document's schemas at its cold start.
      const { buildOpenApi } = await import("./openapi.js");
      openApiDocument ??= buildOpenApi(ROUTES);
      return {
        statusCode: 200,
        headers: { "Cache-Control": "public, max-age=300" },
        body: openApiDocument,
      };
    },
  }),
];

let openApiDocument: object | undefined;
