import {
  type AddressReplacement,
  assertTransition,
  type Cart,
  type Comment,
  type CommentKey,
  type Connection,
  emailTaken,
  type GuestCart,
  type NewSavedAddress,
  type Order,
  type PlaceOrderCommand,
  type Product,
  type ProductWithComments,
  type Promotion,
  type SavedAddress,
  storeUnavailable,
  type User,
} from "../../domain/index.js";
import type {
  AddCommentCommand,
  AttachGuestOrderCommand,
  CreateGuestCartCommand,
  FulfilmentStoreMethod,
  Logger,
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
import { addAddress, deleteAddress, listAddresses, replaceAddress } from "./addresses.js";
import { changeOrderStatus, orderById, orderByKey, placeOrder } from "./checkout.js";
import type { DynamoDbClient, DynamoDbCredentials } from "./client.js";
import { addComment, commentPage } from "./comments.js";
import * as guestCarts from "./guest-carts.js";
import { attachGuestOrder, listGuestOrders } from "./guest-orders.js";
import {
  cartFrom,
  cartLinesOf,
  cartListKeys,
  connectionAttributes,
  connectionFrom,
  emailClaimItem,
  orderFrom,
  promotionFrom,
  userFrom,
  userItem,
} from "./items.js";
import { orderPage, productPage } from "./pages.js";
import { readPromotion } from "./promotions.js";
import { getItem, getProduct, listProducts, productsByIds, queryAll, type Table } from "./reads.js";
import { guarded, transactOrRefuse } from "./retries.js";
import type { CatalogueSeed } from "./setup.js";
import { keys, ORDERS_INDEX, type TableLayout, TIME_TO_LIVE_ATTRIBUTE } from "./table.js";

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
  /** Where the store says the table is missing; one JSON line on stderr when omitted. */
  log?: Logger;
  /** How the hot keys are spread (table.ts); DEFAULT_LAYOUT's counts where omitted. */
  layout?: Partial<TableLayout>;
}

const stderrLog: Logger = (entry) => console.error(JSON.stringify(entry));

/**
 * The shoppers' half of the DynamoDB adapter of the Store (the operators' half is
 * `DynamoDbStore`, store.ts), one table (see `table.ts` for the item layout). Every write that
 * must be atomic across items is one TransactWriteItems; every read is by key or one Query,
 * never a Scan.
 */
