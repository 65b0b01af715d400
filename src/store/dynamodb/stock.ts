// A product's stock, split over shard items so that a sale of one product is not capped by one
// key: how the shards are laid out, read, taken from, given back to and re-split.
import type { Product } from "../../domain/index.js";
import type { Item } from "./items.js";
import { keys, MAX_SHARDS, shardNumbers } from "./table.js";

/**
 * How many stock items a product's item says it has; 0 (an item written before sharding, until
 * the backfill moves it) means its stock is still the `stock` attribute of the product's item.
 */
export const stockShardsOf = (product: Item): number => Number(product.stockShards ?? 0);

/** `units` dealt out over `shards`: equal parts, the first ones one more while any is left. */
export function splitUnits(units: number, shards: number): number[] {
  const base = Math.floor(units / shards);
  const extra = units % shards;
  return shardNumbers(shards).map((shard) => base + (shard < extra ? 1 : 0));
}

/**
 * One stock item: its units, and the product's price and archived flag, which checkout checks
 * here (a ConditionCheck on the product's own item would be billed as a write of it).
 */
export const stockShardItem = (
  product: Pick<Product, "id" | "priceCents">,
  shard: number,
  units: number,
  archived = false,
): Item => ({
  ...keys.stockShard(product.id, shard),
  type: "STOCK_SHARD",
  productId: product.id,
  shard,
  units,
  priceCents: product.priceCents,
  ...(archived ? { archived: true } : {}),
});

/** The stock items of a new product whose `stock` is split over `shards` (none when 0). */
export const newStockItems = (product: Product, shards: number): Item[] =>
  shards === 0
    ? []
    : splitUnits(product.stock, shards).map((units, shard) =>
        stockShardItem(product, shard, units),
      );

/** The units of each of a product's shards, in shard order, as read. */
export interface ShardedStock {
  shards: number;
  /** Per shard, in shard order; a shard that was not found counts 0. */
  units: number[];
}

export const totalOf = (stock: ShardedStock): number =>
  stock.units.reduce((sum, units) => sum + units, 0);

/** What one checkout takes from one shard (or, with `shard` -1, from the product's own item). */
export interface ShardTake {
  productId: string;
  shard: number;
  quantity: number;
  unitPriceCents: number;
}

/** The key a take writes: a stock item, or the product's own item before sharding. */
const takeKey = (take: Pick<ShardTake, "productId" | "shard">) =>
  take.shard < 0 ? keys.product(take.productId) : keys.stockShard(take.productId, take.shard);

/**
 * Where to take `quantity` from a product's shards, knowing nothing of them but their count: one
 * shard picked at random, so that shoppers spread over all of them.
 */
export function blindPlan(
  take: { productId: string; quantity: number; unitPriceCents: number },
  shards: number,
  random: () => number = Math.random,
): ShardTake[] {
  const shard = shards === 0 ? -1 : Math.floor(random() * shards);
  return [{ ...take, shard }];
}

/**
 * Where to take `quantity` knowing each shard's units: one of the shards that hold enough, at
 * random (so that shoppers planning from the same read spread over them), else the fullest
 * shards one after another until it is taken. Undefined when all of them together hold less.
 */
export function plannedTakes(
  take: { productId: string; quantity: number; unitPriceCents: number },
  stock: ShardedStock,
  random: () => number = Math.random,
): ShardTake[] | undefined {
  if (totalOf(stock) < take.quantity) return undefined;
  if (stock.shards === 0) return [{ ...take, shard: -1 }];
  const shards = shardNumbers(stock.shards);
  const enough = shards.filter((shard) => (stock.units[shard] ?? 0) >= take.quantity);
  const pick = enough[Math.floor(random() * enough.length)];
  if (pick !== undefined) return [{ ...take, shard: pick }];
  const fullest = shards.sort((a, b) => (stock.units[b] ?? 0) - (stock.units[a] ?? 0));
  const planned: ShardTake[] = [];
  let left = take.quantity;
  for (const shard of fullest) {
    if (left === 0) break;
    const quantity = Math.min(left, stock.units[shard] ?? 0);
    if (quantity === 0) continue;
    planned.push({ ...take, shard, quantity });
    left -= quantity;
  }
  return planned;
}

/**
 * The transaction item that takes a share of the stock: only from what is left, at the price
 * the shopper saw, of a product still in the catalogue. On the product's own item (before
 * sharding) it also checks that the stock has not been moved to shards since.
 */
export function takeStockItem(tableName: string, take: ShardTake) {
  const own = take.shard < 0;
  return {
    Update: {
      TableName: tableName,
      Key: takeKey(take),
      ConditionExpression:
        "attribute_exists(PK) AND attribute_not_exists(archived) AND #units >= :quantity AND " +
        `#price = :price${own ? " AND attribute_not_exists(stockShards)" : ""}`,
      UpdateExpression: "SET #units = #units - :quantity",
      ExpressionAttributeNames: { "#units": own ? "stock" : "units", "#price": "priceCents" },
      ExpressionAttributeValues: { ":quantity": take.quantity, ":price": take.unitPriceCents },
    },
  };
}

/**
 * The transaction item that gives `quantity` back to a product (a failed or cancelled order's):
 * to one shard chosen by the order's id, or to the product's own item before sharding.
 */
export function returnStockItem(
  tableName: string,
  productId: string,
  shard: number,
  quantity: number,
) {
  const own = shard < 0;
  return {
    Update: {
      TableName: tableName,
      Key: takeKey({ productId, shard }),
      ConditionExpression: own
        ? "attribute_exists(PK) AND attribute_not_exists(stockShards)"
        : "attribute_exists(PK)",
      UpdateExpression: "SET #units = #units + :quantity",
      ExpressionAttributeNames: { "#units": own ? "stock" : "units" },
      ExpressionAttributeValues: { ":quantity": quantity },
    },
  };
}

/** The shards counts accepted for a product: 1 to MAX_SHARDS. */
export function checkShardCount(shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new RangeError(`stock shards: must be an integer from 1 to ${MAX_SHARDS}`);
  }
}
