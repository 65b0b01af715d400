// The table's layout: its definition, its stream and TTL settings and its keys. The deploy
// descriptor reads this file at build time, so it imports no client, retry or driver code.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { Comment } from "../../domain/index.js";

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
 * | comment     | PRODUCT#id     | COMMENT#createdAt#id |                                    |
 * | promotion   | PROMOTION#code | META (useShards)     |                                    |
 * | user        | USER#id        | PROFILE              |                                    |
 * | email claim | EMAIL#email    | META                 |                                    |
 * | cart        | USER#id        | CART                 |                                    |
 * | guest cart  | GUEST#sha256   | CART                 | (expiresAt: the TTL attribute)     |
 * | order       | USER#id        | ORDER#id             | (LSI1SK: ORDER#createdAt#id)       |
 * |  in flight  |                |                      | IN_FLIGHT#shard / createdAt#id     |
 * |  paid       |                |                      | TO_SHIP#shard / createdAt#id       |
 * | idem. key   | USER#id        | IDEMPOTENCY#key      |                                    |
 * | address     | USER#id        | ADDRESS#id           |                                    |
 * | addr. book  | USER#id        | ADDRESS_BOOK (count, defaultId) |                         |
 * | comment rate| USER#id        | COMMENT_RATE#MINUTE#start, COMMENT_RATE#PRODUCT#id#start (TTL) |
 * | connection  | CONN#id        | META                 | (expiresAt: the TTL attribute)     |
 * | user's conn.| USER#id        | CONN#id              | (expiresAt: the TTL attribute)     |
 *
 * | order ptr.  | ORDER#id       | META (its userId)    |                                    |
 * | order mail  | ORDER#id       | MAIL#kind            | MAIL_DUE#shard / nextAttemptAt#id  |
 * | promo uses  | PROMOTION_USES#code | USER#id (TOTAL: a promotion from before shards)      |
 * | use shard   | PROMOTION_USES#code#k | TOTAL (uses, cap, a copy of the definition)        |
 * | stock adj.  | STOCK#productId | ADJ#createdAt#id    |                                    |
 * | payment     | PAYMENT#orderId | META                |                                    |
 * | pay. started| PAYMENT#orderId | SESSION (provider, reference: the PaymentIntent) |          |
 * | pay. event  | PAYMENT_EVENT#id | META (outcome; expiresAt: the TTL attribute) |             |
 * | settings    | SHOP_CONFIG    | SHIPPING / TAX       |                                    |
 *
 * GSI2 holds the operators' lists: ORDERS#shard (GSI2SK createdAt#id: every order, newest
 * first), CARTS#shard (carts and guest carts with lines, GSI2SK their PK: units in carts),
 * PROMOTIONS (by code) and ARCHIVED (products out of the catalogue). Every checkout writes an
 * order and every cart save a cart, so those two lists are spread over `layout.listShards`
 * partitions (an order's shard is `shardOf` its id, a cart's of its PK) and read by one Query
 * per shard, merged by sort key (spread-lists.ts): no partition takes every write.
 *
 * The catalogue GSI holds the products under one partition, so the whole catalogue is one
 * paginated Query. A product's item carries its comment count, rating total and latest few
 * comments; its partition holds every comment under `COMMENT#createdAt#id`, so a Query read
 * backwards pages them newest first, and from the top it meets `META` first. (Comments written
 * before that also had catalogue keys; `setup.ts`'s `migrateComments` moves them out.) An order
 * still PLACED or PROCESSING is in the GSI too, under IN_FLIGHT (the keys are removed when it
 * finishes), spread like ORDERS (IN_FLIGHT#shard, the order's ORDERS shard): recovery finds the
 * orders left in flight with one Query per shard of only those, never a scan. A paid order
 * (COMPLETED) has the same keys under TO_SHIP instead, until it ships or is cancelled: the
 * operators' shipping queue, oldest first. An order's e-mail in the outbox (`ORDER#id /
 * MAIL#kind`, written in the transaction of the step it tells of) is in the GSI under MAIL_DUE,
 * spread by the message's id, while it waits to be sent: the sender finds the due ones by
 * `nextAttemptAt`, and sending (or giving up) removes the keys. The GSI projects every
 * attribute, which each of its lists reads whole. The orders LSI
 * sorts a user's orders by time and, unlike a GSI, can be read strongly consistent: an order
 * shows up in the list the moment it is placed.
 * The shop's shipping and tax settings are two whole documents (replaced with a version
 * condition) in one partition that every checkout needs: the services read it through a
 * per-process cache, so its reads are bounded by the running instances, not by the checkouts.
 * A guest cart is keyed by the SHA-256 (hex) of its token, never the token: the table alone
 * cannot be used to take over a shopper's cart.
 * A promotion's uses are counted on `useShards` items of their own (`promotions.ts`), each with a
 * copy of the definition and its share (`cap`) of `maxUses`: a checkout writes one of them and
 * never the promotion's item, so one popular code is not one hot key, and the caps add up to
 * `maxUses`, so its limit stays exact.
 */
export const TABLE_DEFINITION: TableDefinition = {
  AttributeDefinitions: [
    { AttributeName: "PK", AttributeType: "S" },
    { AttributeName: "SK", AttributeType: "S" },
    { AttributeName: "GSI1PK", AttributeType: "S" },
    { AttributeName: "GSI1SK", AttributeType: "S" },
    { AttributeName: "LSI1SK", AttributeType: "S" },
    { AttributeName: "GSI2PK", AttributeType: "S" },
    { AttributeName: "GSI2SK", AttributeType: "S" },
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
    {
      IndexName: "GSI2",
      KeySchema: [
        { AttributeName: "GSI2PK", KeyType: "HASH" },
        { AttributeName: "GSI2SK", KeyType: "RANGE" },
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

/**
 * The filter that lets the outbox's inserted e-mails (`ORDER#id / MAIL#kind`, written in the
 * transaction of the change each tells of) invoke the processing function, which sends them:
 * listed beside ORDER_STREAM_FILTER_PATTERN (a record matching either passes).
 */
export const MAIL_STREAM_FILTER_PATTERN = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { type: { S: ["MAIL"] } } },
} as const;

/** Index names and the fixed key values the adapter queries with. */
export const CATALOGUE_INDEX = "GSI1";
export const ORDERS_INDEX = "LSI1";
export const CATALOGUE_PARTITION = "CATALOGUE";
/** The partition of the catalogue index that holds the orders still PLACED or PROCESSING. */
export const IN_FLIGHT_PARTITION = "IN_FLIGHT";
/** The partition of the catalogue index that holds the paid orders waiting to ship. */
export const TO_SHIP_PARTITION = "TO_SHIP";
/** The partition of the catalogue index that holds the e-mails waiting to be sent. */
export const MAIL_DUE_PARTITION = "MAIL_DUE";
export const OPERATOR_INDEX = "GSI2";
/** The partition of the shop's shipping and tax settings (`keys.shopSettings`). */
export const SHOP_CONFIG_PARTITION = "SHOP_CONFIG";
/** The partitions of the operators' index. */
export const LISTS = {
  orders: "ORDERS",
  carts: "CARTS",
  promotions: "PROMOTIONS",
  archived: "ARCHIVED",
} as const;

/**
 * How far the adapter spreads the keys that many requests of one kind would otherwise share
 * (docs/dynamodb-table.md, "No hot key"). Fixed for a table: `listShards` decides where the
 * operators' lists and the in-flight orders are written, so changing it needs the backfill
 * (`scripts/backfill-dynamodb.ts`). `stockShards` and `promotionShards` are what a new product
 * or promotion gets; each one records its own count, so they can differ item by item.
 */
export interface TableLayout {
  /**
   * Partitions each operators' list (ORDERS, CARTS), the in-flight orders, the shipping queue
   * and the due e-mails are spread over.
   */
  readonly listShards: number;
  /** Items a new product's stock is split over; 0: on the product's own item (before sharding). */
  readonly stockShards: number;
  /** Counters a new promotion's uses are split over; 0: one counter (before sharding). */
  readonly promotionShards: number;
}

/**
 * 64 list partitions: an order writes its entries in the in-flight and orders lists about three
 * times each (placed, processing, paid), a couple of KB at a transaction's double rate, so one
 * partition of about 1,000 write units a second caps the shop near 100 checkouts a second; 64
 * keep every list partition under 80 % of its budget at 10 times the load that saturated the
 * single lists in `npm run bench -- scale` (BENCHMARKS.md), for 64 Queries per operators' page.
 */
export const DEFAULT_LAYOUT: TableLayout = { listShards: 64, stockShards: 1, promotionShards: 8 };

/** The layout before the keys were spread: one key per list, stock and uses on single items. */
export const UNSPREAD_LAYOUT: TableLayout = { listShards: 1, stockShards: 0, promotionShards: 0 };

/**
 * The most stock or promotion shards of one item: a re-split's transaction (the product and its
 * old and new shards) must fit DynamoDB's 100 items.
 */
export const MAX_SHARDS = 16;

/** The most list partitions: a page of an operators' list queries every one of them. */
export const MAX_LIST_SHARDS = 64;

/**
 * The shard (0 to `shards` - 1) a value is written to: FNV-1a of its UTF-16 code units, so the
 * same value always lands on the same shard, and ids spread evenly.
 */
export function shardOf(value: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** Every shard number of a count: the partitions a fan-out read queries. */
export const shardNumbers = (shards: number): number[] =>
  Array.from({ length: shards }, (_, shard) => shard);

/** Key builders: the only place the item layout of the table above is spelled out. */
export const keys = {
  product: (id: string) => ({ PK: `PRODUCT#${id}`, SK: "META" }),
  productPartition: (id: string) => `PRODUCT#${id}`,
  productCatalogueSort: (id: string) => `PRODUCT#${id}`,
  /**
   * Above every catalogue key of product `id` (its own, and any comment's key an older version
   * wrote there) and below the next product's: ids are `[a-z0-9-]`, all above `#`.
   */
  pastProductGroup: (id: string) => `PRODUCT#${id}#\uffff`,
  comment: (comment: Pick<Comment, "productId" | "createdAt" | "id">) => ({
    PK: `PRODUCT#${comment.productId}`,
    SK: `COMMENT#${comment.createdAt}#${comment.id}`,
  }),
  commentSortPrefix: "COMMENT#",
  /** The user's comments in the minute from `start`, and on product `productId` in the day. */
  commentRate: (userId: string, start: string) => ({
    PK: `USER#${userId}`,
    SK: `COMMENT_RATE#MINUTE#${start}`,
  }),
  productCommentRate: (userId: string, productId: string, start: string) => ({
    PK: `USER#${userId}`,
    SK: `COMMENT_RATE#PRODUCT#${productId}#${start}`,
  }),
  promotion: (code: string) => ({ PK: `PROMOTION#${code}`, SK: "META" }),
  user: (id: string) => ({ PK: `USER#${id}`, SK: "PROFILE" }),
  email: (email: string) => ({ PK: `EMAIL#${email}`, SK: "META" }),
  cart: (userId: string) => ({ PK: `USER#${userId}`, SK: "CART" }),
  guestCart: (tokenHash: string) => ({ PK: `GUEST#${tokenHash}`, SK: "CART" }),
  order: (userId: string, orderId: string) => ({ PK: `USER#${userId}`, SK: `ORDER#${orderId}` }),
  orderTimeSort: (createdAt: string, orderId: string) => `ORDER#${createdAt}#${orderId}`,
  userPartition: (userId: string) => `USER#${userId}`,
  address: (userId: string, addressId: string) => ({
    PK: `USER#${userId}`,
    SK: `ADDRESS#${addressId}`,
  }),
  /** The user's count of addresses and the default's id, next to them in their partition. */
  addressBook: (userId: string) => ({ PK: `USER#${userId}`, SK: "ADDRESS_BOOK" }),
  /** Begins both `ADDRESS#id` and `ADDRESS_BOOK`: one Query reads a whole book. */
  addressBookSortPrefix: "ADDRESS",
  idempotencyKey: (userId: string, key: string) => ({
    PK: `USER#${userId}`,
    SK: `IDEMPOTENCY#${key}`,
  }),
  connection: (id: string) => ({ PK: `CONN#${id}`, SK: "META" }),
  userConnection: (userId: string, id: string) => ({ PK: `USER#${userId}`, SK: `CONN#${id}` }),
  connectionSortPrefix: "CONN#",
  orderPointer: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: "META" }),
  /** The guest orders of one e-mail address (its SHA-256), oldest first. */
  guestOrderPartition: (emailHash: string) => `GUEST_EMAIL#${emailHash}`,
  guestOrder: (emailHash: string, createdAt: string, orderId: string) => ({
    PK: `GUEST_EMAIL#${emailHash}`,
    SK: `ORDER#${createdAt}#${orderId}`,
  }),
  inFlightSort: (createdAt: string, orderId: string) => `${createdAt}#${orderId}`,
  payment: (orderId: string) => ({ PK: `PAYMENT#${orderId}`, SK: "META" }),
  /** The payment started at the provider for an order: beside its payment, one per order. */
  paymentSession: (orderId: string) => ({ PK: `PAYMENT#${orderId}`, SK: "SESSION" }),
  /** A handled webhook event: one partition per event, so no delivery meets another's key. */
  paymentEvent: (eventId: string) => ({ PK: `PAYMENT_EVENT#${eventId}`, SK: "META" }),
  shopSettings: (part: "SHIPPING" | "TAX") => ({ PK: SHOP_CONFIG_PARTITION, SK: part }),
  promotionUses: (code: string) => ({ PK: `PROMOTION_USES#${code}`, SK: "TOTAL" }),
  /**
   * One customer's uses of a promotion, in the customer's own partition: under the promotion's
   * key, every shopper using one code would write one partition (the table has an LSI, so
   * DynamoDB never splits one partition key's items).
   */
  customerPromotionUses: (code: string, userId: string) => ({
    PK: `USER#${userId}`,
    SK: `PROMOTION_USES#${code}`,
  }),
  stockPartition: (productId: string) => `STOCK#${productId}`,
  stockAdjustment: (productId: string, createdAt: string, id: string) => ({
    PK: `STOCK#${productId}`,
    SK: `${keys.stockAdjustmentSortPrefix}${createdAt}#${id}`,
  }),
  stockAdjustmentSortPrefix: "ADJ#",
  /** One spread partition of an operators' list on GSI2: `ORDERS#3`, `CARTS#0`. */
  listPartition: (list: "ORDERS" | "CARTS", shard: number) => `${list}#${shard}`,
  /** One spread partition of the in-flight orders on GSI1. */
  inFlightPartition: (shard: number) => `${IN_FLIGHT_PARTITION}#${shard}`,
  /** One spread partition of the shipping queue on GSI1; sorted like the in-flight orders. */
  toShipPartition: (shard: number) => `${TO_SHIP_PARTITION}#${shard}`,
  toShipSort: (createdAt: string, orderId: string) => `${createdAt}#${orderId}`,
  /** An order's e-mail of one kind, in the partition of its order's pointer. */
  orderMail: (orderId: string, kind: string) => ({ PK: `ORDER#${orderId}`, SK: `MAIL#${kind}` }),
  orderPointerPartition: (orderId: string) => `ORDER#${orderId}`,
  orderMailSortPrefix: "MAIL#",
  /** One spread partition of the due e-mails on GSI1, sorted by when each is due. */
  mailDuePartition: (shard: number) => `${MAIL_DUE_PARTITION}#${shard}`,
  mailDueSort: (nextAttemptAt: string, id: string) => `${nextAttemptAt}#${id}`,
  /** Above the sort key of every e-mail due at `dueBy` (ids are ASCII, below U+FFFF). */
  pastMailDueAt: (dueBy: string) => `${dueBy}#\uffff`,
  /**
   * One of a product's stock items: its own partition (the table has an LSI, so DynamoDB never
   * splits one partition key's items over partitions), carrying the units and the product's
   * price and archived flag, which checkout checks there instead of on the product's item.
   */
  stockShard: (productId: string, shard: number) => ({
    PK: `PRODUCT#${productId}#STOCK#${shard}`,
    SK: "STOCK",
  }),
  /**
   * A product's comment count, rating total and latest comments: an item of its own, so that a
   * comment never rewrites the product's item (and with it the whole catalogue's one index
   * partition, `CATALOGUE`).
   */
  commentSummary: (productId: string) => ({ PK: `PRODUCT#${productId}#COMMENTS`, SK: "SUMMARY" }),
  /** One of a promotion's use counters, carrying the definition checkout checks. */
  promotionUseShard: (code: string, shard: number) => ({
    PK: `PROMOTION_USES#${code}#${shard}`,
    SK: "TOTAL",
  }),
  /** An order's place in the operators' ORDERS list (GSI2SK), newest first when read backwards. */
  allOrdersSort: (createdAt: string, orderId: string) =>
    `${keys.allOrdersSortPrefix}${createdAt}#${orderId}`,
  allOrdersSortPrefix: "",
} as const;

/**
 * Partition key prefixes only the operators' functions write (their IAM policy allows it, every
 * other function's denies it): promotion definitions, the stock trail and the shop's settings.
 */
export const OPERATOR_ONLY_PARTITIONS = ["PROMOTION#*", "STOCK#*", "SHOP_CONFIG"] as const;
