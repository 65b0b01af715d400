import type {
  Cart,
  CartLine,
  Connection,
  GuestCart,
  ImageUpload,
  ImageUploadRequest,
  ManagedProduct,
  ManagedPromotion,
  Order,
  OrderStatus,
  OrderTransition,
  PlaceOrderCommand,
  Product,
  ProductFigures,
  ProductWithComments,
  Promotion,
  StockAdjustment,
  User,
} from "../domain/index.js";
import type { AddressStore } from "./address-ports.js";
import type { CommentStore } from "./comment-ports.js";
import type { GuestOrderStore } from "./guest-order-ports.js";
import type { FulfilmentStore } from "./outbox-ports.js";
import type { Page, PageRequest } from "./page-ports.js";
import type { RecoveryStore } from "./recovery-ports.js";
import type { ShopConfigStore } from "./shop-config-ports.js";
import type { ShipmentView } from "./views.js";

export type { Page, PageRequest } from "./page-ports.js";

// The ports every adapter (store/, notify/, identity/, payment/) implements or a service is handed.

/** Who is calling, as proven by a verified token. Never built from a request body or query. */
export interface Caller {
  userId: string;
  /** Shown as the author of the caller's comments. */
  username: string;
  /** The token's `cognito:groups`; `admin` (ADMIN_GROUP) makes the caller one of the operators. */
  groups: readonly string[];
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison of `password` against a hash made by `hash`. */
  verify(password: string, hash: string): Promise<boolean>;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

/** What a user-pool sign-in answers: Cognito's access, ID and (on sign-in only) refresh token. */
export interface SessionTokens extends IssuedToken {
  idToken: string;
  /** Absent on a refresh: as Cognito's REFRESH_TOKEN_AUTH, the client keeps the one it has. */
  refreshToken?: string;
}

/** Signs access tokens for the local issuer; in AWS, Cognito issues them instead. */
export interface TokenIssuer {
  issue(user: User): Promise<IssuedToken>;
  /** The access token of `issue`, an ID token, and a refresh token when `withRefreshToken`. */
  issueSession(user: User, options: { withRefreshToken: boolean }): Promise<SessionTokens>;
  /**
   * The user id a refresh token of this issuer names; undefined for anything else (forged,
   * expired, signed by another key, or an access or ID token).
   */
  verifyRefreshToken(token: string): Promise<string | undefined>;
  /** The public keys that verify the tokens, as a JSON Web Key Set. */
  jwks(): Promise<{ keys: object[] }>;
}

/** The caller a bearer token proves (for a `write`, one the issuer still knows), or UNAUTHENTICATED. */
export interface TokenVerifier {
  verify(token: string, use?: "read" | "write"): Promise<Caller>;
  /**
   * Who an ID token (Cognito's, or the local pool's) says the user is: its `sub`, `email` and
   * whether the pool confirmed that address. UNAUTHENTICATED for a token that is not a valid ID
   * token of this pool and client.
   */
  verifyIdToken(token: string): Promise<VerifiedIdentity>;
}

/** What a verified ID token says of its user. */
export interface VerifiedIdentity {
  userId: string;
  /** Lower-cased; absent when the token carries none. */
  email?: string;
  /** The pool's `email_verified`: true only once the user confirmed the address. */
  emailVerified: boolean;
}

/** A placed order, as the processing step is told about it. */
export interface OrderRef {
  userId: string;
  orderId: string;
}

/**
 * Where checkout announces a placed order to the processing step. In AWS it is a no-op: the
 * table's DynamoDB stream carries the inserted order to the processing function, with no second
 * write to lose. The dev server feeds an in-process queue instead.
 */
export interface OrderQueue {
  enqueue(order: OrderRef): Promise<void>;
}

/** What a user's WebSocket clients receive when one of their orders changes state. */
export interface OrderUpdate {
  type: "order.updated";
  orderId: string;
  status: OrderStatus;
  /** Why the order failed; on FAILED only. */
  reason?: string;
  /** How the parcel left; from SHIPPED on. */
  shipment?: ShipmentView;
}

/**
 * Delivers a message to every open connection of a user. Best effort by contract: it never
 * throws (a failed delivery is logged), since a notification must never fail an order.
 */
export interface Notifier {
  notify(userId: string, message: OrderUpdate): Promise<void>;
}

export interface PaymentRequest {
  /** Also the payment's idempotency key: a second charge for one order answers the first result. */
  orderId: string;
  userId: string;
  amountCents: number;
  currency: string;
}

export type PaymentResult =
  | { approved: true }
  | { approved: false; reason: string }
  /**
   * Started, and waiting for the customer (a provider whose page takes the payment, such as
   * Stripe's Payment Element): the order stays PROCESSING until the provider's webhook, or the
   * sweeper's reconciliation, settles it.
   */
  | { approved: false; pending: true };

export type RefundResult =
  | { refunded: true; amountCents: number }
  /** Nothing was taken for the order (never charged, or declined): nothing to give back. */
  | { refunded: false; reason: string };

/** What the page needs to take an order's payment itself: its provider's public parts. */
export type PaymentSession =
  /** The provider charges on its own: the page has nothing to do but watch the order. */
  | { provider: "demo" }
  | {
      provider: "stripe";
      /** Stripe's publishable key (`pk_...`): Stripe.js is loaded with it. */
      publishableKey: string;
      /** The PaymentIntent's client secret: the Payment Element confirms the payment with it. */
      clientSecret: string;
      amountCents: number;
      /** ISO 4217, upper case. */
      currency: string;
    };

/**
 * One verified event of the provider about an order's payment. `succeeded` and `failed` carry
 * the amount and currency the provider saw; anything else the provider sends is `ignored`.
 */
export type PaymentEvent = {
  id: string;
  receivedType: string;
  /** When the provider made the event (ISO 8601). */
  createdAt: string;
} & (
  | {
      kind: "succeeded" | "failed";
      orderId: string;
      userId: string;
      amountCents: number;
      /** ISO 4217, upper case. */
      currency: string;
      /** Why it failed, in the provider's words; on `failed` only. */
      reason?: string;
    }
  | { kind: "ignored" }
);

/** A provider that tells the shop about payments by signed webhooks. */
export interface PaymentWebhook {
  /**
   * Verifies `signature` over the raw body (as received, byte for byte) and answers the event;
   * AppError WEBHOOK_UNVERIFIED for a missing, wrong or expired signature or a body that is not
   * an event. Nothing unverified is ever answered.
   */
  verify(rawBody: string, signature: string | undefined): Promise<PaymentEvent>;
}

/** Takes the payment of an order, and gives it back. Both are idempotent per `orderId`. */
export interface PaymentProvider {
  readonly name: "demo" | "stripe";
  /**
   * Takes (or, for a provider whose page takes it, starts and then looks up) the payment of an
   * order. PAYMENT_UNAVAILABLE when the provider cannot be reached.
   */
  charge(request: PaymentRequest): Promise<PaymentResult>;
  /**
   * Gives back what was taken for the order, once however often it is asked. Asked while the
   * charge is still running, it answers at once (not refunded yet) and refunds it when taken.
   * A payment started but not taken is called off, so that it can no longer be taken.
   */
  refund(request: PaymentRequest): Promise<RefundResult>;
  /**
   * What the page needs to take the payment: starts it when not started (once per order,
   * however often asked), answers the one started otherwise.
   */
  session(request: PaymentRequest): Promise<PaymentSession>;
  /**
   * On providers whose payments wait for the customer: calls off a payment not taken in time,
   * so that it can no longer be taken, and answers it declined for `reason`; one taken (or
   * being taken) meanwhile is answered as it stands.
   */
  abandon?(request: PaymentRequest, reason: string): Promise<PaymentResult>;
  /** Present on providers that send webhooks. */
  readonly webhook?: PaymentWebhook;
}

/**
 * Signs a one-time image upload: a presigned S3 PUT in AWS, the dev server's own upload endpoint
 * locally. Type and size are checked before signing and bound into the signature.
 */
export interface ImageUploads {
  createUpload(request: ImageUploadRequest): Promise<ImageUpload>;
}

/** One structured log line (JSON in CloudWatch, stderr locally). */
export type Logger = (
  entry: { level: "info" | "warn" | "error"; message: string } & Record<string, unknown>,
) => void;

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

/** Where an order sits in a user's list, newest first: by `createdAt`, then `id`, both descending. */
export interface OrderKey {
  createdAt: string;
  id: string;
}

export type PlaceOrderResult =
  | { placed: true; order: Order }
  /** The idempotency key was used before: the first order, untouched. */
  | { placed: false; order: Order };

/** A new product, with its initial stock as the first entry of its stock trail (when above 0). */
export interface CreateProductCommand {
  product: Product;
  adjustment?: StockAdjustment;
}

/** The fields of a product an operator changes; stock changes only by adjustments. */
export interface UpdateProductCommand {
  id: string;
  name?: string;
  description?: string;
  priceCents?: number;
  imageUrl?: string;
}

/** Where a stock adjustment sits in its product's trail, newest first: as an order in a list. */
export type StockAdjustmentKey = OrderKey;

/** A page of every user's orders, newest first, optionally of one status only. */
export interface AllOrdersPageRequest extends PageRequest<OrderKey> {
  status?: OrderStatus | undefined;
}

/** One step of an order's lifecycle, for the order of `userId` with id `orderId`. */
export interface OrderStatusChange extends OrderTransition {
  userId: string;
  orderId: string;
  /** When it happens (ISO 8601): the outbox message it writes is due then. Now by default. */
  at?: string;
}

/**
 * Everything the services need from persistence. Adapters: SQLite (local default), memory (unit
 * tests), DynamoDB (AWS), in `store/`. Every method is atomic on its own; a failing backend throws
 * `AppError("STORE_UNAVAILABLE")`, never a driver error, and never leaves a half-written write.
 * Ids of new orders, users and comments are fresh UUIDs from the services: reusing one is a
 * programming error, not a condition adapters have to answer gracefully.
 */
export interface Store
  extends AddressStore,
    CommentStore,
    FulfilmentStore,
    GuestOrderStore,
    RecoveryStore,
    ShopConfigStore {
  /** Every product, in a bounded number of round trips whatever the count. */
  listProducts(): Promise<ProductWithComments[]>;
  /**
   * One page of the catalogue, in id order (by code point, as `<` compares), in one store round
   * trip per page whatever the catalogue size and however many comments its products have.
   * Items added while a client pages are never shown twice and never make it skip another.
   */
  listProductPage(page: PageRequest<string>): Promise<Page<ProductWithComments, string>>;
  getProduct(id: string): Promise<ProductWithComments | undefined>;
  /** The products among `ids` that exist; unknown ids are simply absent. */
  getProducts(ids: readonly string[]): Promise<Product[]>;

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
   * the order, empty the cart, record the key and put the order's `placed` e-mail in the outbox
   * (`outboxMessageOf(order, order.createdAt)`). Nothing is written when any check fails.
   */
  placeOrder(command: PlaceOrderCommand): Promise<PlaceOrderResult>;
  findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined>;
  /** Newest first. */
  listOrders(userId: string): Promise<Order[]>;
  /** One page of the user's orders, newest first as `listOrders`, in one round trip. */
  listOrderPage(userId: string, page: PageRequest<OrderKey>): Promise<Page<Order, OrderKey>>;
  /** Undefined when the order does not exist OR belongs to another user. */
  getOrder(userId: string, orderId: string): Promise<Order | undefined>;

  /**
   * Moves the order one step along its lifecycle, only if its status is `change.from` at that
   * moment; answers the order as it is now, or undefined when its status was another (another
   * delivery got there first) or there is no such order. Going to FAILED or CANCELLED puts back
   * the stock the order took, in the same transaction; a step the customer is told of puts its
   * e-mail in the outbox (`outboxMessageOf(changed, at)`, unless that id is there already) in
   * the same transaction too. SHIPPED records `shipment`, DELIVERED `deliveredAt`. Throws
   * ILLEGAL_TRANSITION, writing nothing, for a step the lifecycle does not have.
   */
  changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined>;

  // The operators' side (store/*/operator parts): the catalogue, stock, promotions and orders.

  /** Every product, archived ones too, in catalogue order; without comments. */
  listAllProducts(): Promise<ManagedProduct[]>;
  /** PRODUCT_EXISTS, writing nothing, when the id is taken (archived products keep theirs). */
  createProduct(command: CreateProductCommand): Promise<ManagedProduct>;
  /** NOT_FOUND for an unknown product; an archived one can still be edited. */
  updateProduct(command: UpdateProductCommand): Promise<ManagedProduct>;
  /**
   * Takes the product out of the catalogue (listProducts, getProduct and getProducts no longer
   * see it, so carts drop it and checkout refuses it); orders keep their lines. NOT_FOUND for an
   * unknown product; archiving twice changes nothing.
   */
  archiveProduct(productId: string): Promise<ManagedProduct>;
  /**
   * In ONE conditional write: the product's stock moved by `delta`, only if it stays at or above
   * zero at that moment (else STOCK_NEGATIVE), and the adjustment recorded with the stock after
   * it. Atomic with every checkout and every stock given back: no unit is ever lost.
   */
  adjustStock(adjustment: Omit<StockAdjustment, "stockAfter">): Promise<StockAdjustment>;
  /** One page of the product's adjustments, newest first (by `createdAt`, then `id`). */
  listStockAdjustments(
    productId: string,
    page: PageRequest<StockAdjustmentKey>,
  ): Promise<Page<StockAdjustment, StockAdjustmentKey>>;

  /** Every promotion, deactivated ones too, by code, with its uses. */
  listPromotions(): Promise<ManagedPromotion[]>;
  /** PROMOTION_EXISTS when the code is taken; starts at 0 uses. */
  createPromotion(promotion: Promotion): Promise<ManagedPromotion>;
  /** Replaces the code's definition (limits, window, deactivation), keeping its uses. NOT_FOUND. */
  updatePromotion(promotion: Promotion): Promise<ManagedPromotion>;

  /**
   * One page of every user's orders, newest first as `listOrderPage`, optionally of one status
   * (a page of a filtered list may hold fewer than `limit` and still have a `next`).
   */
  listAllOrders(page: AllOrdersPageRequest): Promise<Page<Order, OrderKey>>;
  /** Any user's order by its id. */
  findOrder(orderId: string): Promise<Order | undefined>;
  /**
   * Per product of the catalogue: units in carts (users' and guests' unexpired) now, and units
   * of orders placed since `now` - 24 h and - 7 d that still hold their stock.
   */
  productFigures(now: Date): Promise<ProductFigures[]>;

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

/**
 * The Store methods of the operators' side: each adapter keeps them in a part of its own (the
 * shoppers' half implements the rest).
 */
export type OperatorStoreMethod =
  | "listAllProducts"
  | "createProduct"
  | "updateProduct"
  | "archiveProduct"
  | "adjustStock"
  | "listStockAdjustments"
  | "listPromotions"
  | "createPromotion"
  | "updatePromotion"
  | "listAllOrders"
  | "findOrder"
  | "productFigures";

/**
 * What a notifier needs of the store: the user's live connections, and forgetting one that is
 * gone. Every Store is one.
 */
export type ConnectionDirectory = Pick<Store, "listConnections" | "deleteConnection">;
