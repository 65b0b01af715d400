// CORS: allowed origins echoed with Vary: Origin, preflights with the route's own methods.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../../src/http/index.js";
import {
  ALLOWED_ORIGIN,
  expectProblem,
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

/** Each resource's methods as the route table declares them, HEAD with every GET. */
const methodsOf = (resource: string) =>
  ROUTES.filter((route) => route.resource === resource).flatMap((route) =>
    route.method === "GET" ? ["GET", "HEAD"] : [route.method],
  );
const RESOURCES = [...new Set(ROUTES.map((route) => route.resource))];

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
    expect(preflight.headers.allow).toBe("GET, HEAD, POST, OPTIONS");
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET, HEAD, POST, OPTIONS");
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
          "Authorization, Content-Type, Idempotency-Key, Guest-Cart-Token, Order-Access-Token",
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
    expect(res.headers["access-control-allow-methods"]).toBe("GET, HEAD, POST, OPTIONS");
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
