import { afterEach, describe, expect, it } from "vitest";
import type { Comment, Product } from "../../../src/domain/index.js";
import type { DynamoDbClient } from "../../../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import { type DynamoDbStore, openDynamoDbStore } from "../../../src/store/dynamodb/store.js";
import {
  countRequests,
  deleteTable,
  localClient,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";
import { orderFromCart } from "../../helpers/orders.js";

const NOW = new Date("2026-05-01T12:00:00.000Z");
// Long enough that 1,000 products and their comments pass DynamoDB's 1 MB page at least once.
const DESCRIPTION = "A generated product for the request-count tests. ".repeat(14);

const generatedProducts = (count: number): Product[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `product-${String(i).padStart(4, "0")}`,
    name: `Product ${i}`,
    description: DESCRIPTION,
    imageUrl: `/images/product-${i}.svg`,
    priceCents: 100 + i,
    stock: 99,
  }));

const oneCommentEach = (products: readonly Product[]): Comment[] =>
  products.map((product) => ({
    id: `c-${product.id}`,
    productId: product.id,
    author: "Tester",
    rating: 4,
    text: `A comment on ${product.name}.`,
    createdAt: NOW.toISOString(),
  }));

const local = useDynamoDbLocal();
const opened: { client: DynamoDbClient; store: DynamoDbStore; tableName: string }[] = [];

afterEach(async () => {
  for (const { client, store, tableName } of opened.splice(0)) {
    await store.close();
    await deleteTable(client, tableName);
    client.destroy();
  }
});

/** A store seeded with `products`, each with one comment, on a client that counts requests. */
async function countedStore(products: readonly Product[]) {
  const requests = countRequests();
  const client = localClient(local(), local().endpoint, { onRequest: requests.onRequest });
  const tableName = uniqueTableName("requests");
  const store = await openDynamoDbStore({
    tableName,
    client,
    createTable: true,
    seed: { products, comments: oneCommentEach(products), promotions: [] },
  });
  opened.push({ client, store, tableName });
  requests.reset();
  return { store, requests, client, tableName };
}

