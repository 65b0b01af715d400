import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import {
  type ManagedProduct,
  type ManagedPromotion,
  type Order,
  type OutboxMessage,
  type ProductFigures,
  type Promotion,
  productExists,
  productNotFound,
  promotionExists,
  promotionNotFound,
  type StockAdjustment,
  stockWouldGoNegative,
} from "../../domain/index.js";
import type {
  AllOrdersPageRequest,
  CreateProductCommand,
  DueMailQuery,
  FulfilmentStore,
  InFlightPage,
  InFlightQuery,
  MailAttempt,
  OrderKey,
  OutboxKey,
  Page,
  PageRequest,
  PaymentEventRecord,
  PaymentRecord,
  PaymentSessionRecord,
  RecordedPayment,
  RecoveryStore,
  SaveShippingCommand,
  SaveTaxCommand,
  ShippingQueueKey,
  ShippingSettings,
  ShopConfig,
  ShopConfigStore,
  StockAdjustmentKey,
  Store,
  TaxSettings,
  UpdateProductCommand,
} from "../../services/index.js";
import { sqliteFulfilment } from "./fulfilment.js";
import { type OperatorStatements, prepareOperatorStatements } from "./operator-statements.js";
import { sqliteRecovery } from "./recovery.js";
import {
  managedProductFromRow,
  managedPromotionFromRow,
  orderFromRow,
  promotionToRow,
  stockAdjustmentFromRow,
} from "./rows.js";
import { openDatabase, type SqliteStoreOptions } from "./schema.js";
import { sqliteShopConfig } from "./shop-config.js";
import { guarded, isUniqueViolation, SqliteShopStore } from "./shop-store.js";

const IN_MEMORY = ":memory:";
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Opens (creating it and seeding the demo catalogue on first run) the SQLite store at
 * `options.file`. Fails with STORE_UNAVAILABLE when the file cannot be opened.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (options.file !== IN_MEMORY) await mkdir(dirname(options.file), { recursive: true });
  return guarded(() => new SqliteStore(openDatabase(options)));
}

/** The `limit` items of a newest-first query and the key after them (one extra row read). */
function pageFrom<T extends OrderKey>(rows: T[], limit: number): Page<T, OrderKey> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const more = rows.length > limit && last !== undefined;
  return { items, next: more ? { createdAt: last.createdAt, id: last.id } : undefined };
}

/**
 * The embedded store of `npm start`, on better-sqlite3: the shoppers' half (shop-store.ts) and,
 * here, the operators'. Build it with `openSqliteStore`.
 */
export class SqliteStore extends SqliteShopStore implements Store {
  private readonly operator: OperatorStatements;
  private readonly fulfilment: FulfilmentStore;
  private readonly recovery: RecoveryStore;
  private readonly shopConfig: ShopConfigStore;
  private readonly adjustTransaction: Database.Transaction<
    (adjustment: Omit<StockAdjustment, "stockAfter">) => StockAdjustment
  >;
  private readonly createProductTransaction: Database.Transaction<
    (command: CreateProductCommand) => void
  >;

  /** Prefer `openSqliteStore`, which creates the schema and seeds the catalogue first. */
  constructor(db: Database.Database) {
    super(db);
    this.operator = prepareOperatorStatements(db);
    this.fulfilment = sqliteFulfilment(db);
    this.recovery = sqliteRecovery(db);
    this.shopConfig = sqliteShopConfig(db);
    this.adjustTransaction = db.transaction((adjustment) => {
      const changed = this.operator.adjustStock.get({
        productId: adjustment.productId,
        delta: adjustment.delta,
      });
      if (changed === undefined) {
        const product = this.operator.managedProduct.get(adjustment.productId);
        if (product === undefined) throw productNotFound(adjustment.productId);
        throw stockWouldGoNegative(product.id, product.stock, adjustment.delta);
      }
      const recorded: StockAdjustment = { ...adjustment, stockAfter: changed.stock };
      this.operator.insertAdjustment.run({ ...recorded, note: recorded.note ?? null });
      return recorded;
    });
    this.createProductTransaction = db.transaction(({ product, adjustment }) => {
      this.operator.insertProduct.run(product);
      if (adjustment !== undefined) {
        this.operator.insertAdjustment.run({ ...adjustment, note: adjustment.note ?? null });
      }
    });
  }

