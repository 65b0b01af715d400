import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type App, compose, loadConfig } from "../../src/compose/index.js";
import { epochSeconds } from "../../src/domain/index.js";
import { type DevServer, startDevServer } from "../../src/local/dev-server.js";
import type { OrderUpdate, OrderView, ProductView } from "../../src/services/index.js";
import { CHECKOUT_BODY, SAMPLE_SHIPMENT } from "../helpers/fixtures.js";

const PASSWORD = "correct horse battery";

interface Running {
  app: App;
  server: DevServer;
  wsUrl: string;
}

const running: Running[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const { app, server } of running.splice(0)) {
    await server.close();
    await app.close();
  }
});

/** The dev server as `npm start` wires it (in-process processing, /notifications), on port 0. */
async function startServer(env: Record<string, string> = {}): Promise<Running> {
  const config = loadConfig({
    STORE: "memory",
    PORT: "0",
    LOG_REQUESTS: "false",
    PAYMENT_DELAY_MS: "50",
    ...env,
  });
  const app = await compose(config, { orderEvents: "in-process" });
  if (app.localConnections === undefined) throw new Error("no local connections composed");
  const server = await startDevServer({
    handler: app.handler,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: config.maxBodyBytes,
    cors: app.cors,
    websocket: { handler: app.websocket, connections: app.localConnections },
  });
  const started = { app, server, wsUrl: `${server.url.replace("http:", "ws:")}/notifications` };
  running.push(started);
  return started;
}

async function call<T>(
  server: DevServer,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text || "null") };
}

async function signUp(
  server: DevServer,
  email = `shopper-${randomUUID()}@example.com`,
): Promise<{ token: string; userId: string }> {
  const signup = await call(server, "POST", "/auth/signup", {
    body: { email, password: PASSWORD },
  });
  expect(signup.status).toBe(202);
  const answer = await call<{ accessToken: string }>(server, "POST", "/auth/login", {
    body: { email, password: PASSWORD },
  });
  expect(answer.status).toBe(200);
  const token = answer.body.accessToken;
  const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
  return { token, userId: claims.sub };
}

/** A real WebSocket client, connected; `messages` collects every update it receives. */
async function connect(
  url: string,
  token: string,
): Promise<{ socket: WebSocket; messages: OrderUpdate[] }> {
  const socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  const messages: OrderUpdate[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, messages };
}

/** The HTTP status a refused handshake answered. */
async function refusal(url: string, origin?: string): Promise<number> {
  return (await refusedHandshake(url, origin)).statusCode ?? 0;
}

