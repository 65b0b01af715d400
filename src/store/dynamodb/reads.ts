import { setTimeout as sleep } from "node:timers/promises";
import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs } from "../../aws/aws-http.js";
import { type Product, type ProductWithComments, storeUnavailable } from "../../domain/index.js";
import type { DynamoDbDocuments } from "./documents.js";
import { type HotReads, hotReadsOf } from "./hot-reads.js";
import {
  catalogueProductFrom,
  type Item,
  isArchived,
  productFrom,
  withCommentSummary,
} from "./items.js";
import { type ShardedStock, stockShardsOf, totalOf } from "./stock.js";
import {
  CATALOGUE_INDEX,
  CATALOGUE_PARTITION,
  keys,
  shardNumbers,
  type TableLayout,
} from "./table.js";

/** The table the store works on, as each of its parts is handed it. */
export interface Table {
  readonly documents: DynamoDbDocuments;
  readonly name: string;
  /** How the table's hot keys are spread (table.ts). */
  readonly layout: TableLayout;
}

const BATCH_GET_MAX_KEYS = 100;
const BATCH_MAX_ATTEMPTS = 8;
const BATCH_BASE_DELAY_MS = 50;
const BATCH_MAX_DELAY_MS = 2_000;

/** One item by key, strongly consistent unless asked otherwise. */
export async function getItem(
  table: Table,
  key: Record<string, string>,
  consistent = true,
): Promise<Item | undefined> {
  const { Item } = await table.documents.get({
    TableName: table.name,
    Key: key,
    ConsistentRead: consistent,
  });
  return Item;
}

/**
 * Items by key, strongly consistent, in the order of `wanted` (undefined where there is none): one
 * BatchGetItem per 100 keys, unprocessed keys retried.
 */
export async function getItems(
  table: Table,
  wanted: readonly Record<string, string>[],
): Promise<(Item | undefined)[]> {
  const id = (key: Record<string, unknown>) => `${String(key.PK)}\n${String(key.SK)}`;
  // BatchGetItem refuses a request that names one key twice.
  const distinct = [...new Map(wanted.map((key) => [id(key), key])).values()];
  const found = new Map((await batchGetItems(table, distinct, true)).map((i) => [id(i), i]));
  return wanted.map((key) => found.get(id(key)));
}

/** Every item a Query finds, page after page. */
export async function queryAll(
  table: Table,
  input: Omit<QueryCommandInput, "TableName">,
): Promise<Item[]> {
  const all: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.documents.query({
      ...input,
      TableName: table.name,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    all.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return all;
}

/**
 * Every item of `keys` that exists, in BatchGetItem calls of 100 keys, unprocessed keys retried
 * with backoff; in no particular order.
 */
export async function batchGetItems(
  table: Table,
  itemKeys: readonly Record<string, unknown>[],
  consistent: boolean,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < itemKeys.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = itemKeys.slice(start, start + BATCH_GET_MAX_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_MAX_ATTEMPTS) {
        throw storeUnavailable(new Error("BatchGetItem left keys unprocessed after every retry"));
      }
      if (attempt > 0) await sleep(backoffMs(attempt, BATCH_BASE_DELAY_MS, BATCH_MAX_DELAY_MS));
      const { Responses, UnprocessedKeys } = await table.documents.batchGet({
        RequestItems: { [table.name]: { Keys: pending, ConsistentRead: consistent } },
      });
      found.push(...(Responses?.[table.name] ?? []));
      pending = UnprocessedKeys?.[table.name]?.Keys ?? [];
    }
  }
  return found;
}

/**
 * The stock of each product item given, read from its shards (or, for an item written before
 * sharding, from the item itself), and the items of `alsoRead`, by partition key: one
 * BatchGetItem for them all.
 */
