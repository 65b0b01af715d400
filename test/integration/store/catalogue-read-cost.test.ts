import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapacityProxy, startCapacityProxy } from "../../../bench/capacity-proxy.js";
import type { DynamoDbClient } from "../../../src/store/dynamodb/client.js";
import { HOT_READ_MS } from "../../../src/store/dynamodb/hot-reads.js";
import { type DynamoDbStore, openDynamoDbStore } from "../../../src/store/dynamodb/store.js";
import { generatedProduct, seedGeneratedCatalogue } from "../../helpers/catalogue-seed.js";
import { localClient, uniqueTableName, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";

// What the first page of the catalogue costs in read capacity, as DynamoDB Local reports it
// (the proxy of `npm run bench -- cost` asks for it): bounded by the page, not the catalogue.
// The products have no comments, the case where reading ahead for comments reads the most.

const PAGE = 20;
const local = useDynamoDbLocal();
let proxy: CapacityProxy;
let seeding: DynamoDbClient;
let store: DynamoDbStore;
const tableName = uniqueTableName("read-cost");

beforeAll(async () => {
  proxy = await startCapacityProxy(local().endpoint);
  seeding = localClient(local(), local().endpoint);
  store = await openDynamoDbStore({
    tableName,
    client: localClient(local(), proxy.endpoint),
    createTable: true,
  });
});

afterAll(async () => {
  await store?.close();
  seeding?.destroy();
  await proxy?.close();
});

/**
 * Read capacity and requests of the first page, with the catalogue at its current size: read
 * again after the second a process keeps a catalogue page (hot-reads.ts), so it is read.
 */
async function firstPage() {
  await sleep(HOT_READ_MS + 50);
  proxy.reset();
  const page = await store.listProductPage({ limit: PAGE });
  expect(page.items.map((product) => product.id)).toEqual(
    Array.from({ length: PAGE }, (_, i) => generatedProduct(i).id),
  );
  return { readUnits: proxy.total().readUnits, requests: proxy.total().requests };
}

describe("the catalogue's first page", () => {
  it("reads at most one page it does not return, as much at 10,000 products as at 1,000", async () => {
    await seedGeneratedCatalogue(seeding, tableName, { from: 0, to: PAGE });
    // A catalogue of exactly one page: the read is the page and nothing else.
    const onePage = await firstPage();
    await seedGeneratedCatalogue(seeding, tableName, { from: PAGE, to: 1_000 });
    const atThousand = await firstPage();
    await seedGeneratedCatalogue(seeding, tableName, { from: 1_000, to: 10_000 });
    const atTenThousand = await firstPage();

    expect(onePage.readUnits).toBeGreaterThan(0);
    // One page read ahead, and half a unit for rounding to 4 KB: no more.
    expect(atThousand.readUnits).toBeLessThanOrEqual(2 * onePage.readUnits + 0.5);
    expect(atTenThousand.readUnits).toBeLessThanOrEqual(atThousand.readUnits);
    // The Query, and one BatchGetItem of the page's comment summaries (src/store/dynamodb/).
    expect([onePage.requests, atThousand.requests, atTenThousand.requests]).toEqual([2, 2, 2]);
  }, 60_000);
});
