import Database from "better-sqlite3";
import {
  type AddressReplacement,
  AppError,
  assertTransition,
  type Cart,
  type Comment,
  type CommentKey,
  type Connection,
  cartChanged,
  emailTaken,
  epochSeconds,
  type GuestCart,
  mergeConflict,
  type NewSavedAddress,
  type Order,
  type OutboxMessage,
  outboxMessageOf,
  outOfStock,
  type PlaceOrderCommand,
  type Product,
  type ProductWithComments,
  type Promotion,
  priceChanged,
  returnsStock,
  type SavedAddress,
  storeUnavailable,
  transitionOrder,
  type User,
} from "../../domain/index.js";
import {
  type AttachGuestOrderCommand,
  GUEST_ORDER_LIMITS,
} from "../../services/guest-order-ports.js";
import type {
  AddCommentCommand,
  CreateGuestCartCommand,
  FulfilmentStoreMethod,
  MergeGuestCartCommand,
  OperatorStoreMethod,
  OrderKey,
  OrderStatusChange,
  Page,
  PageRequest,
  PlaceOrderResult,
  RecoveryStoreMethod,
  SaveCartCommand,
  SaveGuestCartCommand,
  ShopConfigStoreMethod,
  Store,
} from "../../services/index.js";
import { prepareAddresses } from "./addresses.js";
import { prepareComments } from "./comments.js";
import { preparePages } from "./pages.js";
import { takePromotionUse } from "./promotion-uses.js";
import {
  cartFromRow,
  cartLinesJson,
  guestCartFromRow,
  mailToRow,
  orderFromRow,
  orderToRow,
  promotionFromRow,
  secondsOf,
  shipmentJson,
} from "./rows.js";
import { prepareStatements, type Statements } from "./statements.js";

const UNAVAILABLE_CODE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)(_|$)/;

/** Driver errors a client should retry later, as opposed to bugs in our own statements. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof Database.SqliteError) return UNAVAILABLE_CODE.test(error.code);
  return error instanceof TypeError && error.message === "The database connection is not open";
}

export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Database.SqliteError && error.code === "SQLITE_CONSTRAINT_UNIQUE";

/**
 * Runs one unit of store work and turns a backend failure into STORE_UNAVAILABLE. The driver's
 * text stays in `cause` only: it names tables and SQL, which no client should see.
 */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof AppError || !isUnavailable(error)) throw error;
    throw storeUnavailable(error);
  }
}

/**
 * The shoppers' half of the embedded store of `npm start`, on better-sqlite3 (the operators'
 * half is `SqliteStore`, store.ts). The driver is synchronous, so every method runs to
 * completion inside one call; what must be atomic across statements is one transaction.
 */
