import { afterEach, describe, expect, it } from "vitest";
import { COMMENT_LIMITS, type Comment } from "../../../src/domain/index.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import type { DynamoDbStore } from "../../../src/store/dynamodb/store.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION } from "../../../src/store/dynamodb/table.js";
import {
  localClient,
  localTables,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";

const local = useDynamoDbLocal();
const tables = localTables(local);
const stores: DynamoDbStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await tables.drop();
});

/** A store on `tableName` of DynamoDB Local, as one Lambda instance would open it. */
async function instance(tableName: string, seed = true): Promise<DynamoDbStore> {
  const store = await tables.open({ tableName, seed });
  stores.push(store);
  return store;
}

const newTable = (): string => uniqueTableName("comments");

const at = (second: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, second)).toISOString();
const comment = (productId: string, second: number, id: string): Comment => ({
  id,
  productId,
  author: "Alice",
  rating: 4,
  text: "Counted in the table.",
  createdAt: at(second),
});

describe("DynamoDbStore comments", () => {
  it("holds a user's rate limit across two instances on one table, racing", async () => {
    const tableName = newTable();
    const [first, second] = [await instance(tableName), await instance(tableName, false)];
    const products = ["lonely-bird", "solid-friendship", "morning-fog", "copper-kettle"];

    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? first : second).addComment({
          comment: comment(products[i % products.length] ?? "", i, `c-race-${i}`),
          userId: "alice",
        }),
      ),
    );

    const written = outcomes.filter((outcome) => outcome.status === "fulfilled");
    expect(written).toHaveLength(COMMENT_LIMITS.perMinute);
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason as { code: string }] : [],
    );
    expect(refused.map((error) => error.code)).toEqual(
      Array(8 - COMMENT_LIMITS.perMinute).fill("TOO_MANY_REQUESTS"),
    );
    const counts = await Promise.all(
      products.map(async (id) => (await second.getProduct(id))?.commentCount ?? 0),
    );
    const seeded = await Promise.all(
      products.map(async (id) => (await first.listCommentPage(id, { limit: 100 }))?.items.length),
    );
    // Each product's count is the comments its partition holds: nothing half-written.
    expect(counts).toEqual(seeded);
  });

  it("moves comments of the older layout out of the catalogue index, summed into their product", async () => {
    const tableName = newTable();
    const store = await instance(tableName);
    const client = localClient(local(), local().endpoint);
    const documents = new DynamoDbDocuments(client);
    try {
      // What an older version wrote: comments in the catalogue index, no summary on the product.
      const old = [comment("wool-throw", 1, "c-old-1"), comment("wool-throw", 2, "c-old-2")];
      await documents.update({
        TableName: tableName,
        Key: { PK: "PRODUCT#wool-throw", SK: "META" },
        UpdateExpression: "REMOVE commentCount, ratingTotal, latestComments",
      });
      for (const c of old) {
        await documents.put({
          TableName: tableName,
          Item: {
            PK: `PRODUCT#${c.productId}`,
            SK: `COMMENT#${c.createdAt}#${c.id}`,
            GSI1PK: CATALOGUE_PARTITION,
            GSI1SK: `PRODUCT#${c.productId}#COMMENT#${c.createdAt}#${c.id}`,
            type: "COMMENT",
            ...c,
          },
        });
      }
      const before = await store.listCommentPage("wool-throw", { limit: 10 });
      expect(before?.items.map((c) => c.id)).toEqual(
        expect.arrayContaining(["c-old-2", "c-old-1"]),
      );

      // The next start (where seeding runs) migrates them.
      const reopened = await instance(tableName);

      const product = await reopened.getProduct("wool-throw");
      const all = (await reopened.listCommentPage("wool-throw", { limit: 100 }))?.items ?? [];
      expect(product?.commentCount).toBe(all.length);
      expect(product?.comments).toStrictEqual(all.slice(0, COMMENT_LIMITS.latestShown));
      expect(all.map((c) => c.id)).toEqual(expect.arrayContaining(["c-old-2", "c-old-1"]));
      const { Items = [] } = await documents.query({
        TableName: tableName,
        IndexName: CATALOGUE_INDEX,
        KeyConditionExpression: "GSI1PK = :catalogue",
        ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
      });
      expect(Items.filter((item) => item.type !== "PRODUCT")).toEqual([]);
      const page = await reopened.listProductPage({ limit: 100 });
      expect(page.items.find((p) => p.id === "wool-throw")).toStrictEqual(product);
    } finally {
      client.destroy();
    }
  });
});
