import { afterEach, describe, expect, it } from "vitest";
import type { Order } from "../../../src/domain/index.js";
import type { InFlightKey, OrderKey } from "../../../src/services/index.js";
import type { Table } from "../../../src/store/dynamodb/reads.js";
import {
  inFlightPartitions,
  listPartitions,
  type SpreadList,
  spreadPage,
} from "../../../src/store/dynamodb/spread-lists.js";
import type { DynamoDbStore } from "../../../src/store/dynamodb/store.js";
import {
  CATALOGUE_INDEX,
  DEFAULT_LAYOUT,
  LISTS,
  OPERATOR_INDEX,
} from "../../../src/store/dynamodb/table.js";
import { localTables, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";
import { orderFromCart } from "../../helpers/orders.js";

// The spread lists on DynamoDB: orders land on several partitions of each index, and a walk
// page by page over every shard still meets each order once, in order.

const ORDER_COUNT = 27;
const SHARDS = DEFAULT_LAYOUT.listShards;
const local = useDynamoDbLocal();
const tables = localTables(local);

afterEach(async () => {
  await tables.drop();
});

/** A seeded store on a client that counts its requests, and the table it works on. */
const countedStore = () => tables.openCounted("spread");

/**
 * `ORDER_COUNT` empty orders of three users, two at a time sharing their `createdAt` (ties are
 * ordered by id); every third one finished, so not in flight.
 */
async function placeOrders(store: DynamoDbStore): Promise<Order[]> {
  const orders: Order[] = [];
  for (let i = 0; i < ORDER_COUNT; i++) {
    const userId = `user-${i % 3}`;
    const createdAt = new Date(Date.UTC(2026, 4, 1, 12, Math.floor(i / 2)));
    const command = await orderFromCart(store, userId, `key-${i}`, createdAt, {
      orderId: `order-${String((i * 7) % ORDER_COUNT).padStart(2, "0")}`,
    });
    const { order } = await store.placeOrder(command);
    if (i % 3 === 2) {
      await store.changeOrderStatus({ userId, orderId: order.id, from: "PLACED", to: "CANCELLED" });
      orders.push({ ...order, status: "CANCELLED" });
    } else {
      orders.push(order);
    }
  }
  return orders;
}

const byTimeThenId = (a: Order, b: Order) =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

async function itemsOf(table: Table, index: string, key: string, partition: string) {
  const { Items = [] } = await table.documents.query({
    TableName: table.name,
    IndexName: index,
    KeyConditionExpression: "#pk = :partition",
    ExpressionAttributeNames: { "#pk": key },
    ExpressionAttributeValues: { ":partition": partition },
  });
  return Items;
}

describe("DynamoDbStore: the spread lists", () => {
  it("writes the orders over several ORDERS and IN_FLIGHT partitions, none under the single old key", async () => {
    const { store, table } = await countedStore();
    const orders = await placeOrders(store);
    const inFlight = orders.filter((order) => order.status === "PLACED");

    const perShard = await Promise.all(
      listPartitions(LISTS.orders, SHARDS).map((p) => itemsOf(table, OPERATOR_INDEX, "GSI2PK", p)),
    );
    expect(perShard.flat().map((item) => item.id)).toEqual(
      expect.arrayContaining(orders.map((order) => order.id)),
    );
    expect(perShard.flat()).toHaveLength(ORDER_COUNT);
    expect(perShard.filter((items) => items.length > 0).length).toBeGreaterThan(1);
    expect(await itemsOf(table, OPERATOR_INDEX, "GSI2PK", LISTS.orders)).toEqual([]);

    const inFlightPerShard = await Promise.all(
      inFlightPartitions(SHARDS).map((p) => itemsOf(table, CATALOGUE_INDEX, "GSI1PK", p)),
    );
    expect(inFlightPerShard.flat()).toHaveLength(inFlight.length);
    expect(inFlightPerShard.filter((items) => items.length > 0).length).toBeGreaterThan(1);
    expect(await itemsOf(table, CATALOGUE_INDEX, "GSI1PK", "IN_FLIGHT")).toEqual([]);
    // An order is on the same shard in both lists.
    for (const [shard, items] of inFlightPerShard.entries()) {
      const listed = new Set(perShard[shard]?.map((item) => item.id));
      for (const item of items) expect(listed.has(item.id)).toBe(true);
    }
  });

  it("walks every order once, newest first, a page of one Query per shard", async () => {
    const { store, requests } = await countedStore();
    const orders = await placeOrders(store);
    const newestFirst = [...orders].sort(byTimeThenId).reverse();

    for (const limit of [1, 4, 10, 50]) {
      const seen: Order[] = [];
      let after: OrderKey | undefined;
      let pages = 0;
      do {
        requests.reset();
        const page = await store.listAllOrders({ limit, after });
        expect(requests.counts.get("Query")).toBe(SHARDS);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items);
        after = page.next;
        pages += 1;
      } while (after !== undefined && pages < 100);
      expect(seen.map((order) => order.id)).toEqual(newestFirst.map((order) => order.id));
      expect(pages).toBe(Math.max(1, Math.ceil(ORDER_COUNT / limit)));
    }

    // A filter keeps its order and its pages across the shards too.
    const cancelled = newestFirst.filter((order) => order.status === "CANCELLED");
    const seen: Order[] = [];
    let after: OrderKey | undefined;
    do {
      const page = await store.listAllOrders({ limit: 2, after, status: "CANCELLED" });
      seen.push(...page.items);
      after = page.next;
    } while (after !== undefined);
    expect(seen.map((order) => order.id)).toEqual(cancelled.map((order) => order.id));
  });

  it("walks every in-flight order once, oldest first, placed before the instant", async () => {
    const { store } = await countedStore();
    const orders = await placeOrders(store);
    const placedBefore = new Date(Date.UTC(2026, 4, 1, 12, 10)).toISOString();
    const expected = orders
      .filter((order) => order.status === "PLACED" && order.createdAt < placedBefore)
      .sort(byTimeThenId);
    expect(expected.length).toBeGreaterThan(8);

    for (const limit of [1, 3, 100]) {
      const seen: Order[] = [];
      let after: InFlightKey | undefined;
      do {
        const page = await store.listOrdersInFlight({ placedBefore, limit, after });
        seen.push(...page.orders);
        after = page.next;
      } while (after !== undefined);
      expect(seen.map((order) => order.id)).toEqual(expected.map((order) => order.id));
    }
  });

  it("ends a page where a shard stopped short under a filter, and the next page goes on from there", async () => {
    const { table } = await countedStore();
    // Three partitions of 60 items; shard 0 holds long runs the filter drops, the others are
    // dense: with one read per shard and page, shard 0 keeps stopping short of the page.
    const partitions = ["TEST#0", "TEST#1", "TEST#2"];
    const items = Array.from({ length: 60 }, (_, i) => ({
      PK: `TEST#${i}`,
      SK: "ITEM",
      GSI2PK: partitions[i < 30 ? (i % 4 === 0 ? 1 : 0) : i % 3],
      GSI2SK: `key-${String(i).padStart(2, "0")}`,
      kept: i % 7 === 0 || i % 4 === 0 || i >= 45,
    }));
    for (const item of items) await table.documents.put({ TableName: table.name, Item: item });
    const list = (bound: string | undefined, descending: boolean): SpreadList => ({
      index: { name: OPERATOR_INDEX, partitionKey: "GSI2PK", sortKey: "GSI2SK" },
      partitions,
      descending,
      ...(descending ? { below: bound } : { above: bound }),
      filter: { expression: "kept = :true", names: {}, values: { ":true": true } },
      maxReadsPerShard: 1,
    });
    for (const descending of [true, false]) {
      const expected = items.filter((item) => item.kept).map((item) => item.GSI2SK);
      if (descending) expected.reverse();
      for (const limit of [1, 2, 3, 5]) {
        const seen: string[] = [];
        let bound: string | undefined;
        let pages = 0;
        do {
          const page = await spreadPage(table, list(bound, descending), limit);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((item) => String(item.GSI2SK)));
          bound = page.next === undefined ? undefined : String(page.next.GSI2SK);
          pages += 1;
        } while (bound !== undefined && pages < 500);
        expect(seen).toEqual(expected);
      }
    }
  });
});
