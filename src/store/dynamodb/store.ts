import type {
  ManagedProduct,
  ManagedPromotion,
  Order,
  OutboxMessage,
  ProductFigures,
  Promotion,
  StockAdjustment,
} from "../../domain/index.js";
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
} from "../../services/index.js";
import { DynamoDbClient } from "./client.js";
import { DynamoDbDocuments } from "./documents.js";
import { dynamoDbFulfilment } from "./fulfilment.js";
import * as operator from "./operator.js";
import * as promotions from "./promotions.js";
import type { Table } from "./reads.js";
import { dynamoDbRecovery } from "./recovery.js";
import { guarded } from "./retries.js";
import { createTable, seedTable } from "./setup.js";
import * as shopConfig from "./shop-config.js";
import { DynamoDbShopStore, type DynamoDbStoreOptions } from "./shop-store.js";
import { DEFAULT_LAYOUT, MAX_LIST_SHARDS, MAX_SHARDS, type TableLayout } from "./table.js";

/** The layout asked for over the default one, each count checked against its range. */
export function layoutOf(asked: Partial<TableLayout> = {}): TableLayout {
  const layout = { ...DEFAULT_LAYOUT, ...asked };
  for (const [name, count] of Object.entries(layout)) {
    const [least, most] = name === "listShards" ? [1, MAX_LIST_SHARDS] : [0, MAX_SHARDS];
    if (!Number.isInteger(count) || count < least || count > most) {
      throw new RangeError(`layout.${name}: must be an integer from ${least} to ${most}`);
    }
  }
  return layout;
}

export type { DynamoDbStoreOptions } from "./shop-store.js";

/**
 * Opens the DynamoDB store on `options.tableName`, creating and seeding the table first when
 * asked. Fails with STORE_UNAVAILABLE when DynamoDB cannot be reached.
 */
export async function openDynamoDbStore(options: DynamoDbStoreOptions): Promise<DynamoDbStore> {
  const ownsClient = options.client === undefined;
  // A dead endpoint fails within the connection timeout, not the OS's TCP timeouts.
  const client =
    options.client ??
    new DynamoDbClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.connectionTimeoutMs === undefined
        ? {}
        : { connectionTimeoutMs: options.connectionTimeoutMs }),
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.requestTimeoutMs }),
    });
  const table: Table = {
    documents: new DynamoDbDocuments(client),
    name: options.tableName,
    layout: layoutOf(options.layout),
  };
  try {
    await guarded(async () => {
      if (options.createTable === true) await createTable(table.documents, table.name);
      if (options.seed !== undefined && options.seed !== false) {
        await seedTable(table, options.seed === true ? {} : options.seed);
        await shopConfig.seedShopSettings(table);
      }
    });
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
  return new DynamoDbStore(client, table, ownsClient, options.log);
}

/**
 * The DynamoDB adapter of the Store: the shoppers' half (shop-store.ts) and, here, the
 * operators' (operator.ts). Build it with `openDynamoDbStore`.
 */
export class DynamoDbStore extends DynamoDbShopStore implements Store {
  private readonly recovery = dynamoDbRecovery(this.table);
  private readonly fulfilment = dynamoDbFulfilment(this.table);

  async getShopConfig(): Promise<ShopConfig> {
    return this.guarded(() => shopConfig.getShopConfig(this.table));
  }

  async saveShippingSettings(command: SaveShippingCommand): Promise<ShippingSettings> {
    return this.guarded(() => shopConfig.saveShippingSettings(this.table, command));
  }

  async saveTaxSettings(command: SaveTaxCommand): Promise<TaxSettings> {
    return this.guarded(() => shopConfig.saveTaxSettings(this.table, command));
  }

  async listDueMail(query: DueMailQuery): Promise<Page<OutboxMessage, OutboxKey>> {
    return this.guarded(() => this.fulfilment.listDueMail(query));
  }

  async getMail(id: string): Promise<OutboxMessage | undefined> {
    return this.guarded(() => this.fulfilment.getMail(id));
  }

  async listOrderMail(orderId: string): Promise<OutboxMessage[]> {
    return this.guarded(() => this.fulfilment.listOrderMail(orderId));
  }