async function stockAnd(
  table: Table,
  products: readonly Item[],
  consistent: boolean,
  alsoRead: readonly Record<string, string>[],
): Promise<{ stocks: Map<string, ShardedStock>; also: Map<string, Item> }> {
  // One product listed twice (the catalogue's index and the archived list catching up at
  // different speeds) must not name its keys twice: BatchGetItem refuses that.
  const sharded = [
    ...new Map(
      products
        .filter((product) => stockShardsOf(product) > 0)
        .map((product) => [String(product.id), product]),
    ).values(),
  ];
  const read = await batchGetItems(
    table,
    [
      ...sharded.flatMap((product) =>
        shardNumbers(stockShardsOf(product)).map((shard) =>
          keys.stockShard(String(product.id), shard),
        ),
      ),
      ...new Map(alsoRead.map((key) => [`${key.PK}\n${key.SK}`, key])).values(),
    ],
    consistent,
  );
  const shardItems = read.filter((item) => item.type === "STOCK_SHARD");
  const also = new Map(
    read.filter((item) => item.type !== "STOCK_SHARD").map((item) => [String(item.PK), item]),
  );
  const byKey = new Map(shardItems.map((item) => [String(item.PK), Number(item.units ?? 0)]));
  const stocks = new Map<string, ShardedStock>();
  for (const product of products) {
    const id = String(product.id);
    const shards = stockShardsOf(product);
    stocks.set(
      id,
      shards === 0
        ? { shards: 0, units: [Number(product.stock ?? 0)] }
        : {
            shards,
            units: shardNumbers(shards).map(
              (shard) => byKey.get(keys.stockShard(id, shard).PK) ?? 0,
            ),
          },
    );
  }
  return { stocks, also };
}

/**
 * The items of `products` with their `stock` as their shards say and, with `comments`, their
 * comment summary from its item (`keys.commentSummary`), in the same BatchGetItem. A product
 * from before summaries had items of their own keeps the one on its item until it has one.
 */
export async function withStock(
  table: Table,
  products: readonly Item[],
  consistent: boolean,
  comments = false,
): Promise<Item[]> {
  const { stocks, also } = await stockAnd(
    table,
    products,
    consistent,
    comments ? products.map((product) => keys.commentSummary(String(product.id))) : [],
  );
  hintStock(table, stocks);
  return products.map((product) => {
    const id = String(product.id);
    const stock = stocks.get(id);
    return withCommentSummary(
      stock === undefined || stock.shards === 0 ? product : { ...product, stock: totalOf(stock) },
      also.get(keys.commentSummary(id).PK),
    );
  });
}

/**
 * What this process keeps of products whose stock is split over more than one shard (hot-reads.ts):
 * such a product is one an operator made ready for a rush, and every shopper's cart and checkout
 * would read its item and its shards. It counts its own takes and returns in what it keeps, and
 * forgets a product it changed otherwise.
 */
const hotProducts = new WeakMap<Table, HotReads<Item>>();

/**
 * Counts a change this process made to a product's stock (`delta` units on `shard`, -1 for the
 * product's own item) in what it keeps of it, so that it reads its own writes at once: a
 * checkout's takes, a failed order's stock given back.
 */
export function noteStockChange(
  table: Table,
  productId: string,
  shard: number,
  delta: number,
): void {
  const counted = (item: Item): Item => ({ ...item, stock: Number(item.stock ?? 0) + delta });
  hotReadsOf(hotProducts, table).changed(productId, counted);
  updateCataloguePages(table, productId, counted);
  const hint = stockHints.get(table)?.get(productId);
  const index = Math.max(shard, 0);
  if (hint !== undefined && index < hint.units.length) {
    hint.units[index] = (hint.units[index] ?? 0) + delta;
  }
}

/**
 * Drops what this process keeps of a product, and of the catalogue's pages: after its own
 * writes of the product's item (its price, name, archived flag or comments) or its stock.
 */
export function forgetProduct(table: Table, productId: string): void {
  hotReadsOf(hotProducts, table).changed(productId);
  hotReadsOf(cataloguePages, table).changedAll();
}

/**
 * Applies a write of this process to one product (its stock taken or given back, a comment) to
 * the catalogue pages it keeps, so that a rush of checkouts and comments does not empty them.
 */
export function updateCataloguePages(
  table: Table,
  productId: string,
  update: (product: Item) => Item,
): void {
  hotReadsOf(cataloguePages, table).updateAll((page) => ({
    ...page,
    items: page.items.map((item) => (item.id === productId ? update(item) : item)),
  }));
}

/**
 * What this process keeps of the catalogue's pages (the products' items with their stock and
 * comment summaries): every shopper's first page reads the same keys, one partition of the
 * catalogue index (`CATALOGUE`) and the first products' stock and summary items, about 3,000
 * read units a second each; kept for a second, they are read at most once a second per process.
 * The index is eventually consistent anyway. This process's checkouts and comments are applied
 * to the pages it keeps; its operators' writes drop them.
 */
export const cataloguePages = new WeakMap<Table, HotReads<CataloguePage>>();

/** One page of the catalogue as read: its products' items (stock and summary added), and where the Query stopped. */
export interface CataloguePage {
  items: Item[];
  last: Item | undefined;
}

