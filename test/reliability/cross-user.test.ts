import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type App, compose, loadConfig } from "../../src/compose/index.js";
import { ROUTES } from "../../src/http/index.js";
import { type DevServer, startDevServer } from "../../src/local/dev-server.js";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { CHECKOUT_BODY, CHECKOUT_INPUT_GRAPHQL } from "../helpers/fixtures.js";
import { recordFigure } from "./figures.js";

// Two shoppers on the dev server (SQLite, in-process order processing, WebSocket at
// /notifications). Bob tries every route that takes an id, and GraphQL, with Ada's order id,
// her address book's id, Ada's idempotency key and his own token, while both listen to their
// sockets: he reads and changes nothing of hers, and hears nothing of her order.

interface Shopper {
  email: string;
  token: string;
  userId: string;
  messages: string[];
  socket?: WebSocket;
}

let dataDir: string;
let app: App;
let server: DevServer;
let ada: Shopper;
let bob: Shopper;
let adaOrderId: string;
let bobOrderId: string;
let adaAddress: { id: string; line1: string };
let probes = 0;
const ADA_KEY = "ada-checkout-1";
/** A valid address body: Ada's (her street is what Bob must never see) and Bob's attempts. */
const ADDRESS = {
  name: "Ada",
  line1: "Adastraße 1",
  city: "Berlin",
  postalCode: "10115",
  country: "DE",
};

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text === "" ? undefined : JSON.parse(text) };
}

async function signUp(): Promise<Shopper> {
  const email = `cross-${randomUUID().slice(0, 8)}@example.com`;
  const token = await signUpAndSignIn(server.url, email);
  const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
  return { email, token, userId: claims.sub, messages: [] };
}

async function listen(shopper: Shopper): Promise<void> {
  const url = `${server.url.replace("http:", "ws:")}/notifications?token=${shopper.token}`;
  const socket = new WebSocket(url);
  socket.on("message", (data) => shopper.messages.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  shopper.socket = socket;
}

async function placeOrder(shopper: Shopper, productId: string, key: string): Promise<string> {
  expect(
    (await call("POST", "/cart", shopper.token, { products: [{ id: productId, quantity: 1 }] }))
      .status,
  ).toBe(200);
  const placed = await call("PUT", "/checkout", shopper.token, CHECKOUT_BODY, {
    "Idempotency-Key": key,
  });
  expect(placed.status).toBe(202);
  return placed.json.id;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(25);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cross-user-"));
  const config = loadConfig({
    STORE: "sqlite",
    DATA_DIR: dataDir,
    PORT: "0",
    LOG_REQUESTS: "false",
    PAYMENT_DELAY_MS: "20",
  });
  app = await compose(config, { orderEvents: "in-process" });
  if (app.localConnections === undefined) throw new Error("no local connections composed");
  server = await startDevServer({
    handler: app.handler,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: config.maxBodyBytes,
    cors: app.cors,
    websocket: { handler: app.websocket, connections: app.localConnections },
  });
  ada = await signUp();
  bob = await signUp();
  await listen(ada);
  await listen(bob);
  adaOrderId = await placeOrder(ada, "lonely-bird", ADA_KEY);
  bobOrderId = await placeOrder(bob, "morning-fog", "bob-checkout-1");
  await until(
    () =>
      ada.messages.some((m) => m.includes("COMPLETED")) &&
      bob.messages.some((m) => m.includes("COMPLETED")),
    5000,
  );
  const saved = await call("POST", "/addresses", ada.token, { ...ADDRESS, isDefault: true });
  expect(saved.status).toBe(201);
  adaAddress = saved.json;
  // Ada fills her cart again, so there is something of hers to read or take.
  expect(
    (await call("POST", "/cart", ada.token, { products: [{ id: "copper-kettle", quantity: 2 }] }))
      .status,
  ).toBe(200);
});

afterAll(async () => {
  ada?.socket?.terminate();
  bob?.socket?.terminate();
  await server?.close();
  await app?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  recordFigure("cross_user_probes", probes);
});

/** Nothing of Ada's in an answer to Bob. */
function expectNothingOfAda(text: string, what: string): void {
  expect(text, what).not.toContain(adaOrderId);
  expect(text, what).not.toContain(ada.userId);
  expect(text, what).not.toContain(ada.email);
  expect(text, what).not.toContain("copper-kettle");
  expect(text, what).not.toContain(adaAddress.id);
  expect(text, what).not.toContain(adaAddress.line1);
  probes += 1;
}

