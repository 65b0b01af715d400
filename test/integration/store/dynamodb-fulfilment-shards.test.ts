import { afterEach, describe, expect, it } from "vitest";
import type { Order } from "../../../src/domain/index.js";
import type { Table } from "../../../src/store/dynamodb/reads.js";
import { mailDuePartitions, toShipPartitions } from "../../../src/store/dynamodb/spread-lists.js";
import {
  CATALOGUE_INDEX,
  DEFAULT_LAYOUT,
  keys,
  MAIL_DUE_PARTITION,
  TO_SHIP_PARTITION,
} from "../../../src/store/dynamodb/table.js";
import { localTables, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";
import { placeOneBirdAt } from "../../helpers/orders.js";

// The outbox and the shipping queue on DynamoDB: no partition key takes every order's message
// or every paid order (DESIGN.md, "No hot key"), the outbox item has the shape the table
// stream's consumer reads, and a page of either list is one Query per shard.

const ORDER_COUNT = 16;
const SHARDS = DEFAULT_LAYOUT.listShards;
const local = useDynamoDbLocal();
const tables = localTables(local);

afterEach(async () => {
  await tables.drop();
});

/** A seeded store on a client that counts its requests, and the table it works on. */
const countedStore = () => tables.openCounted("fulfilment");

async function itemsOf(table: Table, partition: string) {
  const { Items = [] } = await table.documents.query({
    TableName: table.name,
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :partition",
    ExpressionAttributeValues: { ":partition": partition },
  });
  return Items;
}

const at = (minute: number) => new Date(Date.UTC(2026, 6, 1, 10, minute)).toISOString();

describe("DynamoDbStore: the outbox and the shipping queue spread over shards", () => {
  it("writes the due messages and the paid orders over several GSI1 partitions, none under one key", async () => {
    const { store, table, requests } = await countedStore();
    const orders: Order[] = [];
    for (let i = 0; i < ORDER_COUNT; i++) {
      orders.push(await placeOneBirdAt(store, `user-${i % 3}`, at(i), `order-${i}`));
    }
    const paid = orders.filter((_, i) => i % 2 === 0);
    for (const order of paid) {
      for (const [from, to] of [
        ["PLACED", "PROCESSING"],
        ["PROCESSING", "COMPLETED"],
      ] as const) {
        await store.changeOrderStatus({
          userId: order.userId,
          orderId: order.id,
          from,
          to,
          at: at(30),
        });
      }
    }

    const due = await Promise.all(mailDuePartitions(SHARDS).map((p) => itemsOf(table, p)));
    expect(due.flat()).toHaveLength(ORDER_COUNT + paid.length);
    expect(due.filter((items) => items.length > 0).length).toBeGreaterThan(1);
    expect(await itemsOf(table, MAIL_DUE_PARTITION)).toEqual([]);
    const queued = await Promise.all(toShipPartitions(SHARDS).map((p) => itemsOf(table, p)));
    expect(
      queued
        .flat()
        .map((item) => item.id)
        .sort(),
    ).toEqual(paid.map((order) => order.id).sort());
    expect(queued.filter((items) => items.length > 0).length).toBeGreaterThan(1);
    expect(await itemsOf(table, TO_SHIP_PARTITION)).toEqual([]);

    // The item the stream's consumer reads: beside the order's pointer, `type` and `id`.
    const { Item: mail } = await table.documents.get({
      TableName: table.name,
      Key: keys.orderMail("order-0", "paid"),
    });
    expect(mail).toMatchObject({
      PK: "ORDER#order-0",
      SK: "MAIL#paid",
      type: "MAIL",
      id: "order-0.paid",
      orderId: "order-0",
      userId: "user-0",
      kind: "paid",
      attempts: 0,
      createdAt: at(30),
      nextAttemptAt: at(30),
      GSI1SK: `${at(30)}#order-0.paid`,
    });

    // A page of either list is one Query per shard.
    requests.reset();
    const page = await store.listDueMail({ dueBy: at(59), limit: 5 });
    expect(requests.counts.get("Query")).toBe(SHARDS);
    expect(page.items.map((message) => message.id)).toEqual([
      "order-0.placed",
      "order-1.placed",
      "order-2.placed",
      "order-3.placed",
      "order-4.placed",
    ]);
    requests.reset();
    const toShip = await store.listOrdersToShip({ limit: 3 });
    expect(requests.counts.get("Query")).toBe(SHARDS);
    expect(toShip.items.map((order) => order.id)).toEqual(["order-0", "order-2", "order-4"]);

    // Sent: out of the due ones' index, the item kept.
    expect(await store.markMailSent("order-0.paid", at(31), 1)).toBe(true);
    const { Item: sent } = await table.documents.get({
      TableName: table.name,
      Key: keys.orderMail("order-0", "paid"),
    });
    expect(sent).toMatchObject({ type: "MAIL", sentAt: at(31) });
    expect(sent).not.toHaveProperty("GSI1PK");
    expect(sent).not.toHaveProperty("GSI1SK");
    expect(sent).not.toHaveProperty("nextAttemptAt");
  });
});
