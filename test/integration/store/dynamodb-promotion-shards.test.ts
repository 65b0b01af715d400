import { afterEach, describe, expect, it } from "vitest";
import type { AppError, Product, Promotion } from "../../../src/domain/index.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import { promotionItem } from "../../../src/store/dynamodb/items.js";
import { readUseShards, shardPromotionUses } from "../../../src/store/dynamodb/promotions.js";
import type { Table } from "../../../src/store/dynamodb/reads.js";
import type { DynamoDbStore, DynamoDbStoreOptions } from "../../../src/store/dynamodb/store.js";
import { DEFAULT_LAYOUT, keys, shardOf } from "../../../src/store/dynamodb/table.js";
import {
  localClient,
  localTables,
  startFaultProxy,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart } from "../../helpers/orders.js";

// A promotion's uses counted on shards (src/store/dynamodb/promotions.ts): the limit stays exact
// however the uses spread over the shards, when a limit changes and when an older promotion moves
// onto shards; and no checkout writes the promotion's definition item.

const NOW = new Date("2026-05-01T12:00:00.000Z");
const SHARDS = DEFAULT_LAYOUT.promotionShards;

/** One product per shopper, so that the promotion's shards are the only items they share. */
const products: Product[] = Array.from({ length: 100 }, (_, i) => ({
  id: `item-${i}`,
  name: `Item ${i}`,
  description: "One for each shopper.",
  imageUrl: `/images/item-${i}.svg`,
  priceCents: 1000,
  stock: 10,
}));

const local = useDynamoDbLocal();
const tables = localTables(local);
const closers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await tables.drop();
});

async function open(options: Partial<DynamoDbStoreOptions> = {}) {
  const tableName = options.tableName ?? uniqueTableName("promotions");
  const store = await tables.open({
    seed: { products, comments: [], promotions: [] },
    // DynamoDB Local runs transactions one after the other: the last of 80 sent at once is
    // answered after several seconds, past the default request timeout.
    requestTimeoutMs: 30_000,
    ...options,
    tableName,
  });
  closers.push(() => store.close());
  const client = localClient(local(), local().endpoint);
  closers.push(() => client.destroy());
  const table: Table = {
    documents: new DynamoDbDocuments(client),
    name: tableName,
    layout: { ...DEFAULT_LAYOUT, ...options.layout },
  };
  return { store, table };
}

let shoppers = 0;
/** A new shopper's cart of one product with `code`, priced as checkout would (order `orderId`). */
async function pricedCheckout(store: DynamoDbStore, code: string, orderId?: string) {
  shoppers += 1;
  const userId = `shopper-${shoppers}`;
  await store.saveCart({
    userId,
    lines: [{ productId: `item-${shoppers % products.length}`, quantity: 1 }],
    promotionCode: code,
    updatedAt: NOW.toISOString(),
  });
  return orderFromCart(store, userId, "k", NOW, orderId === undefined ? {} : { orderId });
}

const checkout = async (store: DynamoDbStore, code: string, orderId?: string) =>
  store.placeOrder(await pricedCheckout(store, code, orderId));

/** An order id whose first pick is `shard`. */
function idOnShard(shard: number, tag: string): string {
  for (let i = 0; ; i++) {
    const id = `order-${tag}-${i}`;
    if (shardOf(id, SHARDS) === shard) return id;
  }
}

const usesOf = (table: Table, code: string) =>
  readUseShards(table, code, SHARDS).then((shards) => shards.map((shard) => Number(shard?.uses)));
const capsOf = (table: Table, code: string) =>
  readUseShards(table, code, SHARDS).then((shards) => shards.map((shard) => shard?.cap));
const listedUses = async (store: DynamoDbStore, code: string) =>
  (await store.listPromotions()).find((promotion) => promotion.code === code)?.uses;

async function expectUsedUp(attempt: Promise<unknown>) {
  expect(await appErrorOf(attempt)).toMatchObject({
    code: "INVALID_PROMOTION",
    fields: [{ field: "promotionCode", message: "used up" }],
  });
}

