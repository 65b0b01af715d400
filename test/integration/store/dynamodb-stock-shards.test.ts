import { afterEach, describe, expect, it } from "vitest";
import { AppError, type CartLine, type Product } from "../../../src/domain/index.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import type { DynamoDbStore } from "../../../src/store/dynamodb/store.js";
import { keys, shardNumbers, UNSPREAD_LAYOUT } from "../../../src/store/dynamodb/table.js";
import {
  localClient,
  localTables,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";
import { orderFromCart } from "../../helpers/orders.js";

// A product's stock split over shard items (src/store/dynamodb/stock.ts): checkouts racing on
// one product are exact however the units lie over the shards, and re-splitting moves every unit.

const NOW = new Date("2026-11-27T09:00:00.000Z");
const local = useDynamoDbLocal();
const tables = localTables(local);

afterEach(async () => {
  await tables.drop();
});

const product = (id: string, stock: number): Product => ({
  id,
  name: `Sale ${id}`,
  description: "On sale today.",
  imageUrl: `/images/${id}.svg`,
  priceCents: 1_000,
  stock,
});

/** A table whose catalogue is `products`, each product's stock on `stockShards` items. */
async function shopWith(
  products: Product[],
  layout: Partial<typeof UNSPREAD_LAYOUT>,
): Promise<{ store: DynamoDbStore; tableName: string }> {
  const tableName = uniqueTableName();
  const store = await tables.open({
    tableName,
    layout,
    seed: { products, comments: [], promotions: [] },
    // 200 shoppers at once on a 2-core machine: DynamoDB Local answers slowly, not wrongly.
    requestTimeoutMs: 15_000,
  });
  return { store, tableName };
}

/** Each shard's units, read straight from the table. */
async function shardUnits(tableName: string, productId: string, shards: number) {
  const client = localClient(local(), local().endpoint);
  try {
    const documents = new DynamoDbDocuments(client);
    return await Promise.all(
      shardNumbers(shards).map(async (shard) => {
        const { Item } = await documents.get({
          TableName: tableName,
          Key: keys.stockShard(productId, shard),
          ConsistentRead: true,
        });
        return Item === undefined ? undefined : Number(Item.units);
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Every shopper (new ones each round) saves a cart of `lines` and checks out at once. */
async function rush(store: DynamoDbStore, shoppers: number, lines: CartLine[], round = "first") {
  const users = Array.from({ length: shoppers }, (_, i) => `${round}-shopper-${i}`);
  await Promise.all(
    users.map((userId) => store.saveCart({ userId, lines, updatedAt: NOW.toISOString() })),
  );
  const commands = await Promise.all(
    users.map((userId) => orderFromCart(store, userId, "rush", NOW)),
  );
  const results = await Promise.allSettled(commands.map((command) => store.placeOrder(command)));
  const placed = results.flatMap((r) => (r.status === "fulfilled" && r.value.placed ? [r] : []));
  const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  return { placed, refused };
}

describe("a product's stock on shard items (DynamoDB)", () => {
  it("200 shoppers racing for 60 units on 8 shards: exactly 60 orders, every shard at 0", {
    timeout: 90_000,
  }, async () => {
    const { store, tableName } = await shopWith([product("drop", 60)], { stockShards: 8 });
    expect(await shardUnits(tableName, "drop", 8)).toEqual([8, 8, 8, 8, 7, 7, 7, 7]);

    const { placed, refused } = await rush(store, 200, [{ productId: "drop", quantity: 1 }]);

    expect(placed).toHaveLength(60);
    expect(refused).toHaveLength(140);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(AppError);
      expect((reason as AppError).code).toMatch(/^(OUT_OF_STOCK|STORE_UNAVAILABLE)$/);
    }
    expect(refused.filter((r) => (r as AppError).code === "OUT_OF_STOCK").length).toBeGreaterThan(
      100,
    );
    expect(await shardUnits(tableName, "drop", 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect((await store.getProduct("drop"))?.stock).toBe(0);
    await store.close();
  });

  it("takes the last units from several shards in one transaction when no shard holds enough", async () => {
    const { store, tableName } = await shopWith([product("scattered", 8)], { stockShards: 8 });
    expect(await shardUnits(tableName, "scattered", 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);

    const five = await rush(store, 1, [{ productId: "scattered", quantity: 5 }]);
    expect(five.placed).toHaveLength(1);
    const after = await shardUnits(tableName, "scattered", 8);
    expect(after.reduce((sum = 0, units = 0) => sum + units, 0)).toBe(3);
    expect(after.every((units) => units !== undefined && units >= 0)).toBe(true);

    const four = await rush(store, 1, [{ productId: "scattered", quantity: 4 }], "second");
    expect(four.placed).toHaveLength(0);
    expect(four.refused[0]).toMatchObject({
      code: "OUT_OF_STOCK",
      fields: [{ field: "products[0].id", message: "3 left" }],
    });
    await store.close();
  });

  it("re-splits a product's stock from its own item to 8 shards and back to 2, losing no unit under checkouts", async () => {
    const { store, tableName } = await shopWith([product("moving", 100)], UNSPREAD_LAYOUT);

    const [checkouts, moved] = await Promise.all([
      rush(store, 30, [{ productId: "moving", quantity: 2 }]),
      store.reshardStock("moving", 8),
    ]);
    expect(moved).toBe(true);
    expect(await store.reshardStock("moving", 8)).toBe(false);
    const sold = checkouts.placed.length * 2;
    const eight = await shardUnits(tableName, "moving", 8);
    expect(eight.reduce((sum = 0, units = 0) => sum + units, 0)).toBe(100 - sold);
    expect((await store.getProduct("moving"))?.stock).toBe(100 - sold);

    expect(await store.reshardStock("moving", 2)).toBe(true);
    expect(await shardUnits(tableName, "moving", 8)).toEqual([
      expect.any(Number),
      expect.any(Number),
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect((await store.getProduct("moving"))?.stock).toBe(100 - sold);
    const more = await rush(store, 5, [{ productId: "moving", quantity: 1 }], "second");
    expect(more.placed).toHaveLength(Math.min(5, 100 - sold));
    expect((await store.getProduct("moving"))?.stock).toBe(100 - sold - more.placed.length);
    await expect(store.reshardStock("moving", 17)).rejects.toThrow(/1 to 16/);
    await store.close();
  });

  it("an operator's adjustment deals units over the shards and takes them from the fullest", async () => {
    const { store, tableName } = await shopWith([product("restock", 4)], { stockShards: 4 });
    const adjust = (delta: number) =>
      store.adjustStock({
        id: `adj-${delta}`,
        productId: "restock",
        delta,
        reason: delta > 0 ? "restock" : "damaged",
        actor: "operator",
        createdAt: NOW.toISOString(),
      });

    expect((await adjust(10)).stockAfter).toBe(14);
    expect(await shardUnits(tableName, "restock", 4)).toEqual([4, 4, 3, 3]);
    expect((await adjust(-9)).stockAfter).toBe(5);
    const left = await shardUnits(tableName, "restock", 4);
    expect(left.reduce((sum = 0, units = 0) => sum + units, 0)).toBe(5);
    expect(left.every((units) => units !== undefined && units >= 0)).toBe(true);
    await expect(adjust(-6)).rejects.toMatchObject({ code: "STOCK_NEGATIVE" });
    await store.close();
  });
});