describe("cross-user access: Bob cannot read or change Ada's cart, orders or notifications", () => {
  it("each hears only of their own order on the WebSocket", () => {
    expect(ada.messages.join("\n")).toContain(adaOrderId);
    expect(bob.messages.join("\n")).toContain(bobOrderId);
    for (const message of bob.messages) expectNothingOfAda(message, `Bob's socket: ${message}`);
    for (const message of ada.messages) expect(message).not.toContain(bobOrderId);
  });

  it("REST: every route with an id answers Bob as if Ada's order did not exist", async () => {
    const unknown = randomUUID();
    const withId = ROUTES.filter(
      (route) => route.resource.includes("{id}") && !route.resource.startsWith("/products"),
    );
    expect(withId.length).toBeGreaterThan(3);
    for (const route of withId) {
      const path = (id: string) => route.resource.replace("{id}", id);
      // Her address for the address book's routes (with a body they would take), else her order.
      const isAddress = route.resource.startsWith("/addresses/");
      const herId = isAddress ? adaAddress.id : adaOrderId;
      const body = route.method === "GET" ? undefined : isAddress ? ADDRESS : {};
      // A guest's order opens with its access token alone: Bob has none of hers, so he makes one up.
      const headers = route.resource.startsWith("/guest-orders/")
        ? { "Order-Access-Token": "A".repeat(43) }
        : {};
      const hers = await call(route.method, path(herId), bob.token, body, headers);
      const none = await call(route.method, path(unknown), bob.token, body, headers);
      const what = `${route.method} ${route.resource}`;
      expect(hers.status, `${what}: ${hers.text}`).toBe(none.status);
      expect([403, 404], what).toContain(hers.status);
      // Word for word the answer about an id that does not exist, the id and request id aside.
      const hersAnswer = hers.text.replaceAll(herId, "<id>").replace(hers.json.requestId, "");
      const noneAnswer = none.text.replaceAll(unknown, "<id>").replace(none.json.requestId, "");
      expect(hersAnswer, what).toBe(noneAnswer);
      expectNothingOfAda(hersAnswer, what);
    }
  });

  it("REST: Bob's lists, cart and checkout (with Ada's idempotency key) are his own", async () => {
    for (const path of ["/orders", "/cart", "/orders?limit=100", "/addresses"]) {
      const res = await call("GET", path, bob.token);
      expect(res.status).toBe(200);
      expectNothingOfAda(res.text, `GET ${path}`);
    }
    const replay = await call("PUT", "/checkout", bob.token, CHECKOUT_BODY, {
      "Idempotency-Key": ADA_KEY,
    });
    expect([202, 422], replay.text).toContain(replay.status);
    expectNothingOfAda(replay.text, "PUT /checkout with Ada's key");
    const merged = await call("POST", "/cart/merge", bob.token, undefined, {
      "Guest-Cart-Token": "A".repeat(43),
    });
    expectNothingOfAda(merged.text, "POST /cart/merge");
  });

  it("GraphQL: Ada's order is null or refused, lists and cart are Bob's", async () => {
    const queries = [
      `{ order(id: "${adaOrderId}") { id status totalCents } }`,
      "{ orders(first: 50) { items { id products { code } } } }",
      "{ cart { products { code } version } }",
      `{ adminOrder(id: "${adaOrderId}") { id userId } }`,
      `mutation { cancelMyOrder(id: "${adaOrderId}") { id status } }`,
      `mutation { payOrder(id: "${adaOrderId}") { provider clientSecret } }`,
      `mutation { cancelOrder(id: "${adaOrderId}") { order { id } } }`,
      `mutation { checkout(idempotencyKey: "${ADA_KEY}", input: ${CHECKOUT_INPUT_GRAPHQL}) { order { id products { code } } replayed } }`,
      "{ myAddresses { items { id line1 isDefault } } }",
      `mutation { updateAddress(id: "${adaAddress.id}", input: { name: "Bob", line1: "x 1", city: "Berlin", postalCode: "10115", country: "DE", isDefault: true }) { id line1 } }`,
      `mutation { deleteAddress(id: "${adaAddress.id}") }`,
    ];
    for (const query of queries) {
      const res = await call("POST", "/graphql", bob.token, { query });
      expect(res.status, query).toBeLessThan(500);
      const visible =
        JSON.stringify(res.json.data ?? null) +
        JSON.stringify((res.json.errors ?? []).map((e: { message: string }) => e.message));
      // The query names Ada's order id; only the answer's data and messages are checked.
      expect(JSON.stringify(res.json.data ?? null), query).not.toContain(adaOrderId);
      expect(visible, query).not.toContain(ada.userId);
      expect(visible, query).not.toContain("copper-kettle");
      expect(JSON.stringify(res.json.data ?? null), query).not.toContain(adaAddress.id);
      expect(visible, query).not.toContain(adaAddress.line1);
      probes += 1;
    }
  });

  it("afterwards Ada's order, cart and address book are as she left them", async () => {
    const book = await call("GET", "/addresses", ada.token);
    expect(book.json.items).toEqual([adaAddress]);
    const order = await call("GET", `/orders/${adaOrderId}`, ada.token);
    expect(order.status).toBe(200);
    expect(order.json.status).toBe("COMPLETED");
    const cart = await call("GET", "/cart", ada.token);
    expect(
      cart.json.products.map((line: { id: string; quantity: number }) => [line.id, line.quantity]),
    ).toEqual([["copper-kettle", 2]]);
  });
});
