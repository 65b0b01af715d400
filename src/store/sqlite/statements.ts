import type Database from "better-sqlite3";
import type { Connection, Product, User } from "../../domain/index.js";
import type { AttachGuestOrderCommand, CreateGuestCartCommand } from "../../services/index.js";
import { CATALOGUE_COLUMNS, type CatalogueRow } from "./comments.js";
import {
  CART_COLUMNS,
  type CartRow,
  CONNECTION_COLUMNS,
  GUEST_CART_COLUMNS,
  type GuestCartRow,
  type NewOrderRow,
  ORDER_COLUMNS,
  type OrderRow,
  type OutboxMessageRow,
  PRODUCT_COLUMNS,
  PROMOTION_COLUMNS,
  type PromotionRow,
  USER_COLUMNS,
} from "./rows.js";

/** Every statement the store runs, prepared once when the store opens. */
export function prepareStatements(db: Database.Database) {
  return {
    // The shop sees the catalogue: archived products are the operators' only.
    allProducts: db.prepare<[], Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE archived = 0 ORDER BY rowid`,
    ),
    product: db.prepare<[string], Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ? AND archived = 0`,
    ),
    productsByIds: db.prepare<[string], Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products ` +
        "WHERE archived = 0 AND id IN (SELECT value FROM json_each(?))",
    ),
    allCatalogue: db.prepare<[], CatalogueRow>(
      `SELECT ${CATALOGUE_COLUMNS} FROM products WHERE archived = 0 ORDER BY rowid`,
    ),
    catalogueProduct: db.prepare<[string], CatalogueRow>(
      `SELECT ${CATALOGUE_COLUMNS} FROM products WHERE id = ? AND archived = 0`,
    ),
    cart: db.prepare<[string], CartRow>(`SELECT ${CART_COLUMNS} FROM carts WHERE user_id = ?`),
    saveCart: db.prepare<Omit<CartRow, "version">, CartRow>(
      "INSERT INTO carts (user_id, lines, promotion_code, version, updated_at) " +
        "VALUES (@userId, @lines, @promotionCode, 1, @updatedAt) " +
        "ON CONFLICT (user_id) DO UPDATE SET lines = excluded.lines, " +
        "promotion_code = excluded.promotion_code, version = carts.version + 1, " +
        `updated_at = excluded.updated_at RETURNING ${CART_COLUMNS}`,
    ),
    emptyCart: db.prepare<{ userId: string; updatedAt: string }>(
      "UPDATE carts SET lines = '[]', promotion_code = NULL, version = version + 1, " +
        "updated_at = @updatedAt WHERE user_id = @userId",
    ),
    emptyGuestCart: db.prepare<{ tokenHash: string; updatedAt: string }>(
      "UPDATE guest_carts SET lines = '[]', promotion_code = NULL, version = version + 1, " +
        "updated_at = @updatedAt WHERE token_hash = @tokenHash",
    ),
    guestCart: db.prepare<[string, number], GuestCartRow>(
      `SELECT ${GUEST_CART_COLUMNS} FROM guest_carts WHERE token_hash = ? AND expires_at > ?`,
    ),
    insertGuestCart: db.prepare<CreateGuestCartCommand, GuestCartRow>(
      "INSERT INTO guest_carts (token_hash, lines, promotion_code, version, updated_at, expires_at) " +
        "VALUES (@tokenHash, '[]', NULL, 1, @updatedAt, @expiresAt) " +
        `RETURNING ${GUEST_CART_COLUMNS}`,
    ),
    deleteExpiredGuestCarts: db.prepare<[number]>("DELETE FROM guest_carts WHERE expires_at <= ?"),
    // Only a live cart is updated: a save never brings back an expired or merged one.
    saveGuestCart: db.prepare<Omit<GuestCartRow, "version"> & { nowSeconds: number }, GuestCartRow>(
      "UPDATE guest_carts SET lines = @lines, promotion_code = @promotionCode, " +
        "version = version + 1, updated_at = @updatedAt, expires_at = @expiresAt " +
        `WHERE token_hash = @tokenHash AND expires_at > @nowSeconds RETURNING ${GUEST_CART_COLUMNS}`,
    ),
    deleteGuestCart: db.prepare<[string]>("DELETE FROM guest_carts WHERE token_hash = ?"),
    putCart: db.prepare<CartRow, CartRow>(
      "INSERT INTO carts (user_id, lines, promotion_code, version, updated_at) " +
        "VALUES (@userId, @lines, @promotionCode, @version, @updatedAt) " +
        "ON CONFLICT (user_id) DO UPDATE SET lines = excluded.lines, " +
        "promotion_code = excluded.promotion_code, version = excluded.version, " +
        `updated_at = excluded.updated_at RETURNING ${CART_COLUMNS}`,
    ),
    promotion: db.prepare<[string], PromotionRow>(
      `SELECT ${PROMOTION_COLUMNS} FROM promotions WHERE code = ?`,
    ),
    customerPromotionUses: db
      .prepare<[string, string], number>(
        "SELECT uses FROM promotion_uses WHERE code = ? AND user_id = ?",
      )
      .pluck(),
    takePromotionUse: db.prepare<[string]>("UPDATE promotions SET uses = uses + 1 WHERE code = ?"),
    takeCustomerPromotionUse: db.prepare<{ code: string; userId: string }>(
      "INSERT INTO promotion_uses (code, user_id, uses) VALUES (@code, @userId, 1) " +
        "ON CONFLICT (code, user_id) DO UPDATE SET uses = uses + 1",
    ),
    takeStock: db.prepare<{ productId: string; quantity: number }>(
      "UPDATE products SET stock = stock - @quantity " +
        "WHERE id = @productId AND stock >= @quantity",
    ),
    insertOrder: db.prepare<NewOrderRow>(
      "INSERT INTO orders (id, user_id, idempotency_key, status, created_at, promotion_code, " +
        "discount_percentage, subtotal_cents, discount_cents, total_cents, lines, failure_reason, " +
        "checkout, guest_email, access_token_hash, placed_by, shipment, delivered_at) " +
        "VALUES (@id, @userId, @idempotencyKey, @status, @createdAt, @promotionCode, " +
        "@discountPercentage, @subtotalCents, @discountCents, @totalCents, @lines, @failureReason, " +
        "@checkout, @guestEmail, @accessTokenHash, @placedBy, @shipment, @deliveredAt)",
    ),
    // The shipment and the delivery are kept by every later step (each is given once).
    changeStatus: db.prepare<{
      userId: string;
      orderId: string;
      from: string;
      to: string;
      failureReason: string | null;
      shipment: string | null;
      deliveredAt: string | null;
    }>(
      "UPDATE orders SET status = @to, failure_reason = @failureReason, " +
        "shipment = coalesce(@shipment, shipment), " +
        "delivered_at = coalesce(@deliveredAt, delivered_at) " +
        "WHERE user_id = @userId AND id = @orderId AND status = @from",
    ),
    // Put only if absent: a message once written (and perhaps sent) is never written again.
    insertMail: db.prepare<OutboxMessageRow>(
      "INSERT INTO order_mail (id, order_id, user_id, kind, created_at, attempts, " +
        "next_attempt_at) VALUES (@id, @orderId, @userId, @kind, @createdAt, @attempts, " +
        "@nextAttemptAt) ON CONFLICT (id) DO NOTHING",
    ),
    returnStock: db.prepare<{ productId: string; quantity: number }>(
      "UPDATE products SET stock = stock + @quantity WHERE id = @productId",
    ),
    saveConnection: db.prepare<Connection>(
      "INSERT OR REPLACE INTO connections (id, user_id, connected_at, expires_at) " +
        "VALUES (@id, @userId, @connectedAt, @expiresAt)",
    ),
    deleteExpiredConnections: db.prepare<[number]>("DELETE FROM connections WHERE expires_at <= ?"),
    deleteConnection: db.prepare<[string]>("DELETE FROM connections WHERE id = ?"),
    connectionsOf: db.prepare<[string, number], Connection>(
      `SELECT ${CONNECTION_COLUMNS} FROM connections WHERE user_id = ? AND expires_at > ? ` +
        "ORDER BY connected_at, id",
    ),
    // A guest's key finds its order after the order moved to an account (placed_by).
    orderByKey: db.prepare<{ userId: string; key: string }, OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = @key ` +
        "AND (user_id = @userId OR placed_by = @userId) LIMIT 1",
    ),
    guestOrders: db.prepare<[string, number], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE guest_email = ? AND user_id LIKE 'guest-%' ` +
        "ORDER BY created_at, id LIMIT ?",
    ),
    attachGuestOrder: db.prepare<AttachGuestOrderCommand, OrderRow>(
      "UPDATE orders SET user_id = @toUserId WHERE id = @orderId AND user_id = @fromUserId " +
        "AND guest_email IS NOT NULL " +
        "AND status IN ('COMPLETED', 'SHIPPED', 'DELIVERED', 'FAILED', 'CANCELLED') " +
        `RETURNING ${ORDER_COLUMNS}`,
    ),
    order: db.prepare<[string, string], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? AND id = ?`,
    ),
    ordersOf: db.prepare<[string], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
    ),
    insertUser: db.prepare<User>(
      "INSERT INTO users (id, email, name, password_hash, created_at) " +
        "VALUES (@id, @email, @name, @passwordHash, @createdAt)",
    ),
    user: db.prepare<[string], User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    userByEmail: db.prepare<[string], User>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
