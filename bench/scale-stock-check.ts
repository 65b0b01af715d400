// The invariant a scale run must keep whatever the throttles did: every unit of stock is either
// still there or in exactly one order the table holds, the stock never went below zero, and
// every order the API answered exists (the idea of test/reliability/exactly-once.ts, on the
// table itself).
import type { Order, Product } from "../src/domain/index.js";
import type { ShopRun } from "./scale-shop.js";

/** The stock and the orders, read from the table afterwards. */
export interface StockCheck {
  /** Stock of the products checked, added up, before the run. */
  initial: number;
  left: number;
  /** Units of those products in the orders the table holds. */
  sold: number;
  /** Orders answered 202/200 that the table does not hold: lost. */
  lost: number;
  /** Orders the table holds that no answer named (a request that timed out, say). */
  unanswered: number;
  /** Units sold beyond the stock: must be 0. */
  oversold: number;
  holds: boolean;
}

/**
 * Reads the products' stock and the orders of `userIds` straight from the table (neither
 * metered nor throttled) and checks them against the stock the run began with.
 */
export async function checkStock(
  run: ShopRun,
  products: readonly Product[],
  userIds: Iterable<string>,
  answered: ReadonlySet<string>,
): Promise<StockCheck> {
  const ids = new Set(products.map((product) => product.id));
  let left = 0;
  let oversold = 0;
  const soldOf = new Map<string, number>();
  const orders: Order[] = [];
  for (const userId of userIds) orders.push(...(await run.direct.listOrders(userId)));
  for (const line of orders.flatMap((order) => order.lines)) {
    if (ids.has(line.productId)) {
      soldOf.set(line.productId, (soldOf.get(line.productId) ?? 0) + line.quantity);
    }
  }
  let consistent = true;
  for (const product of products) {
    const stock = (await run.direct.getProduct(product.id))?.stock ?? Number.NaN;
    const sold = soldOf.get(product.id) ?? 0;
    left += stock;
    oversold += Math.max(0, sold - product.stock);
    consistent &&= stock >= 0 && stock + sold === product.stock;
  }
  const held = new Set(orders.map((order) => order.id));
  const lost = [...answered].filter((id) => !held.has(id)).length;
  return {
    initial: products.reduce((sum, product) => sum + product.stock, 0),
    left,
    sold: [...soldOf.values()].reduce((sum, n) => sum + n, 0),
    lost,
    unanswered: [...held].filter((id) => !answered.has(id)).length,
    oversold,
    holds: consistent && lost === 0 && oversold === 0,
  };
}
