import type {
  Cart,
  CartLine,
  Comment,
  Connection,
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
