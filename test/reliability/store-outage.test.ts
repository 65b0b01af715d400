import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { APIGatewayProxyResult } from "aws-lambda";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEvent } from "../helpers/api-event.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { recordFigure } from "./figures.js";
import { headerOf, leaksIn, type SqliteApp, sentText, startSqliteApp } from "./harness.js";

// A real outage of the SQLite store: another connection holds its write lock, so every write
// times out (SQLITE_BUSY) after the store's busy timeout. Writes answer 503 with Retry-After and
// nothing of the driver; GraphQL says STORE_UNAVAILABLE; once the lock is gone everything works
// and nothing was half-written. (test/e2e/store-unavailable.test.ts does the same over HTTP.)

let s: SqliteApp;
let dataDir: string;

beforeAll(async () => {
  s = await startSqliteApp();
  dataDir = s.t.app.config.dataDir;
  await s.t.saveCart(s.shopper.token, [["linen-notebook", 1]]);
});

afterAll(async () => {
  await s?.close();
});

describe("store outage and recovery (SQLite locked by another writer)", () => {
  it("writes answer 503 with Retry-After during the outage, and all is well after", async () => {
    const writes = [
      apiEvent({
        method: "POST",
        resource: "/cart",
        token: s.shopper.token,
        body: { products: [{ id: "wool-throw", quantity: 3 }] },
      }),
      apiEvent({
        method: "PUT",
        resource: "/checkout",
        token: s.shopper.token,
        headers: { "Idempotency-Key": "during-outage" },
        body: CHECKOUT_BODY,
      }),
    ];
    const graphqlWrite = apiEvent({
      method: "POST",
      resource: "/graphql",
      token: s.shopper.token,
      body: {
        query: 'mutation { saveCart(products: [{code: "wool-throw", quantity: 3}]) { version } }',
      },
    });
    const locker = new Database(join(dataDir, "store.sqlite"));
    locker.exec("BEGIN EXCLUSIVE");
    const answers = [];
    let graphqlAnswer: APIGatewayProxyResult | undefined;
    const started = performance.now();
    // better-sqlite3 waits out its busy timeout synchronously: how long the process stood still.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    try {
      for (const event of writes) answers.push({ event, result: await s.t.handler(event) });
      graphqlAnswer = await s.t.handler(graphqlWrite);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    loopDelay.disable();
    recordFigure("sqlite_outage_event_loop_blocked_ms", (loopDelay.max / 1e6).toFixed(0), "ms");
    recordFigure(
      "sqlite_outage_ms_per_refused_write",
      ((performance.now() - started) / 3).toFixed(0),
      "ms",
    );

    for (const { event, result } of answers) {
      const what = `${event.httpMethod} ${event.path}`;
      expect(result.statusCode, `${what}: ${result.body}`).toBe(503);
      expect(headerOf(result, "retry-after"), what).toMatch(/^\d+$/);
      expect(headerOf(result, "content-type"), what).toBe("application/problem+json");
      expect(JSON.parse(result.body), what).toMatchObject({
        status: 503,
        code: "STORE_UNAVAILABLE",
      });
      expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
      expect(result.body, what).not.toMatch(/busy|locked|database/i);
    }
    const graphqlBody = JSON.parse(graphqlAnswer?.body ?? "{}");
    expect(graphqlBody.errors?.[0]?.extensions?.code).toBe("STORE_UNAVAILABLE");
    expect(graphqlAnswer?.body).not.toMatch(/busy|locked|database|sqlite/i);

    // After: nothing half-written, and the same requests go through.
    const cart = await s.t.invoke({ method: "GET", resource: "/cart", token: s.shopper.token });
    expect(cart.json.version).toBe(1);
    expect(cart.json.products.map((line: { id: string }) => line.id)).toEqual(["linen-notebook"]);
    const orders = await s.t.invoke({ method: "GET", resource: "/orders", token: s.shopper.token });
    expect(orders.json.items).toEqual([]);
    for (const event of writes) {
      const result = await s.t.handler({
        ...event,
        requestContext: {
          ...event.requestContext,
          requestId: `${event.requestContext.requestId}-again`,
        },
      });
      expect(result.statusCode, result.body).toBeLessThan(300);
    }
    const after = await s.t.invoke({ method: "GET", resource: "/orders", token: s.shopper.token });
    expect(after.json.items).toHaveLength(1);
    recordFigure("sqlite_outage_recovered", "yes");
  });
});
