import { AppError } from "../domain/index.js";
import type { GraphqlRequest } from "../graphql/index.js";
import {
  type Caller,
  commentBody,
  graphqlBody,
  graphqlQuery,
  idempotencyKey,
  loginBody,
  saveCartBody,
  signupBody,
  validate,
} from "../services/index.js";
import { ADMIN_ROUTES } from "./admin-routes.js";
import { buildOpenApi } from "./openapi.js";
import { type Reply, type Route, type RouteRequest, type RouteServices, route } from "./route.js";

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

function param(request: RouteRequest<unknown>, name: string): string {
  return request.params[name] ?? "";
}

async function runGraphql(
  services: RouteServices,
  request: RouteRequest<unknown>,
  graphqlRequest: GraphqlRequest,
  method: "GET" | "POST",
): Promise<Reply> {
  const result = await services.graphql.execute(graphqlRequest, {
    caller: request.caller,
    // Raw: only the resolvers that use a guest cart validate it, as a REST route would.
    guestCartToken: request.header("guest-cart-token"),
    method,
    requestId: request.requestId,
  });
  return { statusCode: result.statusCode, body: result.body };
}

/** GraphQL over POST (body) and GET (query string, queries only) at the chapter's and the usual path. */
const graphqlRoutes = (resource: string): Route[] => [
  route({
    method: "POST",
    resource,
    group: "graphql",
    auth: "optional",
    store: "write",
    summary: "GraphQL: queries and mutations in a JSON body",
    body: graphqlBody,
    handle: (services, request) => runGraphql(services, request, request.body, "POST"),
  }),
  route({
    method: "GET",
    resource,
    group: "graphql",
    auth: "optional",
    store: "read",
    summary: "GraphQL: queries only, in the query string",
    handle: (services, request) =>
      runGraphql(services, request, validate(graphqlQuery, request.query, "query string"), "GET"),
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
    auth: "optional",
    store: "read",
    summary: "Every product with its comments, rating and isSelected for the caller's cart",
    handle: async (services, request) => ok(await services.catalog.listProducts(request.caller)),
  }),
  route({
    method: "GET",
    resource: "/products/{id}",
    group: "products",
    auth: "optional",
    store: "read",
    summary: "One product with its comments",
    handle: async (services, request) =>
      ok(await services.catalog.getProduct(param(request, "id"), request.caller)),
  }),
  route({
    method: "POST",
    resource: "/products/{id}/comments",
    group: "products",
    auth: "required",
    store: "write",
    summary: "Comment on a product with a rating from 1 to 5",
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
    method: "PUT",
    resource: "/checkout",
    group: "checkout",
    auth: "required",
    store: "write",
    summary:
      "Turn the caller's cart into an order, processed asynchronously: 202 with the PLACED " +
      "order; an Idempotency-Key replay answers 200 with the first order as it is now",
    handle: async (services, request) => {
      const rawKey = request.header("idempotency-key");
      const key =
        rawKey === undefined
          ? undefined
          : validate(idempotencyKey, rawKey, "Idempotency-Key header");
      const result = await services.orders.checkout(signedIn(request), key);
      // Relative to the request's URL, so it keeps the stage (`/dev/checkout` -> `/dev/orders/…`)
      // or a custom domain's base path that the handler never sees.
      const headers: Record<string, string> = { Location: `orders/${result.order.id}` };
      if (result.replayed) headers["Idempotent-Replayed"] = "true";
      // 202: the order is taken, its payment runs later (watch the WebSocket or GET Location).
      // A replay did nothing new: 200 with the first order in whatever state it has reached.
      return { statusCode: result.replayed ? 200 : 202, headers, body: result.order };
    },
  }),
  route({
    method: "GET",
    resource: "/orders",
    group: "orders",
    auth: "required",
    store: "read",
    summary: "The caller's orders, newest first",
    handle: async (services, request) => ok(await services.orders.listOrders(signedIn(request))),
  }),
  route({
    method: "GET",
    resource: "/orders/{id}",
    group: "orders",
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
    auth: "required",
    store: "write",
    summary:
      "Cancel one of the caller's orders while it is PLACED: its stock returned; " +
      "ORDER_NOT_CANCELLABLE (409) once processing started (ask the shop) or when finished",
    handle: async (services, request) =>
      ok(await services.orders.cancelOrder(signedIn(request), param(request, "id"))),
  }),
  ...ADMIN_ROUTES,
  route({
    method: "POST",
    resource: "/auth/signup",
    group: "auth",
    auth: "none",
    store: "write",
    localOnly: true,
    summary: "Register with email and password; answers an access token",
    body: signupBody,
    handle: async (services, request) => ({
      statusCode: 201,
      body: await services.auth.signup(request.body),
    }),
  }),
  route({
    method: "POST",
    resource: "/auth/login",
    group: "auth",
    auth: "none",
    store: "read",
    localOnly: true,
    summary: "Sign in with email and password; answers an access token",
    body: loginBody,
    handle: async (services, request) => ok(await services.auth.login(request.body)),
  }),
  route({
    method: "GET",
    resource: "/.well-known/jwks.json",
    group: "auth",
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
    method: "GET",
    resource: "/openapi.json",
    group: "docs",
    auth: "none",
    store: "none",
    summary: "This API as an OpenAPI 3.1 document, derived from the route table",
    handle: async () => {
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
