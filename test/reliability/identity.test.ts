import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../src/http/index.js";
import { toWebSocketEvent } from "../../src/local/websocket-event.js";
import { apiEvent } from "../helpers/api-event.js";
import { CHECKOUT_INPUT_GRAPHQL } from "../helpers/fixtures.js";
import { recordFigure } from "./figures.js";
import { type ForgedToken, forgedTokens, VERIFIER_TEXT } from "./forged-tokens.js";
import { headerOf, leaksIn, type SqliteApp, sentText, startSqliteApp } from "./harness.js";

// Every kind of token an attacker can make (forged-tokens.ts), naming a real user, on the REST
// API (routes where a token is required, optional and operator-only), on GraphQL and on the
// WebSocket's $connect: each refused with a 401 that says nothing of why beyond "invalid".

let s: SqliteApp;
let tokens: ForgedToken[];
let probes = 0;

beforeAll(async () => {
  s = await startSqliteApp();
  await s.t.saveCart(s.shopper.token, [["copper-kettle", 2]]);
  tokens = await forgedTokens(s.t, s.shopper.userId, s.shopper.token);
});

afterAll(async () => {
  await s?.close();
  recordFigure("identity_token_kinds", tokens?.length ?? 0);
  recordFigure("identity_probes_refused", probes);
});

/** Every REST route that looks at a token, read from the route table (GraphQL's are below). */
const REST_PROBES = ROUTES.filter(
  (route) => route.auth !== "none" && route.group !== "graphql",
).map((route) => ({
  method: route.method,
  resource: route.resource,
  pathParameters: Object.fromEntries(
    [...route.resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
      name ?? "",
      name === "code" ? "WELCOME10" : "lonely-bird",
    ]),
  ),
  ...(route.method === "GET" ? {} : { body: { products: [{ id: "lonely-bird", quantity: 1 }] } }),
}));

describe("identity: forged, expired and misused tokens are refused everywhere", () => {
  it("the real token is accepted on every surface (the control)", async () => {
    const cart = await s.t.invoke({ method: "GET", resource: "/cart", token: s.shopper.token });
    expect(cart.statusCode).toBe(200);
    const gql = await s.t.invoke({
      method: "POST",
      resource: "/graphql",
      token: s.shopper.token,
      body: { query: "{ cart { version } }" },
    });
    expect(gql.json).toEqual({ data: { cart: { version: 1 } } });
    const ws = await s.t.app.websocket(
      toWebSocketEvent({
        routeKey: "$connect",
        connectionId: "control=",
        connectedAt: Date.now(),
        sourceIp: "203.0.113.7",
        query: { token: s.shopper.token },
      }),
    );
    expect(ws.statusCode).toBe(200);
  });

  it("REST: 401 problem+json with a Bearer challenge, on every route that takes a token", async () => {
    expect(REST_PROBES.length).toBeGreaterThan(20);
    for (const { kind, token } of tokens) {
      for (const probe of REST_PROBES) {
        const event = apiEvent({ ...probe, headers: { Authorization: `Bearer ${token}` } });
        const result = await s.t.handler(event);
        const what = `${kind} on ${probe.method} ${probe.resource}`;
        expect(result.statusCode, `${what}: ${result.body}`).toBe(401);
        expect(headerOf(result, "content-type"), what).toBe("application/problem+json");
        expect(headerOf(result, "www-authenticate"), what).toMatch(/^Bearer /);
        expect(JSON.parse(result.body), what).toMatchObject({
          status: 401,
          code: "UNAUTHENTICATED",
        });
        expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
        expect(result.body, what).not.toMatch(VERIFIER_TEXT);
        probes += 1;
      }
    }
    // Nothing the forged tokens asked for happened: the cart is the one saved, the products there.
    const cart = await s.t.invoke({ method: "GET", resource: "/cart", token: s.shopper.token });
    expect(cart.json.version).toBe(1);
    expect(cart.json.products.map((line: { id: string }) => line.id)).toEqual(["copper-kettle"]);
    const orders = await s.t.invoke({ method: "GET", resource: "/orders", token: s.shopper.token });
    expect(orders.json.items).toEqual([]);
  });

  // Asked for as application/graphql-response+json: plain application/json answers 200 with the error.
  it("GraphQL: 401 with an UNAUTHENTICATED error, for a query and a mutation", async () => {
    for (const { kind, token } of tokens) {
      for (const query of [
        "{ cart { version } }",
        "{ products { items { id } } }",
        `mutation { checkout(idempotencyKey: "x", input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed } }`,
      ]) {
        const event = apiEvent({
          method: "POST",
          resource: "/graphql",
          body: { query },
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: "application/graphql-response+json",
          },
        });
        const result = await s.t.handler(event);
        const what = `${kind}: ${query}`;
        expect(result.statusCode, `${what}: ${result.body}`).toBe(401);
        const body = JSON.parse(result.body);
        expect(body.data, what).toBeUndefined();
        expect(body.errors, what).toEqual([
          expect.objectContaining({ extensions: { code: "UNAUTHENTICATED" } }),
        ]);
        expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
        expect(result.body, what).not.toMatch(VERIFIER_TEXT);
        probes += 1;
      }
    }
  });

  it("WebSocket $connect: 401, and no connection recorded for the user", async () => {
    for (const [index, { kind, token }] of tokens.entries()) {
      const result = await s.t.app.websocket(
        toWebSocketEvent({
          routeKey: "$connect",
          connectionId: `forged-${index}=`,
          connectedAt: Date.now(),
          sourceIp: "203.0.113.7",
          query: { token },
        }),
      );
      expect(result.statusCode, `${kind}: ${result.body}`).toBe(401);
      expect(result.body ?? "", kind).not.toMatch(VERIFIER_TEXT);
      expect(leaksIn(result.body ?? "", token), kind).toEqual([]);
      probes += 1;
    }
    const connections = await s.t.app.store.listConnections(s.shopper.userId, 0);
    expect(connections.map((c) => c.id)).toEqual(["control="]);
  });
});
