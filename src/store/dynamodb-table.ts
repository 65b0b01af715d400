import { setTimeout as sleep } from "node:timers/promises";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { BatchWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs } from "../aws/aws-http.js";
import type { Comment, Product, Promotion } from "../domain/index.js";
import { DynamoDbServiceError } from "./dynamodb-client.js";
import type { DynamoDbDocuments } from "./dynamodb-documents.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";

/** CreateTable's input without the table name, which each deployment chooses. */
export type TableDefinition = Required<
  Pick<
    CreateTableCommandInput,
    | "AttributeDefinitions"
    | "KeySchema"
    | "GlobalSecondaryIndexes"
    | "LocalSecondaryIndexes"
    | "BillingMode"
  >
>;

/**
 * The one table of the DynamoDB adapter: every entity lives under a generic `PK`/`SK` key.
 *
 * | item        | PK             | SK                   | GSI1PK / GSI1SK                    |
 * | ----------- | -------------- | -------------------- | ---------------------------------- |
 * | product     | PRODUCT#id     | META                 | CATALOGUE / PRODUCT#id             |
 * | comment     | PRODUCT#id     | COMMENT#createdAt#id | CATALOGUE / PRODUCT#id#COMMENT#... |
 * | promotion   | PROMOTION#code | META                 |                                    |
 * | user        | USER#id        | PROFILE              |                                    |
 * | email claim | EMAIL#email    | META                 |                                    |
 * | cart        | USER#id        | CART                 |                                    |
 * | guest cart  | GUEST#sha256   | CART                 | (expiresAt: the TTL attribute)     |
 * | order       | USER#id        | ORDER#id             | (LSI1SK: ORDER#createdAt#id)       |
 * | idem. key   | USER#id        | IDEMPOTENCY#key      |                                    |
 * | connection  | CONN#id        | META                 | (expiresAt: the TTL attribute)     |
 * | user's conn.| USER#id        | CONN#id              | (expiresAt: the TTL attribute)     |
 *
 * The catalogue GSI holds products and their comments under one partition, so the whole
 * catalogue is one paginated Query. The orders LSI sorts a user's orders by time and, unlike a
 * GSI, can be read strongly consistent: an order shows up in the list the moment it is placed.
 * A guest cart is keyed by the SHA-256 (hex) of its token, never the token: the table alone
 * cannot be used to take over a shopper's cart.
 */