/** What this process last read of each product's shards: where checkout first looks for stock. */
const stockHints = new WeakMap<Table, Map<string, ShardedStock>>();

/** The shards of a product as this process last read them, if it did. */
export function stockHint(table: Table, productId: string): ShardedStock | undefined {
  return stockHints.get(table)?.get(productId);
}

function hintStock(table: Table, stocks: ReadonlyMap<string, ShardedStock>): void {
  let hints = stockHints.get(table);
  if (hints === undefined) {
    hints = new Map();
    stockHints.set(table, hints);
  }
  for (const [id, stock] of stocks) hints.set(id, stock);
}

/**
 * The product items of `ids` as they are now (strongly consistent) with their shards' units:
 * what checkout plans its takes with when its first plan failed.
 */
export async function freshStock(
  table: Table,
  ids: readonly string[],
): Promise<Map<string, { item: Item; stock: ShardedStock }>> {
  const items = await batchGetItems(
    table,
    [...new Set(ids)].map((id) => keys.product(id)),
    true,
  );
  const { stocks } = await stockAnd(table, items, true, []);
  hintStock(table, stocks);
  const fresh = new Map<string, { item: Item; stock: ShardedStock }>();
  for (const item of items) {
    const stock = stocks.get(String(item.id));
    if (stock !== undefined) fresh.set(String(item.id), { item, stock });
  }
  return fresh;
}

/**
 * The product items of `ids` (archived ones included), each `stock` added up from its shards:
 * one BatchGetItem (or GetItem) for the items, one for their shards. Strongly consistent; with
 * `fresh` off (a cart's pricing, a product's page), eventually consistent, at half the read
 * units, and a product split over more than one shard may come from this process's last second
 * of reads: checkout's conditions on the stock shards check the price and stock it was given.
 */
export async function productItemsByIds(
  table: Table,
  ids: readonly string[],
  fresh = true,
): Promise<Map<string, Item>> {
  const hot = hotReadsOf(hotProducts, table);
  const byId = new Map<string, Item>();
  const wanted: string[] = [];
  const marks = new Map<string, string>();
  for (const id of new Set(ids)) {
    marks.set(id, hot.mark(id));
    const kept = fresh ? undefined : hot.get(id);
    if (kept === undefined) wanted.push(id);
    else byId.set(id, kept);
  }
  const [only] = wanted;
  const read: Item[] =
    wanted.length === 1 && only !== undefined
      ? [await getItem(table, keys.product(only), fresh)].flatMap((item): Item[] =>
          item === undefined ? [] : [item],
        )
      : await batchGetItems(
          table,
          wanted.map((id) => keys.product(id)),
          fresh,
        );
  for (const item of await withStock(table, read, fresh)) {
    byId.set(String(item.id), item);
    const id = String(item.id);
    const mark = marks.get(id);
    if (stockShardsOf(item) > 1 && mark !== undefined) hot.keep(id, item, mark);
  }
  return byId;
}

/** The products of `ids` still in the catalogue, in the order of `ids`. */
export async function productsByIds(
  table: Table,
  ids: readonly string[],
  fresh = false,
): Promise<Product[]> {
  const byId = await productItemsByIds(table, ids, fresh);
  // Archived products are out of the catalogue: carts and checkout no longer see them.
  return [...new Set(ids)].flatMap((id) => {
    const item = byId.get(id);
    return item === undefined || isArchived(item) ? [] : [productFrom(item)];
  });
}

/** Every product with its comment summary: one Query of the catalogue index, page after page. */
export async function listProducts(table: Table): Promise<ProductWithComments[]> {
  const all = await queryAll(table, {
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :catalogue",
    ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
  });
  const products = await withStock(
    table,
    all.filter((item) => item.type === "PRODUCT"),
    false,
    true,
  );
  return products
    .sort((a, b) => Number(a.position) - Number(b.position) || compareIds(a, b))
    .map(catalogueProductFrom);
}

const compareIds = (a: Item, b: Item): number => String(a.id).localeCompare(String(b.id));

/**
 * One product with its comment summary, however many comments it has: its item and stock, and
 * its summary item read alongside (eventually consistent).
 */
export async function getProduct(
  table: Table,
  id: string,
): Promise<ProductWithComments | undefined> {
  const [item, summary] = await Promise.all([
    productItemsByIds(table, [id], false).then((items) => items.get(id)),
    getItem(table, keys.commentSummary(id), false),
  ]);
  if (item === undefined || isArchived(item)) return undefined;
  return catalogueProductFrom(withCommentSummary(item, summary));
}