/** The HTTP answer to a refused handshake. */
function refusedHandshake(url: string, origin?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    sockets.push(socket);
    socket.once("unexpected-response", (_request, response) => {
      resolve(response);
      socket.terminate();
    });
    socket.once("open", () => reject(new Error(`${url} was accepted`)));
    socket.once("error", () => {});
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function checkout(server: DevServer, token: string, productId: string, quantity: number) {
  const cart = await call(server, "POST", "/cart", {
    token,
    body: { products: [{ id: productId, quantity }] },
  });
  expect(cart.status).toBe(200);
  return call<OrderView>(server, "PUT", "/checkout", { token, body: CHECKOUT_BODY });
}

const stockOf = async (server: DevServer, id: string) =>
  (await call<ProductView>(server, "GET", `/products/${id}`)).body.stock;

describe("order notifications over the dev server's WebSocket", () => {
  it("tells the buyer PROCESSING then COMPLETED for their order, and nobody else anything", async () => {
    const { server, wsUrl } = await startServer();
    const ada = await signUp(server);
    const bob = await signUp(server);
    const adaPhone = await connect(wsUrl, ada.token);
    const adaLaptop = await connect(wsUrl, ada.token);
    const bobs = await connect(wsUrl, bob.token);

    const placed = await checkout(server, ada.token, "lonely-bird", 2);

    expect(placed.status).toBe(202);
    expect(new URL(placed.headers.get("location") ?? "", `${server.url}/checkout`).pathname).toBe(
      `/orders/${placed.body.id}`,
    );
    expect(placed.body.status).toBe("PLACED");
    const orderId = placed.body.id;
    await until(
      () => adaPhone.messages.length >= 2 && adaLaptop.messages.length >= 2,
      "COMPLETED on both of ada's sockets",
    );
    // Long enough for a stray or duplicate message to arrive.
    await sleep(150);
    for (const { messages } of [adaPhone, adaLaptop]) {
      expect(messages).toStrictEqual([
        { type: "order.updated", orderId, status: "PROCESSING" },
        { type: "order.updated", orderId, status: "COMPLETED" },
      ]);
    }
    expect(bobs.messages).toStrictEqual([]);

    const order = await call<OrderView>(server, "GET", `/orders/${orderId}`, { token: ada.token });
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({ id: orderId, status: "COMPLETED" });
    expect(order.body).not.toHaveProperty("failureReason");
    expect(await stockOf(server, "lonely-bird")).toBe(23);
    const bobsView = await call(server, "GET", `/orders/${orderId}`, { token: bob.token });
    expect(bobsView.status).toBe(404);
  });

  it("ends a declined payment FAILED with a reason and the stock back where it was", async () => {
    const { server, wsUrl } = await startServer({ PAYMENT_MODE: "decline" });
    const ada = await signUp(server);
    const socket = await connect(wsUrl, ada.token);
    const before = await stockOf(server, "copper-kettle");

    const placed = await checkout(server, ada.token, "copper-kettle", 3);

    expect(placed.status).toBe(202);
    const orderId = placed.body.id;
    await until(() => socket.messages.length >= 2, "FAILED");
    expect(socket.messages).toStrictEqual([
      { type: "order.updated", orderId, status: "PROCESSING" },
      {
        type: "order.updated",
        orderId,
        status: "FAILED",
        reason: expect.stringContaining("declined"),
      },
    ]);
    const order = await call<OrderView>(server, "GET", `/orders/${orderId}`, { token: ada.token });
    expect(order.body).toMatchObject({
      status: "FAILED",
      failureReason: socket.messages[1]?.reason,
    });
    expect(await stockOf(server, "copper-kettle")).toBe(before);
  });

  it("tells the buyer SHIPPED with the shipment, then DELIVERED, as an operator takes the steps", async () => {
    const { server, wsUrl } = await startServer({ ADMIN_EMAILS: "ops@example.com" });
    const ada = await signUp(server);
    const operator = await signUp(server, "ops@example.com");
    const socket = await connect(wsUrl, ada.token);
    const placed = await checkout(server, ada.token, "wool-throw", 1);
    const orderId = placed.body.id;
    await until(() => socket.messages.length >= 2, "COMPLETED");

    const shipped = await call<OrderView>(server, "POST", `/admin/orders/${orderId}/ship`, {
      token: operator.token,
      body: SAMPLE_SHIPMENT,
    });
    expect(shipped.status).toBe(200);
    await until(() => socket.messages.length >= 3, "SHIPPED");
    const delivered = await call<OrderView>(server, "POST", `/admin/orders/${orderId}/deliver`, {
      token: operator.token,
    });
    expect(delivered.status).toBe(200);
    await until(() => socket.messages.length >= 4, "DELIVERED");
    await sleep(150);

    const sent = { ...SAMPLE_SHIPMENT, shippedAt: shipped.body.shipment?.shippedAt };
    expect(sent.shippedAt).toEqual(expect.any(String));
    expect(socket.messages.slice(2)).toStrictEqual([
      { type: "order.updated", orderId, status: "SHIPPED", shipment: sent },
      { type: "order.updated", orderId, status: "DELIVERED", shipment: sent },
    ]);
    const order = await call<OrderView>(server, "GET", `/orders/${orderId}`, { token: ada.token });
    expect(order.body).toMatchObject({
      status: "DELIVERED",
      shipment: sent,
      deliveredAt: delivered.body.deliveredAt,
    });
  });

  it("refuses a handshake without a token, with a bad one, or anywhere but /notifications", async () => {
    const { app, server, wsUrl } = await startServer();
    const ada = await signUp(server);
    const [header, payload] = ada.token.split(".");

    expect(await refusal(wsUrl)).toBe(401);
    expect(await refusal(`${wsUrl}?token=`)).toBe(401);
    expect(await refusal(`${wsUrl}?token=not-a-jwt`)).toBe(401);
    expect(await refusal(`${wsUrl}?token=${header}.${payload}.AAAA`)).toBe(401);
    expect(await refusal(`${server.url.replace("http:", "ws:")}/products?token=${ada.token}`)).toBe(
      404,
    );
    expect(await app.store.listConnections(ada.userId, epochSeconds(new Date()))).toEqual([]);
    const refused = await refusedHandshake(`${wsUrl}?token=not-a-jwt`);
    expect(refused.headers["cache-control"]).toBe("no-store");
    expect(refused.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("refuses a browser's handshake from an origin the API does not allow, before the token", async () => {
    const { app, server, wsUrl } = await startServer();
    const ada = await signUp(server);
    const url = `${wsUrl}?token=${encodeURIComponent(ada.token)}`;

    expect(await refusal(url, "https://elsewhere.example")).toBe(403);
    expect(await refusal(url, "null")).toBe(403);
    expect(await app.store.listConnections(ada.userId, epochSeconds(new Date()))).toEqual([]);

    // The page's own origin (an allowed one) connects with the same token.
    const page = new WebSocket(url, { origin: "http://127.0.0.1:5173" });
    sockets.push(page);
    await new Promise<void>((resolve, reject) => {
      page.once("open", () => resolve());
      page.once("error", reject);
    });
    expect(await app.store.listConnections(ada.userId, epochSeconds(new Date()))).toHaveLength(1);
  });

  it("records a connection on connect and forgets it on close", async () => {
    const { app, server, wsUrl } = await startServer();
    const ada = await signUp(server);
    const live = () => app.store.listConnections(ada.userId, epochSeconds(new Date()));

    const { socket } = await connect(wsUrl, ada.token);
    const [connection] = await live();
    expect(connection).toMatchObject({ userId: ada.userId });
    expect(connection?.expiresAt).toBeGreaterThan(epochSeconds(new Date()) + 7000);

    const answer = new Promise<string>((resolve) =>
      socket.once("message", (d) => resolve(String(d))),
    );
    socket.send("hello?");
    expect(JSON.parse(await answer)).toMatchObject({
      message: expect.stringContaining("only sends"),
    });

    socket.close();
    let left = 1;
    for (let i = 0; i < 200 && left > 0; i++) {
      left = (await live()).length;
      if (left > 0) await sleep(10);
    }
    expect(left).toBe(0);
  });
});
