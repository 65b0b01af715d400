import {
  awaitsShipping,
  holdsStock,
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
} from "../domain/index.js";
import type {
  AllOrdersPageRequest,
  CreateProductCommand,
  DueMailQuery,
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
  SaveShippingCommand,
  SaveTaxCommand,
  ShippingQueueKey,
  ShippingSettings,
  ShopConfig,
  StockAdjustmentKey,
  Store,
  TaxSettings,
  UpdateProductCommand,
} from "../services/index.js";
import { newestFirstPage, oldestFirstAfter, oldestFirstPage } from "./memory-pages.js";
import { MemoryShopConfig } from "./memory-shop-config.js";
import { MemoryShopStore, type MemoryStoreSeed } from "./memory-shop-store.js";

export type { MemoryStoreSeed } from "./memory-shop-store.js";

const DAY_MS = 24 * 60 * 60 * 1000;

const copyOrder = (order: Order): Order => ({
  ...order,
  lines: order.lines.map((line) => ({ ...line })),
});

/**
 * A store in process memory, for unit tests and benchmarks: the shoppers' half
 * (memory-shop-store.ts) and, here, the operators'. As atomic as a transaction per method, for
 * the same reason: no `await` between a method's reads and writes.
 */
export class MemoryStore extends MemoryShopStore implements Store {
  private readonly adjustments = new Map<string, StockAdjustment[]>();
  private readonly payments = new Map<string, PaymentRecord>();
  private readonly paymentSessions = new Map<string, PaymentSessionRecord>();
  private readonly paymentEvents = new Map<string, PaymentEventRecord>();
  private readonly shopConfig: MemoryShopConfig;