  async markMailSent(id: string, sentAt: string, attempts: number): Promise<boolean> {
    return this.guarded(() => this.fulfilment.markMailSent(id, sentAt, attempts));
  }

  async recordMailAttempt(attempt: MailAttempt): Promise<boolean> {
    return this.guarded(() => this.fulfilment.recordMailAttempt(attempt));
  }

  async listOrdersToShip(
    page: PageRequest<ShippingQueueKey>,
  ): Promise<Page<Order, ShippingQueueKey>> {
    return this.guarded(() => this.fulfilment.listOrdersToShip(page));
  }

  async listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
    return this.guarded(() => this.recovery.listOrdersInFlight(query));
  }

  async findPayment(orderId: string): Promise<PaymentRecord | undefined> {
    return this.guarded(() => this.recovery.findPayment(orderId));
  }

  async recordPayment(record: PaymentRecord): Promise<RecordedPayment> {
    return this.guarded(() => this.recovery.recordPayment(record));
  }

  async recordRefund(orderId: string, refundedAt: string): Promise<boolean> {
    return this.guarded(() => this.recovery.recordRefund(orderId, refundedAt));
  }

  async findPaymentSession(orderId: string): Promise<PaymentSessionRecord | undefined> {
    return this.guarded(() => this.recovery.findPaymentSession(orderId));
  }

  async recordPaymentSession(record: PaymentSessionRecord): Promise<PaymentSessionRecord> {
    return this.guarded(() => this.recovery.recordPaymentSession(record));
  }

  async findPaymentEvent(eventId: string): Promise<PaymentEventRecord | undefined> {
    return this.guarded(() => this.recovery.findPaymentEvent(eventId));
  }

  async recordPaymentEvent(record: PaymentEventRecord): Promise<boolean> {
    return this.guarded(() => this.recovery.recordPaymentEvent(record));
  }
  async listAllProducts(): Promise<ManagedProduct[]> {
    return this.guarded(() => operator.listAllProducts(this.table));
  }

  async createProduct(command: CreateProductCommand): Promise<ManagedProduct> {
    return this.guarded(() => operator.createProduct(this.table, command));
  }

  async updateProduct(command: UpdateProductCommand): Promise<ManagedProduct> {
    return this.guarded(() => operator.updateProduct(this.table, command));
  }

  async archiveProduct(productId: string): Promise<ManagedProduct> {
    return this.guarded(() => operator.archiveProduct(this.table, productId));
  }

  /**
   * Splits a product's stock over `shards` stock items (1 to MAX_SHARDS), moving every unit in
   * one transaction; false when it already has that many. Not part of the Store port: only this
   * adapter has shards (the backfill script and the scale bench call it).
   */
  async reshardStock(productId: string, shards: number): Promise<boolean> {
    return this.guarded(() => operator.reshardStock(this.table, productId, shards));
  }

  async adjustStock(adjustment: Omit<StockAdjustment, "stockAfter">): Promise<StockAdjustment> {
    return this.guarded(() => operator.adjustStock(this.table, adjustment));
  }

  async listStockAdjustments(
    productId: string,
    page: PageRequest<StockAdjustmentKey>,
  ): Promise<Page<StockAdjustment, StockAdjustmentKey>> {
    return this.guarded(() => operator.listStockAdjustments(this.table, productId, page));
  }

  async listPromotions(): Promise<ManagedPromotion[]> {
    return this.guarded(() => promotions.listPromotions(this.table));
  }

  async createPromotion(promotion: Promotion): Promise<ManagedPromotion> {
    return this.guarded(() => promotions.createPromotion(this.table, promotion));
  }

  async updatePromotion(promotion: Promotion): Promise<ManagedPromotion> {
    return this.guarded(() => promotions.updatePromotion(this.table, promotion));
  }

  async listAllOrders(page: AllOrdersPageRequest): Promise<Page<Order, OrderKey>> {
    return this.guarded(() => operator.listAllOrders(this.table, page));
  }

  async findOrder(orderId: string): Promise<Order | undefined> {
    return this.guarded(() => operator.findOrder(this.table, orderId));
  }

  async productFigures(now: Date): Promise<ProductFigures[]> {
    return this.guarded(() => operator.productFigures(this.table, now));
  }
}