export abstract class SqliteShopStore
  implements
    Omit<
      Store,
      FulfilmentStoreMethod | OperatorStoreMethod | RecoveryStoreMethod | ShopConfigStoreMethod
    >
{
  protected readonly statements: Statements;
  private readonly comments: ReturnType<typeof prepareComments>;
  private readonly addresses: ReturnType<typeof prepareAddresses>;
  private readonly pages: ReturnType<typeof preparePages>;
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
  constructor(protected readonly db: Database.Database) {
    this.statements = prepareStatements(db);
    this.comments = prepareComments(db);
    this.addresses = prepareAddresses(db);
    this.pages = preparePages(db, this.comments);
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

  async listAddresses(userId: string): Promise<SavedAddress[]> {
    return guarded(() => this.addresses.list(userId));
  }

  async addAddress(userId: string, address: NewSavedAddress): Promise<SavedAddress> {
    return guarded(() => this.addresses.add(userId, address));
  }

  async replaceAddress(
    userId: string,
    addressId: string,
    replacement: AddressReplacement,
  ): Promise<SavedAddress | undefined> {
    return guarded(() => this.addresses.replace(userId, addressId, replacement));
  }

  async deleteAddress(userId: string, addressId: string): Promise<boolean> {
    return guarded(() => this.addresses.delete(userId, addressId));
  }

  async listProducts(): Promise<ProductWithComments[]> {
    return guarded(() => this.comments.summarized(this.statements.allCatalogue.all()));
  }

  async listProductPage(page: PageRequest<string>): Promise<Page<ProductWithComments, string>> {
    return guarded(() => this.pages.products(page));
  }

  async getProduct(id: string): Promise<ProductWithComments | undefined> {
    return guarded(() => {
      const product = this.statements.catalogueProduct.get(id);
      return product === undefined ? undefined : this.comments.summarized([product])[0];
    });
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    return guarded(() => this.productsByIds(ids));
  }

  async addComment(command: AddCommentCommand): Promise<Comment> {
    return guarded(() => this.comments.add(command));
  }

  async listCommentPage(
    productId: string,
    page: PageRequest<CommentKey>,
  ): Promise<Page<Comment, CommentKey> | undefined> {
    return guarded(() => this.comments.page(productId, page));
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
        const first = this.statements.orderByKey.get({
          userId: command.order.userId,
          key: command.order.idempotencyKey,
        });
        if (first === undefined) throw error;
        return { placed: false, order: orderFromRow(first) };
      }
    });
  }

  async listGuestOrders(email: string): Promise<Order[]> {
    return guarded(() =>
      this.statements.guestOrders.all(email, GUEST_ORDER_LIMITS.maxListed).map(orderFromRow),
    );
  }

  async attachGuestOrder(command: AttachGuestOrderCommand): Promise<Order | undefined> {
    return guarded(() => {
      const row = this.statements.attachGuestOrder.get(command);
      return row === undefined ? undefined : orderFromRow(row);
    });
  }

  async findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined> {
    return guarded(() => {
      const row = this.statements.orderByKey.get({ userId, key });
      return row === undefined ? undefined : orderFromRow(row);
    });
  }

  async listOrders(userId: string): Promise<Order[]> {
    return guarded(() => this.statements.ordersOf.all(userId).map(orderFromRow));
  }

  async listOrderPage(userId: string, page: PageRequest<OrderKey>): Promise<Page<Order, OrderKey>> {
    return guarded(() => this.pages.orders(userId, page));
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
        throw emailTaken(user.email);
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

  /**
   * The status update, on FAILED or CANCELLED the stock put back, and the step's e-mail in the
   * outbox: one transaction, all or nothing.
   */
  private changeOrderStatusInTransaction(change: OrderStatusChange): Order | undefined {
    const row = this.statements.order.get(change.userId, change.orderId);
    if (row === undefined || row.status !== change.from) return undefined;
    const { failureReason, shipment, deliveredAt } = change;
    const updated = this.statements.changeStatus.run({
      userId: change.userId,
      orderId: change.orderId,
      from: change.from,
      to: change.to,
      failureReason: failureReason ?? null,
      shipment: shipmentJson(shipment),
      deliveredAt: deliveredAt ?? null,
    });
    if (updated.changes !== 1) return undefined;
    const order = orderFromRow(row);
    if (returnsStock(change.to)) {
      for (const line of order.lines) {
        this.statements.returnStock.run({ productId: line.productId, quantity: line.quantity });
      }
    }
    const changed = transitionOrder(order, change.to, { failureReason, shipment, deliveredAt });
    this.putMail(outboxMessageOf(changed, change.at ?? new Date().toISOString()));
    return changed;
  }

  /** Puts a message in the outbox unless its id is there already. */
  private putMail(message: OutboxMessage | undefined): void {
    if (message !== undefined) this.statements.insertMail.run(mailToRow(message));
  }

  /** The body of placeOrder's one IMMEDIATE transaction: any throw rolls every write back. */
  private placeOrderInTransaction({
    order,
    cartVersion,
    guestCartTokenHash,
  }: PlaceOrderCommand): PlaceOrderResult {
    const previous = this.statements.orderByKey.get({
      userId: order.userId,
      key: order.idempotencyKey,
    });
    if (previous !== undefined) return { placed: false, order: orderFromRow(previous) };

    const cart =
      guestCartTokenHash === undefined
        ? this.statements.cart.get(order.userId)
        : this.statements.guestCart.get(guestCartTokenHash, secondsOf(order.createdAt));
    if ((cart?.version ?? 0) !== cartVersion) {
      throw cartChanged();
    }
    const products = new Map(
      this.productsByIds(order.lines.map((line) => line.productId)).map((p) => [p.id, p]),
    );
    // Check every line before writing anything; quantities add up when a product is on two lines.
    const wanted = new Map<string, number>();
    for (const line of order.lines) {
      const product = products.get(line.productId);
      if (product === undefined || product.priceCents !== line.unitPriceCents) {
        throw priceChanged(line.productId);
      }
      const quantity = (wanted.get(product.id) ?? 0) + line.quantity;
      if (product.stock < quantity) throw outOfStock(product, order.lines);
      wanted.set(product.id, quantity);
    }
    for (const [productId, quantity] of wanted) {
      // Guarded again in SQL, so no path through this code can ever take stock below zero.
      if (this.statements.takeStock.run({ productId, quantity }).changes !== 1) {
        const now = this.statements.product.get(productId);
        throw outOfStock(now ?? { id: productId, name: productId, stock: 0 }, order.lines);
      }
    }
    takePromotionUse(this.statements, order);
    const row = orderToRow(order);
    this.statements.insertOrder.run(row);
    this.putMail(outboxMessageOf(order, order.createdAt));
    if (guestCartTokenHash !== undefined) {
      this.statements.emptyGuestCart.run({
        tokenHash: guestCartTokenHash,
        updatedAt: order.createdAt,
      });
    } else if (cart !== undefined) {
      this.statements.emptyCart.run({ userId: order.userId, updatedAt: order.createdAt });
    }
    const { placedBy: _placedBy, ...stored } = row;
    return { placed: true, order: orderFromRow(stored) };
  }
}