export const TABLE_DEFINITION: TableDefinition = {
  AttributeDefinitions: [
    { AttributeName: "PK", AttributeType: "S" },
    { AttributeName: "SK", AttributeType: "S" },
    { AttributeName: "GSI1PK", AttributeType: "S" },
    { AttributeName: "GSI1SK", AttributeType: "S" },
    { AttributeName: "LSI1SK", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "PK", KeyType: "HASH" },
    { AttributeName: "SK", KeyType: "RANGE" },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: "GSI1",
      KeySchema: [
        { AttributeName: "GSI1PK", KeyType: "HASH" },
        { AttributeName: "GSI1SK", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
  LocalSecondaryIndexes: [
    {
      IndexName: "LSI1",
      KeySchema: [
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "LSI1SK", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
  BillingMode: "PAY_PER_REQUEST",
};

/**
 * The attribute DynamoDB's Time to Live reads (epoch seconds): WebSocket connections and guest
 * carts carry it, so a connection whose `$disconnect` never ran, or a cart abandoned, is deleted
 * by the table itself. TTL deletes late (within days), so the adapter also skips expired items
 * when it reads them, and never writes to an expired guest cart. The deployment
 * enables it: `TimeToLiveSpecification: { AttributeName: TIME_TO_LIVE_ATTRIBUTE, Enabled: true }`.
 */
export const TIME_TO_LIVE_ATTRIBUTE = "expiresAt";

/**
 * The table's stream feeds the order-processing function: the order item the checkout
 * transaction inserts IS the "order placed" event, so no second write (a queue message after
 * the transaction) can be lost. NEW_IMAGE is all the function reads of a record.
 */
export const STREAM_VIEW_TYPE = "NEW_IMAGE";

/** The table's `StreamSpecification` and `TimeToLiveSpecification`, as CloudFormation takes them. */
export const STREAM_SPECIFICATION = {
  StreamEnabled: true,
  StreamViewType: STREAM_VIEW_TYPE,
} as const;
export const TIME_TO_LIVE_SPECIFICATION = {
  AttributeName: TIME_TO_LIVE_ATTRIBUTE,
  Enabled: true,
} as const;

/**
 * A Lambda event-source filter (`FilterCriteria.Filters[].Pattern`) that lets only inserted
 * orders invoke the processing function; it ignores every other record by itself too, so the
 * filter saves invocations, not correctness.
 */
export const ORDER_STREAM_FILTER_PATTERN = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { type: { S: ["ORDER"] }, status: { S: ["PLACED"] } } },
} as const;

/** Index names and the fixed key values the adapter queries with. */
export const CATALOGUE_INDEX = "GSI1";
export const ORDERS_INDEX = "LSI1";
export const CATALOGUE_PARTITION = "CATALOGUE";

/** Key builders: the only place the item layout of the table above is spelled out. */
export const keys = {
  product: (id: string) => ({ PK: `PRODUCT#${id}`, SK: "META" }),
  productPartition: (id: string) => `PRODUCT#${id}`,
  productCatalogueSort: (id: string) => `PRODUCT#${id}`,
  comment: (comment: Pick<Comment, "productId" | "createdAt" | "id">) => ({
    PK: `PRODUCT#${comment.productId}`,
    SK: `COMMENT#${comment.createdAt}#${comment.id}`,
  }),
  commentCatalogueSort: (comment: Pick<Comment, "productId" | "createdAt" | "id">) =>
    `PRODUCT#${comment.productId}#COMMENT#${comment.createdAt}#${comment.id}`,
  promotion: (code: string) => ({ PK: `PROMOTION#${code}`, SK: "META" }),
  user: (id: string) => ({ PK: `USER#${id}`, SK: "PROFILE" }),
  email: (email: string) => ({ PK: `EMAIL#${email}`, SK: "META" }),
  cart: (userId: string) => ({ PK: `USER#${userId}`, SK: "CART" }),
  guestCart: (tokenHash: string) => ({ PK: `GUEST#${tokenHash}`, SK: "CART" }),
  order: (userId: string, orderId: string) => ({ PK: `USER#${userId}`, SK: `ORDER#${orderId}` }),
  orderTimeSort: (createdAt: string, orderId: string) => `ORDER#${createdAt}#${orderId}`,
  userPartition: (userId: string) => `USER#${userId}`,
  idempotencyKey: (userId: string, key: string) => ({
    PK: `USER#${userId}`,
    SK: `IDEMPOTENCY#${key}`,
  }),
  connection: (id: string) => ({ PK: `CONN#${id}`, SK: "META" }),
  userConnection: (userId: string, id: string) => ({ PK: `USER#${userId}`, SK: `CONN#${id}` }),
  connectionSortPrefix: "CONN#",
} as const;

/** What `seedTable` loads; each list defaults to the demo catalogue. */
export interface CatalogueSeed {
  products?: readonly Product[];
  comments?: readonly Comment[];
  promotions?: readonly Promotion[];
}

/** Item builders shared by the seed and the adapter, so both write the same shape. */
export const items = {
  /** `position` keeps the seed order: GSI1SK sorts by id, but the shop shows this order. */
  product: (product: Product, position: number) => ({
    ...keys.product(product.id),
    GSI1PK: CATALOGUE_PARTITION,
    GSI1SK: keys.productCatalogueSort(product.id),
    type: "PRODUCT",
    position,
    id: product.id,
    name: product.name,
    description: product.description,
    imageUrl: product.imageUrl,
    priceCents: product.priceCents,
    stock: product.stock,
  }),
  comment: (comment: Comment) => ({
    ...keys.comment(comment),
    GSI1PK: CATALOGUE_PARTITION,
    GSI1SK: keys.commentCatalogueSort(comment),
    type: "COMMENT",
    id: comment.id,
    productId: comment.productId,
    author: comment.author,
    rating: comment.rating,
    text: comment.text,
    createdAt: comment.createdAt,
  }),
  promotion: (promotion: Promotion) => ({
    ...keys.promotion(promotion.code),
    type: "PROMOTION",
    code: promotion.code,
    percentOff: promotion.percentOff,
    ...(promotion.validFrom === undefined ? {} : { validFrom: promotion.validFrom }),
    ...(promotion.expiresAt === undefined ? {} : { expiresAt: promotion.expiresAt }),
  }),
} as const;

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
    ...(seed.products ?? SEED_PRODUCTS).map((product, index) => items.product(product, index)),
    ...(seed.comments ?? SEED_COMMENTS).map(items.comment),
    ...(seed.promotions ?? SEED_PROMOTIONS).map(items.promotion),
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
