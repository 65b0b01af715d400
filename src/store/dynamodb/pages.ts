import type { Order, ProductWithComments } from "../../domain/index.js";
import type { OrderKey, Page, PageRequest } from "../../services/index.js";
import { commentFrom, type Item, orderFrom, productFrom } from "./items.js";
import { getProduct, type Table } from "./reads.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, keys, ORDERS_INDEX } from "./table.js";

/** The most items one page reads over its Queries (DynamoDB stops each at 1 MB anyway). */
const MAX_ITEMS_PER_PAGE = 1_000;

/**
 * One page of the catalogue; it reads at most about one page of items it does not return,
 * whatever the catalogue's size. The index sorts a product's item just before its comments
 * (`PRODUCT#id`, `PRODUCT#id#COMMENT#…`), so the page after product `id` starts past every item
 * of its group, and a Query's `Limit` counts products and comments alike. The first Query reads
 * room for the page's products, as many comments again, and the next product's item (which
 * says the page's last product is whole and more follow): one Query, unless comments fill it.
 * Then the read goes on where it stopped, sized by the items per product read so far. A product
 * whose comments the read cut short is left to the next page; only a first product with more
 * comments than the whole read is finished with a Query of its own partition.
 */
export async function productPage(
  table: Table,
  page: PageRequest<string>,
): Promise<Page<ProductWithComments, string>> {
  const after = page.after;
  const groups: ProductWithComments[] = [];
  // Archiving takes a product's own item out of the index but leaves its comments there: a
  // comment joins the group before it only when it is that product's.
  let lastProductId: string | undefined;
  let itemsRead = 0;
  let start: Record<string, unknown> | undefined;
  let limit = Math.min(2 * page.limit + 1, MAX_ITEMS_PER_PAGE);
  let cut: boolean;
  for (;;) {
    const { Items = [], LastEvaluatedKey } = await table.documents.query({
      TableName: table.name,
      IndexName: CATALOGUE_INDEX,
      KeyConditionExpression:
        after === undefined ? "GSI1PK = :catalogue" : "GSI1PK = :catalogue AND GSI1SK > :after",
      ExpressionAttributeValues: {
        ":catalogue": CATALOGUE_PARTITION,
        ...(after === undefined ? {} : { ":after": keys.pastProductGroup(after) }),
      },
      Limit: limit,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    itemsRead += Items.length;
    for (const item of Items) {
      if (item.type === "PRODUCT") {
        const product = productFrom(item);
        groups.push({ ...product, comments: [] });
        lastProductId = product.id;
      } else if (item.type === "COMMENT") {
        const comment = commentFrom(item);
        lastProductId = comment.productId;
        const group = groups.at(-1);
        if (group?.id === comment.productId) group.comments.push(comment);
      }
    }
    cut = LastEvaluatedKey !== undefined;
    // A product begun past the page's last one: every product before it is whole.
    if (!cut || groups.length > page.limit || itemsRead >= MAX_ITEMS_PER_PAGE) break;
    start = LastEvaluatedKey;
    // Only an archived product's comments so far: nothing to go by but the first read's guess.
    const itemsPerProduct = groups.length === 0 ? 2 : itemsRead / groups.length;
    limit = Math.min(
      Math.ceil((page.limit + 1 - groups.length) * itemsPerProduct) + 1,
      MAX_ITEMS_PER_PAGE - itemsRead,
    );
  }
  // The last group is whole only when the read reached the end of the index.
  const whole = cut ? groups.slice(0, -1) : groups;
  // A read of an archived product's comments only: the next page goes on past them.
  if (groups.length === 0 && cut) return { items: [], next: lastProductId };
  if (whole.length === 0 && cut) {
    const first = groups[0];
    const product = first === undefined ? undefined : await getProduct(table, first.id);
    return product === undefined
      ? { items: [], next: undefined }
      : { items: [product], next: product.id };
  }
  const items = whole.slice(0, page.limit);
  const more = cut || whole.length > page.limit;
  return { items, next: more ? items.at(-1)?.id : undefined };
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
