import type {
  Cart,
  CartLine,
  Comment,
  Connection,
  GuestCart,
  Order,
  OrderTransition,
  PlaceOrderCommand,
  Product,
  ProductWithComments,
  Promotion,
  User,
} from "../domain/index.js";

export interface SaveCartCommand {
  userId: string;
  lines: CartLine[];
  promotionCode?: string;
  updatedAt: string;
}

/** A new, empty guest cart under the SHA-256 (hex) of its token: never the token itself. */
export interface CreateGuestCartCommand {
  tokenHash: string;
  updatedAt: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface SaveGuestCartCommand {
  tokenHash: string;
  lines: CartLine[];
  promotionCode?: string;
  /** Also "now": a cart that expired by this time is not saved (nor brought back). */
  updatedAt: string;
  /** The new expiry, epoch seconds: each save pushes it back. */
  expiresAt: number;
}

/**
 * Moves a guest cart into a user's cart: `lines` and `promotionCode` are the merge already made
 * (by `mergeCarts`) from the two carts as read at `userCartVersion` and `guestCartVersion`.
 */
export interface MergeGuestCartCommand {
  userId: string;
  tokenHash: string;
  /** 0 for a user who has no cart yet. */
  userCartVersion: number;
  guestCartVersion: number;
  lines: CartLine[];
  promotionCode?: string;
  /** Also "now": a guest cart that expired by this time cannot be merged. */
  updatedAt: string;
}

export type PlaceOrderResult =
  | { placed: true; order: Order }
  /** The idempotency key was used before: the first order, untouched. */
  | { placed: false; order: Order };

/** One step of an order's lifecycle, for the order of `userId` with id `orderId`. */
export interface OrderStatusChange extends OrderTransition {
  userId: string;
  orderId: string;
}

/**
 * Everything the services need from persistence. Adapters: SQLite (local default), memory (unit
 * tests), DynamoDB (AWS). Every method is atomic on its own; a failing backend throws
 * `AppError("STORE_UNAVAILABLE")`, never a driver error, and never leaves a half-written write.
 * Ids of new orders, users and comments are fresh UUIDs from the services: reusing one is a
 * programming error, not a condition adapters have to answer gracefully.
 */
export interface Store {
  /** Every product with its comments, in a bounded number of round trips whatever the count. */
  listProducts(): Promise<ProductWithComments[]>;
  getProduct(id: string): Promise<ProductWithComments | undefined>;
  /** The products among `ids` that exist; unknown ids are simply absent. */
  getProducts(ids: readonly string[]): Promise<Product[]>;
  /** Throws NOT_FOUND when the product does not exist. */
  addComment(comment: Comment): Promise<Comment>;

  getCart(userId: string): Promise<Cart | undefined>;
  /** Replaces the user's cart and bumps its version. */
  saveCart(command: SaveCartCommand): Promise<Cart>;

  getPromotion(code: string): Promise<Promotion | undefined>;

  /** Stores a new, empty guest cart at version 1. */
  createGuestCart(command: CreateGuestCartCommand): Promise<GuestCart>;
  /** Undefined when there is no such cart or it expired by `nowSeconds` (epoch seconds). */
  getGuestCart(tokenHash: string, nowSeconds: number): Promise<GuestCart | undefined>;
  /**
   * Replaces a guest cart's lines and code, bumps its version and pushes back its expiry; answers
   * undefined, writing nothing, when the cart does not exist or has expired (a merged or expired
   * cart is never brought back by a late save).
   */
  saveGuestCart(command: SaveGuestCartCommand): Promise<GuestCart | undefined>;
  /**
   * In ONE transaction: check the user's cart is still at `userCartVersion` and the guest cart
   * still exists, unexpired, at `guestCartVersion`; replace the user's cart with the merged
   * lines (its version bumped) and delete the guest cart. When either check fails nothing is
   * written and CART_CHANGED is thrown: read both carts again and merge anew.
   */
  mergeGuestCart(command: MergeGuestCartCommand): Promise<Cart>;

  /**
   * In ONE transaction: refuse a reused idempotency key by returning its order, check the cart
   * is still at `cartVersion` (else CART_CHANGED), decrement each line's stock only if enough is
   * left and the price is unchanged (else OUT_OF_STOCK / CART_CHANGED naming the product), insert
   * the order, empty the cart and record the key. Nothing is written when any check fails.
   */
  placeOrder(command: PlaceOrderCommand): Promise<PlaceOrderResult>;
  findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined>;
  /** Newest first. */
  listOrders(userId: string): Promise<Order[]>;
  /** Undefined when the order does not exist OR belongs to another user. */
  getOrder(userId: string, orderId: string): Promise<Order | undefined>;

  /**
   * Moves the order one step along its lifecycle, only if its status is `change.from` at that
   * moment; answers the order as it is now, or undefined when its status was another (another
   * delivery got there first) or there is no such order. Going to FAILED puts back the stock the
   * order took, in the same transaction. Throws ILLEGAL_TRANSITION, writing nothing, for a step
   * the lifecycle does not have.
   */
  changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined>;

  /** Records (or replaces) a WebSocket connection until its `expiresAt`. */
  saveConnection(connection: Connection): Promise<void>;
  /** Forgets a connection; nothing happens for an unknown one. */
  deleteConnection(connectionId: string): Promise<void>;
  /** The user's connections that have not expired at `nowSeconds` (epoch seconds). */
  listConnections(userId: string, nowSeconds: number): Promise<Connection[]>;

  /** Throws EMAIL_TAKEN when the (normalized) email is already registered. */
  createUser(user: User): Promise<User>;
  findUserByEmail(email: string): Promise<User | undefined>;
  getUser(id: string): Promise<User | undefined>;

  close(): Promise<void>;
}
