// The operators' side of the DynamoDB adapter: the whole catalogue, products written by hand, the
// stock trail, every user's orders and the figures; promotions are promotions.ts's. Their lists
// live in GSI2 (table.ts): ARCHIVED one partition, ORDERS and CARTS spread over shards.
import {
  holdsStock,
  type ManagedProduct,
  type Order,
  type ProductFigures,
  productExists,
  productNotFound,
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
  stockAdjustmentFrom,
  stockAdjustmentItem,
} from "./items.js";
import {
  forgetProduct,
  freshStock,
  getItem,
  productItemsByIds,
  queryAll,
  type Table,
  withStock,
} from "./reads.js";
import { failed, transact, transactOrRefuse } from "./retries.js";
import { listPartitions, queryEveryShard, spreadPage } from "./spread-lists.js";
import {
  checkShardCount,
  newStockItems,
  plannedTakes,
  type ShardedStock,
  splitUnits,
  stockShardItem,
  stockShardsOf,
  totalOf,
} from "./stock.js";
import {
  CATALOGUE_INDEX,
  CATALOGUE_PARTITION,
  keys,
  LISTS,
  OPERATOR_INDEX,
  shardNumbers,
} from "./table.js";

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
  return (await withStock(table, [...listed, ...archived], false))
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
          Item: productItem(product, position, table.layout.stockShards),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      ...newStockItems(product, table.layout.stockShards).map((Item) => ({
        Put: { TableName: table.name, Item, ConditionExpression: "attribute_not_exists(PK)" },
      })),
      ...(adjustment === undefined
        ? []
        : [{ Put: { TableName: table.name, Item: stockAdjustmentItem(adjustment) } }]),
    ],
    [() => productExists(product.id)],
  );
  forgetProduct(table, product.id);
  return { ...product, archived: false };
}

