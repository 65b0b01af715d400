import type Database from "better-sqlite3";
import type { OrderKey } from "../../services/index.js";
import {
  type ManagedProductRow,
  ORDER_COLUMNS,
  type OrderRow,
  PRODUCT_COLUMNS,
  PROMOTION_COLUMNS,
  type PromotionRow,
  STOCK_ADJUSTMENT_COLUMNS,
  type StockAdjustmentRow,
} from "./rows.js";

/** The operators' statements, prepared once when the store opens. */
export function prepareOperatorStatements(db: Database.Database) {
  const page = (where: string) => `${where} ORDER BY created_at DESC, id DESC LIMIT @limit`;
  const after = "(created_at, id) < (@createdAt, @id)";
  return {
    allManagedProducts: db.prepare<[], ManagedProductRow>(
      `SELECT ${PRODUCT_COLUMNS}, archived FROM products ORDER BY rowid`,
    ),
    managedProduct: db.prepare<[string], ManagedProductRow>(
      `SELECT ${PRODUCT_COLUMNS}, archived FROM products WHERE id = ?`,
    ),
    insertProduct: db.prepare<{
      id: string;
      name: string;
      description: string;
      imageUrl: string;
      priceCents: number;
      stock: number;
    }>(
      "INSERT INTO products (id, name, description, image_url, price_cents, stock) " +
        "VALUES (@id, @name, @description, @imageUrl, @priceCents, @stock)",
    ),
    updateProduct: db.prepare<{
      id: string;
      name: string | null;
      description: string | null;
      imageUrl: string | null;
      priceCents: number | null;
    }>(
      "UPDATE products SET name = coalesce(@name, name), " +
        "description = coalesce(@description, description), " +
        "image_url = coalesce(@imageUrl, image_url), " +
        "price_cents = coalesce(@priceCents, price_cents) WHERE id = @id",
    ),
    archiveProduct: db.prepare<[string]>("UPDATE products SET archived = 1 WHERE id = ?"),
    // The condition keeps stock at or above zero whatever checkouts did since it was read.
    adjustStock: db.prepare<{ productId: string; delta: number }, { stock: number }>(
      "UPDATE products SET stock = stock + @delta " +
        "WHERE id = @productId AND stock + @delta >= 0 RETURNING stock",
    ),
    insertAdjustment: db.prepare<StockAdjustmentRow>(
      "INSERT INTO stock_adjustments (id, product_id, delta, reason, note, actor, created_at, " +
        "stock_after) VALUES (@id, @productId, @delta, @reason, @note, @actor, @createdAt, " +
        "@stockAfter)",
    ),
    adjustments: db.prepare<{ productId: string; limit: number }, StockAdjustmentRow>(
      `SELECT ${STOCK_ADJUSTMENT_COLUMNS} FROM stock_adjustments ${page("WHERE product_id = @productId")}`,
    ),
    adjustmentsAfter: db.prepare<
      OrderKey & { productId: string; limit: number },
      StockAdjustmentRow
    >(
      `SELECT ${STOCK_ADJUSTMENT_COLUMNS} FROM stock_adjustments ` +
        page(`WHERE product_id = @productId AND ${after}`),
    ),
    allPromotions: db.prepare<[], PromotionRow>(
      `SELECT ${PROMOTION_COLUMNS} FROM promotions ORDER BY code`,
    ),
    insertPromotion: db.prepare<Omit<PromotionRow, "uses">>(
      "INSERT INTO promotions (code, percent_off, valid_from, expires_at, max_uses, " +
        "max_uses_per_customer, deactivated) VALUES (@code, @percentOff, @validFrom, @expiresAt, " +
        "@maxUses, @maxUsesPerCustomer, @deactivated)",
    ),
    updatePromotion: db.prepare<Omit<PromotionRow, "uses">>(
      "UPDATE promotions SET percent_off = @percentOff, valid_from = @validFrom, " +
        "expires_at = @expiresAt, max_uses = @maxUses, " +
        "max_uses_per_customer = @maxUsesPerCustomer, deactivated = @deactivated " +
        "WHERE code = @code",
    ),
    orders: db.prepare<{ limit: number }, OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ${page("")}`,
    ),
    ordersAfter: db.prepare<OrderKey & { limit: number }, OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ${page(`WHERE ${after}`)}`,
    ),
    ordersOfStatus: db.prepare<{ limit: number; status: string }, OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ${page("WHERE status = @status")}`,
    ),
    ordersOfStatusAfter: db.prepare<OrderKey & { limit: number; status: string }, OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ${page(`WHERE status = @status AND ${after}`)}`,
    ),
    orderById: db.prepare<[string], OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`),
    // Figures: one pass over the carts' JSON lines and one over a week of orders.
    unitsInCarts: db.prepare<[number], { productId: string; units: number }>(
      "SELECT json_extract(line.value, '$.productId') AS productId, " +
        "sum(json_extract(line.value, '$.quantity')) AS units FROM (" +
        "SELECT lines FROM carts UNION ALL SELECT lines FROM guest_carts WHERE expires_at > ?" +
        ") AS cart, json_each(cart.lines) AS line GROUP BY productId",
    ),
    unitsSold: db.prepare<
      { dayAgo: string; weekAgo: string },
      { productId: string; day: number; week: number }
    >(
      "SELECT json_extract(line.value, '$.productId') AS productId, " +
        "sum(CASE WHEN created_at >= @dayAgo THEN json_extract(line.value, '$.quantity') " +
        "ELSE 0 END) AS day, sum(json_extract(line.value, '$.quantity')) AS week " +
        "FROM orders, json_each(orders.lines) AS line " +
        "WHERE created_at >= @weekAgo AND status NOT IN ('FAILED', 'CANCELLED') GROUP BY productId",
    ),
  };
}

export type OperatorStatements = ReturnType<typeof prepareOperatorStatements>;
