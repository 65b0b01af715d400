import { setTimeout as sleep } from "node:timers/promises";
import type { BatchWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs } from "../../aws/aws-http.js";
import type { Comment, Product, Promotion } from "../../domain/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "../seed-catalogue.js";
import { DynamoDbServiceError } from "./client.js";
import type { DynamoDbDocuments } from "./documents.js";
import { commentItem, productItem, promotionItem } from "./items.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, TABLE_DEFINITION } from "./table.js";

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
export async function seedTable(
  documents: DynamoDbDocuments,
  tableName: string,
  seed: CatalogueSeed = {},
): Promise<boolean> {
  const existing = await documents.query({
    TableName: tableName,
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :catalogue",
    ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
    Limit: 1,
  });
  if ((existing.Items?.length ?? 0) > 0) return false;

  const all: Record<string, unknown>[] = [
    ...(seed.products ?? SEED_PRODUCTS).map((product, index) => productItem(product, index)),
    ...(seed.comments ?? SEED_COMMENTS).map(commentItem),
    ...(seed.promotions ?? SEED_PROMOTIONS).map(promotionItem),
  ];
  for (let start = 0; start < all.length; start += BATCH_WRITE_MAX_ITEMS) {
    const chunk = all.slice(start, start + BATCH_WRITE_MAX_ITEMS);
    await batchWrite(documents, {
      [tableName]: chunk.map((item) => ({ PutRequest: { Item: item } })),
    });
  }
  return true;
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
