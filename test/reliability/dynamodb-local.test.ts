import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEvent } from "../helpers/api-event.js";
import { createTestApp, TEST_CLIENT_ID, TEST_ISSUER } from "../helpers/app.js";
import {
  type FaultProxy,
  startFaultProxy,
  uniqueTableName,
  useDynamoDbLocal,
} from "../helpers/dynamodb-local.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { mintToken } from "../helpers/tokens.js";
import {
  expectEveryRetryReplayed,
  expectOneOrder,
  lastUnitsRace,
  type RetryRace,
  retryRace,
} from "./exactly-once.js";
import { recordFigure, runsOf } from "./figures.js";
import { headerOf, leaksIn, type SqliteApp, sentText, startDynamoDbApp } from "./harness.js";

// On DynamoDB Local: exactly-once, where the concurrent checkouts are concurrent HTTP requests
// to the database and only its conditions and transactions keep them apart; and an outage,
// where a proxy in front of the database answers ServiceUnavailable to everything for a while.

const dynamodb = useDynamoDbLocal();
let s: SqliteApp;
let race: RetryRace | undefined;
// One app and table for the file, behind the proxy that makes the outage (it forwards otherwise).
let proxy: FaultProxy;
let down = false;

beforeAll(async () => {
  proxy = await startFaultProxy(dynamodb().endpoint, () =>
    down
      ? { statusCode: 503, type: "ServiceUnavailable", message: "Service unavailable" }
      : undefined,
  );
  s = await startDynamoDbApp(
    { ...dynamodb(), endpoint: proxy.endpoint },
    uniqueTableName("reliability"),
  );
});

afterAll(async () => {
  await s?.close();
  await proxy?.close();
});

describe("exactly once on DynamoDB Local", () => {
  it("concurrent retries with one Idempotency-Key: one order, its stock taken once", async () => {
    race = await retryRace(s.t, runsOf(50, 0.1), "dynamodb");
    expectOneOrder(race);
  });

  // Item 5 of the reliability issue: some retries answered 422 CART_EMPTY instead of the replay.
  // In the long run (1,000 at once against DynamoDB Local on a busy 2-core machine) the local
  // database can take longer than the client's 3 s timeout: those answer 503 with Retry-After,
  // which is the honest answer, never a 422; RELIABILITY.md records how many.
  it("every one of those retries answered the replay, never CART_EMPTY", () => {
    if (race === undefined) throw new Error("the retry race did not run");
    expectEveryRetryReplayed(race, race.retries > 50);
  });

  it("concurrent orders on the last units: exactly that many placed, stock 0, never negative", async () => {
    const race = await lastUnitsRace(s.t, s.operator.token, 16, 4, "dynamodb");
    expect(race.placed).toBe(4);
    expect(race.refused).toBe(12);
    expect(race.stockAfter).toBe(0);
  });
});

describe("store outage and recovery on DynamoDB Local (every request answered ServiceUnavailable)", () => {
  const o = {
    get t() {
      return s.t;
    },
    get shopper() {
      return s.shopper;
    },
  };

  it("answers 503 with Retry-After to reads and writes during the outage, and all is well after", async () => {
    await o.t.saveCart(o.shopper.token, [["brass-desk-lamp", 1]]);
    const requests = [
      apiEvent({ method: "GET", resource: "/products" }),
      apiEvent({ method: "GET", resource: "/cart", token: o.shopper.token }),
      apiEvent({
        method: "POST",
        resource: "/cart",
        token: o.shopper.token,
        body: { products: [{ id: "wool-throw", quantity: 2 }] },
      }),
      apiEvent({
        method: "PUT",
        resource: "/checkout",
        token: o.shopper.token,
        headers: { "Idempotency-Key": "outage" },
        body: CHECKOUT_BODY,
      }),
      apiEvent({ method: "GET", resource: "/orders", token: o.shopper.token }),
    ];
    down = true;
    const started = performance.now();
    const answers = [];
    try {
      for (const event of requests) answers.push({ event, result: await o.t.handler(event) });
    } finally {
      down = false;
    }
    recordFigure(
      "dynamodb_outage_ms_per_refusal",
      ((performance.now() - started) / requests.length).toFixed(0),
      "ms",
    );
    for (const { event, result } of answers) {
      const what = `${event.httpMethod} ${event.path}`;
      expect(result.statusCode, `${what}: ${result.body}`).toBe(503);
      expect(headerOf(result, "retry-after"), what).toMatch(/^\d+$/);
      expect(JSON.parse(result.body), what).toMatchObject({
        status: 503,
        code: "STORE_UNAVAILABLE",
      });
      expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
      expect(result.body, what).not.toMatch(/ServiceUnavailable|amazonaws|dynamo/i);
    }
    // After: the cart as it was, no order, and every request goes through.
    const cart = await o.t.invoke({ method: "GET", resource: "/cart", token: o.shopper.token });
    expect(cart.json.products.map((line: { id: string }) => line.id)).toEqual(["brass-desk-lamp"]);
    for (const event of requests) {
      const again = {
        ...event,
        requestContext: {
          ...event.requestContext,
          requestId: `${event.requestContext.requestId}-2`,
        },
      };
      const result = await o.t.handler(again);
      expect(result.statusCode, `${event.httpMethod} ${event.path}: ${result.body}`).toBeLessThan(
        300,
      );
    }
    const orders = await o.t.invoke({ method: "GET", resource: "/orders", token: o.shopper.token });
    expect(orders.json.items).toHaveLength(1);
    recordFigure("dynamodb_outage_recovered", "yes");
  });
});

// Issue 14, item 8 (fixed on its own branch; fails until it is merged): DynamoDB back without
// the table answered 500 on every store route for good.
describe("(item 8) DynamoDB without the table", () => {
  it("answers 503 STORE_UNAVAILABLE, not 500, on every store route", async () => {
    const missing = await createTestApp({
      env: {
        STORE: "dynamodb",
        DYNAMODB_ENDPOINT: dynamodb().endpoint,
        DYNAMODB_TABLE: uniqueTableName("missing"),
        DYNAMODB_CREATE_TABLE: "false",
      },
    });
    try {
      // Signed directly: `mint` would register the user, in a table that is not there.
      const token = await mintToken(missing.signingKey, {
        issuer: TEST_ISSUER,
        clientId: TEST_CLIENT_ID,
        subject: randomUUID(),
      });
      for (const options of [
        { method: "GET", resource: "/products" },
        { method: "GET", resource: "/cart", token },
        { method: "GET", resource: "/orders", token },
        {
          method: "POST",
          resource: "/auth/signup",
          body: { email: "m@example.com", password: "correct horse battery" },
        },
      ]) {
        const res = await missing.invoke(options);
        expect(res.statusCode, `${options.method} ${options.resource}: ${res.body}`).toBe(503);
        expect(res.body).not.toMatch(/ResourceNotFound|amazonaws|Cannot do operations/i);
      }
    } finally {
      await missing.close();
    }
  });
});
