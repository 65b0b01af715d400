import {
  type AddressReplacement,
  assertTransition,
  type Cart,
  type Comment,
  type CommentKey,
  type Connection,
  cartChanged,
  emailTaken,
  epochSeconds,
  type GuestCart,
  isFinalStatus,
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
  productNotFound,
  promotionUsedUp,
  requireUsablePromotion,
  returnsStock,
  type SavedAddress,
  transitionOrder,
  type User,
} from "../domain/index.js";
import { type AttachGuestOrderCommand, GUEST_ORDER_LIMITS } from "../services/guest-order-ports.js";
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
  ShopConfig,
  ShopConfigStoreMethod,
  Store,
} from "../services/index.js";
import { MemoryAddresses } from "./memory-addresses.js";
import { MemoryComments } from "./memory-comments.js";
import { newestFirstPage } from "./memory-pages.js";
import { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";

export interface MemoryStoreSeed {
  products?: readonly Product[];
  comments?: readonly Comment[];
  promotions?: readonly Promotion[];
  /** The shipping and tax settings; the demo ones (`seedShopConfig`) when omitted. */
  shopConfig?: ShopConfig;
}

const copyOrder = (order: Order): Order => structuredClone(order);
const copyCart = <T extends Cart | GuestCart>(cart: T): T => ({
  ...cart,
  lines: cart.lines.map((line) => ({ ...line })),
});

/** Code-point order, as SQLite's BINARY collation and DynamoDB's sort keys compare ASCII. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const secondsOf = (iso: string): number => epochSeconds(new Date(iso));

/**
 * The shoppers' half of the memory store (its operators' half is `MemoryStore`, memory-store.ts).
 * Each method runs without an `await` between its reads and writes, so on Node's single thread
 * it is as atomic as a transaction. Values are copied in and out so callers can never mutate
 * the store's state.
 */
export abstract class MemoryShopStore
  implements
    Omit<
      Store,
      FulfilmentStoreMethod | OperatorStoreMethod | RecoveryStoreMethod | ShopConfigStoreMethod
    >
{
  /** Products taken out of the catalogue: readable by their operators only. */
  protected readonly archived = new Set<string>();
  /** Orders that used each promotion code, in all and per `code#userId`. */
  protected readonly promotionUses = new Map<string, number>();
  protected readonly customerPromotionUses = new Map<string, number>();
  protected readonly products = new Map<string, Product>();
  protected readonly comments = new MemoryComments();
  protected readonly addresses = new MemoryAddresses();
  protected readonly promotions = new Map<string, Promotion>();
  protected readonly carts = new Map<string, Cart>();
  protected readonly guestCarts = new Map<string, GuestCart>();
  protected readonly orders = new Map<string, Order>();
  protected readonly ordersByKey = new Map<string, string>();
  protected readonly users = new Map<string, User>();
  protected readonly userIdsByEmail = new Map<string, string>();
  protected readonly connections = new Map<string, Connection>();
  /** The outbox of order e-mails, by message id. */
  protected readonly mail = new Map<string, OutboxMessage>();

  constructor(seed: MemoryStoreSeed = {}) {
    for (const product of seed.products ?? SEED_PRODUCTS) {
      this.products.set(product.id, { ...product });
    }
    for (const comment of seed.comments ?? SEED_COMMENTS) {
      if (this.products.has(comment.productId)) this.comments.seed(comment);
    }
    for (const promotion of seed.promotions ?? SEED_PROMOTIONS) {
      this.promotions.set(promotion.code, { ...promotion });
    }
  }

  async listAddresses(userId: string): Promise<SavedAddress[]> {
    return this.addresses.list(userId);
  }

  async addAddress(userId: string, address: NewSavedAddress): Promise<SavedAddress> {
    return this.addresses.add(userId, address);
  }

  async replaceAddress(
    userId: string,
    addressId: string,
    replacement: AddressReplacement,
  ): Promise<SavedAddress | undefined> {
    return this.addresses.replace(userId, addressId, replacement);
  }

  async deleteAddress(userId: string, addressId: string): Promise<boolean> {
    return this.addresses.delete(userId, addressId);
  }

  async listProducts(): Promise<ProductWithComments[]> {
    return [...this.products.values()]
      .filter((product) => !this.archived.has(product.id))
      .map((product) => this.withComments(product));
  }

  async listProductPage(page: PageRequest<string>): Promise<Page<ProductWithComments, string>> {
    const after = page.after;
    const ids = [...this.products.keys()]
      .filter((id) => !this.archived.has(id) && (after === undefined || id > after))
      .sort(byCodePoint);
    const items = ids.slice(0, page.limit).flatMap((id) => {
      const product = this.products.get(id);
      return product === undefined ? [] : [this.withComments(product)];
    });
    return { items, next: ids.length > page.limit ? items.at(-1)?.id : undefined };
  }

  async getProduct(id: string): Promise<ProductWithComments | undefined> {
    const product = this.products.get(id);
    return product === undefined || this.archived.has(id) ? undefined : this.withComments(product);
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const found: Product[] = [];
    for (const id of new Set(ids)) {
      const product = this.products.get(id);
      if (product !== undefined && !this.archived.has(id)) found.push({ ...product });
    }
    return found;
  }

  async addComment(command: AddCommentCommand): Promise<Comment> {
    if (!this.products.has(command.comment.productId)) {
      throw productNotFound(command.comment.productId);
    }
    return this.comments.add(command);
  }

  async listCommentPage(
    productId: string,
    page: PageRequest<CommentKey>,
  ): Promise<Page<Comment, CommentKey> | undefined> {
    if (!this.products.has(productId) || this.archived.has(productId)) return undefined;
    return this.comments.page(productId, page);
  }

  async getCart(userId: string): Promise<Cart | undefined> {
    const cart = this.carts.get(userId);
    return cart === undefined ? undefined : copyCart(cart);
  }

  async saveCart(command: SaveCartCommand): Promise<Cart> {
    const version = (this.carts.get(command.userId)?.version ?? 0) + 1;
    const cart: Cart = {
      userId: command.userId,
      lines: command.lines.map((line) => ({ ...line })),
      ...(command.promotionCode === undefined ? {} : { promotionCode: command.promotionCode }),
      version,
      updatedAt: command.updatedAt,
    };
    this.carts.set(command.userId, cart);
    return copyCart(cart);
  }

  async getPromotion(code: string): Promise<Promotion | undefined> {
    const promotion = this.promotions.get(code);
    return promotion === undefined ? undefined : { ...promotion };
  }

  async createGuestCart(command: CreateGuestCartCommand): Promise<GuestCart> {
    if (this.guestCarts.has(command.tokenHash)) throw new Error("the guest cart already exists");
    const cart: GuestCart = { ...command, lines: [], version: 1 };
    this.guestCarts.set(command.tokenHash, cart);
    return copyCart(cart);
  }

  async getGuestCart(tokenHash: string, nowSeconds: number): Promise<GuestCart | undefined> {
    const cart = this.liveGuestCart(tokenHash, nowSeconds);
    return cart === undefined ? undefined : copyCart(cart);
  }

  async saveGuestCart(command: SaveGuestCartCommand): Promise<GuestCart | undefined> {
    const current = this.liveGuestCart(command.tokenHash, secondsOf(command.updatedAt));
    if (current === undefined) return undefined;
    const cart: GuestCart = {
      tokenHash: command.tokenHash,
      lines: command.lines.map((line) => ({ ...line })),
      ...(command.promotionCode === undefined ? {} : { promotionCode: command.promotionCode }),
      version: current.version + 1,
      updatedAt: command.updatedAt,
      expiresAt: command.expiresAt,
    };
    this.guestCarts.set(command.tokenHash, cart);
    return copyCart(cart);
  }

  async mergeGuestCart(command: MergeGuestCartCommand): Promise<Cart> {
    const guest = this.liveGuestCart(command.tokenHash, secondsOf(command.updatedAt));
    const user = this.carts.get(command.userId);
    if (
      guest === undefined ||
      guest.version !== command.guestCartVersion ||
      (user?.version ?? 0) !== command.userCartVersion
    ) {
      throw mergeConflict();
    }
    const cart: Cart = {
      userId: command.userId,
      lines: command.lines.map((line) => ({ ...line })),
      ...(command.promotionCode === undefined ? {} : { promotionCode: command.promotionCode }),
      version: command.userCartVersion + 1,
      updatedAt: command.updatedAt,
    };
    this.carts.set(command.userId, cart);
    this.guestCarts.delete(command.tokenHash);
    return copyCart(cart);
  }

  async placeOrder({
    order,
    cartVersion,
    guestCartTokenHash,
  }: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const keyId = `${order.userId}#${order.idempotencyKey}`;
    const previousId = this.ordersByKey.get(keyId);
    const previous = previousId === undefined ? undefined : this.orders.get(previousId);
    if (previous !== undefined) return { placed: false, order: copyOrder(previous) };

    const cart =
      guestCartTokenHash === undefined
        ? this.carts.get(order.userId)
        : this.liveGuestCart(guestCartTokenHash, secondsOf(order.createdAt));
    if ((cart?.version ?? 0) !== cartVersion) {
      throw cartChanged();
    }
    // Check every product before writing anything: nothing is written when one check fails.
    const wanted = new Map<string, number>();
    for (const line of order.lines) {
      const product = this.products.get(line.productId);
      if (
        product === undefined ||
        this.archived.has(line.productId) ||
        product.priceCents !== line.unitPriceCents
      ) {
        throw priceChanged(line.productId);
      }
      const quantity = (wanted.get(line.productId) ?? 0) + line.quantity;
      wanted.set(line.productId, quantity);
      if (product.stock < quantity) throw outOfStock(product, order.lines);
    }
    const takeUse = this.promotionUse(order);
    takeUse?.();
    for (const [productId, quantity] of wanted) {
      const product = this.products.get(productId);
      if (product !== undefined) product.stock -= quantity;
    }
    this.orders.set(order.id, copyOrder(order));
    this.ordersByKey.set(keyId, order.id);
    this.putMail(outboxMessageOf(order, order.createdAt));
    if (cart !== undefined) {
      const { promotionCode: _dropped, ...rest } = cart;
      const emptied = { ...rest, lines: [], version: cart.version + 1, updatedAt: order.createdAt };
      if (guestCartTokenHash === undefined) this.carts.set(order.userId, emptied as Cart);
      else this.guestCarts.set(guestCartTokenHash, emptied as GuestCart);
    }
    return { placed: true, order: copyOrder(order) };
  }

  async listGuestOrders(email: string): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((order) => order.guest?.email === email && order.userId.startsWith("guest-"))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .slice(0, GUEST_ORDER_LIMITS.maxListed)
      .map(copyOrder);
  }

  async attachGuestOrder(command: AttachGuestOrderCommand): Promise<Order | undefined> {
    const order = this.orders.get(command.orderId);
    if (
      order === undefined ||
      order.userId !== command.fromUserId ||
      order.guest === undefined ||
      !isFinalStatus(order.status)
    ) {
      return undefined;
    }
    const attached = { ...copyOrder(order), userId: command.toUserId };
    this.orders.set(order.id, attached);
    return copyOrder(attached);
  }

  async findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined> {
    const id = this.ordersByKey.get(`${userId}#${key}`);
    const order = id === undefined ? undefined : this.orders.get(id);
    return order === undefined ? undefined : copyOrder(order);
  }

  async listOrders(userId: string): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((order) => order.userId === userId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map(copyOrder);
  }

  async listOrderPage(userId: string, page: PageRequest<OrderKey>): Promise<Page<Order, OrderKey>> {
    const orders = [...this.orders.values()].filter((order) => order.userId === userId);
    return newestFirstPage(orders, page, copyOrder);
  }

  async getOrder(userId: string, orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order === undefined || order.userId !== userId ? undefined : copyOrder(order);
  }

  async changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined> {
    assertTransition(change);
    const order = this.orders.get(change.orderId);
    if (order === undefined || order.userId !== change.userId || order.status !== change.from) {
      return undefined;
    }
    if (returnsStock(change.to)) {
      for (const line of order.lines) {
        const product = this.products.get(line.productId);
        if (product !== undefined) product.stock += line.quantity;
      }
    }
    const { failureReason, shipment, deliveredAt } = change;
    const changed = transitionOrder(order, change.to, { failureReason, shipment, deliveredAt });
    this.orders.set(order.id, changed);
    this.putMail(outboxMessageOf(changed, change.at ?? new Date().toISOString()));
    return copyOrder(changed);
  }

  /** Puts a message in the outbox unless its id is there already. */
  private putMail(message: OutboxMessage | undefined): void {
    if (message !== undefined && !this.mail.has(message.id)) this.mail.set(message.id, message);
  }

  async saveConnection(connection: Connection): Promise<void> {
    this.connections.set(connection.id, { ...connection });
  }

  async deleteConnection(connectionId: string): Promise<void> {
    this.connections.delete(connectionId);
  }

  async listConnections(userId: string, nowSeconds: number): Promise<Connection[]> {
    return [...this.connections.values()]
      .filter((c) => c.userId === userId && c.expiresAt > nowSeconds)
      .map((c) => ({ ...c }));
  }

  async createUser(user: User): Promise<User> {
    if (this.userIdsByEmail.has(user.email)) {
      throw emailTaken(user.email);
    }
    this.users.set(user.id, { ...user });
    this.userIdsByEmail.set(user.email, user.id);
    return { ...user };
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const id = this.userIdsByEmail.get(email);
    return id === undefined ? undefined : this.getUser(id);
  }

  async getUser(id: string): Promise<User | undefined> {
    const user = this.users.get(id);
    return user === undefined ? undefined : { ...user };
  }

  async close(): Promise<void> {}

  /**
   * Checks the order's promotion can take one more use (its current definition: active, in its
   * window, under both limits) and answers the write that takes it; undefined without a code.
   */
  private promotionUse(order: Order): (() => void) | undefined {
    const code = order.promotionCode;
    if (code === undefined) return undefined;
    const promotion = requireUsablePromotion(
      code,
      this.promotions.get(code),
      new Date(order.createdAt),
    );
    const customerKey = `${code}#${order.userId}`;
    const uses = this.promotionUses.get(code) ?? 0;
    const customerUses = this.customerPromotionUses.get(customerKey) ?? 0;
    if (promotion.maxUses !== undefined && uses >= promotion.maxUses) {
      throw promotionUsedUp(code, false);
    }
    if (
      promotion.maxUsesPerCustomer !== undefined &&
      customerUses >= promotion.maxUsesPerCustomer
    ) {
      throw promotionUsedUp(code, true);
    }
    return () => {
      this.promotionUses.set(code, uses + 1);
      this.customerPromotionUses.set(customerKey, customerUses + 1);
    };
  }

  protected liveGuestCart(tokenHash: string, nowSeconds: number): GuestCart | undefined {
    const cart = this.guestCarts.get(tokenHash);
    return cart === undefined || cart.expiresAt <= nowSeconds ? undefined : cart;
  }

  protected withComments(product: Product): ProductWithComments {
    return { ...product, ...this.comments.summary(product.id) };
  }
}