  constructor(seed: MemoryStoreSeed = {}) {
    super(seed);
    this.shopConfig = new MemoryShopConfig(seed.shopConfig);
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

  async listDueMail(query: DueMailQuery): Promise<Page<OutboxMessage, OutboxKey>> {
    const { after } = query;
    const keyOf = (m: OutboxMessage): OutboxKey => ({
      nextAttemptAt: m.nextAttemptAt ?? "",
      id: m.id,
    });
    const before = (a: OutboxKey, b: OutboxKey) =>
      a.nextAttemptAt < b.nextAttemptAt || (a.nextAttemptAt === b.nextAttemptAt && a.id < b.id);
    const due = [...this.mail.values()]
      .filter((m) => m.nextAttemptAt !== undefined && m.nextAttemptAt <= query.dueBy)
      .filter((m) => after === undefined || before(after, keyOf(m)))
      .sort((a, b) => (before(keyOf(a), keyOf(b)) ? -1 : 1));
    const items = due.slice(0, query.limit).map((m) => ({ ...m }));
    const last = items[items.length - 1];
    return {
      items,
      next: due.length > query.limit && last !== undefined ? keyOf(last) : undefined,
    };
  }

  async getMail(id: string): Promise<OutboxMessage | undefined> {
    const message = this.mail.get(id);
    return message === undefined ? undefined : { ...message };
  }

  async listOrderMail(orderId: string): Promise<OutboxMessage[]> {
    return [...this.mail.values()]
      .filter((m) => m.orderId === orderId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((m) => ({ ...m }));
  }

  async markMailSent(id: string, sentAt: string, attempts: number): Promise<boolean> {
    const message = this.mail.get(id);
    if (message === undefined || message.sentAt !== undefined || message.failedAt !== undefined) {
      return false;
    }
    const { nextAttemptAt: _due, ...rest } = message;
    this.mail.set(id, { ...rest, attempts, sentAt });
    return true;
  }

  async recordMailAttempt(attempt: MailAttempt): Promise<boolean> {
    const message = this.mail.get(attempt.id);
    if (
      message === undefined ||
      message.nextAttemptAt === undefined ||
      message.attempts !== attempt.attemptsBefore
    ) {
      return false;
    }
    const { nextAttemptAt: _due, ...rest } = message;
    this.mail.set(attempt.id, {
      ...rest,
      attempts: attempt.attemptsBefore + 1,
      lastError: attempt.error,
      ...(attempt.nextAttemptAt === undefined ? {} : { nextAttemptAt: attempt.nextAttemptAt }),
      ...(attempt.failedAt === undefined ? {} : { failedAt: attempt.failedAt }),
    });
    return true;
  }

  async listOrdersToShip(
    page: PageRequest<ShippingQueueKey>,
  ): Promise<Page<Order, ShippingQueueKey>> {
    const waiting = [...this.orders.values()].filter((order) => awaitsShipping(order.status));
    return oldestFirstPage(waiting, page, copyOrder);
  }

  async listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
    const orders = oldestFirstAfter(
      [...this.orders.values()].filter(
        (order) =>
          (order.status === "PLACED" || order.status === "PROCESSING") &&
          order.createdAt < query.placedBefore,
      ),
      query.after,
    );
    const page = orders.slice(0, query.limit).map(copyOrder);
    const last = page[page.length - 1];
    return {
      orders: page,
      next:
        orders.length > query.limit && last !== undefined
          ? { createdAt: last.createdAt, id: last.id, userId: last.userId }
          : undefined,
    };
  }

  async findPayment(orderId: string): Promise<PaymentRecord | undefined> {
    const payment = this.payments.get(orderId);
    return payment === undefined ? undefined : { ...payment };
  }

  async recordPayment(record: PaymentRecord): Promise<RecordedPayment> {
    const first = this.payments.get(record.orderId);
    if (first !== undefined) return { recorded: false, payment: { ...first } };
    this.payments.set(record.orderId, { ...record });
    return { recorded: true, payment: { ...record } };
  }

  async recordRefund(orderId: string, refundedAt: string): Promise<boolean> {
    const payment = this.payments.get(orderId);
    if (payment === undefined || !payment.approved || payment.refundedAt !== undefined)
      return false;
    this.payments.set(orderId, { ...payment, refundedAt });
    return true;
  }

  async findPaymentSession(orderId: string): Promise<PaymentSessionRecord | undefined> {
    const session = this.paymentSessions.get(orderId);
    return session === undefined ? undefined : { ...session };
  }

  async recordPaymentSession(record: PaymentSessionRecord): Promise<PaymentSessionRecord> {
    const first = this.paymentSessions.get(record.orderId);
    if (first !== undefined) return { ...first };
    this.paymentSessions.set(record.orderId, { ...record });
    return { ...record };
  }

  async findPaymentEvent(eventId: string): Promise<PaymentEventRecord | undefined> {
    const event = this.paymentEvents.get(eventId);
    return event === undefined ? undefined : { ...event };
  }

  async recordPaymentEvent(record: PaymentEventRecord): Promise<boolean> {
    if (this.paymentEvents.has(record.eventId)) return false;
    this.paymentEvents.set(record.eventId, { ...record });
    return true;
  }

  async listAllProducts(): Promise<ManagedProduct[]> {
    return [...this.products.values()].map((product) => this.managed(product.id));
  }

  async createProduct({ product, adjustment }: CreateProductCommand): Promise<ManagedProduct> {
    if (this.products.has(product.id)) throw productExists(product.id);
    this.products.set(product.id, { ...product });
    if (adjustment !== undefined) this.adjustments.set(product.id, [{ ...adjustment }]);
    return this.managed(product.id);
  }

  async updateProduct({ id, ...changes }: UpdateProductCommand): Promise<ManagedProduct> {
    const product = this.products.get(id);
    if (product === undefined) throw productNotFound(id);
    this.products.set(id, { ...product, ...changes });
    return this.managed(id);
  }

  async archiveProduct(productId: string): Promise<ManagedProduct> {
    if (!this.products.has(productId)) throw productNotFound(productId);
    this.archived.add(productId);
    return this.managed(productId);
  }

  async adjustStock(adjustment: Omit<StockAdjustment, "stockAfter">): Promise<StockAdjustment> {
    const product = this.products.get(adjustment.productId);
    if (product === undefined) throw productNotFound(adjustment.productId);
    const stockAfter = product.stock + adjustment.delta;
    if (stockAfter < 0) {
      throw stockWouldGoNegative(product.id, product.stock, adjustment.delta);
    }
    product.stock = stockAfter;
    const recorded: StockAdjustment = { ...adjustment, stockAfter };
    const trail = this.adjustments.get(product.id) ?? [];
    trail.push(recorded);
    this.adjustments.set(product.id, trail);
    return { ...recorded };
  }

  async listStockAdjustments(
    productId: string,
    page: PageRequest<StockAdjustmentKey>,
  ): Promise<Page<StockAdjustment, StockAdjustmentKey>> {
    return newestFirstPage(this.adjustments.get(productId) ?? [], page, (a) => ({ ...a }));
  }

  async listPromotions(): Promise<ManagedPromotion[]> {
    return [...this.promotions.keys()].sort().map((code) => this.managedPromotion(code));
  }

  async createPromotion(promotion: Promotion): Promise<ManagedPromotion> {
    if (this.promotions.has(promotion.code)) throw promotionExists(promotion.code);
    this.promotions.set(promotion.code, { ...promotion });
    return this.managedPromotion(promotion.code);
  }

  async updatePromotion(promotion: Promotion): Promise<ManagedPromotion> {
    if (!this.promotions.has(promotion.code)) throw promotionNotFound(promotion.code);
    this.promotions.set(promotion.code, { ...promotion });
    return this.managedPromotion(promotion.code);
  }

  async listAllOrders(page: AllOrdersPageRequest): Promise<Page<Order, OrderKey>> {
    const { status } = page;
    const orders = [...this.orders.values()].filter(
      (order) => status === undefined || order.status === status,
    );
    return newestFirstPage(orders, page, copyOrder);
  }

  async findOrder(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order === undefined ? undefined : copyOrder(order);
  }

  async productFigures(now: Date): Promise<ProductFigures[]> {
    const figures = new Map<string, ProductFigures>();
    for (const product of this.products.values()) {
      if (this.archived.has(product.id)) continue;
      figures.set(product.id, {
        productId: product.id,
        unitsInCarts: 0,
        unitsSold24h: 0,
        unitsSold7d: 0,
      });
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const carts = [
      ...this.carts.values(),
      ...[...this.guestCarts.values()].filter((cart) => cart.expiresAt > nowSeconds),
    ];
    for (const cart of carts) {
      for (const line of cart.lines) {
        const entry = figures.get(line.productId);
        if (entry !== undefined) entry.unitsInCarts += line.quantity;
      }
    }
    const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
    const weekAgo = new Date(now.getTime() - 7 * DAY_MS).toISOString();
    for (const order of this.orders.values()) {
      if (order.createdAt < weekAgo || !holdsStock(order.status)) continue;
      for (const line of order.lines) {
        const entry = figures.get(line.productId);
        if (entry === undefined) continue;
        entry.unitsSold7d += line.quantity;
        if (order.createdAt >= dayAgo) entry.unitsSold24h += line.quantity;
      }
    }
    return [...figures.values()];
  }

  private managed(productId: string): ManagedProduct {
    const product = this.products.get(productId);
    if (product === undefined) throw productNotFound(productId);
    return { ...product, archived: this.archived.has(productId) };
  }

  private managedPromotion(code: string): ManagedPromotion {
    const promotion = this.promotions.get(code);
    if (promotion === undefined) throw promotionNotFound(code);
    return { ...promotion, uses: this.promotionUses.get(code) ?? 0 };
  }
}
