import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import { ROUTES, type Route } from "../../../src/http/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import type { ApiEventOptions } from "../../helpers/api-event.js";
import {
  ALLOWED_ORIGIN,
  expectProblem,
  interceptStore,
  OTHER_ALLOWED_ORIGIN,
  startPerTest,
  type TestApp,
} from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Each resource's methods as the route table declares them. */
const methodsOf = (resource: string) =>
  ROUTES.filter((route) => route.resource === resource).map((route) => route.method);
const RESOURCES = [...new Set(ROUTES.map((route) => route.resource))];

describe("routing", () => {
  it("answers every route of the route table", async () => {
    await start();
    const ada = await t.signup("ada@example.com");
    await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: { products: [{ id: "lonely-bird", quantity: 1 }] },
    });
    const order = await t.invoke({ method: "PUT", resource: "/checkout", token: ada.token });
    await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: { products: [{ id: "wool-throw", quantity: 1 }] },
    });
    const samples: Record<string, [ApiEventOptions, number]> = {
      "GET /products": [{ method: "GET", resource: "/products" }, 200],
      "GET /products/{id}": [
        { method: "GET", resource: "/products/{id}", pathParameters: { id: "lonely-bird" } },
        200,
      ],
      "POST /products/{id}/comments": [
        {
          method: "POST",
          resource: "/products/{id}/comments",
          pathParameters: { id: "lonely-bird" },
          token: ada.token,
          body: { rating: 5, text: "Still lovely." },
        },
        201,
      ],
      "GET /cart": [{ method: "GET", resource: "/cart", token: ada.token }, 200],
      "POST /cart": [
        {
          method: "POST",
          resource: "/cart",
          token: ada.token,
          body: { products: [{ id: "wool-throw", quantity: 2 }] },
        },
        200,
      ],
      "POST /guest-carts": [{ method: "POST", resource: "/guest-carts" }, 201],
      "POST /cart/merge": [
        {
          method: "POST",
          resource: "/cart/merge",
          token: ada.token,
          headers: { "Guest-Cart-Token": "A".repeat(43) },
        },
        200,
      ],
      "PUT /checkout": [{ method: "PUT", resource: "/checkout", token: ada.token }, 202],
      "GET /orders": [{ method: "GET", resource: "/orders", token: ada.token }, 200],
      "GET /orders/{id}": [
        {
          method: "GET",
          resource: "/orders/{id}",
          pathParameters: { id: order.json.id },
          token: ada.token,
        },
        200,
      ],
      "POST /auth/signup": [
        {
          method: "POST",
          resource: "/auth/signup",
          body: { email: "new@example.com", password: "long enough" },
        },
        201,
      ],
      "POST /auth/login": [
        {
          method: "POST",
          resource: "/auth/login",
          body: { email: "ada@example.com", password: "correct horse battery" },
        },
        200,
      ],
      "GET /.well-known/jwks.json": [{ method: "GET", resource: "/.well-known/jwks.json" }, 200],
      "GET /openapi.json": [{ method: "GET", resource: "/openapi.json" }, 200],
      ...Object.fromEntries(
        ["/query", "/graphql"].flatMap((resource) => [
          [
            `POST ${resource}`,
            [{ method: "POST", resource, body: { query: "{ products { id } }" } }, 200],
          ],
          [
            `GET ${resource}`,
            [
              {
                method: "GET",
                resource,
                query: { query: "{ cart { totalCents } }" },
                token: ada.token,
              },
              200,
            ],
          ],
        ]),
      ),
    };

    // A route added to the table without a sample here fails this test.
    expect(Object.keys(samples).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.resource}`).sort(),
    );
    for (const [key, [options, status]] of Object.entries(samples)) {
      const res = await t.invoke(options);
      expect({ key, status: res.statusCode }).toEqual({ key, status });
      // The same route reached through the monolith's catch-all resource.
      const viaProxy = await t.invoke({
        ...options,
        resource: "/{proxy+}",
        path: res.path,
        pathParameters: { proxy: res.path.slice(1) },
      });
      expect({ key, status: viaProxy.statusCode }).not.toEqual({ key, status: 404 });
      expect({ key, status: viaProxy.statusCode }).not.toEqual({ key, status: 405 });
    }
  });

  it("routes a catch-all /{proxy+} event by its path, decoding path parameters", async () => {
    await start();

    const res = await t.invoke({
      method: "GET",
      resource: "/{proxy+}",
      path: "/products/lonely%2Dbird",
    });

    expect(res.statusCode).toBe(200);
    expect(res.json.id).toBe("lonely-bird");
  });

  it.each(["/nope", "/products/lonely-bird/reviews", "/cart/items", "/"])(
    "answers 404 for an unknown path %s",
    async (path) => {
      await start();

      const res = await t.invoke({ method: "GET", resource: "/{proxy+}", path });

      expect(expectProblem(res, 404, "NOT_FOUND").detail).toBe(`no resource at ${path}`);
    },
  );

  it.each([
    ["DELETE", "/products", "/products", "GET, OPTIONS"],
    ["PATCH", "/{proxy+}", "/cart", "GET, POST, OPTIONS"],
    ["GET", "/checkout", "/checkout", "PUT, OPTIONS"],
    ["POST", "/{proxy+}", "/orders/123", "GET, OPTIONS"],
    ["GET", "/{proxy+}", "/auth/login", "POST, OPTIONS"],
  ])("answers 405 with Allow for %s on %s (%s)", async (method, resource, path, allow) => {
    await start();

    const res = await t.invoke({ method, resource, path });

    const problem = expectProblem(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.allow).toBe(allow);
    expect(problem.instance).toBe(path);
  });
});

describe("request bodies", () => {
  const LIMIT = 512;

  /** A valid cart body padded with spaces to exactly `bytes` bytes. */
  const cartBodyOf = (bytes: number) => {
    const json = JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] });
    return json + " ".repeat(bytes - json.length);
  };

  it("accepts a body of exactly MAX_BODY_BYTES and answers 413 for one byte more", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });
    const ada = await t.signup();

    const fits = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: cartBodyOf(LIMIT),
    });
    const over = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: cartBodyOf(LIMIT + 1),
    });

    expect(fits.statusCode).toBe(200);
    expect(expectProblem(over, 413, "PAYLOAD_TOO_LARGE").detail).toBe(
      `the body is larger than ${LIMIT} bytes`,
    );
  });

  it("counts bytes, not characters, and decodes base64 before counting", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });

    // "€" is one character but three UTF-8 bytes.
    const signupWith = (email: string, euros: number) =>
      JSON.stringify({ email, password: "€".repeat(euros) });
    const overhead = signupWith("a@example.com", 0).length;
    const over = signupWith("a@example.com", Math.ceil((LIMIT + 1 - overhead) / 3));
    const under = signupWith("c@example.com", Math.floor((LIMIT - overhead) / 3));
    expect(over.length).toBeLessThan(LIMIT);
    expect(Buffer.byteLength(over)).toBeGreaterThan(LIMIT);
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(LIMIT);

    const multibyte = await t.invoke({ method: "POST", resource: "/auth/signup", body: over });
    const multibyteFits = await t.invoke({ method: "POST", resource: "/auth/signup", body: under });
    const base64 = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: cartBodyOf(LIMIT + 1),
      isBase64Encoded: true,
    });
    // Its base64 text is longer than the limit; the body it encodes is not.
    const base64Fits = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: (await t.signup()).token,
      body: cartBodyOf(LIMIT),
      isBase64Encoded: true,
    });

    expectProblem(multibyte, 413, "PAYLOAD_TOO_LARGE");
    expect(multibyteFits.statusCode).toBe(201);
    expectProblem(base64, 413, "PAYLOAD_TOO_LARGE");
    expect(base64Fits.statusCode).toBe(200);
  });

  it("answers 413 before asking who the caller is", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });

    const res = await t.invoke({ method: "POST", resource: "/cart", body: cartBodyOf(LIMIT * 4) });

    expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers 415 for a body that is not JSON or has no Content-Type", async () => {
    await start();
    const ada = await t.signup();
    const body = JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] });

    const plain = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": "text/plain" },
    });
    const none = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": undefined },
    });
    const form = await t.invoke({
      method: "POST",
      resource: "/auth/login",
      body: "email=a%40example.com&password=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const charset = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": "application/json; charset=UTF-8" },
    });

    expect(expectProblem(plain, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toBe(
      "send the body as application/json (got another type)",
    );
    expect(expectProblem(none, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toBe(
      "send the body as application/json (got no Content-Type)",
    );
    expectProblem(form, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(charset.statusCode).toBe(200);
  });
});

describe("failures", () => {
  it("answers a plain Error as a generic 500, logged with the request id, leaking nothing", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const boom: Route = {
      method: "GET",
      resource: "/boom",
      group: "products",
      auth: "none",
      store: "none",
      summary: "Fails like a bug would",
      handle: async () => {
        throw new Error("connect ECONNREFUSED 10.0.3.7:5432 user=store password=hunter2");
      },
    };
    await start({ routes: [...ROUTES, boom] });

    const res = await t.invoke({ method: "GET", resource: "/boom" });

    const problem = expectProblem(res, 500, "INTERNAL");
    expect(problem.title).toBe("Internal server error");
    expect(problem.detail).toBe("an unexpected error occurred; it has been logged");
    for (const secret of ["ECONNREFUSED", "hunter2", "10.0.3.7", "stack", "Error:"]) {
      expect(res.body).not.toContain(secret);
    }
    expect(log).toHaveBeenCalledTimes(1);
    const entry = JSON.parse(String(log.mock.calls[0]?.[0]));
    expect(entry).toMatchObject({
      level: "error",
      requestId: res.requestId,
      message: "connect ECONNREFUSED 10.0.3.7:5432 user=store password=hunter2",
    });
    expect(entry.stack).toContain("errors-cors.test.ts");
    expect((await t.invoke({ method: "GET", resource: "/products" })).statusCode).toBe(200);
  });

  it("answers 503 with Retry-After while the store is unavailable, leaking nothing", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    let outage = false;
    const store = interceptStore(new MemoryStore(), () => {
      if (!outage) return;
      throw new AppError("STORE_UNAVAILABLE", "the store is unavailable; retry shortly", {
        retryAfterSeconds: 1,
        cause: new Error("SQLITE_BUSY: database is locked (/var/lib/store/store.sqlite)"),
      });
    });
    await start({ store });
    const ada = await t.signup("outage@example.com");

    outage = true;
    const requests: ApiEventOptions[] = [
      { method: "GET", resource: "/products" },
      { method: "GET", resource: "/cart", token: ada.token },
      {
        method: "POST",
        resource: "/cart",
        token: ada.token,
        body: { products: [{ id: "lonely-bird", quantity: 1 }] },
      },
      { method: "PUT", resource: "/checkout", token: ada.token },
      {
        method: "POST",
        resource: "/auth/login",
        body: { email: "outage@example.com", password: "wrong password" },
      },
    ];
    for (const request of requests) {
      const res = await t.invoke(request);
      const problem = expectProblem(res, 503, "STORE_UNAVAILABLE");
      expect(problem.detail).toBe("the store is unavailable; retry shortly");
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.body).not.toContain("SQLITE_BUSY");
      expect(res.body).not.toContain("/var/lib");
    }
    expect(log).not.toHaveBeenCalled();

    outage = false;
    expect((await t.invoke({ method: "GET", resource: "/products" })).statusCode).toBe(200);
    // The failed logins during the outage were not counted as wrong passwords.
    const login = await t.invoke({
      method: "POST",
      resource: "/auth/login",
      body: { email: "outage@example.com", password: "correct horse battery" },
    });
    expect(login.statusCode).toBe(200);
  });
});

describe("CORS", () => {
  it("answers the preflight of a function serving one method of a path with all of them", async () => {
    // A nanoservice: GET /cart alone. POST /cart lives in another function, yet the browser
    // preflights POST /cart at whichever function API Gateway sends OPTIONS to.
    const getCart = ROUTES.filter((route) => route.method === "GET" && route.resource === "/cart");
    await start({ routes: getCart });

    const preflight = await t.invoke({
      method: "OPTIONS",
      resource: "/cart",
      origin: ALLOWED_ORIGIN,
      headers: { "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers.allow).toBe("GET, POST, OPTIONS");
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET, POST, OPTIONS");
    // What the function does not serve, it does not answer.
    expectProblem(await t.invoke({ method: "GET", resource: "/products" }), 404, "NOT_FOUND");
  });

  it("echoes an allowed origin with Vary: Origin on success and on problems", async () => {
    await start();

    for (const origin of [ALLOWED_ORIGIN, OTHER_ALLOWED_ORIGIN]) {
      const ok = await t.invoke({ method: "GET", resource: "/products", origin });
      const problem = await t.invoke({ method: "GET", resource: "/cart", origin });

      for (const res of [ok, problem]) {
        expect(res.headers["access-control-allow-origin"]).toBe(origin);
        expect(res.headers.vary).toBe("Origin");
        expect(res.headers["access-control-expose-headers"]).toBe(
          "Location, Retry-After, Idempotent-Replayed",
        );
      }
      expect(ok.statusCode).toBe(200);
      expect(problem.statusCode).toBe(401);
    }
  });

  it.each([
    "https://evil.example",
    "https://shop.example.com.evil.example",
    "http://shop.example.com",
    "null",
  ])("gives a disallowed origin (%s) no Access-Control-Allow-Origin", async (origin) => {
    await start();

    const res = await t.invoke({ method: "GET", resource: "/products", origin });

    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(res.headers["access-control-expose-headers"]).toBeUndefined();
    expect(res.headers.vary).toBe("Origin");
  });

  it("sets Vary: Origin and no CORS headers for a request without Origin", async () => {
    await start();

    const res = await t.invoke({ method: "GET", resource: "/products" });

    expect(res.headers.vary).toBe("Origin");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each(RESOURCES)(
    "answers a preflight on %s with only its methods and OPTIONS",
    async (resource) => {
      await start();
      const methods = [...methodsOf(resource), "OPTIONS"].join(", ");

      const res = await t.invoke({
        method: "OPTIONS",
        resource,
        pathParameters: Object.fromEntries(
          [...resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, "some-id"]),
        ),
        origin: OTHER_ALLOWED_ORIGIN,
        headers: {
          "Access-Control-Request-Method": methodsOf(resource)[0] ?? "GET",
          "Access-Control-Request-Headers": "authorization,content-type",
        },
      });

      expect(res.statusCode).toBe(204);
      expect(res.body).toBe("");
      expect(res.headers).toMatchObject({
        allow: methods,
        "access-control-allow-methods": methods,
        "access-control-allow-headers":
          "Authorization, Content-Type, Idempotency-Key, Guest-Cart-Token",
        "access-control-allow-origin": OTHER_ALLOWED_ORIGIN,
        "access-control-max-age": "600",
        vary: "Origin",
      });
    },
  );

  it("answers a preflight through the catch-all resource by the path's resource", async () => {
    await start();

    const res = await t.invoke({
      method: "OPTIONS",
      resource: "/{proxy+}",
      path: "/products/lonely-bird/comments",
      origin: ALLOWED_ORIGIN,
    });

    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-methods"]).toBe("POST, OPTIONS");
  });

  it("answers 403 to a preflight from a disallowed origin", async () => {
    await start();

    const res = await t.invoke({
      method: "OPTIONS",
      resource: "/cart",
      origin: "https://evil.example",
      headers: { "Access-Control-Request-Method": "POST" },
    });

    expect(expectProblem(res, 403, "FORBIDDEN").detail).toBe(
      "origin https://evil.example is not allowed to call this API",
    );
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(res.headers["access-control-allow-methods"]).toBeUndefined();
    expect(res.headers.vary).toBe("Origin");
  });

  it("answers OPTIONS without an Origin with Allow only", async () => {
    await start();

    const res = await t.invoke({ method: "OPTIONS", resource: "/checkout" });

    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe("PUT, OPTIONS");
    expect(res.headers["access-control-allow-methods"]).toBeUndefined();
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers 404 to a preflight on an unknown path", async () => {
    await start();

    const res = await t.invoke({
      method: "OPTIONS",
      resource: "/{proxy+}",
      path: "/admin",
      origin: ALLOWED_ORIGIN,
    });

    expectProblem(res, 404, "NOT_FOUND");
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
  });
});