/** An update of a product's attributes, as UpdateItem takes it. */
interface AttributeUpdate {
  UpdateExpression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const expressionOf = ({ UpdateExpression, names, values }: AttributeUpdate) => ({
  UpdateExpression,
  ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
  ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
});

/**
 * Updates a product's item and, with `onShards`, each of its stock items in the same
 * transaction (the price and the archived flag checkout checks there), conditional on the
 * shard count read: a re-split in between makes it read again.
 */
async function updateManaged(
  table: Table,
  productId: string,
  update: AttributeUpdate,
  onShards?: AttributeUpdate,
): Promise<ManagedProduct> {
  for (let attempt = 0; attempt < ADJUST_MAX_ATTEMPTS; attempt++) {
    const item = await getItem(table, keys.product(productId));
    if (item === undefined) throw productNotFound(productId);
    const shards = stockShardsOf(item);
    const outcome = await transact(table.documents, [
      {
        Update: {
          TableName: table.name,
          Key: keys.product(productId),
          ...expressionOf({
            ...update,
            values: { ...update.values, ":shards": shards },
          }),
          ConditionExpression:
            shards === 0
              ? "attribute_exists(PK) AND (attribute_not_exists(stockShards) OR stockShards = :shards)"
              : "stockShards = :shards",
        },
      },
      ...(onShards === undefined
        ? []
        : shardNumbers(shards).map((shard) => ({
            Update: {
              TableName: table.name,
              Key: keys.stockShard(productId, shard),
              ConditionExpression: "attribute_exists(PK)",
              ...expressionOf(onShards),
            },
          }))),
    ]);
    if (outcome.written) {
      forgetProduct(table, productId);
      const after = (await productItemsByIds(table, [productId])).get(productId);
      if (after === undefined) throw productNotFound(productId);
      return managedProductFrom(after);
    }
    if (!outcome.contended && !failed(outcome.reasons[0])) throw outcome.error;
  }
  throw storeUnavailable(new Error("the product's stock kept being re-split under the update"));
}

export async function updateProduct(
  table: Table,
  { id, ...changes }: UpdateProductCommand,
): Promise<ManagedProduct> {
  const set = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (set.length === 0) {
    const item = (await productItemsByIds(table, [id])).get(id);
    if (item === undefined) throw productNotFound(id);
    return managedProductFrom(item);
  }
  return updateManaged(
    table,
    id,
    {
      UpdateExpression: `SET ${set.map(([name]) => `#${name} = :${name}`).join(", ")}`,
      names: Object.fromEntries(set.map(([name]) => [`#${name}`, name])),
      values: Object.fromEntries(set.map(([name, value]) => [`:${name}`, value])),
    },
    changes.priceCents === undefined
      ? undefined
      : {
          UpdateExpression: "SET #price = :price",
          names: { "#price": "priceCents" },
          values: { ":price": changes.priceCents },
        },
  );
}

/** Out of the catalogue index (so out of `GET /products`), into the operators' ARCHIVED list. */
export function archiveProduct(table: Table, productId: string): Promise<ManagedProduct> {
  return updateManaged(
    table,
    productId,
    {
      UpdateExpression:
        "SET #archived = :true, GSI2PK = :archived, GSI2SK = :sort REMOVE GSI1PK, GSI1SK",
      names: { "#archived": "archived" },
      values: { ":true": true, ":archived": LISTS.archived, ":sort": `PRODUCT#${productId}` },
    },
    {
      UpdateExpression: "SET #archived = :true",
      names: { "#archived": "archived" },
      values: { ":true": true },
    },
  );
}

/**
 * Reads the stock (every shard of it), then writes stock + delta conditional on each shard
 * still holding what was read, with the adjustment (and the stock after it) in the same
 * transaction. A checkout that took units in between fails the condition: read again and retry,
 * so no unit is ever lost. Units added are dealt out over the shards; units removed come from
 * the fullest ones.
 */
export async function adjustStock(
  table: Table,
  adjustment: Omit<StockAdjustment, "stockAfter">,
): Promise<StockAdjustment> {
  const { productId, delta } = adjustment;
  for (let attempt = 0; attempt < ADJUST_MAX_ATTEMPTS; attempt++) {
    const now = (await freshStock(table, [productId])).get(productId);
    if (now === undefined) throw productNotFound(productId);
    const stock = totalOf(now.stock);
    const stockAfter = stock + delta;
    if (stockAfter < 0) throw stockWouldGoNegative(productId, stock, delta);
    const recorded: StockAdjustment = { ...adjustment, stockAfter };
    const outcome = await transact(table.documents, [
      ...stockWrites(table, productId, now.stock, unitsAfter(now.stock, delta)),
      {
        Put: {
          TableName: table.name,
          Item: stockAdjustmentItem(recorded),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ]);
    if (outcome.written) {
      forgetProduct(table, productId);
      return recorded;
    }
    const stockReasons = outcome.reasons.slice(0, -1);
    if (!outcome.contended && !stockReasons.some(failed)) throw outcome.error;
  }
  throw storeUnavailable(new Error("the stock kept changing under the adjustment"));
}

/** Each shard's units after `delta`: added dealt out evenly, removed from the fullest first. */
function unitsAfter(stock: ShardedStock, delta: number): number[] {
  if (delta >= 0) {
    const added = splitUnits(delta, stock.units.length);
    return stock.units.map((units, shard) => units + (added[shard] ?? 0));
  }
  const after = [...stock.units];
  for (const take of plannedTakes(
    { productId: "", quantity: -delta, unitPriceCents: 0 },
    stock.shards === 0 ? { shards: 1, units: stock.units } : stock,
  ) ?? []) {
    after[take.shard] = (after[take.shard] ?? 0) - take.quantity;
  }
  return after;
}

/**
 * The writes that set a product's stock to `units` (one per shard, or on its own item before
 * sharding), each conditional on holding what was read, and, for shards, on their count.
 */
function stockWrites(table: Table, productId: string, read: ShardedStock, units: number[]) {
  if (read.shards === 0) {
    return [
      {
        Update: {
          TableName: table.name,
          Key: keys.product(productId),
          ConditionExpression: "#stock = :read AND attribute_not_exists(stockShards)",
          UpdateExpression: "SET #stock = :after",
          ExpressionAttributeNames: { "#stock": "stock" },
          ExpressionAttributeValues: { ":read": read.units[0] ?? 0, ":after": units[0] ?? 0 },
        },
      },
    ];
  }
  return [
    {
      ConditionCheck: {
        TableName: table.name,
        Key: keys.product(productId),
        ConditionExpression: "stockShards = :shards",
        ExpressionAttributeValues: { ":shards": read.shards },
      },
    },
    ...read.units.map((was, shard) => ({
      Update: {
        TableName: table.name,
        Key: keys.stockShard(productId, shard),
        ConditionExpression: "#units = :read",
        UpdateExpression: "SET #units = :after",
        ExpressionAttributeNames: { "#units": "units" },
        ExpressionAttributeValues: { ":read": was, ":after": units[shard] ?? 0 },
      },
    })),
  ];
}

/**
 * Splits a product's stock over `shards` stock items (from its own item, or from another count
 * of shards), in ONE transaction conditional on every unit being where it was read: a checkout
 * in between makes it read again, so no unit is lost or made. False when it already has that
 * many. The backfill runs it for products written before sharding; an operator runs it (the
 * backfill script's `--reshard`) to make a product ready for a rush.
 */
export async function reshardStock(
  table: Table,
  productId: string,
  shards: number,
  /** Only from this many shards (0: stock on the product's item): the backfill's, which must not undo an operator's re-split made since its Scan read the product. */
  onlyFrom?: number,
): Promise<boolean> {
  checkShardCount(shards);
  for (let attempt = 0; attempt < ADJUST_MAX_ATTEMPTS; attempt++) {
    const now = (await freshStock(table, [productId])).get(productId);
    if (now === undefined) throw productNotFound(productId);
    const old = now.stock;
    if (old.shards === shards) return false;
    if (onlyFrom !== undefined && old.shards !== onlyFrom) return false;
    const units = splitUnits(totalOf(old), shards);
    const product = { id: productId, priceCents: Number(now.item.priceCents) };
    const archived = now.item.archived === true;
    const writes = shardNumbers(Math.max(old.shards, shards)).map((shard) => {
      const was = shard < old.shards ? { ":read": old.units[shard] ?? 0 } : undefined;
      const held = was === undefined ? "attribute_not_exists(PK)" : "#units = :read";
      if (shard >= shards) {
        return {
          Delete: {
            TableName: table.name,
            Key: keys.stockShard(productId, shard),
            ConditionExpression: held,
            ExpressionAttributeNames: { "#units": "units" },
            ExpressionAttributeValues: was,
          },
        };
      }
      return {
        Put: {
          TableName: table.name,
          Item: stockShardItem(product, shard, units[shard] ?? 0, archived),
          ConditionExpression: held,
          ...(was === undefined
            ? {}
            : { ExpressionAttributeNames: { "#units": "units" }, ExpressionAttributeValues: was }),
        },
      };
    });
    const outcome = await transact(table.documents, [
      {
        Update: {
          TableName: table.name,
          Key: keys.product(productId),
          // The price and archived flag read too: the new shards carry copies of them.
          ConditionExpression:
            (old.shards === 0
              ? "attribute_not_exists(stockShards) AND #stock = :read"
              : "stockShards = :old") +
            ` AND #price = :price AND ${archived ? "#archived = :true" : "attribute_not_exists(#archived)"}`,
          UpdateExpression: "SET stockShards = :shards REMOVE #stock",
          ExpressionAttributeNames: {
            "#stock": "stock",
            "#price": "priceCents",
            "#archived": "archived",
          },
          ExpressionAttributeValues: {
            ":shards": shards,
            ":price": product.priceCents,
            ...(archived ? { ":true": true } : {}),
            ...(old.shards === 0 ? { ":read": old.units[0] ?? 0 } : { ":old": old.shards }),
          },
        },
      },
      ...writes,
    ]);
    if (outcome.written) {
      forgetProduct(table, productId);
      return true;
    }
    if (!outcome.contended && !outcome.reasons.some(failed)) throw outcome.error;
  }
  throw storeUnavailable(new Error("the stock kept changing under the re-split"));
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
