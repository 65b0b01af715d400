import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type App, compose, loadConfig } from "../../src/compose/index.js";
import { GUEST_ORDER_SUBPROTOCOL } from "../../src/http/index.js";
import { type DevServer, startDevServer } from "../../src/local/dev-server.js";
import type { OrderUpdate } from "../../src/services/index.js";
import { BERLIN_ADDRESS, SAMPLE_SHIPMENT } from "../helpers/fixtures.js";

// A guest follows their order live on the dev server's WebSocket endpoint with a real `ws`
// client: the order's access token travels as a subprotocol of the handshake, never in the
// address, and opens that guest's updates only.

const running: { app: App; server: DevServer }[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const { app, server } of running.splice(0)) {
    await server.close();
    await app.close();
  }
});

async function startServer(
  env: Record<string, string> = {},
): Promise<{ server: DevServer; wsUrl: string; logged: string[] }> {
  const config = loadConfig({
    STORE: "memory",
    PORT: "0",
    LOG_REQUESTS: "true",
    PAYMENT_DELAY_MS: "300",
    ...env,
  });
  const app = await compose(config, { orderEvents: "in-process" });
  if (app.localConnections === undefined) throw new Error("no local connections composed");
  const logged: string[] = [];
  const server = await startDevServer({
    handler: app.handler,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: config.maxBodyBytes,
    cors: app.cors,
    websocket: { handler: app.websocket, connections: app.localConnections },
    log: (line: string) => logged.push(line),
  });
  running.push({ app, server });
  return { server, wsUrl: `${server.url.replace("http:", "ws:")}/notifications`, logged };
}

async function call(
  server: DevServer,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers freely
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...options.headers,
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text || "null") };
}

/** A guest's order of one Lonely Bird to Berlin: its id and access token. */
async function guestOrder(server: DevServer): Promise<{ id: string; accessToken: string }> {
  const cart = await call(server, "POST", "/guest-carts");
  const headers = { "Guest-Cart-Token": cart.body.token as string };
  const saved = await call(server, "POST", "/cart", {
    headers,
    body: { products: [{ id: "lonely-bird", quantity: 1 }] },
  });
  expect(saved.status).toBe(200);
  const placed = await call(server, "PUT", "/checkout", {
    headers,
    body: {
      shippingAddress: BERLIN_ADDRESS,
      shippingMethodId: "eu-standard",
      email: "grace@example.com",
    },
  });
  expect(placed.status).toBe(202);
  return { id: placed.body.id, accessToken: placed.body.orderAccessToken };
}

/** The guest's socket following `order`, open; `updates` collects what it receives. */
async function follow(wsUrl: string, order: { id: string; accessToken: string }) {
  const socket = new WebSocket(`${wsUrl}?guestOrder=${order.id}`, [
    GUEST_ORDER_SUBPROTOCOL,
    order.accessToken,
  ]);
  sockets.push(socket);
  const updates: OrderUpdate[] = [];
  socket.on("message", (data) => updates.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, updates };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function refusedHandshake(url: string, protocols?: string[]): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    sockets.push(socket);
    socket.once("unexpected-response", (_request, response) => {
      resolve(response);
      socket.terminate();
    });
    socket.once("open", () => reject(new Error(`${url} was accepted`)));
    socket.once("error", () => {});
  });
}

describe("a guest's order, live", () => {
  it("follows the order with its token as a subprotocol, and refuses any other token", async () => {
    const { server, wsUrl, logged } = await startServer();
    const order = await guestOrder(server);

    const { socket, updates } = await follow(wsUrl, order);
    // The server chose the guest's subprotocol, as a browser requires of a handshake that offers one.
    expect(socket.protocol).toBe(GUEST_ORDER_SUBPROTOCOL);

    await until(() => updates.some((update) => update.status === "COMPLETED"), "COMPLETED");
    // PROCESSING may come before the socket opens (the page reads the order first, then
    // follows it); the payment's 300 ms leave COMPLETED after it.
    expect(updates.map((update) => update.orderId)).toEqual(updates.map(() => order.id));
    expect(updates.at(-1)?.status).toBe("COMPLETED");

    const other = await guestOrder(server);
    for (const protocols of [
      [GUEST_ORDER_SUBPROTOCOL, other.accessToken],
      [GUEST_ORDER_SUBPROTOCOL],
      ["something-else", order.accessToken],
    ]) {
      const refused = await refusedHandshake(`${wsUrl}?guestOrder=${order.id}`, protocols);
      expect(refused.statusCode).toBe(401);
    }
    // No line of the server's log holds a token (and the log has the requests' lines).
    expect(logged.some((line) => line.includes("/guest-carts"))).toBe(true);
    for (const token of [order.accessToken, other.accessToken]) {
      expect(logged.join("\n")).not.toContain(token);
    }
  });

  it("is told SHIPPED with the tracking link when an operator ships the guest's order", async () => {
    const { server, wsUrl } = await startServer({ ADMIN_EMAILS: "ops@example.com" });
    const signup = { email: "ops@example.com", password: "correct horse battery" };
    expect((await call(server, "POST", "/auth/signup", { body: signup })).status).toBe(202);
    const login = await call(server, "POST", "/auth/login", { body: signup });
    const operator = { Authorization: `Bearer ${login.body.accessToken}` };
    const order = await guestOrder(server);
    const { updates } = await follow(wsUrl, order);
    await until(() => updates.some((update) => update.status === "COMPLETED"), "COMPLETED");

    const shipped = await call(server, "POST", `/admin/orders/${order.id}/ship`, {
      headers: operator,
      body: SAMPLE_SHIPMENT,
    });
    expect(shipped.status).toBe(200);
    await until(() => updates.some((update) => update.status === "SHIPPED"), "SHIPPED");

    expect(updates.at(-1)).toStrictEqual({
      type: "order.updated",
      orderId: order.id,
      status: "SHIPPED",
      shipment: { ...SAMPLE_SHIPMENT, shippedAt: shipped.body.shipment.shippedAt },
    });
  });
});
