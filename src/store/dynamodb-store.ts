import { setTimeout as sleep } from "node:timers/promises";
import type { QueryCommandInput, TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs, isNetworkError } from "../aws/aws-http.js";
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
  type PlaceOrderCommand,
  type PricedLine,
  type Product,
  type ProductWithComments,
  type Promotion,
  transitionOrder,
  type User,
} from "../domain/index.js";
import {
  type CancellationReason,
  DynamoDbClient,
  type DynamoDbCredentials,
  DynamoDbServiceError,
} from "./dynamodb-client.js";
import { DynamoDbDocuments } from "./dynamodb-documents.js";
import {
  CATALOGUE_INDEX,
  CATALOGUE_PARTITION,
  type CatalogueSeed,
  createTable,
  items,
  keys,
  ORDERS_INDEX,
  seedTable,
  TIME_TO_LIVE_ATTRIBUTE,
} from "./dynamodb-table.js";
import type {
  CreateGuestCartCommand,
  MergeGuestCartCommand,
  OrderStatusChange,
  PlaceOrderResult,
  SaveCartCommand,
  SaveGuestCartCommand,
  Store,
} from "./store.js";

export interface DynamoDbStoreOptions {
  tableName: string;
  /** `AWS_REGION` (then `AWS_DEFAULT_REGION`) when omitted, as in Lambda. */
  region?: string;
  /** DynamoDB Local's URL, for example; the AWS endpoint of the region when omitted. */
  endpoint?: string;
  /** The environment's credentials (Lambda's), else the SDK's default chain, when omitted. */
  credentials?: DynamoDbCredentials;
  /** A client to use as is (its timeouts, retries and hooks); `close` leaves it open. */
  client?: DynamoDbClient;
  /** Create the table (and wait until ACTIVE) when missing. In AWS the deployment creates it. */
  createTable?: boolean;
  /** Seed an empty catalogue with the demo catalogue (`true`) or with the given one. */
  seed?: boolean | CatalogueSeed;
  /** How long the client the store creates waits for a TCP connection, and for a response. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Attempts per request of the client the store creates, its first included. */
  maxAttempts?: number;
}

const BATCH_GET_MAX_KEYS = 100;
const BATCH_MAX_ATTEMPTS = 8;
const BATCH_BASE_DELAY_MS = 50;
const BATCH_MAX_DELAY_MS = 2_000;
/** Attempts of a transaction cancelled only because another transaction held one of its items. */
const TRANSACTION_MAX_ATTEMPTS = 5;
const TRANSACTION_BASE_DELAY_MS = 25;
const TRANSACTION_MAX_DELAY_MS = 400;

/** Service errors that mean "busy or briefly broken", left over after the client's retries. */
const UNAVAILABLE_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
  "TransactionInProgressException",
]);
/** Cancellation codes of a transaction item that a later retry may not meet again. */
const UNAVAILABLE_REASONS = new Set(["ThrottlingError", "ProvisionedThroughputExceeded"]);

/** Backend failures a client should retry later, as opposed to bugs in our own requests. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof DynamoDbServiceError) {
    return UNAVAILABLE_ERRORS.has(error.name) || error.$fault === "server";
  }
  return isNetworkError(error);
}

const unavailable = (cause: unknown): AppError =>
  new AppError("STORE_UNAVAILABLE", "the store is unavailable, retry shortly", {
    retryAfterSeconds: 1,
    cause,
  });

/**
 * Runs one unit of store work and turns a backend failure into STORE_UNAVAILABLE. AWS's text
 * stays in `cause` only: it names tables, keys and expressions, which no client should see.
 */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError || !isUnavailable(error)) throw error;
    throw unavailable(error);
  }
}

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
  const documents = new DynamoDbDocuments(client);
  try {
    await guarded(async () => {
      if (options.createTable === true) await createTable(documents, options.tableName);
      if (options.seed !== undefined && options.seed !== false) {
        await seedTable(documents, options.tableName, options.seed === true ? {} : options.seed);
      }
    });
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
  return new DynamoDbStore(client, options.tableName, ownsClient);
}

