import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { seedShopConfig } from "../../../src/store/seed-checkout.js";
import { FULFILMENT_QUERIES } from "../../../src/store/sqlite/fulfilment.js";
import { openSqliteStore } from "../../../src/store/sqlite/store.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart, placeOneBirdAt } from "../../helpers/orders.js";
import { describeAddressesContract } from "./addresses-contract.js";
import { describeCheckoutContract } from "./checkout-contract.js";
import { describeCommentsContract } from "./comments-contract.js";
import { describeFulfilmentContract } from "./fulfilment-contract.js";
import { describeOperatorContract } from "./operator-contract.js";
import { describePagingContract } from "./paging-contract.js";
import { describeRecoveryContract } from "./recovery-contract.js";
import { describeShopConfigContract } from "./shop-config-contract.js";
import { describeStoreContract } from "./store-contract.js";

const NOW = new Date("2026-05-01T12:00:00.000Z");
const tempDirs: string[] = [];

/** A database path in a fresh temp dir, one level down so opening must create its directory. */
function tempDbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-store-"));
  tempDirs.push(dir);
  return join(dir, "data", "store.db");
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const countRows = (file: string, table: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).pluck().get();
  } finally {
    db.close();
  }
};

describeStoreContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describePagingContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeAddressesContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeCommentsContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeOperatorContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeRecoveryContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeShopConfigContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeCheckoutContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));
describeFulfilmentContract("SqliteStore", () => openSqliteStore({ file: tempDbFile() }));

