import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Cart, Order, OrderStatus } from "../../../src/domain/index.js";
import type { InFlightKey, OrderKey, ShippingQueueKey } from "../../../src/services/index.js";
import {
  type BackfillReport,
  COUNTER_STEPS,
  LIST_STEPS,
  runBackfill,
} from "../../../src/store/dynamodb/backfill.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import { cartItem, type Item, orderItem } from "../../../src/store/dynamodb/items.js";
import type { Table } from "../../../src/store/dynamodb/reads.js";
import type { DynamoDbStore } from "../../../src/store/dynamodb/store.js";
import {
  DEFAULT_LAYOUT,
  keys,
  OPERATOR_INDEX,
  UNSPREAD_LAYOUT,
} from "../../../src/store/dynamodb/table.js";
import {
  localClient,
  localTables,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";

// The backfill on DynamoDB Local: items written in the layout before the lists were spread (the
// single ORDERS, CARTS and IN_FLIGHT keys) are invisible to today's reads until it runs, listed
// after it, rewritten once however often it runs, and a stopped run goes on from its checkpoint.

const NOW = new Date("2026-05-01T12:00:00.000Z");
const ORDER_COUNT = 30;
const STEPS = {
  orders: "orders list (GSI2 ORDERS)",
  carts: "carts list (GSI2 CARTS)",
  inFlight: "in-flight orders (GSI1 IN_FLIGHT)",
  toShip: "shipping queue (GSI1 TO_SHIP)",
} as const;

const local = useDynamoDbLocal();
const tables = localTables(local);
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await tables.drop();
});

/** A seeded store on a new table, and the same table for the backfill and direct writes. */
async function freshTable(): Promise<{ store: DynamoDbStore; table: Table }> {
  const tableName = uniqueTableName("backfill");
  const store = await tables.open({ tableName });
  const client = localClient(local(), local().endpoint);
  cleanups.push(async () => {
    await store.close();
    client.destroy();
  });
  return {
    store,
    table: { documents: new DynamoDbDocuments(client), name: tableName, layout: DEFAULT_LAYOUT },
  };
}