type Item = Record<string, unknown>;

// Items are written only by this adapter; picking the known fields keeps the objects handed out
// fresh and free of keys, index attributes and anything else an item carries.
const productFrom = (item: Item): Product => {
  const { id, name, description, imageUrl, priceCents, stock } = item as unknown as Product;
  return { id, name, description, imageUrl, priceCents, stock };
};

const commentFrom = (item: Item): Comment => {
  const { id, productId, author, rating, text, createdAt } = item as unknown as Comment;
  return { id, productId, author, rating, text, createdAt };
};

const promotionFrom = (item: Item): Promotion => {
  const { code, percentOff, validFrom, expiresAt } = item as unknown as Promotion;
  return {
    code,
    percentOff,
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
};

const cartLinesOf = (lines: readonly CartLine[]): CartLine[] =>
  lines.map(({ productId, quantity }) => ({ productId, quantity }));

const cartFrom = (item: Item): Cart => {
  const { userId, lines, promotionCode, version, updatedAt } = item as unknown as Cart;
  return {
    userId,
    lines: cartLinesOf(lines),
    ...(promotionCode === undefined ? {} : { promotionCode }),
    version,
    updatedAt,
  };
};

const guestCartFrom = (item: Item): GuestCart => {
  const { tokenHash, lines, promotionCode, version, updatedAt, expiresAt } =
    item as unknown as GuestCart;
  return {
    tokenHash,
    lines: cartLinesOf(lines),
    ...(promotionCode === undefined ? {} : { promotionCode }),
    version: Number(version),
    updatedAt,
    expiresAt: Number(expiresAt),
  };
};

const secondsOf = (iso: string): number => epochSeconds(new Date(iso));

const isConditionFailure = (error: unknown): boolean =>
  error instanceof DynamoDbServiceError && error.name === "ConditionalCheckFailedException";

const pricedLinesOf = (lines: readonly PricedLine[]): PricedLine[] =>
  lines.map(({ productId, name, quantity, unitPriceCents, lineTotalCents }) => ({
    productId,
    name,
    quantity,
    unitPriceCents,
    lineTotalCents,
  }));

const pickOrder = (order: Order): Order => ({
  id: order.id,
  userId: order.userId,
  idempotencyKey: order.idempotencyKey,
  status: order.status,
  createdAt: order.createdAt,
  ...(order.promotionCode === undefined ? {} : { promotionCode: order.promotionCode }),
  discountPercentage: order.discountPercentage,
  subtotalCents: order.subtotalCents,
  discountCents: order.discountCents,
  totalCents: order.totalCents,
  lines: pricedLinesOf(order.lines),
  ...(order.failureReason === undefined ? {} : { failureReason: order.failureReason }),
});

const orderFrom = (item: Item): Order => pickOrder(item as unknown as Order);

/** The item an order is stored as: what the table's stream carries when checkout inserts it. */
export const orderItem = (order: Order): Item => ({
  ...keys.order(order.userId, order.id),
  LSI1SK: keys.orderTimeSort(order.createdAt, order.id),
  type: "ORDER",
  ...pickOrder(order),
});

const connectionFrom = (item: Item): Connection => {
  const { id, userId, connectedAt, expiresAt } = item as unknown as Connection;
  return { id, userId, connectedAt, expiresAt: Number(expiresAt) };
};

const pickUser = ({ id, email, name, passwordHash, createdAt }: User): User => ({
  id,
  email,
  name,
  passwordHash,
  createdAt,
});

const userFrom = (item: Item): User => pickUser(item as unknown as User);

const outOfStock = ({ id, name, stock }: Pick<Product, "id" | "name" | "stock">): AppError =>
  new AppError("OUT_OF_STOCK", `not enough ${name} in stock`, {
    fields: [{ field: id, message: `${stock} left` }],
  });

const cartChanged = (): AppError =>
  new AppError("CART_CHANGED", "the cart changed during checkout; review it and retry");

const priceChanged = (productId: string): AppError =>
  new AppError("CART_CHANGED", `the price of ${productId} changed; retry`);

/** What one checkout takes of one product: its lines added up, at the price they were given. */
interface Take {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  /** Two lines of the product disagree on its price, so at least one of them is stale. */
  pricesDisagree: boolean;
}

function takesOf(lines: readonly PricedLine[]): Take[] {
  const takes = new Map<string, Take>();
  for (const line of lines) {
    const take = takes.get(line.productId);
    if (take === undefined) {
      takes.set(line.productId, {
        productId: line.productId,
        quantity: line.quantity,
        unitPriceCents: line.unitPriceCents,
        pricesDisagree: false,
      });
    } else {
      take.quantity += line.quantity;
      take.pricesDisagree ||= take.unitPriceCents !== line.unitPriceCents;
    }
  }
  return [...takes.values()];
}

const failed = (reason: CancellationReason | undefined): boolean =>
  reason?.Code === "ConditionalCheckFailed";

/** Either the transaction was written, or DynamoDB refused it with one reason per item. */
type TransactOutcome =
  | { written: true }
  | {
      written: false;
      reasons: CancellationReason[];
      /** Other transactions still held items after every retry: no reason is a verdict. */
      contended: boolean;
      error: DynamoDbServiceError;
    };

/**
 * The DynamoDB adapter of the Store, one table (see `dynamodb-table.ts` for the item layout).
 * Every write that must be atomic across items is one TransactWriteItems; every read is by key
 * or one Query, never a Scan. Build it with `openDynamoDbStore`.
 */
export class DynamoDbStore implements Store {
  private readonly documents: DynamoDbDocuments;
  private closed = false;

  /** Prefer `openDynamoDbStore`, which can create and seed the table first. */
  constructor(
    private readonly client: DynamoDbClient,
    private readonly tableName: string,
    private readonly ownsClient = false,
  ) {
    this.documents = new DynamoDbDocuments(client);
  }

  async listProducts(): Promise<ProductWithComments[]> {
    return this.guarded(async () => {
      // One Query, page after page, returns every product and every comment together.
      const all = await this.queryAll({
        IndexName: CATALOGUE_INDEX,
        KeyConditionExpression: "GSI1PK = :catalogue",
        ExpressionAttributeValues: { ":catalogue": CATALOGUE_PARTITION },
      });
      const products: { product: ProductWithComments; position: number }[] = [];
      const comments = new Map<string, Comment[]>();
      for (const item of all) {
        if (item.type === "PRODUCT") {
          products.push({
            product: { ...productFrom(item), comments: [] },
            position: Number(item.position),
          });
        } else if (item.type === "COMMENT") {
          // The index sorts a product's comments by `createdAt#id`: oldest first.
          const comment = commentFrom(item);
          const list = comments.get(comment.productId);
          if (list === undefined) comments.set(comment.productId, [comment]);
          else list.push(comment);
        }
      }
      products.sort((a, b) => a.position - b.position || a.product.id.localeCompare(b.product.id));
      return products.map(({ product }) => ({
        ...product,
        comments: comments.get(product.id) ?? [],
      }));
    });
  }

  async getProduct(id: string): Promise<ProductWithComments | undefined> {
    return this.guarded(async () => {
      const all = await this.queryAll({
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.productPartition(id) },
        ConsistentRead: true,
      });
      const meta = all.find((item) => item.type === "PRODUCT");
      if (meta === undefined) return undefined;
      const comments = all.filter((item) => item.type === "COMMENT").map(commentFrom);
      return { ...productFrom(meta), comments };
    });
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    return this.guarded(() => this.productsByIds(ids));
  }

  async addComment(comment: Comment): Promise<Comment> {
    return this.guarded(async () => {
      // The product check and the put in one transaction: no comment can outlive its product.
      const outcome = await this.transact([
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: keys.product(comment.productId),
            ConditionExpression: "attribute_exists(PK)",
          },
        },
        { Put: { TableName: this.tableName, Item: items.comment(comment) } },
      ]);
      if (!outcome.written) {
        if (outcome.contended) throw unavailable(outcome.error);
        if (failed(outcome.reasons[0])) {
          throw new AppError("NOT_FOUND", `product ${comment.productId} does not exist`);
        }
        throw outcome.error;
      }
      return { ...comment };
    });
  }

  async getCart(userId: string): Promise<Cart | undefined> {
    return this.guarded(async () => {
      const item = await this.getItem(keys.cart(userId));
      return item === undefined ? undefined : cartFrom(item);
    });
  }

  async saveCart(command: SaveCartCommand): Promise<Cart> {
    return this.guarded(async () => {
      const hasCode = command.promotionCode !== undefined;
      const { Attributes } = await this.documents.update({
        TableName: this.tableName,
        Key: keys.cart(command.userId),
        UpdateExpression:
          "SET #type = :type, #userId = :userId, #lines = :lines, #updatedAt = :updatedAt, " +
          "#version = if_not_exists(#version, :zero) + :one" +
          (hasCode ? ", #promotionCode = :promotionCode" : " REMOVE #promotionCode"),
        ExpressionAttributeNames: {
          "#type": "type",
          "#userId": "userId",
          "#lines": "lines",
          "#updatedAt": "updatedAt",
          "#version": "version",
          "#promotionCode": "promotionCode",
        },
        ExpressionAttributeValues: {
          ":type": "CART",
          ":userId": command.userId,
          ":lines": cartLinesOf(command.lines),
          ":updatedAt": command.updatedAt,
          ":zero": 0,
          ":one": 1,
          ...(hasCode ? { ":promotionCode": command.promotionCode } : {}),
        },
        ReturnValues: "ALL_NEW",
      });
      if (Attributes === undefined) throw new Error("saving a cart returned no attributes");
      return cartFrom(Attributes);
    });
  }

  async getPromotion(code: string): Promise<Promotion | undefined> {
    return this.guarded(async () => {
      const item = await this.getItem(keys.promotion(code));
      return item === undefined ? undefined : promotionFrom(item);
    });
  }

  async createGuestCart(command: CreateGuestCartCommand): Promise<GuestCart> {
    return this.guarded(async () => {
      const cart: GuestCart = { ...command, lines: [], version: 1 };
      try {
        await this.documents.put({
          TableName: this.tableName,
          Item: {
            ...keys.guestCart(command.tokenHash),
            type: "GUEST_CART",
            tokenHash: cart.tokenHash,
            lines: [],
            version: cart.version,
            updatedAt: cart.updatedAt,
            [TIME_TO_LIVE_ATTRIBUTE]: cart.expiresAt,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        });
      } catch (error) {
        if (isConditionFailure(error)) throw new Error("the guest cart already exists");
        throw error;
      }
      return cart;
    });
  }

  async getGuestCart(tokenHash: string, nowSeconds: number): Promise<GuestCart | undefined> {
    return this.guarded(async () => {
      const item = await this.getItem(keys.guestCart(tokenHash));
      if (item === undefined) return undefined;
      const cart = guestCartFrom(item);
      // TTL deletes late: an expired cart is gone as far as anyone can tell.
      return cart.expiresAt <= nowSeconds ? undefined : cart;
    });
  }

  async saveGuestCart(command: SaveGuestCartCommand): Promise<GuestCart | undefined> {
    return this.guarded(async () => {
      const hasCode = command.promotionCode !== undefined;
      try {
        const { Attributes } = await this.documents.update({
          TableName: this.tableName,
          Key: keys.guestCart(command.tokenHash),
          // Only a live cart: a late save must not bring back a merged or expired one.
          ConditionExpression: "attribute_exists(PK) AND #expiresAt > :now",
          UpdateExpression:
            "SET #lines = :lines, #updatedAt = :updatedAt, #expiresAt = :expiresAt, " +
            "#version = #version + :one" +
            (hasCode ? ", #promotionCode = :promotionCode" : " REMOVE #promotionCode"),
          ExpressionAttributeNames: {
            "#lines": "lines",
            "#updatedAt": "updatedAt",
            "#expiresAt": TIME_TO_LIVE_ATTRIBUTE,
            "#version": "version",
            "#promotionCode": "promotionCode",
          },
          ExpressionAttributeValues: {
            ":lines": cartLinesOf(command.lines),
            ":updatedAt": command.updatedAt,
            ":expiresAt": command.expiresAt,
            ":now": secondsOf(command.updatedAt),
            ":one": 1,
            ...(hasCode ? { ":promotionCode": command.promotionCode } : {}),
          },
          ReturnValues: "ALL_NEW",
        });
        if (Attributes === undefined) throw new Error("saving a guest cart returned no attributes");
        return guestCartFrom(Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    });
  }

  async mergeGuestCart(command: MergeGuestCartCommand): Promise<Cart> {
    return this.guarded(async () => {
      const cart: Cart = {
        userId: command.userId,
        lines: cartLinesOf(command.lines),
        ...(command.promotionCode === undefined ? {} : { promotionCode: command.promotionCode }),
        version: command.userCartVersion + 1,
        updatedAt: command.updatedAt,
      };
      // ONE TransactWriteItems, each side conditional on the version it was merged from: the
      // guest cart's lines are added to exactly one user cart, exactly once.
      const outcome = await this.transact([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.cart(command.userId), type: "CART", ...cart },
            ...(command.userCartVersion === 0
              ? { ConditionExpression: "attribute_not_exists(PK)" }
              : {
                  ConditionExpression: "#version = :version",
                  ExpressionAttributeNames: { "#version": "version" },
                  ExpressionAttributeValues: { ":version": command.userCartVersion },
                }),
          },
        },
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.guestCart(command.tokenHash),
            ConditionExpression:
              "attribute_exists(PK) AND #version = :version AND #expiresAt > :now",
            ExpressionAttributeNames: {
              "#version": "version",
              "#expiresAt": TIME_TO_LIVE_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ":version": command.guestCartVersion,
              ":now": secondsOf(command.updatedAt),
            },
          },
        },
      ]);
      if (outcome.written) return cart;
      // Refused by a condition, or still contended after the retries: either way one of the
      // carts is moving, and the caller merges again from what it reads next.
      if (outcome.contended || outcome.reasons.some(failed)) throw mergeConflict();
      throw outcome.error;
    });
  }

  async placeOrder(command: PlaceOrderCommand): Promise<PlaceOrderResult> {
    return this.guarded(async () => {
      const { order, cartVersion } = command;
      const takes = takesOf(order.lines);
      const disagreeing = takes.find((take) => take.pricesDisagree);
      if (disagreeing !== undefined) {
        // No condition can hold for two prices at once: answer without writing.
        const first = await this.orderByKey(order.userId, order.idempotencyKey);
        if (first !== undefined) return { placed: false, order: first };
        throw priceChanged(disagreeing.productId);
      }

      // ONE TransactWriteItems, so the key, the cart, the stock and the order cannot diverge.
      // Item order matters: the cancellation reasons come back in the same order.
      const outcome = await this.transact([
        this.recordKey(order),
        this.checkAndEmptyCart(order, cartVersion),
        ...takes.map((take) => this.takeStock(take)),
        {
          Put: {
            TableName: this.tableName,
            Item: orderItem(order),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ]);
      if (outcome.written) return { placed: true, order: pickOrder(order) };
      if (outcome.contended) return this.refusalFromCurrentState(command, takes, outcome.error);

      const [keyReason, cartReason, ...rest] = outcome.reasons;
      if (failed(keyReason)) {
        const orderId = keyReason?.Item?.orderId;
        const first =
          typeof orderId !== "string"
            ? await this.orderByKey(order.userId, order.idempotencyKey)
            : await this.orderById(order.userId, orderId);
        if (first === undefined) throw new Error("an idempotency key points to no order");
        return { placed: false, order: first };
      }
      if (failed(cartReason)) throw cartChanged();
      for (const [index, take] of takes.entries()) {
        const reason = rest[index];
        if (!failed(reason)) continue;
        const product = reason?.Item;
        if (product === undefined || product.priceCents !== take.unitPriceCents) {
          throw priceChanged(take.productId);
        }
        throw outOfStock({
          id: take.productId,
          name: typeof product.name === "string" ? product.name : take.productId,
          stock: Number(product.stock),
        });
      }
      if (failed(rest[takes.length])) throw new Error(`order ${order.id} already exists`);
      throw outcome.error;
    });
  }

  async findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined> {
    return this.guarded(() => this.orderByKey(userId, key));
  }

  async listOrders(userId: string): Promise<Order[]> {
    return this.guarded(async () => {
      // The local index sorts by `ORDER#createdAt#id`; read backwards it is newest first, ties by
      // id descending, and strongly consistent.
      const all = await this.queryAll({
        IndexName: ORDERS_INDEX,
        KeyConditionExpression: "PK = :pk AND begins_with(LSI1SK, :order)",
        ExpressionAttributeValues: { ":pk": keys.userPartition(userId), ":order": "ORDER#" },
        ScanIndexForward: false,
        ConsistentRead: true,
      });
      return all.map(orderFrom);
    });
  }

  async getOrder(userId: string, orderId: string): Promise<Order | undefined> {
    // The key holds the user: another user's order id simply finds no item.
    return this.guarded(() => this.orderById(userId, orderId));
  }

  async changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined> {
    assertTransition(change);
    return this.guarded(async () => {
      const current = await this.orderById(change.userId, change.orderId);
      if (current === undefined || current.status !== change.from) return undefined;
      const hasReason = change.failureReason !== undefined;
      // Conditional on the status read: of two deliveries racing, exactly one moves the order.
      const updateOrder = {
        Update: {
          TableName: this.tableName,
          Key: keys.order(change.userId, change.orderId),
          ConditionExpression: "#status = :from",
          UpdateExpression: hasReason
            ? "SET #status = :to, #failureReason = :reason"
            : "SET #status = :to REMOVE #failureReason",
          ExpressionAttributeNames: { "#status": "status", "#failureReason": "failureReason" },
          ExpressionAttributeValues: {
            ":from": change.from,
            ":to": change.to,
            ...(hasReason ? { ":reason": change.failureReason } : {}),
          },
        },
      };
      // FAILED: the status and the stock put back in ONE TransactWriteItems, so a failed order
      // can never keep the stock it took, nor give it back twice.
      const returns =
        change.to === "FAILED"
          ? takesOf(current.lines).map((take) => ({
              Update: {
                TableName: this.tableName,
                Key: keys.product(take.productId),
                ConditionExpression: "attribute_exists(PK)",
                UpdateExpression: "SET #stock = #stock + :quantity",
                ExpressionAttributeNames: { "#stock": "stock" },
                ExpressionAttributeValues: { ":quantity": take.quantity },
              },
            }))
          : [];
      const outcome = await this.transact([updateOrder, ...returns]);
      if (!outcome.written) {
        if (outcome.contended) throw unavailable(outcome.error);
        if (failed(outcome.reasons[0])) return undefined;
        throw outcome.error;
      }
      return transitionOrder(current, change.to, change.failureReason);
    });
  }

  async saveConnection(connection: Connection): Promise<void> {
    return this.guarded(async () => {
      const attributes = {
        type: "CONNECTION",
        id: connection.id,
        userId: connection.userId,
        connectedAt: connection.connectedAt,
        [TIME_TO_LIVE_ATTRIBUTE]: connection.expiresAt,
      };
      // By id (for $disconnect, which knows only the id) and under the user (for the notifier's
      // one Query): both or neither.
      const outcome = await this.transact([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.connection(connection.id), ...attributes },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.userConnection(connection.userId, connection.id), ...attributes },
          },
        },
      ]);
      if (!outcome.written) {
        if (outcome.contended) throw unavailable(outcome.error);
        throw outcome.error;
      }
    });
  }

  async deleteConnection(connectionId: string): Promise<void> {
    return this.guarded(async () => {
      const item = await this.getItem(keys.connection(connectionId));
      if (typeof item?.userId !== "string") return;
      const outcome = await this.transact([
        { Delete: { TableName: this.tableName, Key: keys.connection(connectionId) } },
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.userConnection(item.userId, connectionId),
          },
        },
      ]);
      if (!outcome.written) {
        if (outcome.contended) throw unavailable(outcome.error);
        throw outcome.error;
      }
    });
  }

  async listConnections(userId: string, nowSeconds: number): Promise<Connection[]> {
    return this.guarded(async () => {
      const all = await this.queryAll({
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :conn)",
        // TTL deletes expired items late: skip them here.
        FilterExpression: "#expiresAt > :now",
        ExpressionAttributeNames: { "#expiresAt": TIME_TO_LIVE_ATTRIBUTE },
        ExpressionAttributeValues: {
          ":pk": keys.userPartition(userId),
          ":conn": keys.connectionSortPrefix,
          ":now": nowSeconds,
        },
        ConsistentRead: true,
      });
      return all.map(connectionFrom);
    });
  }

  async createUser(user: User): Promise<User> {
    return this.guarded(async () => {
      // The email claim and the user in one transaction: an email can never name two users.
      const outcome = await this.transact([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.email(user.email), type: "EMAIL", email: user.email, userId: user.id },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.user(user.id), type: "USER", ...pickUser(user) },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ]);
      if (!outcome.written) {
        if (outcome.contended) throw unavailable(outcome.error);
        if (failed(outcome.reasons[0])) {
          throw new AppError("EMAIL_TAKEN", `an account for ${user.email} already exists`, {
            fields: [{ field: "email", message: "already registered" }],
          });
        }
        if (failed(outcome.reasons[1])) throw new Error(`user ${user.id} already exists`);
        throw outcome.error;
      }
      return { ...user };
    });
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    return this.guarded(async () => {
      const claim = await this.getItem(keys.email(email));
      if (typeof claim?.userId !== "string") return undefined;
      const item = await this.getItem(keys.user(claim.userId));
      return item === undefined ? undefined : userFrom(item);
    });
  }

  async getUser(id: string): Promise<User | undefined> {
    return this.guarded(async () => {
      const item = await this.getItem(keys.user(id));
      return item === undefined ? undefined : userFrom(item);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.destroy();
  }

  private guarded<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(unavailable(new Error("the store is closed")));
    return guarded(work);
  }

  private async getItem(key: Record<string, string>): Promise<Item | undefined> {
    const { Item } = await this.documents.get({
      TableName: this.tableName,
      Key: key,
      ConsistentRead: true,
    });
    return Item;
  }

  private async queryAll(input: Omit<QueryCommandInput, "TableName">): Promise<Item[]> {
    const all: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.query({
        ...input,
        TableName: this.tableName,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      all.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return all;
  }

  /** One BatchGetItem per 100 distinct ids, unprocessed keys retried; in the order of `ids`. */
  private async productsByIds(ids: readonly string[]): Promise<Product[]> {
    const wanted = [...new Set(ids)];
    const byId = new Map<string, Product>();
    for (let start = 0; start < wanted.length; start += BATCH_GET_MAX_KEYS) {
      let pending: Record<string, unknown>[] = wanted
        .slice(start, start + BATCH_GET_MAX_KEYS)
        .map((id) => keys.product(id));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === BATCH_MAX_ATTEMPTS) {
          throw unavailable(new Error("BatchGetItem left keys unprocessed after every retry"));
        }
        if (attempt > 0) await sleep(backoffMs(attempt, BATCH_BASE_DELAY_MS, BATCH_MAX_DELAY_MS));
        const { Responses, UnprocessedKeys } = await this.documents.batchGet({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        });
        for (const item of Responses?.[this.tableName] ?? []) {
          const product = productFrom(item);
          byId.set(product.id, product);
        }
        pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * Sends one TransactWriteItems. A cancellation caused by another transaction on the same items
   * is retried with jittered backoff, since DynamoDB re-evaluates every condition on each try.
   */
  private async transact(
    transactItems: TransactWriteCommandInput["TransactItems"],
  ): Promise<TransactOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.transactWrite({ TransactItems: transactItems });
        return { written: true };
      } catch (error) {
        if (!(error instanceof DynamoDbServiceError)) throw error;
        if (error.name !== "TransactionCanceledException") throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons.some((reason) => UNAVAILABLE_REASONS.has(reason.Code ?? ""))) {
          throw unavailable(error);
        }
        if (!reasons.some((reason) => reason.Code === "TransactionConflict")) {
          return { written: false, reasons, contended: false, error };
        }
        if (attempt >= TRANSACTION_MAX_ATTEMPTS) {
          return { written: false, reasons, contended: true, error };
        }
        await sleep(backoffMs(attempt, TRANSACTION_BASE_DELAY_MS, TRANSACTION_MAX_DELAY_MS));
      }
    }
  }

  /** The key item: its condition makes a reused key cancel the transaction, naming the order. */
  private recordKey(order: Order) {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.idempotencyKey(order.userId, order.idempotencyKey),
          type: "IDEMPOTENCY",
          userId: order.userId,
          idempotencyKey: order.idempotencyKey,
          orderId: order.id,
          createdAt: order.createdAt,
        },
        ConditionExpression: "attribute_not_exists(PK)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
      },
    };
  }

  /** A missing cart is version 0: checked to still be missing, and left so. */
  private checkAndEmptyCart(order: Order, cartVersion: number) {
    const Key = keys.cart(order.userId);
    if (cartVersion === 0) {
      return {
        ConditionCheck: {
          TableName: this.tableName,
          Key,
          ConditionExpression: "attribute_not_exists(PK)",
        },
      };
    }
    return {
      Update: {
        TableName: this.tableName,
        Key,
        ConditionExpression: "#version = :version",
        UpdateExpression:
          "SET #lines = :empty, #version = :next, #updatedAt = :updatedAt REMOVE #promotionCode",
        ExpressionAttributeNames: {
          "#version": "version",
          "#lines": "lines",
          "#updatedAt": "updatedAt",
          "#promotionCode": "promotionCode",
        },
        ExpressionAttributeValues: {
          ":version": cartVersion,
          ":next": cartVersion + 1,
          ":empty": [],
          ":updatedAt": order.createdAt,
        },
      },
    };
  }

  /** Stock only ever goes down by what is left, at the price the shopper saw. */
  private takeStock(take: Take) {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.product(take.productId),
        ConditionExpression: "attribute_exists(PK) AND #stock >= :quantity AND #price = :price",
        UpdateExpression: "SET #stock = #stock - :quantity",
        ExpressionAttributeNames: { "#stock": "stock", "#price": "priceCents" },
        ExpressionAttributeValues: { ":quantity": take.quantity, ":price": take.unitPriceCents },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
      },
    };
  }

  /**
   * The answer for a checkout that kept meeting other transactions: whatever the state read now
   * refuses it with, as the transaction's own checks would; STORE_UNAVAILABLE when it would pass.
   */
  private async refusalFromCurrentState(
    { order, cartVersion }: PlaceOrderCommand,
    takes: readonly Take[],
    cause: unknown,
  ): Promise<PlaceOrderResult> {
    const first = await this.orderByKey(order.userId, order.idempotencyKey);
    if (first !== undefined) return { placed: false, order: first };
    const cart = await this.getItem(keys.cart(order.userId));
    if (Number(cart?.version ?? 0) !== cartVersion) throw cartChanged();
    const products = new Map(
      (await this.productsByIds(takes.map((take) => take.productId))).map((p) => [p.id, p]),
    );
    for (const take of takes) {
      const product = products.get(take.productId);
      if (product === undefined || product.priceCents !== take.unitPriceCents) {
        throw priceChanged(take.productId);
      }
      if (product.stock < take.quantity) throw outOfStock(product);
    }
    throw unavailable(cause);
  }

  private async orderById(userId: string, orderId: string): Promise<Order | undefined> {
    const item = await this.getItem(keys.order(userId, orderId));
    return item === undefined ? undefined : orderFrom(item);
  }

  private async orderByKey(userId: string, key: string): Promise<Order | undefined> {
    const record = await this.getItem(keys.idempotencyKey(userId, key));
    if (typeof record?.orderId !== "string") return undefined;
    return this.orderById(userId, record.orderId);
  }
}
