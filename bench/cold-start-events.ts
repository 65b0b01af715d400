// The two invocations the cold-start benchmark makes of each function: (a) one that does no I/O,
// (b) one that makes a store request. HTTP functions: (a) a CORS preflight of the function's first
// route, (b) its first route that uses the store, GET and anonymous preferred, with a signed-in
// (or operator's) token when the route needs one. The WebSocket function: (a) `$default`, which
// answers 400 without I/O, (b) `$connect` with a token (the connection is saved). The processing
// function: (a) a stream batch with one REMOVE record (ignored), (b) one with a PLACED order's
// INSERT (the order is read, not found, and processing stops).
import { randomUUID } from "node:crypto";
import type { FunctionSpec } from "../src/deploy/index.js";
import type { Order } from "../src/domain/index.js";
import type { Route } from "../src/http/index.js";
import { newConnectionId, toWebSocketEvent } from "../src/local/websocket-event.js";
import { adminSamples } from "../test/helpers/admin-samples.js";
import { type ApiEventOptions, apiEvent } from "../test/helpers/api-event.js";
import { orderRecord, streamEvent, streamRecord } from "../test/helpers/stream-event.js";

export interface Invocation {
  /** What is sent, e.g. `OPTIONS /products` or `GET /cart`. */
  what: string;
  event: object;
}

export interface Tokens {
  customer: string;
  operator: string;
}

const PRODUCT_ID = "lonely-bird";
const ORDER_ID = "00000000-0000-4000-8000-000000000000";
const GUEST_CART_TOKEN = "A".repeat(43);

/** (a): an invocation that needs no store, no token and no other I/O. */
export function withoutIo(spec: FunctionSpec, origin: string): Invocation | undefined {
  switch (spec.trigger) {
    case "websocket":
      return { what: "$default", event: socketEvent("$default") };
    case "stream":
      return {
        what: "1 REMOVE record",
        event: streamEvent(
          streamRecord({
            eventName: "REMOVE",
            keys: { PK: "USER#bench", SK: `ORDER#${ORDER_ID}` },
          }),
        ),
      };
    case "http": {
      const route = spec.routes[0];
      if (route === undefined) return undefined;
      return {
        what: `OPTIONS ${route.resource}`,
        event: apiEvent({
          method: "OPTIONS",
          resource: route.resource,
          path: samplePath(route.resource),
          origin,
          headers: { "Access-Control-Request-Method": route.method },
        }),
      };
    }
  }
}

/** (b): an invocation that makes at least one store request; undefined when no route has one. */
export function withStoreRequest(spec: FunctionSpec, tokens: Tokens): Invocation | undefined {
  switch (spec.trigger) {
    case "websocket":
      return { what: "$connect", event: socketEvent("$connect", tokens.customer) };
    case "stream":
      return {
        what: "1 order INSERT",
        event: streamEvent(orderRecord(benchOrder())),
      };
    case "http": {
      const route = storeRouteOf(spec.routes);
      if (route === undefined) return undefined;
      const token =
        route.auth === "admin"
          ? tokens.operator
          : route.auth === "required"
            ? tokens.customer
            : undefined;
      return {
        what: `${route.method} ${route.resource}${token === undefined ? "" : " (token)"}`,
        event: apiEvent({ ...requestOf(route), ...(token === undefined ? {} : { token }) }),
      };
    }
  }
}

/** The first route that uses the store: a GET an anonymous caller may send, else any GET, else any. */
function storeRouteOf(routes: readonly Route[]): Route | undefined {
  const rank = (route: Route) =>
    (route.method === "GET" ? 0 : 2) +
    (route.auth === "none" || (route.auth === "optional" && route.guestCart === undefined) ? 0 : 1);
  return routes
    .filter((route) => route.store !== "none")
    .map((route, index) => ({ route, index }))
    .sort((x, y) => rank(x.route) - rank(y.route) || x.index - y.index)[0]?.route;
}

/** A request each route takes as valid (so it reaches the store), from the tests' samples. */
function requestOf(route: Route): ApiEventOptions {
  const key = `${route.method} ${route.resource}`;
  const admin = adminSamples({
    productId: PRODUCT_ID,
    orderId: ORDER_ID,
    paidOrderId: ORDER_ID,
    promotionCode: "SPRING20",
  })[key];
  if (admin !== undefined) return admin[0];
  const bodies: Record<string, object> = {
    "POST /products/{id}/comments": { rating: 5, text: "Cold start, warm heart." },
    "POST /cart": { products: [{ id: PRODUCT_ID, quantity: 1 }] },
  };
  const body = bodies[key];
  return {
    method: route.method,
    resource: route.resource,
    path: samplePath(route.resource),
    ...(body === undefined ? {} : { body }),
    ...(route.resource === "/query" || route.resource === "/graphql"
      ? { query: { query: "{ products { items { id priceCents } } }" } }
      : {}),
    // Read only by a route that takes one, and only from a caller without a bearer token.
    ...(route.guestCart === undefined ? {} : { headers: { "Guest-Cart-Token": GUEST_CART_TOKEN } }),
  };
}

function samplePath(resource: string): string {
  return resource
    .replace(
      "{id}",
      resource.startsWith("/orders") || resource.startsWith("/admin/orders")
        ? ORDER_ID
        : PRODUCT_ID,
    )
    .replace("{code}", "SPRING20");
}

function socketEvent(routeKey: "$connect" | "$default", token?: string): object {
  return toWebSocketEvent({
    routeKey,
    connectionId: newConnectionId(),
    connectedAt: Date.now(),
    ...(token === undefined ? {} : { query: { token } }),
    ...(routeKey === "$default" ? { body: "hello" } : {}),
  });
}

function benchOrder(): Order {
  return {
    id: randomUUID(),
    userId: "bench-user",
    status: "PLACED",
    createdAt: new Date().toISOString(),
    idempotencyKey: randomUUID(),
    lines: [],
    discountPercentage: 0,
    subtotalCents: 0,
    discountCents: 0,
    totalCents: 0,
  };
}
