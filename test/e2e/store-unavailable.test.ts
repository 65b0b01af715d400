import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import type { CartView, ProductView } from "../../src/services/index.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

// A real failing dependency: another connection holds SQLite's write lock, so the store's writes
// time out (SQLITE_BUSY) while reads go on. Over HTTP that must be a 503 with Retry-After, with
// no driver text, and nothing half-written once the lock is gone.
describe("the dev server while the SQLite store is locked by another writer", () => {
  let dataDir: string;
  let app: App;
  let server: DevServer;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "store-locked-"));
    ({ app, server } = await startLoopbackServer({ STORE: "sqlite", DATA_DIR: dataDir }));
    const request = {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "locked@example.com", password: "correct horse battery" }),
    };
    expect((await fetch(`${server.url}/auth/signup`, request)).status).toBe(202);
    const login = await fetch(`${server.url}/auth/login`, request);
    token = ((await login.json()) as { accessToken: string }).accessToken;
    const saved = await saveCart([{ id: "lonely-bird", quantity: 1 }]);
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  function saveCart(products: { id: string; quantity: number }[]) {
    return fetch(`${server.url}/cart`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ products }),
    });
  }

  it("answers 503 with Retry-After to writes, leaks nothing, and loses nothing", async () => {
    const checkoutHeaders = {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": "while-locked",
    };
    const locker = new Database(join(dataDir, "store.sqlite"));
    locker.exec("BEGIN EXCLUSIVE");
    let refusedCart: Response;
    let refusedCheckout: Response;
    try {
      refusedCart = await saveCart([{ id: "copper-kettle", quantity: 3 }]);
      refusedCheckout = await fetch(`${server.url}/checkout`, {
        method: "PUT",
        headers: checkoutHeaders,
        body: JSON.stringify(CHECKOUT_BODY),
      });
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }

    for (const refused of [refusedCart, refusedCheckout]) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      const text = await refused.text();
      expect(JSON.parse(text)).toMatchObject({ status: 503, code: "STORE_UNAVAILABLE" });
      expect(text).not.toMatch(/sqlite|database|locked|busy|SELECT|INSERT|UPDATE|stack/i);
    }

    const cart = (await (
      await fetch(`${server.url}/cart`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as CartView;
    expect(cart.version).toBe(1);
    expect(cart.products.map((line) => [line.id, line.quantity])).toEqual([["lonely-bird", 1]]);
    const bird = (await (await fetch(`${server.url}/products/lonely-bird`)).json()) as ProductView;
    expect(bird.stock).toBe(25);
    const orders = await fetch(`${server.url}/orders`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await orders.json()).toEqual({ items: [], nextCursor: null });

    // Once the lock is gone the same checkout goes through.
    const retried = await fetch(`${server.url}/checkout`, {
      method: "PUT",
      headers: checkoutHeaders,
      body: JSON.stringify(CHECKOUT_BODY),
    });
    expect(retried.status).toBe(202);
  });
});