const statusOf = (i: number): OrderStatus =>
  (["PLACED", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED"] as const)[i % 5] ?? "PLACED";

const oldOrders = (): Order[] =>
  Array.from({ length: ORDER_COUNT }, (_, i) => ({
    id: `order-${String(i).padStart(2, "0")}`,
    userId: `user-${i % 4}`,
    idempotencyKey: `key-${i}`,
    status: statusOf(i),
    createdAt: new Date(NOW.getTime() - (ORDER_COUNT - i) * 60_000).toISOString(),
    discountPercentage: 0,
    subtotalCents: 1500,
    discountCents: 0,
    totalCents: 1500,
    lines: [
      {
        productId: "lonely-bird",
        name: "Lonely Bird",
        quantity: 1,
        unitPriceCents: 1500,
        lineTotalCents: 1500,
      },
    ],
  }));

/**
 * Today's item with the keys the layout before the spread lists wrote: in flight under one
 * key, and a paid order in no shipping queue (there was none).
 */
function inOldLayout(order: Order): Item {
  const { GSI1PK, GSI1SK, ...item } = orderItem(order, DEFAULT_LAYOUT);
  const inFlight = order.status === "PLACED" || order.status === "PROCESSING";
  return {
    ...item,
    GSI2PK: "ORDERS",
    ...(inFlight ? { GSI1PK: "IN_FLIGHT", GSI1SK } : {}),
  };
}

const oldCarts = (): Item[] => [
  ...[1, 2, 3].map((n) => ({
    ...cartItem(
      {
        userId: `shopper-${n}`,
        lines: [{ productId: "wool-throw", quantity: n }],
        version: 1,
        updatedAt: NOW.toISOString(),
      } satisfies Cart,
      DEFAULT_LAYOUT,
    ),
    GSI2PK: "CARTS",
  })),
  ...[1, 2].map((n) => ({
    ...keys.guestCart(String(n).repeat(64)),
    type: "GUEST_CART",
    tokenHash: String(n).repeat(64),
    lines: [{ productId: "wool-throw", quantity: 10 * n }],
    version: 2,
    updatedAt: NOW.toISOString(),
    expiresAt: Math.floor(NOW.getTime() / 1000) + 3600,
    GSI2PK: "CARTS",
    GSI2SK: keys.guestCart(String(n).repeat(64)).PK,
  })),
];
const UNITS_IN_OLD_CARTS = 1 + 2 + 3 + 10 + 20;

/** The old layout's orders (with their pointers) and carts, written as they were. */
async function writeOldLayout(
  table: Table,
): Promise<{ orders: Order[]; inFlight: Order[]; paid: Order[] }> {
  const orders = oldOrders();
  const items = [
    ...orders.map(inOldLayout),
    ...orders.map((order) => ({
      ...keys.orderPointer(order.id),
      type: "ORDER_POINTER",
      userId: order.userId,
    })),
    ...oldCarts(),
  ];
  for (const item of items) await table.documents.put({ TableName: table.name, Item: item });
  const inFlight = orders.filter((order) => ["PLACED", "PROCESSING"].includes(order.status));
  const paid = orders.filter((order) => order.status === "COMPLETED");
  return { orders, inFlight, paid };
}

async function everyOrder(store: DynamoDbStore): Promise<string[]> {
  const ids: string[] = [];
  let after: OrderKey | undefined;
  do {
    const page = await store.listAllOrders({ limit: 7, after });
    ids.push(...page.items.map((order) => order.id));
    after = page.next;
  } while (after !== undefined);
  return ids;
}

async function everyInFlight(store: DynamoDbStore): Promise<string[]> {
  const ids: string[] = [];
  let after: InFlightKey | undefined;
  do {
    const page = await store.listOrdersInFlight({
      placedBefore: NOW.toISOString(),
      limit: 4,
      after,
    });
    ids.push(...page.orders.map((order) => order.id));
    after = page.next;
  } while (after !== undefined);
  return ids;
}

async function everyToShip(store: DynamoDbStore): Promise<string[]> {
  const ids: string[] = [];
  let after: ShippingQueueKey | undefined;
  do {
    const page = await store.listOrdersToShip({ limit: 4, after });
    ids.push(...page.items.map((order) => order.id));
    after = page.next;
  } while (after !== undefined);
  return ids;
}

const unitsInCarts = async (store: DynamoDbStore) =>
  (await store.productFigures(NOW)).find((figure) => figure.productId === "wool-throw")
    ?.unitsInCarts;

const changedOf = (...reports: BackfillReport[]) =>
  Object.fromEntries(
    Object.values(STEPS).map((step) => [
      step,
      reports.reduce((sum, report) => sum + (report.changed[step] ?? 0), 0),
    ]),
  );

async function itemCount(table: Table): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.documents.scan({
      TableName: table.name,
      Select: "COUNT",
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return count;
}

describe("DynamoDB backfill of the spread lists", () => {
  it("moves the old layout's orders, carts, in-flight and paid orders into the lists today's reads see, once", async () => {
    const { store, table } = await freshTable();
    const { orders, inFlight, paid } = await writeOldLayout(table);
    expect(await everyOrder(store)).toEqual([]);
    expect(await everyInFlight(store)).toEqual([]);
    expect(await everyToShip(store)).toEqual([]);
    expect(await unitsInCarts(store)).toBe(0);

    const first = await runBackfill(table, { segments: 3 });

    expect(first.complete).toBe(true);
    expect(first.scanned).toBe(await itemCount(table));
    expect(changedOf(first)).toEqual({
      [STEPS.orders]: ORDER_COUNT,
      [STEPS.carts]: 5,
      [STEPS.inFlight]: inFlight.length,
      [STEPS.toShip]: paid.length,
    });
    expect(paid.length).toBeGreaterThan(1);
    expect(await everyOrder(store)).toEqual(orders.map((order) => order.id).reverse());
    expect(await everyInFlight(store)).toEqual(inFlight.map((order) => order.id));
    expect(await everyToShip(store)).toEqual(paid.map((order) => order.id));
    expect(await unitsInCarts(store)).toBe(UNITS_IN_OLD_CARTS);
    const { Items: left = [] } = await table.documents.query({
      TableName: table.name,
      IndexName: OPERATOR_INDEX,
      KeyConditionExpression: "GSI2PK = :orders",
      ExpressionAttributeValues: { ":orders": "ORDERS" },
    });
    expect(left).toEqual([]);

    const second = await runBackfill(table, { segments: 2 });
    expect(second.complete).toBe(true);
    expect(changedOf(second)).toEqual({
      [STEPS.orders]: 0,
      [STEPS.carts]: 0,
      [STEPS.inFlight]: 0,
      [STEPS.toShip]: 0,
    });
  });

  it("goes on from its checkpoint after a stop, rewriting every item exactly once", async () => {
    const { store, table } = await freshTable();
    const { orders, inFlight, paid } = await writeOldLayout(table);
    const dir = await mkdtemp(join(tmpdir(), "backfill-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const checkpointFile = join(dir, "checkpoint.json");
    const stop = new AbortController();

    const stopped = await runBackfill(table, {
      segments: 2,
      pageSize: 5,
      checkpointFile,
      signal: stop.signal,
      onPage: () => stop.abort(),
    });

    expect(stopped.complete).toBe(false);
    expect(stopped.scanned).toBeGreaterThan(0);
    expect(stopped.scanned).toBeLessThanOrEqual(10);
    const saved = JSON.parse(await readFile(checkpointFile, "utf8"));
    expect(saved).toMatchObject({ table: table.name, segments: 2 });
    await expect(runBackfill(table, { segments: 3, checkpointFile })).rejects.toThrow(
      /remove it to start over/,
    );

    const resumed = await runBackfill(table, { segments: 2, pageSize: 5, checkpointFile });

    expect(resumed.complete).toBe(true);
    // Each page was read once: the second run began where the first one's pages ended.
    expect(stopped.scanned + resumed.scanned).toBe(await itemCount(table));
    expect(changedOf(stopped, resumed)).toEqual({
      [STEPS.orders]: ORDER_COUNT,
      [STEPS.carts]: 5,
      [STEPS.inFlight]: inFlight.length,
      [STEPS.toShip]: paid.length,
    });
    expect(existsSync(checkpointFile)).toBe(false);
    expect(await everyOrder(store)).toEqual(orders.map((order) => order.id).reverse());
    expect(await everyInFlight(store)).toEqual(inFlight.map((order) => order.id));
  });

  it("leaves an item that live traffic rewrote after the Scan read it", async () => {
    const { store, table } = await freshTable();
    const { orders } = await writeOldLayout(table);
    const [placed] = orders;
    if (placed?.status !== "PLACED") throw new Error("the first order is PLACED");
    const scanned = inOldLayout(placed);
    const [cart] = oldCarts();
    if (cart === undefined) throw new Error("a cart");
    // Since the Scan: the order finished, the cart was saved by today's code.
    await store.changeOrderStatus({
      userId: placed.userId,
      orderId: placed.id,
      from: "PLACED",
      to: "CANCELLED",
    });
    await store.saveCart({
      userId: String(cart.userId),
      lines: [{ productId: "wool-throw", quantity: 4 }],
      updatedAt: NOW.toISOString(),
    });
    const [orderStep, cartStep, inFlightStep] = LIST_STEPS;

    expect(await inFlightStep?.migrate(table, scanned)).toBe(false);
    expect(await cartStep?.migrate(table, cart)).toBe(false);
    expect(await orderStep?.migrate(table, scanned)).toBe(true);
    expect(await orderStep?.migrate(table, scanned)).toBe(false);

    const { Item: order } = await table.documents.get({
      TableName: table.name,
      Key: keys.order(placed.userId, placed.id),
    });
    expect(order?.GSI1PK).toBeUndefined();
    expect(order?.GSI2PK).toMatch(/^ORDERS#\d+$/);
    expect(await unitsInCarts(store)).toBe(4);
  });

  it("leaves out of the shipping queue a paid order shipped after the Scan read it", async () => {
    const { store, table } = await freshTable();
    const { paid } = await writeOldLayout(table);
    const [shipped, waiting] = paid;
    if (shipped === undefined || waiting === undefined) throw new Error("two paid orders");
    const scanned = inOldLayout(shipped);
    await store.changeOrderStatus({
      userId: shipped.userId,
      orderId: shipped.id,
      from: "COMPLETED",
      to: "SHIPPED",
      shipment: { carrier: "DHL", trackingNumber: "JJD1", shippedAt: NOW.toISOString() },
    });
    const toShipStep = LIST_STEPS.find((step) => step.name === STEPS.toShip);

    expect(await toShipStep?.migrate(table, scanned)).toBe(false);
    expect(await toShipStep?.migrate(table, inOldLayout(waiting))).toBe(true);
    expect(await toShipStep?.migrate(table, inOldLayout(waiting))).toBe(false);
    expect(await everyToShip(store)).toEqual([waiting.id]);
    expect((await store.findOrder(shipped.id))?.status).toBe("SHIPPED");
  });

  it("puts an in-flight order placed before the in-flight keys existed among the in-flight orders", async () => {
    const { store, table } = await freshTable();
    const [order] = oldOrders();
    if (order === undefined) throw new Error("an order");
    const withoutKeys = Object.entries(inOldLayout(order)).filter(
      ([name]) => !name.startsWith("GSI1"),
    );
    await table.documents.put({ TableName: table.name, Item: Object.fromEntries(withoutKeys) });
    expect(await everyInFlight(store)).toEqual([]);

    const report = await runBackfill(table, { segments: 1 });

    expect(report.changed[STEPS.inFlight]).toBe(1);
    expect(await everyInFlight(store)).toEqual([order.id]);
  });
});

describe("the backfill of the counters every checkout wrote (DynamoDB)", () => {
  it("splits stock kept on products' items, moves promotions onto use shards and customers' counts into their partitions, once", async () => {
    const tableName = uniqueTableName("backfill");
    // Written in the layout before: stock on the product's item, one TOTAL counter per code.
    const before = await tables.open({ tableName, layout: UNSPREAD_LAYOUT });
    await before.close();
    const client = localClient(local(), local().endpoint);
    cleanups.push(async () => client.destroy());
    const documents = new DynamoDbDocuments(client);
    const table: Table = {
      documents,
      name: tableName,
      layout: { ...DEFAULT_LAYOUT, stockShards: 4 },
    };
    await documents.put({
      TableName: tableName,
      Item: {
        ...keys.promotionUses("WELCOME10"),
        type: "PROMOTION_USES",
        code: "WELCOME10",
        uses: 7,
      },
    });
    // A customer's count where the layout before kept it: under the promotion's key.
    await documents.put({
      TableName: tableName,
      Item: {
        PK: "PROMOTION_USES#WELCOME10",
        SK: "USER#user-ada",
        type: "PROMOTION_USES",
        code: "WELCOME10",
        uses: 2,
      },
    });

    // A comment summary where the layout before kept it: on the product's own item.
    await documents.delete({ TableName: tableName, Key: keys.commentSummary("wool-throw") });
    await documents.update({
      TableName: tableName,
      Key: keys.product("wool-throw"),
      UpdateExpression: "SET commentCount = :count, ratingTotal = :total, latestComments = :none",
      ExpressionAttributeValues: { ":count": 2, ":total": 9, ":none": [] },
    });

    const first = await runBackfill(table, { steps: COUNTER_STEPS });
    expect(first.changed).toMatchObject({
      "product stock (PRODUCT#id#STOCK#k)": 10,
      "customers' promotion uses (USER#id / PROMOTION_USES#code)": 1,
      "comment summaries (PRODUCT#id#COMMENTS)": 1,
    });
    expect(first.changed["promotion uses (PROMOTION_USES#code#k)"]).toBeGreaterThanOrEqual(1);

    const after = await tables.open({ tableName, layout: { stockShards: 4 } });
    cleanups.push(() => after.close());
    const bird = await documents.get({ TableName: tableName, Key: keys.product("lonely-bird") });
    expect(bird.Item).toMatchObject({ stockShards: 4 });
    expect(bird.Item).not.toHaveProperty("stock");
    expect((await after.getProduct("lonely-bird"))?.stock).toBe(25);
    const welcome = (await after.listPromotions()).find((p) => p.code === "WELCOME10");
    expect(welcome?.uses).toBe(7);
    const moved = await documents.get({
      TableName: tableName,
      Key: keys.customerPromotionUses("WELCOME10", "user-ada"),
    });
    expect(moved.Item).toMatchObject({ uses: 2 });
    const throw_ = await documents.get({ TableName: tableName, Key: keys.product("wool-throw") });
    expect(throw_.Item).not.toHaveProperty("commentCount");
    expect((await after.getProduct("wool-throw"))?.commentCount).toBe(2);

    const second = await runBackfill(table, { steps: COUNTER_STEPS });
    expect(Object.values(second.changed).every((changed) => changed === 0)).toBe(true);
  });
});
