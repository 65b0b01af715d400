import { setTimeout as sleep } from "node:timers/promises";
import type { BatchWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs } from "../../aws/aws-http.js";
import { type Comment, latestComments, type Product, type Promotion } from "../../domain/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "../seed-catalogue.js";
import { DynamoDbServiceError } from "./client.js";
import type { DynamoDbDocuments } from "./documents.js";
import {
  type CommentSummary,
  commentFrom,
  commentItem,
  commentSummaryItem,
  productItem,
} from "./items.js";
import { newPromotionItems } from "./promotions.js";
import { queryAll, type Table } from "./reads.js";
import { newStockItems } from "./stock.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, keys, TABLE_DEFINITION } from "./table.js";

/** What `seedTable` loads; each list defaults to the demo catalogue. */
export interface CatalogueSeed {
  products?: readonly Product[];
  comments?: readonly Comment[];
  promotions?: readonly Promotion[];
}

/** How long `createTable` waits for the table to become ACTIVE, and between two looks. */
const TABLE_ACTIVE_TIMEOUT_MS = 120_000;
const TABLE_POLL_MS = 1_000;

/**
 * Creates the table from TABLE_DEFINITION unless it exists, and waits until it is ACTIVE. For
 * DynamoDB Local and first runs; in AWS the deploy descriptor creates it from the same definition.
 */
export async function createTable(documents: DynamoDbDocuments, tableName: string): Promise<void> {
  try {
    await documents.createTable({ ...TABLE_DEFINITION, TableName: tableName });
  } catch (error) {
    if (!(error instanceof DynamoDbServiceError && error.name === "ResourceInUseException")) {
      throw error;
    }
  }
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(documents, tableName);
    if (status === "ACTIVE") return;
    if (Date.now() >= deadline) {
      throw new Error(`table ${tableName} is still ${status} after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    }
    await sleep(TABLE_POLL_MS);
  }
}

async function tableStatus(documents: DynamoDbDocuments, tableName: string): Promise<string> {
  try {
    return (await documents.describeTable(tableName)).Table?.TableStatus ?? "UNKNOWN";
  } catch (error) {
    if (error instanceof DynamoDbServiceError && error.name === "ResourceNotFoundException") {
      return "NOT_FOUND";
    }
    throw error;
  }
}

const BATCH_WRITE_MAX_ITEMS = 25;
const BATCH_MAX_ATTEMPTS = 8;
const BATCH_BASE_DELAY_MS = 50;
const BATCH_MAX_DELAY_MS = 2_000;

/**
 * Loads the demo catalogue (or `seed`) into an empty catalogue, in BatchWriteItem calls of 25
 * items, retrying unprocessed items with backoff. Does nothing when any product exists, so it can
 * run on every start. Returns whether it wrote.
 */
export async function seedTable(table: Table, seed: CatalogueSeed = {}): Promise<boolean> {
  const { documents, name: tableName } = table;
  const existing = await documents.query({
    TableName: tableName,
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :catalogue",
    ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
    Limit: 1,
  });
  if ((existing.Items?.length ?? 0) > 0) {
    await migrateComments(table);
    return false;
  }

  const comments = seed.comments ?? SEED_COMMENTS;
  const all: Record<string, unknown>[] = [
    ...(seed.products ?? SEED_PRODUCTS).flatMap((product, index) => [
      productItem(product, index, table.layout.stockShards),
      commentSummaryItem(product.id, summaryOf(comments.filter((c) => c.productId === product.id))),
      ...newStockItems(product, table.layout.stockShards),
    ]),
    ...comments.map((comment) => commentItem(comment)),
    ...(seed.promotions ?? SEED_PROMOTIONS).flatMap((promotion) =>
      newPromotionItems(promotion, table.layout.promotionShards),
    ),
  ];
  for (let start = 0; start < all.length; start += BATCH_WRITE_MAX_ITEMS) {
    const chunk = all.slice(start, start + BATCH_WRITE_MAX_ITEMS);
    await batchWrite(documents, {
      [tableName]: chunk.map((item) => ({ PutRequest: { Item: item } })),
    });
  }
  return true;
}

const summaryOf = (comments: readonly Comment[]): CommentSummary => ({
  comments: latestComments(comments),
  commentCount: comments.length,
  ratingTotal: comments.reduce((total, comment) => total + comment.rating, 0),
});

/**
 * Brings comments an older version wrote up to today's layout: they were in the catalogue index
 * (every catalogue read carried them all) and their products had no summary. Each such comment
 * leaves the index, and its product's count, rating total and latest comments are computed from
 * its partition. Runs where seeding runs (it reads the catalogue index once); a table with no
 * such comment is left as it is.
 */
export async function migrateComments(table: Table): Promise<void> {
  const { documents, name: tableName } = table;
  const legacy = await queryAll(table, {
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :catalogue",
    FilterExpression: "#type = :comment",
    ExpressionAttributeNames: { "#type": "type" },
    ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION, ":comment": "COMMENT" },
  });
  const products = new Set(legacy.map((item) => String(item.productId)));
  for (const productId of products) {
    const partition = await queryAll(table, {
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :comment)",
      ExpressionAttributeValues: {
        ":pk": keys.productPartition(productId),
        ":comment": keys.commentSortPrefix,
      },
      ConsistentRead: true,
    });
    const product = await documents.get({
      TableName: tableName,
      Key: keys.product(productId),
      ConsistentRead: true,
    });
    // A comment whose product is gone has nothing to sum up into.
    if (product.Item === undefined) continue;
    await documents.put({
      TableName: tableName,
      Item: commentSummaryItem(productId, summaryOf(partition.map(commentFrom))),
    });
  }
  for (const item of legacy) {
    await documents.update({
      TableName: tableName,
      Key: { PK: item.PK, SK: item.SK },
      UpdateExpression: "REMOVE GSI1PK, GSI1SK",
    });
  }
}

async function batchWrite(
  documents: DynamoDbDocuments,
  requestItems: NonNullable<BatchWriteCommandInput["RequestItems"]>,
): Promise<void> {
  let pending = requestItems;
  for (let attempt = 0; ; attempt++) {
    const { UnprocessedItems } = await documents.batchWrite({ RequestItems: pending });
    if (UnprocessedItems === undefined || Object.keys(UnprocessedItems).length === 0) return;
    if (attempt + 1 >= BATCH_MAX_ATTEMPTS) {
      throw new Error("BatchWriteItem left items unprocessed after every retry");
    }
    pending = UnprocessedItems;
    await sleep(backoffMs(attempt, BATCH_BASE_DELAY_MS, BATCH_MAX_DELAY_MS));
  }
}