describe("DynamoDbStore requests", () => {
  it.each([10, 1_000])(
    "lists %i products with their comments in one Query per 1 MB page and their stock and comment summaries in one BatchGetItem per 100 keys, never one per product",
    async (count) => {
      const products = generatedProducts(count);
      const { store, requests } = await countedStore(products);

      const listed = await store.listProducts();

      expect(listed).toHaveLength(count);
      expect(listed.map((p) => p.id)).toEqual(products.map((p) => p.id));
      expect(listed.every((p) => p.comments.length === 1)).toBe(true);
      expect([...requests.counts.keys()].sort()).toEqual(["BatchGetItem", "Query"]);
      expect(requests.counts.get("Query")).toBeLessThanOrEqual(count === 10 ? 1 : 3);
      // Each product's stock item and comment summary item, 100 keys a request.
      expect(requests.counts.get("BatchGetItem")).toBe(Math.ceil((2 * count) / 100));
    },
  );

  it.each([10, 1_000])(
    "reads each page of %i products in one Query and one BatchGetItem of its stock, as long at the end as at the start",
    async (count) => {
      const products = generatedProducts(count);
      const { store, requests } = await countedStore(products);

      const first = await store.listProductPage({ limit: 20 });
      expect(first.items.map((p) => p.id)).toEqual(products.slice(0, 20).map((p) => p.id));
      expect(Object.fromEntries(requests.counts)).toStrictEqual({ Query: 1, BatchGetItem: 1 });

      requests.reset();
      const last = await store.listProductPage({ limit: 20, after: products.at(-6)?.id });
      expect(last.items.map((p) => p.id)).toEqual(products.slice(-5).map((p) => p.id));
      expect(last.next).toBeUndefined();
      expect(Object.fromEntries(requests.counts)).toStrictEqual({ Query: 1, BatchGetItem: 1 });
    },
  );

  it("prices a 50-line cart with one BatchGetItem of its products and one of their stock, and places it with one TransactWriteItems", async () => {
    const { store, requests } = await countedStore(generatedProducts(50));
    const lines = generatedProducts(50).map((p) => ({ productId: p.id, quantity: 2 }));
    await store.saveCart({ userId: "alice", lines, updatedAt: NOW.toISOString() });
    requests.reset();

    const found = await store.getProducts(lines.map((line) => line.productId));

    expect(found).toHaveLength(50);
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ BatchGetItem: 2 });

    const command = await orderFromCart(store, "alice", "k", NOW);
    requests.reset();
    expect((await store.placeOrder(command)).placed).toBe(true);
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ TransactWriteItems: 1 });
  });

  it("asks for at most 100 keys per BatchGetItem", async () => {
    const products = generatedProducts(250);
    const { store, requests } = await countedStore(products);

    const found = await store.getProducts(products.map((p) => p.id));

    expect(found.map((p) => p.id)).toEqual(products.map((p) => p.id));
    // 250 products, then their 250 stock items.
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ BatchGetItem: 6 });
  });

  it("reads one product and its comment summary with two GetItems at once, its stock with one BatchGetItem", async () => {
    const { store, requests } = await countedStore(generatedProducts(3));

    const product = await store.getProduct("product-0001");
    expect(product?.comments).toHaveLength(1);
    expect(product?.commentCount).toBe(1);
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ GetItem: 2, BatchGetItem: 1 });
  });

  it("adds a comment with two GetItems (product, summary) and one TransactWriteItems, its rate limits included", async () => {
    const { store, requests } = await countedStore(generatedProducts(3));
    const comment = {
      id: "c-counted",
      productId: "product-0002",
      author: "Alice",
      rating: 5,
      text: "Counted.",
      // After the seeded comment, so it leads the newest-first page.
      createdAt: new Date(NOW.getTime() + 1_000).toISOString(),
    };

    await store.addComment({ comment, userId: "alice" });

    expect(Object.fromEntries(requests.counts)).toStrictEqual({
      GetItem: 2,
      TransactWriteItems: 1,
    });
    requests.reset();
    expect(await store.listCommentPage("product-0002", { limit: 1 })).toStrictEqual({
      items: [comment],
      next: { createdAt: comment.createdAt, id: comment.id },
    });
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ Query: 1 });
  });

  it("keeps a guest cart under GUEST#<hash> with a numeric TTL, and merges it in one TransactWriteItems", async () => {
    const { store, requests, client, tableName } = await countedStore(generatedProducts(3));
    const tokenHash = "c".repeat(64);
    const expiresAt = Math.floor(NOW.getTime() / 1000) + 604_800;
    await store.createGuestCart({ tokenHash, updatedAt: NOW.toISOString(), expiresAt });

    const { Item } = await new DynamoDbDocuments(client).get({
      TableName: tableName,
      Key: { PK: `GUEST#${tokenHash}`, SK: "CART" },
    });
    expect(Item).toMatchObject({ type: "GUEST_CART", version: 1, expiresAt, lines: [] });

    requests.reset();
    await store.mergeGuestCart({
      userId: "alice",
      tokenHash,
      userCartVersion: 0,
      guestCartVersion: 1,
      lines: [{ productId: "product-0001", quantity: 1 }],
      updatedAt: NOW.toISOString(),
    });
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ TransactWriteItems: 1 });
  });

  it("keeps an address book in the user's own partition: one write per change, one Query per read", async () => {
    const { store, requests, client, tableName } = await countedStore(generatedProducts(1));
    const address = { name: "Ada", line1: "1 Main St", city: "Berlin", country: "DE" };
    const entry = (id: string, isDefault: boolean) => ({
      id,
      address,
      isDefault,
      createdAt: NOW.toISOString(),
    });

    await store.addAddress("alice", entry("a-1", true));
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ TransactWriteItems: 1 });
    await store.addAddress("alice", entry("a-2", false));
    const documents = new DynamoDbDocuments(client);
    const { Items } = await documents.query({
      TableName: tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": "USER#alice" },
    });
    expect(Items?.map((item) => [item.SK, item.type])).toEqual([
      ["ADDRESS#a-1", "ADDRESS"],
      ["ADDRESS#a-2", "ADDRESS"],
      ["ADDRESS_BOOK", "ADDRESS_BOOK"],
    ]);
    expect(Items?.at(-1)).toMatchObject({ count: 2, defaultId: "a-1" });
    // No index key: an address book is read by its partition alone.
    expect(Items?.every((item) => item.GSI1PK === undefined && item.GSI2PK === undefined)).toBe(
      true,
    );

    requests.reset();
    expect((await store.listAddresses("alice")).map((saved) => saved.id)).toEqual(["a-1", "a-2"]);
    expect(Object.fromEntries(requests.counts)).toStrictEqual({ Query: 1 });

    requests.reset();
    await store.replaceAddress("alice", "a-2", { address, isDefault: true });
    expect(Object.fromEntries(requests.counts)).toStrictEqual({
      GetItem: 2,
      TransactWriteItems: 1,
    });

    requests.reset();
    expect(await store.deleteAddress("alice", "a-2")).toBe(true);
    expect(Object.fromEntries(requests.counts)).toStrictEqual({
      GetItem: 1,
      TransactWriteItems: 1,
    });
    const { Item } = await documents.get({
      TableName: tableName,
      Key: { PK: "USER#alice", SK: "ADDRESS_BOOK" },
    });
    expect(Item?.count).toBe(1);
    expect(Item?.defaultId).toBeUndefined();
  });
});
