// The operators' side of the DynamoDB adapter: the whole catalogue, products written by hand, the
// stock trail, promotions, every user's orders and the figures. Their lists live in GSI2
// (table.ts): PROMOTIONS and ARCHIVED one partition each, ORDERS and CARTS spread over shards.
import {
  holdsStock,
  type ManagedProduct,
  type ManagedPromotion,
  type Order,
  type ProductFigures,
  type Promotion,
  productExists,
  productNotFound,
  promotionExists,
  promotionNotFound,
  type StockAdjustment,
  stockWouldGoNegative,
  storeUnavailable,
} from "../../domain/index.js";
import type {
  AllOrdersPageRequest,
  CreateProductCommand,
  OrderKey,
  Page,
  PageRequest,
  StockAdjustmentKey,
  UpdateProductCommand,
} from "../../services/index.js";
import { orderById } from "./checkout.js";
import {
  cartLinesOf,
  type Item,
  managedProductFrom,
  orderFrom,
  productItem,
  promotionFrom,
  promotionItem,
  stockAdjustmentFrom,
  stockAdjustmentItem,
} from "./items.js";
import { getItem, queryAll, type Table } from "./reads.js";
import { failed, isConditionFailure, transact, transactOrRefuse } from "./retries.js";
import { listPartitions, queryEveryShard, spreadPage } from "./spread-lists.js";
import { CATALOGUE_INDEX, CATALOGUE_PARTITION, keys, LISTS, OPERATOR_INDEX } from "./table.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often an adjustment reads the stock again after a checkout changed it under it. */
const ADJUST_MAX_ATTEMPTS = 10;
/** Pages a filtered list reads at most for one page of answers. */
const MAX_FILTERED_READS = 20;

/**
 * One page of a newest-first Query of a partition that holds only items whose sort key is
 * `<prefix><createdAt>#<id>`: those below `page.after`'s key (a key condition, so no item key
 * has to be rebuilt from the cursor), `limit` of them and one more to know whether another
 * page follows. A filter may need several reads for one page; past MAX_FILTERED_READS the page
 * ends short and its `next` is where the read stopped, so the next page goes on from there.
 */
