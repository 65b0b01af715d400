// Failures: unexpected errors and store outages answer a problem without internals (500, 503).
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import { ROUTES, type Route } from "../../../src/http/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import type { ApiEventOptions } from "../../helpers/api-event.js";
import { expectProblem, interceptStore, startPerTest, type TestApp } from "../../helpers/app.js";
import { CHECKOUT_BODY } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

afterEach(() => {
  vi.restoreAllMocks();
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
      answers: { 200: "Product" },
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
    expect(entry.stack).toContain("failures.test.ts");
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
      { method: "PUT", resource: "/checkout", token: ada.token, body: CHECKOUT_BODY },
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
