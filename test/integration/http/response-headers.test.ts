// The headers of every answer: nosniff everywhere, no-store on whatever is someone's own (a
// cart, an order, a token, an operator's view, GraphQL, any 401 or 403), the public catalogue
// and documents keep their caching; HEAD answers as GET without the body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, type Route, routeKey } from "../../../src/http/index.js";
import type { ApiEventOptions } from "../../helpers/api-event.js";
import { createTestApp, type TestApp, type TestResponse } from "../../helpers/app.js";

let t: TestApp;
let userToken: string;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp();
  userToken = (await t.signup()).token;
  adminToken = await t.mintAdmin();
});

afterAll(() => t.close());

const PUBLIC_GROUPS = new Set(["products", "docs"]);
/** Public: anyone's answer is everyone's, so a cache may keep it when nobody signed in. */
const isPublic = (route: Route) =>
  (PUBLIC_GROUPS.has(route.group) && (route.auth === "none" || route.auth === "optional")) ||
  route.resource === "/.well-known/jwks.json";

const eventFor = (route: Route, signedIn: boolean): ApiEventOptions => {
  const pathParameters: Record<string, string> = {};
  for (const match of route.resource.matchAll(/\{([^}+]+)\}/g)) {
    // A real product for the public reads; an unknown one where an operator's write would
    // change the catalogue the other cases read.
    pathParameters[match[1] ?? ""] = route.auth === "admin" ? "no-such-product" : "lonely-bird";
  }
  const token = route.auth === "admin" ? adminToken : signedIn ? userToken : undefined;
  return {
    method: route.method,
    resource: route.resource,
    pathParameters,
    ...(token === undefined ? {} : { token }),
    ...(route.group === "graphql" && route.method === "GET"
      ? { query: { query: "{ __typename }" } }
      : {}),
    ...(route.group === "graphql" && route.method === "POST"
      ? { body: { query: "{ __typename }" } }
      : {}),
  };
};

const expectNoStore = (res: TestResponse) => expect(res.headers["cache-control"]).toBe("no-store");

describe("answer headers", () => {
  const signedInRoutes = ROUTES.filter((route) => !isPublic(route));
  const publicRoutes = ROUTES.filter(isPublic);

  it("the table has public and private routes", () => {
    expect(publicRoutes.length).toBeGreaterThan(2);
    expect(signedInRoutes.length).toBeGreaterThan(10);
  });

  it.each(signedInRoutes.map((route) => [routeKey(route), route] as const))(
    "%s (private): no-store and nosniff, whatever the status",
    async (_key, route) => {
      const res = await t.invoke(eventFor(route, route.auth !== "none"));
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expectNoStore(res);
    },
  );

  it.each(publicRoutes.map((route) => [routeKey(route), route] as const))(
    "%s (public): nosniff; cacheable when anonymous, no-store with a token",
    async (_key, route) => {
      const anonymous = await t.invoke(eventFor(route, false));
      expect(anonymous.statusCode, anonymous.body).toBe(200);
      expect(anonymous.headers["x-content-type-options"]).toBe("nosniff");
      expect(anonymous.headers["cache-control"] ?? "").not.toContain("no-store");
      const signedIn = await t.invoke({ ...eventFor(route, false), token: userToken });
      expect(signedIn.headers["x-content-type-options"]).toBe("nosniff");
      expectNoStore(signedIn);
    },
  );

  it("the catalogue's own Cache-Control is kept for anonymous readers", async () => {
    const res = await t.invoke({ method: "GET", resource: "/openapi.json" });
    expect(res.headers["cache-control"]).toBe("public, max-age=300");
  });

  it("a 401 and a 403 are no-store, with nosniff", async () => {
    const unauthenticated = await t.invoke({ method: "GET", resource: "/orders" });
    expect(unauthenticated.statusCode).toBe(401);
    expectNoStore(unauthenticated);
    const forbidden = await t.invoke({
      method: "GET",
      resource: "/admin/figures",
      token: userToken,
    });
    expect(forbidden.statusCode).toBe(403);
    expectNoStore(forbidden);
    expect(forbidden.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("a 404, a 405 and a preflight carry nosniff", async () => {
    const missing = await t.invoke({ method: "GET", resource: "/{proxy+}", path: "/nowhere" });
    const wrongMethod = await t.invoke({ method: "DELETE", resource: "/products" });
    const preflight = await t.invoke({ method: "OPTIONS", resource: "/products" });
    for (const res of [missing, wrongMethod, preflight]) {
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
  });
});

describe("HEAD", () => {
  const getRoutes = ROUTES.filter((route) => route.method === "GET");

  it.each(getRoutes.map((route) => [routeKey(route), route] as const))(
    "HEAD %s: the GET's status and headers, no body",
    async (_key, route) => {
      const event = eventFor(route, route.auth !== "none");
      const get = await t.invoke(event);
      const head = await t.invoke({ ...event, method: "HEAD" });
      expect(head.statusCode).toBe(get.statusCode);
      expect(head.body).toBe("");
      expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
      expect(head.headers["cache-control"]).toBe(get.headers["cache-control"]);
      expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(get.body)));
    },
  );

  it("HEAD is in Allow wherever GET is", async () => {
    const res = await t.invoke({
      method: "DELETE",
      resource: "/products/{id}",
      pathParameters: { id: "x" },
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD, OPTIONS");
  });
});
