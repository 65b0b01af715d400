import type * as z from "zod/mini";
import { AppError } from "../domain/index.js";
import type { GraphqlExecutor, GraphqlRequest } from "../graphql/index.js";
import type { Caller, Services } from "../services/index.js";
import { buildOpenApi } from "./openapi.js";
import { validate } from "./request-body.js";
import {
  commentBody,
  graphqlBody,
  graphqlQuery,
  idempotencyKey,
  loginBody,
  saveCartBody,
  signupBody,
} from "./schemas.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
/** none: no token looked at; optional: a token, when sent, must be valid; required: 401 without. */
export type AuthMode = "none" | "optional" | "required";
/** The resource a route belongs to: one Lambda per resource in the microservices architecture. */
export type ResourceGroup =
  | "products"
  | "cart"
  | "checkout"
  | "orders"
  | "auth"
  | "graphql"
  | "docs";

/** What route handlers call: the use cases, and the GraphQL executor built on the same ones. */
export interface RouteServices extends Services {
  graphql: GraphqlExecutor;
}

export interface RouteRequest<Body> {
  body: Body;
  params: Readonly<Record<string, string | undefined>>;
  /** Query string parameters (the last value of a repeated one). */
  query: Readonly<Record<string, string | undefined>>;
  caller: Caller | undefined;
  /**
   * The `Guest-Cart-Token` header, validated, on routes that take one (`guestCart`): always set
   * for `required`, and for `anonymous` when there is no caller; undefined otherwise.
   */
  guestCartToken: string | undefined;
  /** API Gateway's request id: logged with any unexpected error. */
  requestId: string;
  /** A request header by lower-case name. */
  header(lowerName: string): string | undefined;
}

export interface Reply {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * How a route takes the `Guest-Cart-Token` header. anonymous: a caller without a bearer token
 * names a guest cart with it (401 when neither is sent); a signed-in caller's header is ignored.
 * required: every call sends it (400 without).
 */
export type GuestCartMode = "anonymous" | "required";

/** The header a guest cart's token travels in. */
export const GUEST_CART_TOKEN_HEADER = "Guest-Cart-Token";

/** What a route does to the store: the IAM permissions its function gets in AWS. */
export type StoreAccess = "none" | "read" | "write";

export interface Route<Body = unknown> {
  method: HttpMethod;
  /** API Gateway resource template, e.g. `/products/{id}`. */
  resource: string;
  group: ResourceGroup;
  auth: AuthMode;
  store: StoreAccess;
  /** Whether, and when, the route reads a guest cart's token from `Guest-Cart-Token`. */
  guestCart?: GuestCartMode;
  /** Served by the dev server only: in AWS the Cognito user pool signs users up and in. */
  localOnly?: true;
  summary: string;
  /** Validates the JSON body; routes without one ignore any body sent. */
  body?: z.ZodMiniType<Body>;
  handle(services: RouteServices, request: RouteRequest<Body>): Promise<Reply>;
}

/** A route's key in the route table and in API Gateway: `${method} ${resource}`. */
export const routeKey = (route: Pick<Route, "method" | "resource">): string =>
  `${route.method} ${route.resource}`;

/** Keeps each route's body type tied to its schema while the table holds them all. */
const route = <Body = undefined>(definition: Route<Body>): Route => definition as unknown as Route;

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
