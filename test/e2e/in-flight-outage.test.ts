import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server.js";
import { recordFigure } from "../reliability/figures.js";

/**
 * One order: SQLite's driver waits out the lock synchronously (a 2 s busy timeout per write), so
 * the attempts of several orders would take turns and each would see fewer of them.
 */
const ORDERS = 1;
/** Longer than three attempts (the payment, then 2 s of busy timeout each) and their pauses. */
const OUTAGE_MS = 10_000;

// A store outage longer than any fixed number of retries: the dev server's queue must wait it
// out, so that once the store is back every order placed before it finishes.
describe("orders in flight during a store outage longer than the queue's retries", () => {
  let dataDir: string;
  let loopback: LoopbackServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "in-flight-outage-"));
    loopback = await startLoopbackServer(
      { STORE: "sqlite", DATA_DIR: dataDir, PAYMENT_DELAY_MS: "300" },
      { compose: { orderEvents: "in-process" } },
    );
  });

  afterAll(async () => {
    await loopback?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("finishes every order once the store is back", async () => {
    const { app, server } = loopback;
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          "Content-Type": "application/json",
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const initialStock = (await app.store.getProduct("lonely-bird"))?.stock ?? 0;
    const tokens: string[] = [];
    for (let n = 0; n < ORDERS; n++) {
      const token = await signUpAndSignIn(server.url, `outage-${n}@example.com`);
      const cart = { products: [{ id: "lonely-bird", quantity: 2 }] };
      expect((await call("POST", "/cart", token, cart)).status).toBe(200);
      tokens.push(token);
    }
    const placed = await Promise.all(
      tokens.map((token) => call("PUT", "/checkout", token, CHECKOUT_BODY)),
    );
    expect(placed.map((answer) => answer.status)).toEqual(Array(ORDERS).fill(202));
    const orderIds = placed.map((answer) => String(answer.json.id));
    // Every order is being paid for when the store goes away.
    await expect
      .poll(async () =>
        Promise.all(orderIds.map(async (id) => (await app.store.findOrder(id))?.status)),
      )
      .toEqual(Array(ORDERS).fill("PROCESSING"));

    const lockedAt = performance.now();
    const locker = new Database(join(dataDir, "store.sqlite"));
    locker.exec("BEGIN EXCLUSIVE");
    try {
      await sleep(OUTAGE_MS);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }

    await expect
      .poll(
        async () =>
          Promise.all(orderIds.map(async (id) => (await app.store.findOrder(id))?.status)),
        { timeout: 15_000, interval: 250 },
      )
      .toEqual(Array(ORDERS).fill("COMPLETED"));
    expect((await app.store.getProduct("lonely-bird"))?.stock).toBe(initialStock - 2 * ORDERS);
    for (const id of orderIds) {
      expect(await app.store.findPayment(id)).toMatchObject({ approved: true });
    }
    recordFigure("outage_in_flight_completed_after_ms", Math.round(performance.now() - lockedAt));
  }, 60_000);
});
