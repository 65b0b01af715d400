import type { Order, ProductWithComments } from "../../domain/index.js";
import type { OrderKey, Page, PageRequest } from "../../services/index.js";
import { hotReadsOf } from "./hot-reads.js";
import { catalogueProductFrom, type Item, orderFrom } from "./items.js";
import { cataloguePages, type Table, withStock } from "./reads.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, keys, ORDERS_INDEX } from "./table.js";

/**
 * One page of the catalogue in ONE Query of the catalogue index and one BatchGetItem of the
 * page's stock and comment summary items (eventually consistent), whatever the catalogue's size
 * and however many comments its products have: the index holds the products' items only, so the
 * read stops at the page (and one more product, to know whether more follow). A comment an
 * older version wrote into the index (until `migrateComments` moves it out) is skipped, and
 * ends a page early at worst. Every shopper's first page reads the same keys (the index's one
 * partition, the first products' stock and summaries), so a process keeps a page it read for a
 * second (reads.ts `cataloguePages`), and forgets them all on its own writes to any product.
 */
export async function productPage(
  table: Table,
  page: PageRequest<string>,
): Promise<Page<ProductWithComments, string>> {
  const after = page.after;
  const hot = hotReadsOf(cataloguePages, table);
  const pageKey = `${page.limit}\n${after ?? ""}`;
  let read = hot.get(pageKey);
  if (read === undefined) {
    const mark = hot.mark(pageKey);
    const { Items = [], LastEvaluatedKey } = await table.documents.query({
      TableName: table.name,
      IndexName: CATALOGUE_INDEX,
      KeyConditionExpression:
        after === undefined ? "GSI1PK = :catalogue" : "GSI1PK = :catalogue AND GSI1SK > :after",
      ExpressionAttributeValues: {
        ":catalogue": CATALOGUE_PARTITION,
        ...(after === undefined ? {} : { ":after": keys.pastProductGroup(after) }),
      },
      Limit: page.limit + 1,
    });
    const items = await withStock(
      table,
      Items.filter((item) => item.type === "PRODUCT"),
      false,
      true,
    );
    read = { items, last: LastEvaluatedKey };
    hot.keep(pageKey, read, mark);
  }
  const products = read.items.map(catalogueProductFrom);
  const items = products.slice(0, page.limit);
  const last = items.at(-1)?.id ?? lastProductIdOf(read.last);
  const more = products.length > page.limit || read.last !== undefined;
  return { items, next: more ? last : undefined };
}

/** The product a catalogue key (its own or an old comment's) belongs to. */
function lastProductIdOf(key: Item | undefined): string | undefined {
  const sort = key?.GSI1SK;
  return typeof sort === "string" ? sort.split("#")[1] : undefined;
}

/**
 * One page of a user's orders, newest first: ONE strongly consistent Query of the orders index
 * read backwards, `Limit` one more than the page (to know whether more follow) and
 * `ExclusiveStartKey` rebuilt from the last order of the page before.
 */
export async function orderPage(
  table: Table,
  userId: string,
  page: PageRequest<OrderKey>,
): Promise<Page<Order, OrderKey>> {
  const after = page.after;
  const start: Item | undefined =
    after === undefined
      ? undefined
      : { ...keys.order(userId, after.id), LSI1SK: keys.orderTimeSort(after.createdAt, after.id) };
  const { Items = [], LastEvaluatedKey } = await table.documents.query({
    TableName: table.name,
    IndexName: ORDERS_INDEX,
    KeyConditionExpression: "PK = :pk AND begins_with(LSI1SK, :order)",
    ExpressionAttributeValues: { ":pk": keys.userPartition(userId), ":order": "ORDER#" },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: page.limit + 1,
    ...(start === undefined ? {} : { ExclusiveStartKey: start }),
  });
  const items = Items.slice(0, page.limit).map(orderFrom);
  const last = items.at(-1);
  // 1 MB can end a read before the limit: then the next page goes on from the last order read.
  const more = Items.length > page.limit || LastEvaluatedKey !== undefined;
  return {
    items,
    next: more && last !== undefined ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}
