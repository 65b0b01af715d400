import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { ApiHandler, Problem } from "../../src/http/index.js";
import { type DevServer, startDevServer } from "../../src/local/dev-server.js";
import type { CartView, OrderView, PageOf, ProductView } from "../../src/services/index.js";
import { SEED_PRODUCTS } from "../../src/store/index.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

const ALLOWED_ORIGIN = "http://localhost:5173";
const PASSWORD = "correct horse battery";

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

describe("the dev server over loopback", () => {
  let dataDir: string;
  let app: App;
  let server: DevServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "store-e2e-"));
    ({ app, server } = await startLoopbackServer(
      { STORE: "sqlite", DATA_DIR: dataDir },
      { server: { log: (line) => logLines.push(line) } },
    ));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** A JSON request with Node's fetch; `body` is sent as JSON unless it is already a string. */
  async function call<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === "" ? undefined : JSON.parse(text)) as T,
    };
  }

  async function signUp(
    name = "Shopper",
  ): Promise<{ token: string; userId: string; email: string }> {
    const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
    const signup = await call("POST", "/auth/signup", {
      body: { email, password: PASSWORD, name },
    });
    expect(signup.status).toBe(202);
    const answer = await call<{ accessToken: string }>("POST", "/auth/login", {
      body: { email, password: PASSWORD },
    });
    expect(answer.status).toBe(200);
    const token = answer.body.accessToken;
    const payload = JSON.parse(
      Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
    ) as { sub: string };
    return { token, userId: payload.sub, email };
  }

  /**
   * A raw request that sends `sendBytes` of a body and never finishes it; with `declaredBytes` a
   * Content-Length is declared, without it the body is chunked and keeps growing until the
   * server answers.
   */
  function unfinishedUpload(
    path: string,
    options: { declaredBytes?: number; sendBytes: number; origin?: string },
  ): Promise<RawAnswer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let answered = false;
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (options.origin !== undefined) headers.Origin = options.origin;
      if (options.declaredBytes !== undefined) {
        headers["Content-Length"] = String(options.declaredBytes);
      }
      const request = httpRequest(`${server.url}${path}`, { method: "POST", headers });
      request.on("response", (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          });
          request.destroy();
        });
      });
      // The server closes the connection after answering: writes still in flight then fail.
      request.on("error", (error) => {
        if (!answered) reject(error);
      });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        if (answered || request.destroyed || sent >= options.sendBytes) return;
        sent += chunk.length;
        request.write(chunk, () => setImmediate(pump));
      };
      pump();
    });
  }

  describe("a shopper's whole journey", () => {
    it("signs up, logs in, fills the cart, checks out once and sees the order", async () => {
      const email = `ada-${randomUUID()}@example.com`;
      const signup = await call<{ email: string }>("POST", "/auth/signup", {
        body: { email, password: PASSWORD, name: "Ada" },
      });
      expect(signup.status).toBe(202);
      expect(signup.body.email).toBe(email);

      const login = await call<{ accessToken: string; tokenType: string; expiresIn: number }>(
        "POST",
        "/auth/login",
        { body: { email: email.toUpperCase(), password: PASSWORD } },
      );
      expect(login.status).toBe(200);
      expect(login.body.tokenType).toBe("Bearer");
      expect(login.body.expiresIn).toBe(3600);
      const token = login.body.accessToken;
      expect(token.split(".")).toHaveLength(3);

      const catalogue = await call<PageOf<ProductView>>("GET", "/products", { token });
      expect(catalogue.status).toBe(200);
      expect(catalogue.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(catalogue.body.items).toHaveLength(10);
      expect(catalogue.body.items.map((p) => p.id)).toEqual(SEED_PRODUCTS.map((p) => p.id).sort());
      const bird = catalogue.body.items.find((p) => p.id === "lonely-bird");
      expect(bird).toMatchObject({ name: "Lonely Bird", priceCents: 2999, currency: "USD" });
      expect(bird?.comments.map((c) => c.author)).toContain("John Doe");
      expect(catalogue.body.items.every((p) => p.isSelected === false)).toBe(true);
      const stockBefore = new Map(catalogue.body.items.map((p) => [p.id, p.stock]));

      const saved = await call<CartView>("POST", "/cart", {
        token,
        body: {
          products: [
            { id: "lonely-bird", quantity: 2 },
            { id: "solid-friendship", quantity: 1 },
          ],
          promotionCode: "welcome10",
        },
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        promotionCode: "WELCOME10",
        discountPercentage: 10,
        subtotalCents: 7997,
        discountCents: 800,
        totalCents: 7197,
        currency: "USD",
        version: 1,
        notices: [],
      });
      expect(saved.body.products).toEqual([
        {
          id: "lonely-bird",
          name: "Lonely Bird",
          quantity: 2,
          unitPriceCents: 2999,
          lineTotalCents: 5998,
          available: 25,
        },
        {
          id: "solid-friendship",
          name: "Solid Friendship",
          quantity: 1,
          unitPriceCents: 1999,
          lineTotalCents: 1999,
          available: 40,
        },
      ]);

      const selected = await call<PageOf<ProductView>>("GET", "/products", { token });
      expect(
        selected.body.items
          .filter((p) => p.isSelected)
          .map((p) => p.id)
          .sort(),
      ).toEqual(["lonely-bird", "solid-friendship"]);
      const anonymous = await call<PageOf<ProductView>>("GET", "/products");
      expect(anonymous.body.items.some((p) => p.isSelected)).toBe(false);

      const key = randomUUID();
      const first = await call<OrderView>("PUT", "/checkout", {
        token,
        headers: { "Idempotency-Key": key },
        body: CHECKOUT_BODY,
      });
      expect(first.status).toBe(202);
      expect(new URL(first.headers.get("location") ?? "", `${server.url}/checkout`).pathname).toBe(
        `/orders/${first.body.id}`,
      );
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      expect(first.body).toMatchObject({
        status: "PLACED",
        subtotalCents: 7997,
        discountCents: 800,
        totalCents: 7197,
        promotionCode: "WELCOME10",
      });

      const retry = await call<OrderView>("PUT", "/checkout", {
        token,
        headers: { "Idempotency-Key": key },
        body: CHECKOUT_BODY,
      });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(new URL(retry.headers.get("location") ?? "", `${server.url}/checkout`).pathname).toBe(
        `/orders/${first.body.id}`,
      );
      expect(retry.body).toEqual(first.body);

      const orders = await call<PageOf<OrderView>>("GET", "/orders", { token });
      expect(orders.status).toBe(200);
      expect(orders.body).toEqual({ items: [first.body], nextCursor: null });
      const order = await call<OrderView>("GET", `/orders/${first.body.id}`, { token });
      expect(order.status).toBe(200);
      expect(order.body).toEqual(first.body);

      for (const [id, quantity] of [
        ["lonely-bird", 2],
        ["solid-friendship", 1],
      ] as const) {
        const product = await call<ProductView>("GET", `/products/${id}`);
        expect(product.status).toBe(200);
        expect(product.body.stock).toBe((stockBefore.get(id) ?? Number.NaN) - quantity);
      }
      const untouched = await call<ProductView>("GET", "/products/copper-kettle");
      expect(untouched.body.stock).toBe(stockBefore.get("copper-kettle"));

      const emptied = await call<CartView>("GET", "/cart", { token });
      expect(emptied.status).toBe(200);
      expect(emptied.body.products).toEqual([]);
    });

    it("refuses the cart and the orders without a token, with a Bearer challenge", async () => {
      for (const [method, path] of [
        ["GET", "/cart"],
        ["GET", "/orders"],
        ["PUT", "/checkout"],
      ] as const) {
        const answer = await call<Problem>(method, path);
        expect(answer.status).toBe(401);
        expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="serverless-store"');
        expect(answer.body.code).toBe("UNAUTHENTICATED");
      }
      const forged = await call<Problem>("GET", "/cart", { token: "not.a.token" });
      expect(forged.status).toBe(401);
    });
  });

  describe("CORS", () => {
    it("answers a preflight from an allowed origin with the resource's own methods", async () => {
      const answer = await call("OPTIONS", "/cart", {
        headers: {
          Origin: ALLOWED_ORIGIN,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization, content-type",
        },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(answer.headers.get("access-control-allow-methods")).toBe("GET, HEAD, POST, OPTIONS");
      const allowedHeaders = (answer.headers.get("access-control-allow-headers") ?? "")
        .split(",")
        .map((h) => h.trim().toLowerCase());
      expect(allowedHeaders).toContain("authorization");
      expect(allowedHeaders).toContain("content-type");
      expect(answer.headers.get("vary")).toBe("Origin");
      expect(answer.body).toBeUndefined();
    });

    it("refuses a preflight from a disallowed origin with a 403 problem and no ACAO", async () => {
      const response = await fetch(`${server.url}/cart`, {
        method: "OPTIONS",
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-allow-methods")).toBeNull();
      expect(response.headers.get("vary")).toBe("Origin");
      const problem = (await response.json()) as Problem;
      expect(problem.code).toBe("FORBIDDEN");
    });

    it("echoes an allowed origin on a simple request and never a disallowed one", async () => {
      const allowed = await call("GET", "/products", { headers: { Origin: ALLOWED_ORIGIN } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get("vary")).toBe("Origin");
      const evil = await call("GET", "/products", { headers: { Origin: "https://evil.example" } });
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      expect(evil.headers.get("vary")).toBe("Origin");
    });
  });

  describe("one user's data is out of another's reach", () => {
    it("keeps A's order and cart away from B, whatever B sends", async () => {
      const a = await signUp("Alice");
      const b = await signUp("Bob");

      const bought = await call("POST", "/cart", {
        token: a.token,
        body: { products: [{ id: "terracotta-planter", quantity: 1 }] },
      });
      expect(bought.status).toBe(200);
      const order = await call<OrderView>("PUT", "/checkout", {
        token: a.token,
        headers: { "Idempotency-Key": randomUUID() },
        body: CHECKOUT_BODY,
      });
      expect(order.status).toBe(202);
      const aCart = await call<CartView>("POST", "/cart", {
        token: a.token,
        body: { products: [{ id: "morning-fog", quantity: 3 }] },
      });
      expect(aCart.status).toBe(200);

      const stolen = await call<Problem>("GET", `/orders/${order.body.id}`, { token: b.token });
      expect(stolen.status).toBe(404);
      expect(stolen.body.code).toBe("NOT_FOUND");
      expect(JSON.stringify(stolen.body)).not.toContain("terracotta");
      const bOrders = await call<PageOf<OrderView>>("GET", "/orders", { token: b.token });
      expect(bOrders.body.items).toEqual([]);

      const bCart = await call<CartView>("GET", "/cart", { token: b.token });
      expect(bCart.status).toBe(200);
      expect(bCart.body).toMatchObject({ products: [], version: 0, totalCents: 0 });

      const spoof = await call<CartView>("POST", "/cart", {
        token: b.token,
        body: { userId: a.userId, products: [{ id: "copper-kettle", quantity: 1 }] },
      });
      expect(spoof.status).toBe(200);
      expect(spoof.body.products.map((p) => p.id)).toEqual(["copper-kettle"]);

      const aAfter = await call<CartView>("GET", "/cart", { token: a.token });
      expect(aAfter.body).toEqual(aCart.body);
      expect(aAfter.body.products).toEqual([
        expect.objectContaining({ id: "morning-fog", quantity: 3 }),
      ]);
      const bAfter = await call<CartView>("GET", "/cart", { token: b.token });
      expect(bAfter.body.products.map((p) => p.id)).toEqual(["copper-kettle"]);
    });
  });

  describe("bad input is answered, never a 5xx", () => {
    let token: string;
    beforeAll(async () => {
      token = (await signUp("Mallory")).token;
    });

    it("answers malformed JSON with 400 naming the body", async () => {
      const answer = await call<Problem>("POST", "/cart", { token, body: '{"products": [' });
      expect(answer.status).toBe(400);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.body.code).toBe("VALIDATION_FAILED");
      expect(answer.body.errors).toEqual([{ field: "body", message: "malformed JSON" }]);
    });

    it("answers wrong types with 400 naming each field", async () => {
      const cart = await call<Problem>("POST", "/cart", {
        token,
        body: { products: [{ id: "lonely-bird", quantity: "2" }] },
      });
      expect(cart.status).toBe(400);
      expect(cart.body.errors?.map((e) => e.field)).toEqual(["products[0].quantity"]);

      const signup = await call<Problem>("POST", "/auth/signup", {
        body: { email: 42, password: true },
      });
      expect(signup.status).toBe(400);
      expect(signup.body.errors?.map((e) => e.field).sort()).toEqual(["email", "password"]);
    });

    it("answers a declared Content-Length over the limit with 413 without reading the body", async () => {
      const limit = app.config.maxBodyBytes;
      const answer = await unfinishedUpload("/cart", {
        declaredBytes: limit * 40,
        sendBytes: 32 * 1024,
      });
      expect(answer.status).toBe(413);
      expect(answer.ms).toBeLessThan(2000);
      expect(answer.headers["content-type"]).toBe("application/problem+json");
      expect(answer.headers.connection).toBe("close");
      expect(JSON.parse(answer.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
    });

    it("lets a page on an allowed origin read the early 413, and only such a page", async () => {
      const limit = app.config.maxBodyBytes;
      const allowed = await unfinishedUpload("/cart", {
        declaredBytes: limit * 40,
        sendBytes: 16 * 1024,
        origin: ALLOWED_ORIGIN,
      });
      expect(allowed.status).toBe(413);
      expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.vary).toBe("Origin");

      const chunked = await unfinishedUpload("/cart", {
        sendBytes: limit * 8,
        origin: ALLOWED_ORIGIN,
      });
      expect(chunked.status).toBe(413);
      expect(chunked.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);

      const refused = await unfinishedUpload("/cart", {
        declaredBytes: limit * 40,
        sendBytes: 16 * 1024,
        origin: "https://elsewhere.example",
      });
      expect(refused.status).toBe(413);
      expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    });

    it("answers a chunked body that grows past the limit with 413", async () => {
      const limit = app.config.maxBodyBytes;
      const answer = await unfinishedUpload("/cart", { sendBytes: limit * 8 });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    });

    it("still reads a body just under the limit and validates it", async () => {
      const answer = await call<Problem>("POST", "/auth/signup", {
        body: { email: "big@example.com", password: "x".repeat(app.config.maxBodyBytes - 100) },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.map((e) => e.field)).toEqual(["password"]);
    });

    it("answers an unknown path with 404", async () => {
      for (const path of ["/nope", "/products/lonely-bird/extra/deep", "/orders/%E0%A4%A"]) {
        const answer = await call<Problem>("GET", path, { token });
        expect(answer.status).toBe(404);
        expect(answer.body.code).toBe("NOT_FOUND");
      }
      const product = await call<Problem>("GET", "/products/no-such-product");
      expect(product.status).toBe(404);
    });

    it("answers a wrong method with 405 and the resource's Allow", async () => {
      const products = await call<Problem>("DELETE", "/products");
      expect(products.status).toBe(405);
      expect(products.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
      const cart = await call<Problem>("PATCH", "/cart", { token });
      expect(cart.status).toBe(405);
      expect(cart.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
      expect(cart.body.code).toBe("METHOD_NOT_ALLOWED");
    });

    it("answers text/plain with 415", async () => {
      const answer = await call<Problem>("POST", "/auth/login", {
        body: JSON.stringify({ email: "a@example.com", password: PASSWORD }),
        headers: { "Content-Type": "text/plain" },
      });
      expect(answer.status).toBe(415);
      expect(answer.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    });

    it("answers odd bodies, ids, keys and tokens with the right 4xx", async () => {
      const bodies: [string, number][] = [
        ["null", 400],
        ["[]", 400],
        ['"products"', 400],
        ["123", 400],
        ['{"products": null}', 400],
        ['{"products": {"0": {"id": "lonely-bird", "quantity": 1}}}', 400],
        ['{"products": [{"id": "lonely-bird", "quantity": 1e308}]}', 400],
        ['{"products": [{"id": "LONELY BIRD", "quantity": 1}]}', 400],
        [`{"products": [{"id": "${"a".repeat(5000)}", "quantity": 1}]}`, 400],
        [`{"products": [${"[".repeat(5000)}${"]".repeat(5000)}]}`, 400],
        ['{"__proto__": {"admin": true}, "products": [{"id": "ghost", "quantity": 1}]}', 422],
        ['{"products": [], "promotionCode": "NOPE"}', 422],
        ['{"products": [], "promotionCode": "SPRING2020"}', 422],
      ];
      const expected: Record<string, number> = {
        checkoutEmpty: 422,
        badKey: 400,
        badScheme: 401,
        comment: 400,
      };
      const statuses: Record<string, number> = {};
      for (const [body, status] of bodies) {
        expected[body.slice(0, 60)] = status;
        statuses[body.slice(0, 60)] = (await call("POST", "/cart", { token, body })).status;
      }
      statuses.checkoutEmpty = (
        await call("PUT", "/checkout", { token, body: CHECKOUT_BODY })
      ).status;
      statuses.badKey = (
        await call("PUT", "/checkout", {
          token,
          headers: { "Idempotency-Key": "a b" },
          body: CHECKOUT_BODY,
        })
      ).status;
      statuses.badScheme = (
        await call("GET", "/cart", { headers: { Authorization: `Basic ${token}` } })
      ).status;
      statuses.comment = (
        await call("POST", "/products/lonely-bird/comments", {
          token,
          body: { rating: 6, text: "" },
        })
      ).status;
      expect(statuses).toEqual(expected);
    });
  });

  it("logs one line per request: METHOD /path STATUS Nms", async () => {
    const before = logLines.length;
    await call("GET", "/products/lonely-bird");
    await call("DELETE", "/products");
    await vi.waitFor(() => expect(logLines.length).toBe(before + 2));
    const [get, del] = logLines.slice(before);
    expect(get).toMatch(/^GET \/products\/lonely-bird 200 \d+(\.\d+)?ms$/);
    expect(del).toMatch(/^DELETE \/products 405 \d+(\.\d+)?ms$/);
  });
});

describe("the API Gateway event the dev server hands to the handler", () => {
  let server: DevServer;
  const events: APIGatewayProxyEvent[] = [];
  const spy: ApiHandler = async (event) => {
    events.push(event);
    return { statusCode: 200, headers: { "Content-Type": "application/json" }, body: "{}" };
  };

  beforeAll(async () => {
    server = await startDevServer({
      handler: spy,
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 1024 * 1024,
      cors: { allowedOrigins: new Set(), maxAgeSeconds: 0 },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A raw request, so header names keep the client's case and headers can repeat. */
  function send(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body?: Buffer,
  ): Promise<APIGatewayProxyEvent> {
    const count = events.length;
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${server.url}${path}`, { method });
      for (const [name, value] of Object.entries(headers)) request.setHeader(name, value);
      request.on("error", reject);
      request.on("response", (response) => {
        response.resume();
        response.on("end", () => {
          const event = events[count];
          if (response.statusCode !== 200 || event === undefined) {
            reject(new Error(`the handler was not invoked (status ${response.statusCode})`));
          } else resolve(event);
        });
      });
      request.end(body);
    });
  }

  it("carries resource, path parameters, query parameters and client-cased headers", async () => {
    const event = await send("GET", "/products/lonely-bird?a=1&a=2&b=x%20y", {
      "X-Custom-Header": "custom",
      "X-Multi": ["first", "second"],
      Authorization: "Bearer abc",
    });
    expect(event.resource).toBe("/products/{id}");
    expect(event.path).toBe("/products/lonely-bird");
    expect(event.httpMethod).toBe("GET");
    expect(event.pathParameters).toEqual({ id: "lonely-bird" });
    expect(event.queryStringParameters).toEqual({ a: "2", b: "x y" });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ["1", "2"], b: ["x y"] });
    expect(event.headers["X-Custom-Header"]).toBe("custom");
    expect(event.headers["x-custom-header"]).toBeUndefined();
    expect(event.headers.Authorization).toBe("Bearer abc");
    expect(event.headers["X-Multi"]).toBe("second");
    expect(event.multiValueHeaders["X-Multi"]).toEqual(["first", "second"]);
    expect(event.multiValueHeaders["X-Custom-Header"]).toEqual(["custom"]);
    expect(event.stageVariables).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);

    const context = event.requestContext;
    expect(context.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.stage).toBe("local");
    expect(context.resourcePath).toBe("/products/{id}");
    expect(context.httpMethod).toBe("GET");
    expect(context.path).toBe("/local/products/lonely-bird");
    expect(context.identity.sourceIp).toBe("127.0.0.1");
  });

  it("gives each request its own request id and no query maps without a query", async () => {
    const first = await send("GET", "/products", {});
    const second = await send("GET", "/products", {});
    expect(first.requestContext.requestId).not.toBe(second.requestContext.requestId);
    expect(first.resource).toBe("/products");
    expect(first.pathParameters).toBeNull();
    expect(first.queryStringParameters).toBeNull();
    expect(first.multiValueQueryStringParameters).toBeNull();
  });

  it("sends a JSON body as text and a binary body base64-encoded", async () => {
    const json = '{"products":[{"id":"lonely-bird","quantity":1}]}';
    const text = await send(
      "POST",
      "/cart",
      { "Content-Type": "application/json" },
      Buffer.from(json),
    );
    expect(text.resource).toBe("/cart");
    expect(text.isBase64Encoded).toBe(false);
    expect(text.body).toBe(json);

    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const binary = await send(
      "POST",
      "/cart",
      { "Content-Type": "application/octet-stream" },
      bytes,
    );
    expect(binary.isBase64Encoded).toBe(true);
    expect(binary.body).toBe(bytes.toString("base64"));
    expect(Buffer.from(binary.body ?? "", "base64")).toEqual(bytes);
  });

  it("routes a path no resource has to the catch-all /{proxy+}", async () => {
    const event = await send("GET", "/no/such/path", {});
    expect(event.resource).toBe("/{proxy+}");
    expect(event.pathParameters).toEqual({ proxy: "no/such/path" });
    expect(event.requestContext.resourcePath).toBe("/{proxy+}");
  });

  it("percent-decodes path parameters", async () => {
    const event = await send("GET", "/orders/caf%C3%A9", {});
    expect(event.resource).toBe("/orders/{id}");
    expect(event.pathParameters).toEqual({ id: "café" });
  });
});