describe("SqliteStore", () => {
  it("reopening a file keeps the saved settings; a file made before them gets the demo ones", async () => {
    const file = tempDbFile();
    const first = await openSqliteStore({ file });
    const tax = { ...seedShopConfig().tax, mode: "inclusive" as const };
    await first.saveTaxSettings({ ...tax, expectedVersion: 1, updatedAt: NOW.toISOString() });
    await first.close();
    const second = await openSqliteStore({ file });
    expect((await second.getShopConfig()).tax).toMatchObject({ mode: "inclusive", version: 2 });
    await second.close();

    // As a file of an earlier version: no settings table at all.
    const db = new Database(file);
    db.exec("DROP TABLE shop_settings");
    db.close();
    const third = await openSqliteStore({ file });
    expect(await third.getShopConfig()).toEqual(seedShopConfig());
    await third.close();
  });

  it("reopening a file keeps every write and does not seed the catalogue again", async () => {
    const file = tempDbFile();
    const first = await openSqliteStore({ file });
    await first.addComment({
      comment: {
        id: "c-new",
        productId: "lonely-bird",
        author: "Alice",
        rating: 4,
        text: "Still here.",
        createdAt: NOW.toISOString(),
      },
      userId: "alice",
    });
    await first.saveCart({
      userId: "alice",
      lines: [{ productId: "copper-kettle", quantity: 2 }],
      updatedAt: NOW.toISOString(),
    });
    const { order } = await first.placeOrder(await orderFromCart(first, "alice", "k", NOW));
    const user = {
      id: "alice",
      email: "alice@example.com",
      name: "Alice",
      passwordHash: "h",
      createdAt: NOW.toISOString(),
    };
    await first.createUser(user);
    await first.close();

    const second = await openSqliteStore({ file });
    try {
      expect(await second.listProducts()).toHaveLength(10);
      expect((await second.getProduct("lonely-bird"))?.comments.map((c) => c.id)).toEqual([
        "c-new",
        "c-lonely-bird-2",
        "c-lonely-bird-1",
      ]);
      expect((await second.getProduct("copper-kettle"))?.stock).toBe(5);
      expect(await second.getOrder("alice", order.id)).toStrictEqual(order);
      expect((await second.getCart("alice"))?.version).toBe(2);
      expect(await second.findUserByEmail("alice@example.com")).toStrictEqual(user);
      expect(await second.getPromotion("WELCOME10")).toStrictEqual({
        code: "WELCOME10",
        percentOff: 10,
      });
    } finally {
      await second.close();
    }
    expect(countRows(file, "products")).toBe(10);
    expect(countRows(file, "comments")).toBe(14);
    expect(countRows(file, "promotions")).toBe(2);
  });

  it("opens an in-memory database, seeded", async () => {
    const store = await openSqliteStore({ file: ":memory:" });
    try {
      expect(await store.listProducts()).toHaveLength(10);
      expect((await store.getProduct("lonely-bird"))?.priceCents).toBe(2999);
    } finally {
      await store.close();
    }
  });

  it("answers STORE_UNAVAILABLE, without driver text, while another connection holds the lock", async () => {
    const file = tempDbFile();
    const store = await openSqliteStore({ file, busyTimeoutMs: 50 });
    const other = new Database(file, { timeout: 0 });
    try {
      await store.saveCart({
        userId: "alice",
        lines: [{ productId: "lonely-bird", quantity: 1 }],
        updatedAt: NOW.toISOString(),
      });
      const command = await orderFromCart(store, "alice", "k", NOW);
      other.exec("BEGIN EXCLUSIVE");

      for (const write of [
        store.saveCart({ userId: "alice", lines: [], updatedAt: NOW.toISOString() }),
        store.placeOrder(command),
      ]) {
        const error = await appErrorOf(write);
        expect(error.code).toBe("STORE_UNAVAILABLE");
        expect(error.retryAfterSeconds).toBe(1);
        expect(error.message).toBe("the store is unavailable, retry shortly");
        expect(error.message).not.toMatch(/sqlite|locked|busy|insert|update|carts|orders/i);
        expect(error.cause).toBeInstanceOf(Database.SqliteError);
        expect(error.cause).toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      }

      other.exec("ROLLBACK");
      expect((await store.placeOrder(command)).placed).toBe(true);
    } finally {
      other.close();
      await store.close();
    }
  });

  it("answers STORE_UNAVAILABLE once closed, and when the file cannot be opened", async () => {
    const store = await openSqliteStore({ file: tempDbFile() });
    await store.close();

    const closed = await appErrorOf(store.getProduct("lonely-bird"));
    expect(closed).toMatchObject({ code: "STORE_UNAVAILABLE", retryAfterSeconds: 1 });

    const directory = mkdtempSync(join(tmpdir(), "sqlite-store-dir-"));
    tempDirs.push(directory);
    const unopenable = await appErrorOf(openSqliteStore({ file: directory }));
    expect(unopenable).toMatchObject({ code: "STORE_UNAVAILABLE", retryAfterSeconds: 1 });
    expect(unopenable.message).not.toContain(directory);
  });

  it("a placeOrder that fails after taking stock leaves no partial rows", async () => {
    const file = tempDbFile();
    const store = await openSqliteStore({ file });
    try {
      const save = (productId: string) =>
        store.saveCart({
          userId: "alice",
          lines: [{ productId, quantity: 2 }],
          updatedAt: NOW.toISOString(),
        });
      await save("lonely-bird");
      await store.placeOrder(await orderFromCart(store, "alice", "k1", NOW, { orderId: "o-1" }));
      const cart = await save("brass-desk-lamp");
      // Reusing the order id lets every check pass and the stock update run; the order insert
      // then fails on its primary key, so the whole transaction must roll back.
      const clash = await orderFromCart(store, "alice", "k2", NOW, { orderId: "o-1" });

      await expect(store.placeOrder(clash)).rejects.toThrow();

      expect((await store.getProduct("brass-desk-lamp"))?.stock).toBe(5);
      expect(await store.getCart("alice")).toStrictEqual(cart);
      expect(await store.findOrderByIdempotencyKey("alice", "k2")).toBeUndefined();
      expect(countRows(file, "orders")).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("opens a file made before order processing: adds failure_reason, keeps its orders", async () => {
    const file = tempDbFile();
    const first = await openSqliteStore({ file });
    await first.saveCart({
      userId: "alice",
      lines: [{ productId: "copper-kettle", quantity: 1 }],
      updatedAt: NOW.toISOString(),
    });
    const { order } = await first.placeOrder(await orderFromCart(first, "alice", "k", NOW));
    await first.close();
    // The orders table as the previous version made it, without the column.
    const raw = new Database(file);
    raw.exec("ALTER TABLE orders DROP COLUMN failure_reason");
    raw.close();

    const reopened = await openSqliteStore({ file });
    try {
      expect(await reopened.getOrder("alice", order.id)).toStrictEqual(order);
      await reopened.changeOrderStatus({
        userId: "alice",
        orderId: order.id,
        from: "PLACED",
        to: "PROCESSING",
      });
      const failed = await reopened.changeOrderStatus({
        userId: "alice",
        orderId: order.id,
        from: "PROCESSING",
        to: "FAILED",
        failureReason: "declined",
      });
      expect(failed).toMatchObject({ status: "FAILED", failureReason: "declined" });
    } finally {
      await reopened.close();
    }
  });

  /**
   * A file made before `table` existed: a store with Alice's cart, closed, the table dropped.
   * `check` runs on the file reopened, after Alice's cart was found kept.
   */
  async function reopenedWithout(
    table: string,
    check: (store: Awaited<ReturnType<typeof openSqliteStore>>) => Promise<void>,
  ): Promise<void> {
    const file = tempDbFile();
    const first = await openSqliteStore({ file });
    const cart = await first.saveCart({
      userId: "alice",
      lines: [{ productId: "copper-kettle", quantity: 1 }],
      updatedAt: NOW.toISOString(),
    });
    await first.close();
    const raw = new Database(file);
    raw.exec(`DROP TABLE ${table}`);
    raw.close();

    const reopened = await openSqliteStore({ file });
    try {
      expect(await reopened.getCart("alice")).toStrictEqual(cart);
      await check(reopened);
    } finally {
      await reopened.close();
    }
  }

  it("opens a file made before guest carts: creates their table, keeps everything else", async () => {
    await reopenedWithout("guest_carts", async (reopened) => {
      const expiresAt = Math.floor(Date.now() / 1000) + 3600;
      await reopened.createGuestCart({
        tokenHash: "a".repeat(64),
        updatedAt: new Date().toISOString(),
        expiresAt,
      });
      expect((await reopened.getGuestCart("a".repeat(64), expiresAt - 1))?.version).toBe(1);
    });
  });

  it("opens a file made before address books: creates their table, keeps everything else", async () => {
    await reopenedWithout("addresses", async (reopened) => {
      const address = { name: "Jo", line1: "1 Main St", city: "Berlin", country: "DE" };
      const saved = { id: "a-1", address, isDefault: true, createdAt: NOW.toISOString() };
      await reopened.addAddress("alice", saved);
      expect(await reopened.listAddresses("alice")).toEqual([saved]);
    });
  });

  it("opens a file made before fulfilment: adds the outbox and the order's columns, queues its paid orders", async () => {
    const file = tempDbFile();
    const first = await openSqliteStore({ file });
    const paid = await placeOneBirdAt(first, "alice", NOW.toISOString(), "order-old");
    for (const [from, to] of [
      ["PLACED", "PROCESSING"],
      ["PROCESSING", "COMPLETED"],
    ] as const) {
      await first.changeOrderStatus({ userId: "alice", orderId: paid.id, from, to });
    }
    await first.close();
    // The file as the previous version left it: no outbox, no shipment columns.
    const raw = new Database(file);
    raw.exec(
      "DROP TABLE order_mail; " +
        "ALTER TABLE orders DROP COLUMN shipment; ALTER TABLE orders DROP COLUMN delivered_at",
    );
    raw.close();

    const reopened = await openSqliteStore({ file });
    try {
      const queued = await reopened.listOrdersToShip({ limit: 5 });
      expect(queued.items.map((order) => order.id)).toEqual(["order-old"]);
      expect(await reopened.listOrderMail("order-old")).toEqual([]);
      const shipment = {
        carrier: "DHL",
        trackingNumber: "JJD1",
        shippedAt: "2026-05-02T09:00:00.000Z",
      };
      const shipped = await reopened.changeOrderStatus({
        userId: "alice",
        orderId: "order-old",
        from: "COMPLETED",
        to: "SHIPPED",
        shipment,
        at: shipment.shippedAt,
      });
      expect(shipped).toMatchObject({ status: "SHIPPED", shipment });
      expect(await reopened.getOrder("alice", "order-old")).toStrictEqual(shipped);
      expect((await reopened.listOrderMail("order-old")).map((m) => m.kind)).toEqual(["shipped"]);
      expect((await reopened.listOrdersToShip({ limit: 5 })).items).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it("finds the due messages and the queue through an index each, never a table scan", async () => {
    const file = tempDbFile();
    await (await openSqliteStore({ file })).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (sql: string) =>
        db
          .prepare<Record<string, string | number>, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all({ dueBy: "", afterTime: "", afterId: "", limit: 1 })
          .map((row) => row.detail)
          .join("\n");
      expect(plan(FULFILMENT_QUERIES.dueMail)).toMatch(/USING INDEX order_mail_due/);
      expect(plan(FULFILMENT_QUERIES.ordersToShip)).toMatch(/USING INDEX orders_by_status/);
      for (const sql of Object.values(FULFILMENT_QUERIES)) {
        expect(plan(sql)).not.toMatch(/SCAN (order_mail|orders)$/m);
      }
    } finally {
      db.close();
    }
  });

  it("sweeps expired guest carts when the file opens and when a guest cart is created", async () => {
    const file = tempDbFile();
    const store = await openSqliteStore({ file });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const create = (hash: string, updatedAt: Date, expiresAt: number) =>
      store.createGuestCart({
        tokenHash: hash.repeat(64),
        updatedAt: updatedAt.toISOString(),
        expiresAt,
      });
    // Created in the past: one long expired by now, one expiring after NOW but before today.
    await create("a", NOW, Math.floor(NOW.getTime() / 1000) + 10);
    await create("b", NOW, Math.floor(NOW.getTime() / 1000) + 3600);
    await create("c", NOW, nowSeconds + 3600);
    expect(countRows(file, "guest_carts")).toBe(3);

    await create("d", new Date((Math.floor(NOW.getTime() / 1000) + 60) * 1000), nowSeconds + 60);
    expect(countRows(file, "guest_carts")).toBe(3);
    await store.close();

    const reopened = await openSqliteStore({ file });
    await reopened.close();
    expect(countRows(file, "guest_carts")).toBe(2);
  });
});
