import type * as z from "zod/mini";
import type { AppError } from "../domain/index.js";
import type { GraphqlExecutor } from "../graphql/index.js";
import {
  type Caller,
  type PageInput,
  pageQuery,
  type Services,
  validate,
} from "../services/index.js";
import type { ViewName } from "../services/view-schemas.js";
import type { ProblemCode } from "./http-error.js";

// What a route is: the shape of the route table's entries, which the router, the OpenAPI document
// and the deployment read.

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
/**
 * none: no token looked at; optional: a token, when sent, must be valid; required: 401 without;
 * admin: required, and the token's `cognito:groups` must hold `admin` (403 otherwise). Admin
 * routes are the operators': their functions alone get the IAM grants of the catalogue's writes.
 */
export type AuthMode = "none" | "optional" | "required" | "admin";
/** The resource a route belongs to: one Lambda per resource in the microservices architecture. */
export type ResourceGroup =
  | "products"
  | "cart"
  | "checkout"
  | "orders"
  | "account"
  | "auth"
  | "graphql"
  | "docs"
  | "payments"
  | "admin";

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
  /**
   * On routes with `ownAuthErrors`: why the token sent was refused (the caller is then
   * undefined); the handler answers it in its own shape.
   */
  authFailure?: AppError | undefined;
  /** API Gateway's request id: logged with any unexpected error. */
  requestId: string;
  /** The client's address as API Gateway saw it (`requestContext.identity.sourceIp`). */
  clientAddress: string | undefined;
  /** A request header by lower-case name. */
  header(lowerName: string): string | undefined;
  /**
   * The body as sent (decoded when API Gateway base64-encoded it), within the size limit: what
   * a signed webhook's signature is verified over. Undefined when there is none.
   */
  rawBody: string | undefined;
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
  /** A paged list: takes `limit` and `cursor` in the query string, answers `nextCursor`. */
  paged?: true;
  /**
   * The handler answers an invalid or expired token itself (GraphQL, in its own error shape,
   * which GraphQL clients can read): the router passes the refusal on as `authFailure`
   * instead of answering a 401 problem.
   */
  ownAuthErrors?: true;
  /** Served by the dev server only: in AWS the Cognito user pool signs users up and in. */
  localOnly?: true;
  /**
   * Its use case may call the payment provider (a payment session, a refund, a webhook's
   * event): in AWS its function gets the provider's settings and may read its secrets.
   */
  paymentProvider?: true;
  /**
   * Called by another service, not by a shopper's browser (the payment provider's webhook):
   * public, its request proven by its own signature; not counted per client address (the
   * provider retries from a few addresses), still bounded in body size.
   */
  webhook?: true;
  summary: string;
  /** What the route answers on success: each status and the schema of its body (204: none). */
  answers: Partial<Record<200 | 201 | 202, ViewName>> & { 204?: null };
  /** Its 201 carries a `Location` header, relative to the request's URL, naming what it made. */
  location?: true;
  /**
   * The refusals the route's use case makes beyond those its declaration implies (a token, a
   * body, a guest cart, paging, the store): the OpenAPI document lists exactly these statuses.
   */
  refusals?: ProblemCode[];
  /** Validates the JSON body; routes without one ignore any body sent. */
  body?: z.ZodMiniType<Body>;
  handle(services: RouteServices, request: RouteRequest<Body>): Promise<Reply>;
}

/** Whether the route refuses anonymous callers: the gateway's Cognito authorizer guards it. */
export const needsSignIn = (route: Pick<Route, "auth">): boolean =>
  route.auth === "required" || route.auth === "admin";

/** A route's key in the route table and in API Gateway: `${method} ${resource}`. */
export const routeKey = (route: Pick<Route, "method" | "resource">): string =>
  `${route.method} ${route.resource}`;

/** Keeps each route's body type tied to its schema while the table holds them all. */
export const route = <Body = undefined>(definition: Route<Body>): Route =>
  definition as unknown as Route;

/** `?limit=&cursor=` of a paged list: a 400 naming `limit` or `cursor` when malformed. */
export const pageOf = (request: RouteRequest<unknown>): PageInput =>
  validate(pageQuery, request.query, "query string");