async function newestFirstPage(
  table: Table,
  input: {
    IndexName?: string;
    partition: { name: string; value: string };
    sort: { name: string; prefix: string };
    FilterExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  },
  page: PageRequest<OrderKey>,
): Promise<Page<Item, OrderKey>> {
  const { partition, sort, ...rest } = input;
  const after = page.after;
  const items: Item[] = [];
  let start: Item | undefined;
  for (let reads = 0; items.length <= page.limit && reads < MAX_FILTERED_READS; reads++) {
    const answer = await table.documents.query({
      ...rest,
      TableName: table.name,
      KeyConditionExpression:
        after === undefined
          ? `${partition.name} = :partition`
          : `${partition.name} = :partition AND ${sort.name} < :after`,
      ExpressionAttributeValues: {
        ...rest.ExpressionAttributeValues,
        ":partition": partition.value,
        ...(after === undefined
          ? {}
          : { ":after": `${sort.prefix}${after.createdAt}#${after.id}` }),
      },
      ScanIndexForward: false,
      Limit: page.limit + 1 - items.length,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    items.push(...(answer.Items ?? []));
    start = answer.LastEvaluatedKey;
    if (start === undefined) break;
  }
  const shown = items.slice(0, page.limit);
  const stop = items.length > page.limit ? shown.at(-1) : start;
  return { items: shown, next: stop === undefined ? undefined : positionOf(stop, sort) };
}

/** The time and id of an item's `<prefix><createdAt>#<id>` sort key. */
function positionOf(item: Item, sort: { name: string; prefix: string }): OrderKey {
  const key = String(item[sort.name]).slice(sort.prefix.length);
  const split = key.indexOf("#");
  return { createdAt: key.slice(0, split), id: key.slice(split + 1) };
}

export async function listAllProducts(table: Table): Promise<ManagedProduct[]> {
  const [listed, archived] = await Promise.all([
    queryAll(table, {
      IndexName: CATALOGUE_INDEX,
      KeyConditionExpression: "GSI1PK = :catalogue",
      FilterExpression: "#type = :product",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION, ":product": "PRODUCT" },
    }),
    queryAll(table, {
      IndexName: OPERATOR_INDEX,
      KeyConditionExpression: "GSI2PK = :archived",
      ExpressionAttributeValues: { ":archived": LISTS.archived },
    }),
  ]);
  return [...listed, ...archived]
    .sort((a, b) => Number(a.position) - Number(b.position))
    .map(managedProductFrom);
}

export async function createProduct(
  table: Table,
  { product, adjustment }: CreateProductCommand,
): Promise<ManagedProduct> {
  // After the seeded ones, in the order they were added.
  const position = Date.now();
  await transactOrRefuse(
    table.documents,
    [
      {
        Put: {
          TableName: table.name,
          Item: productItem(product, position),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      ...(adjustment === undefined
        ? []
        : [{ Put: { TableName: table.name, Item: stockAdjustmentItem(adjustment) } }]),
    ],
    [() => productExists(product.id)],
  );
  return { ...product, archived: false };
}

async function updateManaged(
  table: Table,
  productId: string,
  update: {
    UpdateExpression: string;
    names: Record<string, string>;
    values: Record<string, unknown>;
  },
): Promise<ManagedProduct> {
  try {
    const { Attributes } = await table.documents.update({
      TableName: table.name,
      Key: keys.product(productId),
      ConditionExpression: "attribute_exists(PK)",
      UpdateExpression: update.UpdateExpression,
      ...(Object.keys(update.names).length === 0 ? {} : { ExpressionAttributeNames: update.names }),
      ...(Object.keys(update.values).length === 0
        ? {}
        : { ExpressionAttributeValues: update.values }),
      ReturnValues: "ALL_NEW",
    });
    if (Attributes === undefined) throw new Error("updating a product returned no attributes");
    return managedProductFrom(Attributes);
  } catch (error) {
    if (isConditionFailure(error)) throw productNotFound(productId);
    throw error;
  }
}

export async function updateProduct(
  table: Table,
  { id, ...changes }: UpdateProductCommand,
): Promise<ManagedProduct> {
  const set = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (set.length === 0) {
    const item = await getItem(table, keys.product(id));
    if (item === undefined) throw productNotFound(id);
    return managedProductFrom(item);
  }
  return updateManaged(table, id, {
    UpdateExpression: `SET ${set.map(([name]) => `#${name} = :${name}`).join(", ")}`,
    names: Object.fromEntries(set.map(([name]) => [`#${name}`, name])),
    values: Object.fromEntries(set.map(([name, value]) => [`:${name}`, value])),
  });
}

/** Out of the catalogue index (so out of `GET /products`), into the operators' ARCHIVED list. */
export function archiveProduct(table: Table, productId: string): Promise<ManagedProduct> {
  return updateManaged(table, productId, {
    UpdateExpression:
      "SET #archived = :true, GSI2PK = :archived, GSI2SK = :sort REMOVE GSI1PK, GSI1SK",
    names: { "#archived": "archived" },
    values: { ":true": true, ":archived": LISTS.archived, ":sort": `PRODUCT#${productId}` },
  });
}

/**
 * Reads the stock, then writes stock + delta conditional on the stock still being what was
 * read, with the adjustment (and the stock after it) in the same transaction. A checkout that
 * took units in between fails the condition: read again and retry, so no unit is ever lost.
 */
export async function adjustStock(
  table: Table,
  adjustment: Omit<StockAdjustment, "stockAfter">,
): Promise<StockAdjustment> {
  for (let attempt = 0; attempt < ADJUST_MAX_ATTEMPTS; attempt++) {
    const product = await getItem(table, keys.product(adjustment.productId));
    if (product === undefined) throw productNotFound(adjustment.productId);
    const stock = Number(product.stock);
    const stockAfter = stock + adjustment.delta;
    if (stockAfter < 0) throw stockWouldGoNegative(adjustment.productId, stock, adjustment.delta);
    const recorded: StockAdjustment = { ...adjustment, stockAfter };
    const outcome = await transact(table.documents, [
      {
        Update: {
          TableName: table.name,
          Key: keys.product(adjustment.productId),
          ConditionExpression: "#stock = :read",
          UpdateExpression: "SET #stock = :after",
          ExpressionAttributeNames: { "#stock": "stock" },
          ExpressionAttributeValues: { ":read": stock, ":after": stockAfter },
        },
      },
      {
        Put: {
          TableName: table.name,
          Item: stockAdjustmentItem(recorded),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ]);
    if (outcome.written) return recorded;
    if (!outcome.contended && !failed(outcome.reasons[0])) throw outcome.error;
  }
  throw storeUnavailable(new Error("the stock kept changing under the adjustment"));
}

export async function listStockAdjustments(
  table: Table,
  productId: string,
  page: PageRequest<StockAdjustmentKey>,
): Promise<Page<StockAdjustment, StockAdjustmentKey>> {
  const trail = await newestFirstPage(
    table,
    {
      partition: { name: "PK", value: keys.stockPartition(productId) },
      sort: { name: "SK", prefix: keys.stockAdjustmentSortPrefix },
    },
    page,
  );
  return { items: trail.items.map(stockAdjustmentFrom), next: trail.next };
}

export async function listPromotions(table: Table): Promise<ManagedPromotion[]> {
  const items = await queryAll(table, {
    IndexName: OPERATOR_INDEX,
    KeyConditionExpression: "GSI2PK = :promotions",
    ExpressionAttributeValues: { ":promotions": LISTS.promotions },
  });
  const promotions = items.map(promotionFrom).sort((a, b) => a.code.localeCompare(b.code));
  return Promise.all(promotions.map((promotion) => withUses(table, promotion)));
}

async function withUses(table: Table, promotion: Promotion): Promise<ManagedPromotion> {
  const counter = await getItem(table, keys.promotionUses(promotion.code));
  return { ...promotion, uses: Number(counter?.uses ?? 0) };
}

export async function savePromotion(
  table: Table,
  promotion: Promotion,
  mode: "create" | "update",
): Promise<ManagedPromotion> {
  try {
    await table.documents.put({
      TableName: table.name,
      Item: promotionItem(promotion),
      ConditionExpression: mode === "create" ? "attribute_not_exists(PK)" : "attribute_exists(PK)",
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw mode === "create" ? promotionExists(promotion.code) : promotionNotFound(promotion.code);
  }
  return withUses(table, promotion);
}

/**
 * A page of every user's orders, newest first: the ORDERS list is spread over
 * `layout.listShards` partitions of GSI2, so a page is one Query per shard (spread-lists.ts),
 * the next one a key condition below the page's last `createdAt#id` on every shard.
 */
export async function listAllOrders(
  table: Table,
  page: AllOrdersPageRequest,
): Promise<Page<Order, OrderKey>> {
  const { status, after } = page;
  const sort = { name: "GSI2SK", prefix: keys.allOrdersSortPrefix };
  const orders = await spreadPage(
    table,
    {
      index: { name: OPERATOR_INDEX, partitionKey: "GSI2PK", sortKey: sort.name },
      partitions: listPartitions(LISTS.orders, table.layout.listShards),
      descending: true,
      below: after === undefined ? undefined : keys.allOrdersSort(after.createdAt, after.id),
      filter:
        status === undefined
          ? undefined
          : {
              expression: "#status = :status",
              names: { "#status": "status" },
              values: { ":status": status },
            },
    },
    page.limit,
  );
  return {
    items: orders.items.map(orderFrom),
    next: orders.next === undefined ? undefined : positionOf(orders.next, sort),
  };
}

export async function findOrder(table: Table, orderId: string): Promise<Order | undefined> {
  const pointer = await getItem(table, keys.orderPointer(orderId));
  if (typeof pointer?.userId !== "string") return undefined;
  return orderById(table, pointer.userId, orderId);
}

/**
 * Read-time sums over the operators' index: every cart with lines (CARTS) and a week of orders
 * (ORDERS from a week ago), each one Query per shard of the list at least. No counter is
 * written on a cart save or a checkout; what it costs is the index's copy of each cart and
 * order item (docs/operators.md).
 */
export async function productFigures(table: Table, now: Date): Promise<ProductFigures[]> {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS).toISOString();
  const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const [products, carts, orders] = await Promise.all([
    listAllProducts(table),
    queryEveryShard(table, listPartitions(LISTS.carts, table.layout.listShards), (carts) => ({
      IndexName: OPERATOR_INDEX,
      KeyConditionExpression: "GSI2PK = :carts",
      ExpressionAttributeValues: { ":carts": carts },
    })),
    queryEveryShard(table, listPartitions(LISTS.orders, table.layout.listShards), (orders) => ({
      IndexName: OPERATOR_INDEX,
      KeyConditionExpression: "GSI2PK = :orders AND GSI2SK >= :weekAgo",
      ExpressionAttributeValues: { ":orders": orders, ":weekAgo": weekAgo },
    })),
  ]);
  const figures = new Map<string, ProductFigures>();
  for (const product of products) {
    if (product.archived) continue;
    figures.set(product.id, {
      productId: product.id,
      unitsInCarts: 0,
      unitsSold24h: 0,
      unitsSold7d: 0,
    });
  }
  for (const cart of carts) {
    // A guest cart past its expiry is gone, whether or not TTL has deleted it yet.
    if (cart.expiresAt !== undefined && Number(cart.expiresAt) <= nowSeconds) continue;
    for (const line of cartLinesOf((cart.lines ?? []) as Parameters<typeof cartLinesOf>[0])) {
      const entry = figures.get(line.productId);
      if (entry !== undefined) entry.unitsInCarts += Number(line.quantity);
    }
  }
  for (const item of orders) {
    const order = orderFrom(item);
    if (!holdsStock(order.status)) continue;
    for (const line of order.lines) {
      const entry = figures.get(line.productId);
      if (entry === undefined) continue;
      entry.unitsSold7d += Number(line.quantity);
      if (order.createdAt >= dayAgo) entry.unitsSold24h += Number(line.quantity);
    }
  }
  return [...figures.values()];
}
