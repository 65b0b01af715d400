import Database from "better-sqlite3";
import { type Comment, epochSeconds, type Product } from "../../domain/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "../seed-catalogue.js";
import { recountComments } from "./comments.js";
import { type PromotionRow, promotionToRow } from "./rows.js";
import { SHOP_SETTINGS_SCHEMA, seedShopSettings } from "./shop-config.js";

export interface SqliteStoreOptions {
  /** Path of the database file (its directory is created if missing), or `:memory:`. */
  file: string;
  /** How long a write waits for another connection's lock before STORE_UNAVAILABLE. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 2000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  image_url TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  archived INTEGER NOT NULL DEFAULT 0,
  comment_count INTEGER NOT NULL DEFAULT 0,
  rating_total INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS comments (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products (id),
  user_id TEXT,
  author TEXT NOT NULL,
  rating INTEGER NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS promotions (
  code TEXT PRIMARY KEY,
  percent_off INTEGER NOT NULL,
  valid_from TEXT,
  expires_at TEXT,
  max_uses INTEGER,
  max_uses_per_customer INTEGER,
  deactivated INTEGER NOT NULL DEFAULT 0,
  uses INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS promotion_uses (
  code TEXT NOT NULL,
  user_id TEXT NOT NULL,
  uses INTEGER NOT NULL,
  PRIMARY KEY (code, user_id)
);
CREATE TABLE IF NOT EXISTS stock_adjustments (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products (id),
  delta INTEGER NOT NULL,
  reason TEXT NOT NULL,
  note TEXT,
  actor TEXT NOT NULL,
  created_at TEXT NOT NULL,
  stock_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_adjustments_by_product
  ON stock_adjustments (product_id, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS carts (
  user_id TEXT PRIMARY KEY,
  lines TEXT NOT NULL,
  promotion_code TEXT,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS guest_carts (
  token_hash TEXT PRIMARY KEY,
  lines TEXT NOT NULL,
  promotion_code TEXT,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS guest_carts_by_expiry ON guest_carts (expires_at);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  promotion_code TEXT,
  discount_percentage INTEGER NOT NULL,
  subtotal_cents INTEGER NOT NULL,
  discount_cents INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  lines TEXT NOT NULL,
  failure_reason TEXT,
  checkout TEXT,
  guest_email TEXT,
  access_token_hash TEXT,
  placed_by TEXT,
  shipment TEXT,
  delivered_at TEXT,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_by_time ON orders (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS order_mail (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  sent_at TEXT,
  failed_at TEXT,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS order_mail_due ON order_mail (next_attempt_at, id)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS order_mail_by_order ON order_mail (order_id, id);
CREATE TABLE IF NOT EXISTS payments (
  order_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  approved INTEGER NOT NULL,
  reason TEXT,
  charged_at TEXT NOT NULL,
  refunded_at TEXT
);
CREATE TABLE IF NOT EXISTS payment_sessions (
  order_id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  reference TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  order_id TEXT,
  outcome TEXT NOT NULL,
  received_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  connected_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS connections_by_user ON connections (user_id, expires_at);
CREATE TABLE IF NOT EXISTS addresses (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  address TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS addresses_by_user ON addresses (user_id, created_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS addresses_one_default ON addresses (user_id) WHERE is_default = 1;
`;

/**
 * Opens the file, creating the schema, bringing an older file up to it, sweeping out expired
 * guest carts and seeding an empty catalogue.
 */
export function openDatabase({ file, busyTimeoutMs }: SqliteStoreOptions): Database.Database {
  const db = new Database(file, { timeout: busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    // Schema and seed in one IMMEDIATE transaction: two processes opening a new file at once
    // cannot both see an empty catalogue and seed it twice.
    db.transaction(() => {
      db.exec(SCHEMA + SHOP_SETTINGS_SCHEMA);
      migrate(db);
      // What the DynamoDB table's TTL does, by hand: opening the file sweeps out expired guest
      // carts (and so does every new guest cart), so abandoned ones cannot pile up.
      db.prepare("DELETE FROM guest_carts WHERE expires_at <= ?").run(epochSeconds(new Date()));
      if (db.prepare("SELECT 1 FROM products LIMIT 1").get() === undefined) seed(db);
      seedShopSettings(db);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Brings a file made by an earlier version up to SCHEMA. A new table (guest_carts, addresses,
 * order_mail) comes with SCHEMA's CREATE IF NOT EXISTS; a new column of an existing table needs
 * its ALTER here.
 */
function migrate(db: Database.Database): void {
  const columns = (table: string) =>
    db
      .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
      .all()
      .map((column) => column.name);
  const add = (table: string, column: string, definition: string) => {
    if (!columns(table).includes(column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  };
  add("orders", "failure_reason", "TEXT");
  // Orders placed before checkout took an address have none of these: they read as such.
  add("orders", "checkout", "TEXT");
  add("orders", "guest_email", "TEXT");
  add("orders", "access_token_hash", "TEXT");
  // A guest order's owner when placed: its idempotency key stays the guest's after an attach.
  add("orders", "placed_by", "TEXT");
  // After its column: the guest orders of an e-mail address, for attaching them to an account.
  db.exec(
    "CREATE INDEX IF NOT EXISTS orders_by_guest_email ON orders (guest_email, created_at) " +
      "WHERE guest_email IS NOT NULL;" +
      "CREATE UNIQUE INDEX IF NOT EXISTS orders_by_guest_key ON orders (placed_by, idempotency_key) " +
      "WHERE placed_by IS NOT NULL",
  );
  // Orders from before fulfilment were never shipped: none has either.
  add("orders", "shipment", "TEXT");
  add("orders", "delivered_at", "TEXT");
  // Comments written before the rate limits have no user_id: they count against nobody.
  add("comments", "user_id", "TEXT");
  const uncounted = !columns("products").includes("comment_count");
  add("products", "comment_count", "INTEGER NOT NULL DEFAULT 0");
  add("products", "rating_total", "INTEGER NOT NULL DEFAULT 0");
  if (uncounted) recountComments(db);
  // After the columns they index: a product's comments newest first, a user's by time.
  db.exec(
    "DROP INDEX IF EXISTS comments_by_product;" +
      "CREATE INDEX IF NOT EXISTS comments_newest ON comments (product_id, created_at DESC, id DESC);" +
      "CREATE INDEX IF NOT EXISTS comments_by_user ON comments (user_id, created_at);",
  );
  add("products", "archived", "INTEGER NOT NULL DEFAULT 0");
  add("promotions", "max_uses", "INTEGER");
  add("promotions", "max_uses_per_customer", "INTEGER");
  add("promotions", "deactivated", "INTEGER NOT NULL DEFAULT 0");
  add("promotions", "uses", "INTEGER NOT NULL DEFAULT 0");
}

function seed(db: Database.Database): void {
  const insertProduct = db.prepare<Product>(
    "INSERT INTO products (id, name, description, image_url, price_cents, stock) " +
      "VALUES (@id, @name, @description, @imageUrl, @priceCents, @stock)",
  );
  const insertComment = db.prepare<Comment>(
    "INSERT INTO comments (id, product_id, author, rating, text, created_at) " +
      "VALUES (@id, @productId, @author, @rating, @text, @createdAt)",
  );
  const insertPromotion = db.prepare<Omit<PromotionRow, "uses">>(
    "INSERT INTO promotions (code, percent_off, valid_from, expires_at, max_uses, " +
      "max_uses_per_customer, deactivated) VALUES (@code, @percentOff, @validFrom, @expiresAt, " +
      "@maxUses, @maxUsesPerCustomer, @deactivated)",
  );
  for (const product of SEED_PRODUCTS) insertProduct.run(product);
  for (const comment of SEED_COMMENTS) insertComment.run(comment);
  recountComments(db);
  for (const promotion of SEED_PROMOTIONS) insertPromotion.run(promotionToRow(promotion));
}