describe("DynamoDbStore: a promotion's uses on shards", () => {
  it("a limit of 10 on 8 shards under 80 concurrent checkouts gives exactly 10 orders", async () => {
    const { store, table } = await open();
    await store.createPromotion({ code: "RUSH10", percentOff: 10, maxUses: 10 });
    const commands = [];
    for (let i = 0; i < 80; i++) commands.push(await pricedCheckout(store, "RUSH10"));

    const results = await Promise.allSettled(commands.map((c) => store.placeOrder(c)));

    const placed = results.filter((result) => result.status === "fulfilled");
    const refusals = results.flatMap((result) =>
      result.status === "rejected" ? [result.reason as AppError] : [],
    );
    expect(placed).toHaveLength(10);
    expect(refusals.map((error) => [error.code, error.fields?.[0]?.message])).toEqual(
      refusals.map(() => ["INVALID_PROMOTION", "used up"]),
    );
    const orders = (
      await Promise.all(commands.map((c) => store.listOrders(c.order.userId)))
    ).flat();
    expect(orders).toHaveLength(10);
    expect(orders.every((order) => order.promotionCode === "RUSH10")).toBe(true);
    expect(await usesOf(table, "RUSH10")).toEqual(await capsOf(table, "RUSH10"));
    expect(await listedUses(store, "RUSH10")).toBe(10);
  }, 60_000);

  it("a limit of 3 allows exactly 3 uses when the checkouts first pick a full shard", async () => {
    const { store, table } = await open();
    await store.createPromotion({ code: "THREE", percentOff: 10, maxUses: 3 });
    expect(await capsOf(table, "THREE")).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);

    // The first fills shard 0; the second picks it too, the third a shard with no share.
    expect((await checkout(store, "THREE", idOnShard(0, "a"))).placed).toBe(true);
    expect((await checkout(store, "THREE", idOnShard(0, "b"))).placed).toBe(true);
    expect((await checkout(store, "THREE", idOnShard(5, "c"))).placed).toBe(true);
    await expectUsedUp(checkout(store, "THREE", idOnShard(1, "d")));

    expect(await usesOf(table, "THREE")).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(await listedUses(store, "THREE")).toBe(3);
  });

  it("a changed limit counts the uses taken so far: raised, lowered below them, raised again", async () => {
    const { store, table } = await open();
    const promotion: Promotion = { code: "CHANGING", percentOff: 10, maxUses: 5 };
    await store.createPromotion(promotion);
    for (const tag of ["a", "b", "c"]) await checkout(store, "CHANGING", idOnShard(3, tag));

    expect(await store.updatePromotion({ ...promotion, maxUses: 4 })).toMatchObject({ uses: 3 });
    expect((await capsOf(table, "CHANGING")).reduce((a, b) => Number(a) + Number(b), 0)).toBe(4);
    expect((await checkout(store, "CHANGING")).placed).toBe(true);
    await expectUsedUp(checkout(store, "CHANGING"));

    await store.updatePromotion({ ...promotion, maxUses: 2 });
    await expectUsedUp(checkout(store, "CHANGING"));
    expect(await listedUses(store, "CHANGING")).toBe(4);

    await store.updatePromotion({ ...promotion, maxUses: 6 });
    expect((await checkout(store, "CHANGING")).placed).toBe(true);
    expect((await checkout(store, "CHANGING")).placed).toBe(true);
    await expectUsedUp(checkout(store, "CHANGING"));
    expect(await listedUses(store, "CHANGING")).toBe(6);

    // Without a limit the caps go; with one again, they come back from the uses.
    await store.updatePromotion({ code: "CHANGING", percentOff: 10 });
    expect(await capsOf(table, "CHANGING")).toEqual(Array(SHARDS).fill(undefined));
    expect((await checkout(store, "CHANGING")).placed).toBe(true);
    await store.updatePromotion({ ...promotion, maxUses: 7 });
    await expectUsedUp(checkout(store, "CHANGING"));
    expect(await listedUses(store, "CHANGING")).toBe(7);
  });

  it("a limit raised while 40 checkouts race is exact once they and the ones after are done", async () => {
    const { store } = await open();
    const promotion: Promotion = { code: "RAISED", percentOff: 10, maxUses: 5 };
    await store.createPromotion(promotion);
    const commands = [];
    for (let i = 0; i < 40; i++) commands.push(await pricedCheckout(store, "RAISED"));
    // Priced before the change: checkouts still in flight when it lands are told to price again.
    const [results] = await Promise.all([
      Promise.allSettled(commands.map((c) => store.placeOrder(c))),
      store.updatePromotion({ ...promotion, maxUses: 12 }),
    ]);
    // Each was priced with the limit of 5, so placed before the change, under its caps.
    const placed = results.filter((result) => result.status === "fulfilled").length;
    expect(placed).toBeLessThanOrEqual(5);
    for (const result of results) {
      if (result.status === "rejected") {
        expect(["INVALID_PROMOTION", "CART_CHANGED"]).toContain((result.reason as AppError).code);
      }
    }

    let more = 0;
    for (;;) {
      const attempt = await checkout(store, "RAISED").catch((error: AppError) => error);
      if (!("placed" in attempt)) {
        expect(attempt).toMatchObject({ fields: [{ message: "used up" }] });
        break;
      }
      more += 1;
    }
    expect(placed + more).toBe(12);
    expect(await listedUses(store, "RAISED")).toBe(12);
  }, 60_000);

  describe("a promotion of the older layout (one TOTAL counter)", () => {
    /** WELCOME5 as a table written before shards has it: its item and 3 uses on TOTAL. */
    async function olderPromotion(documents: DynamoDbDocuments, tableName: string) {
      const promotion: Promotion = { code: "WELCOME5", percentOff: 5, maxUses: 5 };
      await documents.put({ TableName: tableName, Item: promotionItem(promotion) });
      await documents.put({
        TableName: tableName,
        Item: {
          ...keys.promotionUses("WELCOME5"),
          type: "PROMOTION_USES",
          code: "WELCOME5",
          uses: 3,
        },
      });
      return promotion;
    }

    it("is checked out on its counter, moved onto shards exactly once, and its limit holds", async () => {
      const { store, table } = await open();
      await olderPromotion(table.documents, table.name);

      expect((await checkout(store, "WELCOME5")).placed).toBe(true);
      expect(
        (await table.documents.get({ TableName: table.name, Key: keys.promotionUses("WELCOME5") }))
          .Item?.uses,
      ).toBe(4);
      expect(await listedUses(store, "WELCOME5")).toBe(4);

      expect(await shardPromotionUses(table, "WELCOME5")).toBe(true);
      const definition = await table.documents.get({
        TableName: table.name,
        Key: keys.promotion("WELCOME5"),
      });
      expect(definition.Item?.useShards).toBe(SHARDS);
      const total = await table.documents.get({
        TableName: table.name,
        Key: keys.promotionUses("WELCOME5"),
      });
      expect(total.Item).toBeUndefined();
      expect(await usesOf(table, "WELCOME5")).toEqual([4, 0, 0, 0, 0, 0, 0, 0]);
      expect(await capsOf(table, "WELCOME5")).toEqual([5, 0, 0, 0, 0, 0, 0, 0]);
      expect(await listedUses(store, "WELCOME5")).toBe(4);

      expect(await shardPromotionUses(table, "WELCOME5")).toBe(false);
      expect(await usesOf(table, "WELCOME5")).toEqual([4, 0, 0, 0, 0, 0, 0, 0]);

      expect((await checkout(store, "WELCOME5", idOnShard(6, "a"))).placed).toBe(true);
      await expectUsedUp(checkout(store, "WELCOME5"));
      expect(await listedUses(store, "WELCOME5")).toBe(5);
    });

    it("a checkout planned on the counter is refused by the definition once moved, and counted on a shard", async () => {
      const { table } = await open();
      await olderPromotion(table.documents, table.name);
      // An instance whose layout still says one counter plans every checkout on TOTAL first.
      const older = await tables.open({
        tableName: table.name,
        seed: false,
        layout: { promotionShards: 0 },
      });
      closers.push(() => older.close());
      const command = await pricedCheckout(older, "WELCOME5");

      expect(await shardPromotionUses(table, "WELCOME5")).toBe(true);
      expect((await older.placeOrder(command)).placed).toBe(true);

      // Shard 0 holds the 3 moved uses; the retry counted the 4th on whichever had room.
      const uses = await usesOf(table, "WELCOME5");
      expect(uses.reduce((a, b) => a + b, 0)).toBe(4);
      expect(uses[0]).toBeGreaterThanOrEqual(3);
      const total = await table.documents.get({
        TableName: table.name,
        Key: keys.promotionUses("WELCOME5"),
      });
      expect(total.Item).toBeUndefined();
    });

    it("an operator's change keeps it on its counter, and the move takes the change", async () => {
      const { store, table } = await open();
      const promotion = await olderPromotion(table.documents, table.name);

      expect(await store.updatePromotion({ ...promotion, maxUses: 4 })).toMatchObject({ uses: 3 });
      expect((await checkout(store, "WELCOME5")).placed).toBe(true);
      await expectUsedUp(checkout(store, "WELCOME5"));

      expect(await shardPromotionUses(table, "WELCOME5")).toBe(true);
      expect(await capsOf(table, "WELCOME5")).toEqual([4, 0, 0, 0, 0, 0, 0, 0]);
      await expectUsedUp(checkout(store, "WELCOME5"));
    });
  });

  it("a checkout with a promotion writes one shard of it and no key of its definition", async () => {
    const { table } = await open();
    const sent: Record<string, unknown>[][] = [];
    const proxy = await startFaultProxy(local().endpoint, (operation, body) => {
      if (operation === "TransactWriteItems") {
        sent.push(body.TransactItems as Record<string, unknown>[]);
      }
      return undefined;
    });
    closers.push(() => proxy.close());
    const store = await tables.open({
      tableName: table.name,
      endpoint: proxy.endpoint,
      seed: false,
    });
    closers.push(() => store.close());
    await store.createPromotion({ code: "QUIET", percentOff: 10, maxUses: 100 });
    sent.length = 0;

    for (let i = 0; i < 5; i++) expect((await checkout(store, "QUIET")).placed).toBe(true);

    expect(sent).toHaveLength(5);
    for (const items of sent) {
      const written = items.map(keyOf);
      expect(written).not.toContain("PROMOTION#QUIET");
      expect(written.filter((pk) => pk.startsWith("PROMOTION_USES#QUIET#"))).toHaveLength(1);
    }
  });
});

/** The partition key a TransactWriteItems item (in DynamoDB's wire format) writes or checks. */
function keyOf(item: Record<string, unknown>): string {
  const [action] = Object.values(item) as { Key?: Wire; Item?: Wire }[];
  return String((action?.Key ?? action?.Item)?.PK?.S);
}
type Wire = Record<string, { S?: string }>;