  getShopConfig(): Promise<ShopConfig> {
    return this.shopConfig.getShopConfig();
  }

  saveShippingSettings(command: SaveShippingCommand): Promise<ShippingSettings> {
    return this.shopConfig.saveShippingSettings(command);
  }

  saveTaxSettings(command: SaveTaxCommand): Promise<TaxSettings> {
    return this.shopConfig.saveTaxSettings(command);
  }

  listDueMail(query: DueMailQuery): Promise<Page<OutboxMessage, OutboxKey>> {
    return this.fulfilment.listDueMail(query);
  }

  getMail(id: string): Promise<OutboxMessage | undefined> {
    return this.fulfilment.getMail(id);
  }

  listOrderMail(orderId: string): Promise<OutboxMessage[]> {
    return this.fulfilment.listOrderMail(orderId);
  }

  markMailSent(id: string, sentAt: string, attempts: number): Promise<boolean> {
    return this.fulfilment.markMailSent(id, sentAt, attempts);
  }

  recordMailAttempt(attempt: MailAttempt): Promise<boolean> {
    return this.fulfilment.recordMailAttempt(attempt);
  }

  listOrdersToShip(page: PageRequest<ShippingQueueKey>): Promise<Page<Order, ShippingQueueKey>> {
    return this.fulfilment.listOrdersToShip(page);
  }

  listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
    return this.recovery.listOrdersInFlight(query);
  }

  findPayment(orderId: string): Promise<PaymentRecord | undefined> {
    return this.recovery.findPayment(orderId);
  }

  recordPayment(record: PaymentRecord): Promise<RecordedPayment> {
    return this.recovery.recordPayment(record);
  }

  recordRefund(orderId: string, refundedAt: string): Promise<boolean> {
    return this.recovery.recordRefund(orderId, refundedAt);
  }

  findPaymentSession(orderId: string): Promise<PaymentSessionRecord | undefined> {
    return this.recovery.findPaymentSession(orderId);
  }

  recordPaymentSession(record: PaymentSessionRecord): Promise<PaymentSessionRecord> {
    return this.recovery.recordPaymentSession(record);
  }

  findPaymentEvent(eventId: string): Promise<PaymentEventRecord | undefined> {
    return this.recovery.findPaymentEvent(eventId);
  }

  recordPaymentEvent(record: PaymentEventRecord): Promise<boolean> {
    return this.recovery.recordPaymentEvent(record);
  }

  async listAllProducts(): Promise<ManagedProduct[]> {
    return guarded(() => this.operator.allManagedProducts.all().map(managedProductFromRow));
  }

  async createProduct(command: CreateProductCommand): Promise<ManagedProduct> {
    return guarded(() => {
      try {
        this.createProductTransaction.immediate(command);
      } catch (error) {
        if (isUniqueViolation(error) || isPrimaryKeyViolation(error)) {
          throw productExists(command.product.id);
        }
        throw error;
      }
      return this.managedProduct(command.product.id);
    });
  }

  async updateProduct({ id, ...changes }: UpdateProductCommand): Promise<ManagedProduct> {
    return guarded(() => {
      const updated = this.operator.updateProduct.run({
        id,
        name: changes.name ?? null,
        description: changes.description ?? null,
        imageUrl: changes.imageUrl ?? null,
        priceCents: changes.priceCents ?? null,
      });
      if (updated.changes === 0) throw productNotFound(id);
      return this.managedProduct(id);
    });
  }

  async archiveProduct(productId: string): Promise<ManagedProduct> {
    return guarded(() => {
      if (this.operator.archiveProduct.run(productId).changes === 0) {
        throw productNotFound(productId);
      }
      return this.managedProduct(productId);
    });
  }

  async adjustStock(adjustment: Omit<StockAdjustment, "stockAfter">): Promise<StockAdjustment> {
    return guarded(() => this.adjustTransaction.immediate(adjustment));
  }

  async listStockAdjustments(
    productId: string,
    page: PageRequest<StockAdjustmentKey>,
  ): Promise<Page<StockAdjustment, StockAdjustmentKey>> {
    return guarded(() => {
      const limit = page.limit + 1;
      const rows =
        page.after === undefined
          ? this.operator.adjustments.all({ productId, limit })
          : this.operator.adjustmentsAfter.all({ productId, limit, ...page.after });
      return pageFrom(rows.map(stockAdjustmentFromRow), page.limit);
    });
  }

  async listPromotions(): Promise<ManagedPromotion[]> {
    return guarded(() => this.operator.allPromotions.all().map(managedPromotionFromRow));
  }

  async createPromotion(promotion: Promotion): Promise<ManagedPromotion> {
    return guarded(() => {
      try {
        this.operator.insertPromotion.run(promotionToRow(promotion));
      } catch (error) {
        if (isUniqueViolation(error) || isPrimaryKeyViolation(error)) {
          throw promotionExists(promotion.code);
        }
        throw error;
      }
      return this.managedPromotion(promotion.code);
    });
  }

  async updatePromotion(promotion: Promotion): Promise<ManagedPromotion> {
    return guarded(() => {
      if (this.operator.updatePromotion.run(promotionToRow(promotion)).changes === 0) {
        throw promotionNotFound(promotion.code);
      }
      return this.managedPromotion(promotion.code);
    });
  }

  async listAllOrders(page: AllOrdersPageRequest): Promise<Page<Order, OrderKey>> {
    return guarded(() => {
      const limit = page.limit + 1;
      const { status, after: at } = page;
      const rows =
        status === undefined
          ? at === undefined
            ? this.operator.orders.all({ limit })
            : this.operator.ordersAfter.all({ limit, ...at })
          : at === undefined
            ? this.operator.ordersOfStatus.all({ limit, status })
            : this.operator.ordersOfStatusAfter.all({ limit, status, ...at });
      return pageFrom(rows.map(orderFromRow), page.limit);
    });
  }

  async findOrder(orderId: string): Promise<Order | undefined> {
    return guarded(() => {
      const row = this.operator.orderById.get(orderId);
      return row === undefined ? undefined : orderFromRow(row);
    });
  }

  async productFigures(now: Date): Promise<ProductFigures[]> {
    return guarded(() => {
      const inCarts = new Map(
        this.operator.unitsInCarts
          .all(Math.floor(now.getTime() / 1000))
          .map((row) => [row.productId, row.units]),
      );
      const sold = new Map(
        this.operator.unitsSold
          .all({
            dayAgo: new Date(now.getTime() - DAY_MS).toISOString(),
            weekAgo: new Date(now.getTime() - 7 * DAY_MS).toISOString(),
          })
          .map((row) => [row.productId, row]),
      );
      return this.statements.allProducts.all().map((product) => ({
        productId: product.id,
        unitsInCarts: inCarts.get(product.id) ?? 0,
        unitsSold24h: sold.get(product.id)?.day ?? 0,
        unitsSold7d: sold.get(product.id)?.week ?? 0,
      }));
    });
  }

  private managedProduct(id: string): ManagedProduct {
    const row = this.operator.managedProduct.get(id);
    if (row === undefined) throw productNotFound(id);
    return managedProductFromRow(row);
  }

  private managedPromotion(code: string): ManagedPromotion {
    const row = this.statements.promotion.get(code);
    if (row === undefined) throw promotionNotFound(code);
    return managedPromotionFromRow(row);
  }
}

const isPrimaryKeyViolation = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY";