export abstract class DynamoDbShopStore
  implements
    Omit<
      Store,
      FulfilmentStoreMethod | OperatorStoreMethod | RecoveryStoreMethod | ShopConfigStoreMethod
    >
{
  protected readonly table: Table;
  private closed = false;
  private missingTableReported = false;

  /** Prefer `openDynamoDbStore`, which can create and seed the table first. */
  constructor(
    private readonly client: DynamoDbClient,
    table: Table,
    private readonly ownsClient = false,
    private readonly log: Logger = stderrLog,
  ) {
    this.table = table;
  }

  async listAddresses(userId: string): Promise<SavedAddress[]> {
    return this.guarded(() => listAddresses(this.table, userId));
  }

  async addAddress(userId: string, address: NewSavedAddress): Promise<SavedAddress> {
    return this.guarded(() => addAddress(this.table, userId, address));
  }

  async replaceAddress(
    userId: string,
    addressId: string,
    replacement: AddressReplacement,
  ): Promise<SavedAddress | undefined> {
    return this.guarded(() => replaceAddress(this.table, userId, addressId, replacement));
  }

  async deleteAddress(userId: string, addressId: string): Promise<boolean> {
    return this.guarded(() => deleteAddress(this.table, userId, addressId));
  }

  async listProducts(): Promise<ProductWithComments[]> {
    return this.guarded(() => listProducts(this.table));
  }

  async listProductPage(page: PageRequest<string>): Promise<Page<ProductWithComments, string>> {
    return this.guarded(() => productPage(this.table, page));
  }

  async getProduct(id: string): Promise<ProductWithComments | undefined> {
    return this.guarded(() => getProduct(this.table, id));
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    return this.guarded(() => productsByIds(this.table, ids));
  }

  async addComment(command: AddCommentCommand): Promise<Comment> {
    return this.guarded(() => addComment(this.table, command));
  }

  async listCommentPage(
    productId: string,
    page: PageRequest<CommentKey>,
  ): Promise<Page<Comment, CommentKey> | undefined> {
    return this.guarded(() => commentPage(this.table, productId, page));
  }

  async getCart(userId: string): Promise<Cart | undefined> {
    return this.guarded(async () => {
      const item = await getItem(this.table, keys.cart(userId));
      return item === undefined ? undefined : cartFrom(item);
    });
  }

  async saveCart(command: SaveCartCommand): Promise<Cart> {
    return this.guarded(async () => {
      const hasCode = command.promotionCode !== undefined;
      const listKeys = cartListKeys(keys.cart(command.userId), this.table.layout);
      const { Attributes } = await this.table.documents.update({
        TableName: this.table.name,
        Key: keys.cart(command.userId),
        UpdateExpression:
          "SET #type = :type, #userId = :userId, #lines = :lines, #updatedAt = :updatedAt, " +
          "#version = if_not_exists(#version, :zero) + :one, GSI2PK = :carts, GSI2SK = :cartKey" +
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
          ":carts": listKeys.GSI2PK,
          ":cartKey": listKeys.GSI2SK,
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
      const item = await readPromotion(this.table, code);
      return item === undefined ? undefined : promotionFrom(item);
    });
  }

  async createGuestCart(command: CreateGuestCartCommand): Promise<GuestCart> {
    return this.guarded(() => guestCarts.createGuestCart(this.table, command));
  }

  async getGuestCart(tokenHash: string, nowSeconds: number): Promise<GuestCart | undefined> {
    return this.guarded(() => guestCarts.getGuestCart(this.table, tokenHash, nowSeconds));
  }

  async saveGuestCart(command: SaveGuestCartCommand): Promise<GuestCart | undefined> {
    return this.guarded(() => guestCarts.saveGuestCart(this.table, command));
  }

  async mergeGuestCart(command: MergeGuestCartCommand): Promise<Cart> {
    return this.guarded(() => guestCarts.mergeGuestCart(this.table, command));
  }

  async placeOrder(command: PlaceOrderCommand): Promise<PlaceOrderResult> {
    return this.guarded(() => placeOrder(this.table, command));
  }

  async listGuestOrders(email: string): Promise<Order[]> {
    return this.guarded(() => listGuestOrders(this.table, email));
  }

  async attachGuestOrder(command: AttachGuestOrderCommand): Promise<Order | undefined> {
    return this.guarded(() => attachGuestOrder(this.table, command));
  }

  async findOrderByIdempotencyKey(userId: string, key: string): Promise<Order | undefined> {
    return this.guarded(() => orderByKey(this.table, userId, key));
  }

  async listOrders(userId: string): Promise<Order[]> {
    return this.guarded(async () => {
      // The local index sorts by `ORDER#createdAt#id`; read backwards it is newest first, ties by
      // id descending, and strongly consistent.
      const all = await queryAll(this.table, {
        IndexName: ORDERS_INDEX,
        KeyConditionExpression: "PK = :pk AND begins_with(LSI1SK, :order)",
        ExpressionAttributeValues: { ":pk": keys.userPartition(userId), ":order": "ORDER#" },
        ScanIndexForward: false,
        ConsistentRead: true,
      });
      return all.map(orderFrom);
    });
  }

  async listOrderPage(userId: string, page: PageRequest<OrderKey>): Promise<Page<Order, OrderKey>> {
    return this.guarded(() => orderPage(this.table, userId, page));
  }

  async getOrder(userId: string, orderId: string): Promise<Order | undefined> {
    // The key holds the user: another user's order id simply finds no item.
    return this.guarded(() => orderById(this.table, userId, orderId));
  }

  async changeOrderStatus(change: OrderStatusChange): Promise<Order | undefined> {
    assertTransition(change);
    return this.guarded(() => changeOrderStatus(this.table, change));
  }

  async saveConnection(connection: Connection): Promise<void> {
    return this.guarded(async () => {
      const attributes = connectionAttributes(connection);
      // By id (for $disconnect, which knows only the id) and under the user (for the notifier's
      // one Query): both or neither.
      await transactOrRefuse(this.table.documents, [
        {
          Put: {
            TableName: this.table.name,
            Item: { ...keys.connection(connection.id), ...attributes },
          },
        },
        {
          Put: {
            TableName: this.table.name,
            Item: { ...keys.userConnection(connection.userId, connection.id), ...attributes },
          },
        },
      ]);
    });
  }

  async deleteConnection(connectionId: string): Promise<void> {
    return this.guarded(async () => {
      const item = await getItem(this.table, keys.connection(connectionId));
      if (typeof item?.userId !== "string") return;
      await transactOrRefuse(this.table.documents, [
        { Delete: { TableName: this.table.name, Key: keys.connection(connectionId) } },
        {
          Delete: {
            TableName: this.table.name,
            Key: keys.userConnection(item.userId, connectionId),
          },
        },
      ]);
    });
  }

  async listConnections(userId: string, nowSeconds: number): Promise<Connection[]> {
    return this.guarded(async () => {
      const all = await queryAll(this.table, {
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
      await transactOrRefuse(
        this.table.documents,
        [
          {
            Put: {
              TableName: this.table.name,
              Item: emailClaimItem(user),
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          {
            Put: {
              TableName: this.table.name,
              Item: userItem(user),
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
        ],
        [() => emailTaken(user.email), () => new Error(`user ${user.id} already exists`)],
      );
      return { ...user };
    });
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    return this.guarded(async () => {
      const claim = await getItem(this.table, keys.email(email));
      if (typeof claim?.userId !== "string") return undefined;
      const item = await getItem(this.table, keys.user(claim.userId));
      return item === undefined ? undefined : userFrom(item);
    });
  }

  async getUser(id: string): Promise<User | undefined> {
    return this.guarded(async () => {
      const item = await getItem(this.table, keys.user(id));
      return item === undefined ? undefined : userFrom(item);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.destroy();
  }

  protected guarded<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(storeUnavailable(new Error("the store is closed")));
    return guarded(work, () => this.reportMissingTable()).then((result) => {
      this.missingTableReported = false;
      return result;
    });
  }

  /** Said once until the table answers again: every request meets it, the log need not. */
  private reportMissingTable(): void {
    if (this.missingTableReported) return;
    this.missingTableReported = true;
    this.log({
      level: "error",
      message: `DynamoDB table "${this.table.name}" does not exist: the store is misconfigured (check DYNAMODB_TABLE and the deployed stack); every store request answers 503 until it does`,
      tableName: this.table.name,
    });
  }
}
