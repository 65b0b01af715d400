import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  AppError,
  assertTransition,
  type Cart,
  type CartLine,
  type Comment,
  type Connection,
  epochSeconds,
  type GuestCart,
  mergeConflict,
  type Order,
  type OrderStatus,
  type PlaceOrderCommand,
  type PricedLine,
  type Product,
  type ProductWithComments,
  type Promotion,
  transitionOrder,
  type User,
} from "../domain/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";
import type {
  CreateGuestCartCommand,
  MergeGuestCartCommand,
  OrderStatusChange,
  PlaceOrderResult,
  SaveCartCommand,
  SaveGuestCartCommand,
  Store,
} from "./store.js";

export interface SqliteStoreOptions {
  /** Path of the database file (its directory is created if missing), or `:memory:`. */
  file: string;
  /** How long a write waits for another connection's lock before STORE_UNAVAILABLE. */
  busyTimeoutMs?: number;
}

const IN_MEMORY = ":memory:";
const DEFAULT_BUSY_TIMEOUT_MS = 2000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  image_url TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0)
);
CREATE TABLE IF NOT EXISTS comments (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products (id),
  author TEXT NOT NULL,
  rating INTEGER NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_by_product ON comments (product_id, created_at);
CREATE TABLE IF NOT EXISTS promotions (
  code TEXT PRIMARY KEY,
  percent_off INTEGER NOT NULL,
  valid_from TEXT,
  expires_at TEXT
);
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
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, created_at DESC, id DESC);
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
`;

const PRODUCT_COLUMNS =
  "id, name, description, image_url AS imageUrl, price_cents AS priceCents, stock";
const COMMENT_COLUMNS =
  "id, product_id AS productId, author, rating, text, created_at AS createdAt";
const CART_COLUMNS =
  "user_id AS userId, lines, promotion_code AS promotionCode, version, updated_at AS updatedAt";
const GUEST_CART_COLUMNS =
  "token_hash AS tokenHash, lines, promotion_code AS promotionCode, version, " +
  "updated_at AS updatedAt, expires_at AS expiresAt";
const ORDER_COLUMNS =
  "id, user_id AS userId, idempotency_key AS idempotencyKey, status, created_at AS createdAt, " +
  "promotion_code AS promotionCode, discount_percentage AS discountPercentage, " +
  "subtotal_cents AS subtotalCents, discount_cents AS discountCents, total_cents AS totalCents, " +
  "lines, failure_reason AS failureReason";
const USER_COLUMNS = "id, email, name, password_hash AS passwordHash, created_at AS createdAt";
const CONNECTION_COLUMNS =
  "id, user_id AS userId, connected_at AS connectedAt, expires_at AS expiresAt";

interface CartRow {
  userId: string;
  lines: string;
  promotionCode: string | null;
  version: number;
  updatedAt: string;
}

interface GuestCartRow {
  tokenHash: string;
  lines: string;
  promotionCode: string | null;
  version: number;
  updatedAt: string;
  expiresAt: number;
}

interface PromotionRow {
  code: string;
  percentOff: number;
  validFrom: string | null;
  expiresAt: string | null;
}

interface OrderRow {
  id: string;
  userId: string;
  idempotencyKey: string;
  status: OrderStatus;
  createdAt: string;
  promotionCode: string | null;
  discountPercentage: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  lines: string;
  failureReason: string | null;
}

// Lines are JSON written only by this adapter; picking the known fields keeps the objects handed
// out fresh and free of anything else a hand-edited row might carry.
const cartLinesFrom = (json: string): CartLine[] =>
  (JSON.parse(json) as CartLine[]).map(({ productId, quantity }) => ({ productId, quantity }));

const pickPricedLine = (line: PricedLine): PricedLine => ({
  productId: line.productId,
  name: line.name,
  quantity: line.quantity,
  unitPriceCents: line.unitPriceCents,
  lineTotalCents: line.lineTotalCents,
});

const pricedLinesFrom = (json: string): PricedLine[] =>
  (JSON.parse(json) as PricedLine[]).map(pickPricedLine);

const cartFromRow = ({ lines, promotionCode, ...rest }: CartRow): Cart => ({
  ...rest,
  lines: cartLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
});

const guestCartFromRow = ({ lines, promotionCode, ...rest }: GuestCartRow): GuestCart => ({
  ...rest,
  lines: cartLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
});

const cartLinesJson = (lines: readonly CartLine[]): string =>
  JSON.stringify(lines.map(({ productId, quantity }) => ({ productId, quantity })));

const secondsOf = (iso: string): number => epochSeconds(new Date(iso));

const promotionFromRow = ({ validFrom, expiresAt, ...rest }: PromotionRow): Promotion => ({
  ...rest,
  ...(validFrom === null ? {} : { validFrom }),
  ...(expiresAt === null ? {} : { expiresAt }),
});

const orderFromRow = ({ lines, promotionCode, failureReason, ...rest }: OrderRow): Order => ({
  ...rest,
  lines: pricedLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
  ...(failureReason === null ? {} : { failureReason }),
});

const orderToRow = (order: Order): OrderRow => ({
  id: order.id,
  userId: order.userId,
  idempotencyKey: order.idempotencyKey,
  status: order.status,
  createdAt: order.createdAt,
  promotionCode: order.promotionCode ?? null,
  discountPercentage: order.discountPercentage,
  subtotalCents: order.subtotalCents,
  discountCents: order.discountCents,
  totalCents: order.totalCents,
  lines: JSON.stringify(order.lines.map(pickPricedLine)),
  failureReason: order.failureReason ?? null,
});

const UNAVAILABLE_CODE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)(_|$)/;

/** Driver errors a client should retry later, as opposed to bugs in our own statements. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof Database.SqliteError) return UNAVAILABLE_CODE.test(error.code);
  return error instanceof TypeError && error.message === "The database connection is not open";
}

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Database.SqliteError && error.code === "SQLITE_CONSTRAINT_UNIQUE";

/**
 * Runs one unit of store work and turns a backend failure into STORE_UNAVAILABLE. The driver's
 * text stays in `cause` only: it names tables and SQL, which no client should see.
 */
function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof AppError || !isUnavailable(error)) throw error;
    throw new AppError("STORE_UNAVAILABLE", "the store is unavailable, retry shortly", {
      retryAfterSeconds: 1,
      cause: error,
    });
  }
}

function openDatabase({ file, busyTimeoutMs }: SqliteStoreOptions): Database.Database {
  const db = new Database(file, { timeout: busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    // Schema and seed in one IMMEDIATE transaction: two processes opening a new file at once
    // cannot both see an empty catalogue and seed it twice.
    db.transaction(() => {
      db.exec(SCHEMA);
      migrate(db);
      // What the DynamoDB table's TTL does, by hand: opening the file sweeps out expired guest
      // carts (and so does every new guest cart), so abandoned ones cannot pile up.
      db.prepare("DELETE FROM guest_carts WHERE expires_at <= ?").run(epochSeconds(new Date()));
      if (db.prepare("SELECT 1 FROM products LIMIT 1").get() === undefined) seed(db);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Brings a file made by an earlier version up to SCHEMA. A new table (guest_carts) comes with
 * SCHEMA's CREATE IF NOT EXISTS; a new column of an existing table needs its ALTER here.
 */
function migrate(db: Database.Database): void {
  const orderColumns = db.prepare<[], { name: string }>("PRAGMA table_info(orders)").all();
  if (!orderColumns.some((column) => column.name === "failure_reason")) {
    db.exec("ALTER TABLE orders ADD COLUMN failure_reason TEXT");
  }
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
  const insertPromotion = db.prepare<PromotionRow>(
    "INSERT INTO promotions (code, percent_off, valid_from, expires_at) " +
      "VALUES (@code, @percentOff, @validFrom, @expiresAt)",
  );
  for (const product of SEED_PRODUCTS) insertProduct.run(product);
  for (const comment of SEED_COMMENTS) insertComment.run(comment);
  for (const promotion of SEED_PROMOTIONS) {
    insertPromotion.run({
      code: promotion.code,
      percentOff: promotion.percentOff,
      validFrom: promotion.validFrom ?? null,
      expiresAt: promotion.expiresAt ?? null,
    });
  }
}

/**
 * Opens (creating it and seeding the demo catalogue on first run) the SQLite store at
 * `options.file`. Fails with STORE_UNAVAILABLE when the file cannot be opened.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (options.file !== IN_MEMORY) await mkdir(dirname(options.file), { recursive: true });
  return guarded(() => new SqliteStore(openDatabase(options)));
}

/** Every statement the store runs, prepared once when the store opens. */
function prepareStatements(db: Database.Database) {
  return {
    allProducts: db.prepare<[], Product>(`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY rowid`),
    product: db.prepare<[string], Product>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`),
    productsByIds: db.prepare<[string], Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    allComments: db.prepare<[], Comment>(
      `SELECT ${COMMENT_COLUMNS} FROM comments ORDER BY created_at, rowid`,
    ),
    commentsOf: db.prepare<[string], Comment>(
      `SELECT ${COMMENT_COLUMNS} FROM comments WHERE product_id = ? ORDER BY created_at, rowid`,
    ),
    // Inserting from the product row makes "unknown product" and the insert one statement.
    insertComment: db.prepare<Comment>(
      "INSERT INTO comments (id, product_id, author, rating, text, created_at) " +
        "SELECT @id, id, @author, @rating, @text, @createdAt FROM products WHERE id = @productId",
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
      "SELECT code, percent_off AS percentOff, valid_from AS validFrom, " +
        "expires_at AS expiresAt FROM promotions WHERE code = ?",
    ),
    takeStock: db.prepare<{ productId: string; quantity: number }>(
      "UPDATE products SET stock = stock - @quantity " +
        "WHERE id = @productId AND stock >= @quantity",
    ),
    insertOrder: db.prepare<OrderRow>(
      "INSERT INTO orders (id, user_id, idempotency_key, status, created_at, promotion_code, " +
        "discount_percentage, subtotal_cents, discount_cents, total_cents, lines, failure_reason) " +
        "VALUES (@id, @userId, @idempotencyKey, @status, @createdAt, @promotionCode, " +
        "@discountPercentage, @subtotalCents, @discountCents, @totalCents, @lines, @failureReason)",
    ),
    changeStatus: db.prepare<{
      userId: string;
      orderId: string;
      from: string;
      to: string;
      failureReason: string | null;
    }>(
      "UPDATE orders SET status = @to, failure_reason = @failureReason " +
        "WHERE user_id = @userId AND id = @orderId AND status = @from",
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
    orderByKey: db.prepare<[string, string], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?`,
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

/**
 * The embedded store of `npm start`, on better-sqlite3. The driver is synchronous, so every
 * method runs to completion inside one call; what must be atomic across statements is one
 * transaction. Build it with `openSqliteStore`.
 */
export class SqliteStore implements Store {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly placeOrderTransaction: Database.Transaction<
    (command: PlaceOrderCommand) => PlaceOrderResult
  >;
  private readonly changeOrderStatusTransaction: Database.Transaction<
    (change: OrderStatusChange) => Order | undefined
  >;
  private readonly mergeGuestCartTransaction: Database.Transaction<
    (command: MergeGuestCartCommand) => Cart
  >;

  /** Prefer `openSqliteStore`, which creates the schema and seeds the catalogue first. */
  constructor(private readonly db: Database.Database) {
    this.statements = prepareStatements(db);
    this.placeOrderTransaction = db.transaction((command: PlaceOrderCommand) =>
      this.placeOrderInTransaction(command),
    );
    this.changeOrderStatusTransaction = db.transaction((change: OrderStatusChange) =>
      this.changeOrderStatusInTransaction(change),
    );
    this.mergeGuestCartTransaction = db.transaction((command: MergeGuestCartCommand) =>
      this.mergeGuestCartInTransaction(command),
    );
  }

  async listProducts(): Promise<ProductWithComments[]> {
    return guarded(() => {
      // Two queries whatever the catalogue size: products, then every comment, grouped here.
      const products = this.statements.allProducts.all();
      const comments = new Map<string, Comment[]>();
      for (const comment of this.statements.allComments.all()) {
        const list = comments.get(comment.productId);
        if (list === undefined) comments.set(comment.productId, [comment]);
        else list.push(comment);
      }
      return products.map((product) => ({ ...product, comments: comments.get(product.id) ?? [] }));
    });
  }

  async getProduct(id: string): Promise<ProductWithComments | undefined> {
    return guarded(() => {
      const product = this.statements.product.get(id);
      if (product === undefined) return undefined;
      return { ...product, comments: this.statements.commentsOf.all(id) };
    });
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    return guarded(() => this.productsByIds(ids));
  }

  async addComment(comment: Comment): Promise<Comment> {
    return guarded(() => {
      if (this.statements.insertComment.run(comment).changes === 0) {
        throw new AppError("NOT_FOUND", `product ${comment.productId} does not exist`);
      }
      return { ...comment };
    });
  }

  async getCart(userId: string): Promise<Cart | undefined> {
    return guarded(() => {
      const row = this.statements.cart.get(userId);
      return row === undefined ? undefined : cartFromRow(row);
    });
  }

  async saveCart(command: SaveCartCommand): Promise<Cart> {
    return guarded(() => {
      const row = this.statements.saveCart.get({
        userId: command.userId,
        lines: cartLinesJson(command.lines),
        promotionCode: command.promotionCode ?? null,
        updatedAt: command.updatedAt,
      });
      if (row === undefined) throw new Error("saving a cart returned no row");
      return cartFromRow(row);
    });
  }

  async getPromotion(code: string): Promise<Promotion | undefined> {
    return guarded(() => {
      const row = this.statements.promotion.get(code);
      return row === undefined ? undefined : promotionFromRow(row);
    });
  }

  async createGuestCart(command: CreateGuestCartCommand): Promise<GuestCart> {
    return guarded(() => {
      this.statements.deleteExpiredGuestCarts.run(secondsOf(command.updatedAt));
      const row = this.statements.insertGuestCart.get(command);
      if (row === undefined) throw new Error("creating a guest cart returned no row");
      return guestCartFromRow(row);
    });
  }

  async getGuestCart(tokenHash: string, nowSeconds: number): Promise<GuestCart | undefined> {
    return guarded(() => {
      const row = this.statements.guestCart.get(tokenHash, nowSeconds);
      return row === undefined ? undefined : guestCartFromRow(row);
    });
  }

  async saveGuestCart(command: SaveGuestCartCommand): Promise<GuestCart | undefined> {
    return guarded(() => {
      const row = this.statements.saveGuestCart.get({
        tokenHash: command.tokenHash,
        lines: cartLinesJson(command.lines),
        promotionCode: command.promotionCode ?? null,
        updatedAt: command.updatedAt,
        expiresAt: command.expiresAt,
        nowSeconds: secondsOf(command.updatedAt),
      });
      return row === undefined ? undefined : guestCartFromRow(row);
    });
  }

  async mergeGuestCart(command: MergeGuestCartCommand): Promise<Cart> {
    return guarded(() => this.mergeGuestCartTransaction.immediate(command));
  }

  async placeOrder(command: PlaceOrderCommand): Promise<PlaceOrderResult> {
    return guarded(() => {
      try {
        return this.placeOrderTransaction.immediate(command);
      } catch (error) {
        // Another connection recorded the same key first: answer as a retry would, with its order.
        if (!isUniqueViolation(error)) throw error;
        const first = this.statements.orderByKey.get(
          command.order.userId,
          command.order.idempotencyKey,
        );
        if (first === undefined) throw error;
        return { placed: false, order: orderFromRow(first) };
      }
    });
  }

  async findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined> {
    return guarded(() => {
      const row = this.statements.orderByKey.get(userId, key);
      return row === undefined ? undefined : orderFromRow(row);
    });
  }

  async listOrders(userId: string): Promise<Order[]> {
    return guarded(() => this.statements.ordersOf.all(userId).map(orderFromRow));
  }

  async getOrder(userId: string, orderId: string): Promise<Order | undefined> {
    return guarded(() => {
      const row = this.statements.order.get(userId, orderId);
      return row === undefined ? undefined : orderFromRow(row);
    });
  }

  async changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined> {
    assertTransition(change);
    return guarded(() => this.changeOrderStatusTransaction.immediate(change));
  }

  async saveConnection(connection: Connection): Promise<void> {
    guarded(() => {
      // What the DynamoDB table's TTL does, by hand: a new connection sweeps out expired ones.
      this.statements.deleteExpiredConnections.run(epochSeconds(new Date(connection.connectedAt)));
      this.statements.saveConnection.run(connection);
    });
  }

  async deleteConnection(connectionId: string): Promise<void> {
    guarded(() => this.statements.deleteConnection.run(connectionId));
  }

  async listConnections(userId: string, nowSeconds: number): Promise<Connection[]> {
    return guarded(() => this.statements.connectionsOf.all(userId, nowSeconds));
  }

  async createUser(user: User): Promise<User> {
    return guarded(() => {
      try {
        this.statements.insertUser.run(user);
      } catch (error) {
        if (
          !isUniqueViolation(error) ||
          this.statements.userByEmail.get(user.email) === undefined
        ) {
          throw error;
        }
        throw new AppError("EMAIL_TAKEN", `an account for ${user.email} already exists`, {
          fields: [{ field: "email", message: "already registered" }],
        });
      }
      return { ...user };
    });
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    return guarded(() => this.statements.userByEmail.get(email));
  }

  async getUser(id: string): Promise<User | undefined> {
    return guarded(() => this.statements.user.get(id));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private productsByIds(ids: readonly string[]): Product[] {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const byId = new Map<string, Product>();
    for (const product of this.statements.productsByIds.all(JSON.stringify(wanted))) {
      byId.set(product.id, product);
    }
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  /** Both carts checked, the user's replaced, the guest's deleted: all or nothing. */
  private mergeGuestCartInTransaction(command: MergeGuestCartCommand): Cart {
    const guest = this.statements.guestCart.get(command.tokenHash, secondsOf(command.updatedAt));
    const user = this.statements.cart.get(command.userId);
    if (
      guest === undefined ||
      guest.version !== command.guestCartVersion ||
      (user?.version ?? 0) !== command.userCartVersion
    ) {
      throw mergeConflict();
    }
    const row = this.statements.putCart.get({
      userId: command.userId,
      lines: cartLinesJson(command.lines),
      promotionCode: command.promotionCode ?? null,
      version: command.userCartVersion + 1,
      updatedAt: command.updatedAt,
    });
    if (row === undefined) throw new Error("merging a guest cart returned no row");
    this.statements.deleteGuestCart.run(command.tokenHash);
    return cartFromRow(row);
  }

  /** The status update and, on FAILED, the stock put back: one transaction, all or nothing. */
  private changeOrderStatusInTransaction(change: OrderStatusChange): Order | undefined {
    const row = this.statements.order.get(change.userId, change.orderId);
    if (row === undefined || row.status !== change.from) return undefined;
    const updated = this.statements.changeStatus.run({
      userId: change.userId,
      orderId: change.orderId,
      from: change.from,
      to: change.to,
      failureReason: change.failureReason ?? null,
    });
    if (updated.changes !== 1) return undefined;
    const order = orderFromRow(row);
    if (change.to === "FAILED") {
      for (const line of order.lines) {
        this.statements.returnStock.run({ productId: line.productId, quantity: line.quantity });
      }
    }
    return transitionOrder(order, change.to, change.failureReason);
  }

  /** The body of placeOrder's one IMMEDIATE transaction: any throw rolls every write back. */
  private placeOrderInTransaction({ order, cartVersion }: PlaceOrderCommand): PlaceOrderResult {
    const previous = this.statements.orderByKey.get(order.userId, order.idempotencyKey);
    if (previous !== undefined) return { placed: false, order: orderFromRow(previous) };

    const cart = this.statements.cart.get(order.userId);
    if ((cart?.version ?? 0) !== cartVersion) {
      throw new AppError("CART_CHANGED", "the cart changed during checkout; review it and retry");
    }
    const products = new Map(
      this.productsByIds(order.lines.map((line) => line.productId)).map((p) => [p.id, p]),
    );
    // Check every line before writing anything; quantities add up when a product is on two lines.
    const wanted = new Map<string, number>();
    for (const line of order.lines) {
      const product = products.get(line.productId);
      if (product === undefined || product.priceCents !== line.unitPriceCents) {
        throw new AppError("CART_CHANGED", `the price of ${line.productId} changed; retry`);
      }
      const quantity = (wanted.get(product.id) ?? 0) + line.quantity;
      if (product.stock < quantity) throw outOfStock(product);
      wanted.set(product.id, quantity);
    }
    for (const [productId, quantity] of wanted) {
      // Guarded again in SQL, so no path through this code can ever take stock below zero.
      if (this.statements.takeStock.run({ productId, quantity }).changes !== 1) {
        const now = this.statements.product.get(productId);
        throw outOfStock(now ?? { id: productId, name: productId, stock: 0 });
      }
    }
    const row = orderToRow(order);
    this.statements.insertOrder.run(row);
    if (cart !== undefined) {
      this.statements.emptyCart.run({ userId: order.userId, updatedAt: order.createdAt });
    }
    return { placed: true, order: orderFromRow(row) };
  }
}

const outOfStock = ({ id, name, stock }: Pick<Product, "id" | "name" | "stock">): AppError =>
  new AppError("OUT_OF_STOCK", `not enough ${name} in stock`, {
    fields: [{ field: id, message: `${stock} left` }],
  });
