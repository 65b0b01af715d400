import { setTimeout as sleep } from "node:timers/promises";
import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs } from "../../aws/aws-http.js";
import { type Product, type ProductWithComments, storeUnavailable } from "../../domain/index.js";
import type { DynamoDbDocuments } from "./documents.js";
import { catalogueProductFrom, type Item, isArchived, productFrom } from "./items.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, keys, type TableLayout } from "./table.js";

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

/** One item by key, strongly consistent. */
export async function getItem(
  table: Table,
  key: Record<string, string>,
): Promise<Item | undefined> {
  const { Item } = await table.documents.get({
    TableName: table.name,
    Key: key,
    ConsistentRead: true,
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
  const found = new Map<string, Item>();
  for (let start = 0; start < distinct.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = distinct.slice(start, start + BATCH_GET_MAX_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_MAX_ATTEMPTS) {
        throw storeUnavailable(new Error("BatchGetItem left keys unprocessed after every retry"));
      }
      if (attempt > 0) await sleep(backoffMs(attempt, BATCH_BASE_DELAY_MS, BATCH_MAX_DELAY_MS));
      const { Responses, UnprocessedKeys } = await table.documents.batchGet({
        RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } },
      });
      for (const item of Responses?.[table.name] ?? []) found.set(id(item), item);
      pending = UnprocessedKeys?.[table.name]?.Keys ?? [];
    }
  }
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

/** One BatchGetItem per 100 distinct ids, unprocessed keys retried; in the order of `ids`. */
export async function productsByIds(table: Table, ids: readonly string[]): Promise<Product[]> {
  const wanted = [...new Set(ids)];
  const byId = new Map<string, Product>();
  for (let start = 0; start < wanted.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = wanted
      .slice(start, start + BATCH_GET_MAX_KEYS)
      .map((id) => keys.product(id));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_MAX_ATTEMPTS) {
        throw storeUnavailable(new Error("BatchGetItem left keys unprocessed after every retry"));
      }
      if (attempt > 0) await sleep(backoffMs(attempt, BATCH_BASE_DELAY_MS, BATCH_MAX_DELAY_MS));
      const { Responses, UnprocessedKeys } = await table.documents.batchGet({
        RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } },
      });
      for (const item of Responses?.[table.name] ?? []) {
        // Archived products are out of the catalogue: carts and checkout no longer see them.
        if (isArchived(item)) continue;
        const product = productFrom(item);
        byId.set(product.id, product);
      }
      pending = UnprocessedKeys?.[table.name]?.Keys ?? [];
    }
  }
  return wanted.flatMap((id) => byId.get(id) ?? []);
}

/** Every product with its comment summary: one Query of the catalogue index, page after page. */
export async function listProducts(table: Table): Promise<ProductWithComments[]> {
  const all = await queryAll(table, {
    IndexName: CATALOGUE_INDEX,
    KeyConditionExpression: "GSI1PK = :catalogue",
    ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
  });
  return all
    .filter((item) => item.type === "PRODUCT")
    .sort((a, b) => Number(a.position) - Number(b.position) || compareIds(a, b))
    .map(catalogueProductFrom);
}

const compareIds = (a: Item, b: Item): number => String(a.id).localeCompare(String(b.id));

/** One product with its comment summary: one GetItem, however many comments it has. */
export async function getProduct(
  table: Table,
  id: string,
): Promise<ProductWithComments | undefined> {
  const item = await getItem(table, keys.product(id));
  return item === undefined || isArchived(item) ? undefined : catalogueProductFrom(item);
}
