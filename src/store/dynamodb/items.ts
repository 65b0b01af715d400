import { createHash } from "node:crypto";
// Each item's encoder beside its decoder: the only code that knows an item's attributes. Items are
// written only by this adapter; decoders pick the known fields, so the objects handed out are
// fresh and free of keys, index attributes and anything else an item carries.
import {
  awaitsShipping,
  type Cart,
  type CartLine,
  type Comment,
  type Connection,
  epochSeconds,
  type GuestCart,
  isFinalStatus,
  type ManagedProduct,
  type Order,
  type OrderStatus,
  type OutboxMessage,
  type PricedLine,
  type Product,
  type ProductWithComments,
  type Promotion,
  type Shipment,
  type StockAdjustment,
  type User,
} from "../../domain/index.js";
import {
  CATALOGUE_PARTITION,
  keys,
  LISTS,
  shardOf,
  type TableLayout,
  TIME_TO_LIVE_ATTRIBUTE,
} from "./table.js";

/** What a product's item says of its comments. */
export type CommentSummary = Pick<ProductWithComments, "comments" | "commentCount" | "ratingTotal">;

/** An item as the document layer reads and writes it: plain values. */
export type Item = Record<string, unknown>;

/**
 * `position` keeps the seed order: GSI1SK sorts by id, but the shop shows this order. With
 * `stockShards` (1 or more) the stock is on that many stock items (stock.ts), not on this one.
 */
export const productItem = (product: Product, position: number, stockShards = 0) => ({
  ...keys.product(product.id),
  GSI1PK: CATALOGUE_PARTITION,
  GSI1SK: keys.productCatalogueSort(product.id),
  type: "PRODUCT",
  position,
  id: product.id,
  name: product.name,
  description: product.description,
  imageUrl: product.imageUrl,
  priceCents: product.priceCents,
  ...(stockShards === 0 ? { stock: product.stock } : { stockShards }),
});

export const productFrom = (item: Item): Product => {
  const { id, name, description, imageUrl, priceCents, stock } = item as unknown as Product;
  return { id, name, description, imageUrl, priceCents, stock: Number(stock) };
};

/** An archived product has `archived: true`, and no catalogue index keys. */
export const isArchived = (item: Item): boolean => item.archived === true;

export const managedProductFrom = (item: Item): ManagedProduct => ({
  ...productFrom(item),
  archived: isArchived(item),
});

/** A comment as the product's latest ones carry it (a map inside the product's item). */
const commentValue = (comment: Comment) => ({
  id: comment.id,
  productId: comment.productId,
  author: comment.author,
  rating: comment.rating,
  text: comment.text,
  createdAt: comment.createdAt,
});

/**
 * A comment in its product's partition, out of the catalogue index: the catalogue reads the
 * product's summary, never the comments. `userId` (absent on seeded ones) is who wrote it.
 */
export const commentItem = (comment: Comment, userId?: string) => ({
  ...keys.comment(comment),
  type: "COMMENT",
  ...commentValue(comment),
  ...(userId === undefined ? {} : { userId }),
});

export const commentFrom = (item: Item): Comment => {
  const { id, productId, author, rating, text, createdAt } = item as unknown as Comment;
  return { id, productId, author, rating: Number(rating), text, createdAt };
};

/** The attributes a product's item sums its comments up in. */
export const commentSummaryAttributes = (summary: CommentSummary) => ({
  commentCount: summary.commentCount,
  ratingTotal: summary.ratingTotal,
  latestComments: summary.comments.map(commentValue),
});

/** The names of the attributes a comment summary is kept in (items.ts `commentSummaryAttributes`). */
const COMMENT_SUMMARY_FIELDS = ["commentCount", "ratingTotal", "latestComments"] as const;

/** A product's comment summary item (`keys.commentSummary`). */
export const commentSummaryItem = (productId: string, summary: CommentSummary): Item => ({
  ...keys.commentSummary(productId),
  type: "COMMENT_SUMMARY",
  productId,
  ...commentSummaryAttributes(summary),
});

/** A product's item with the summary of its summary item, when it has one. */
export const withCommentSummary = (product: Item, summary: Item | undefined): Item =>
  summary === undefined
    ? product
    : {
        ...product,
        ...Object.fromEntries(COMMENT_SUMMARY_FIELDS.map((field) => [field, summary[field]])),
      };

/** A product's item as the catalogue shows it; one written before comments were summed has none. */
export const catalogueProductFrom = (item: Item): ProductWithComments => ({
  ...productFrom(item),
  comments: Array.isArray(item.latestComments)
    ? (item.latestComments as Item[]).map(commentFrom)
    : [],
  commentCount: Number(item.commentCount ?? 0),
  ratingTotal: Number(item.ratingTotal ?? 0),
});

/** What a promotion's item and each of its use shards carry of its definition. */
export const promotionDefinition = (promotion: Promotion) => ({
  code: promotion.code,
  percentOff: promotion.percentOff,
  ...(promotion.validFrom === undefined ? {} : { validFrom: promotion.validFrom }),
  ...(promotion.expiresAt === undefined ? {} : { expiresAt: promotion.expiresAt }),
  ...(promotion.maxUses === undefined ? {} : { maxUses: promotion.maxUses }),
  ...(promotion.maxUsesPerCustomer === undefined
    ? {}
    : { maxUsesPerCustomer: promotion.maxUsesPerCustomer }),
  ...(promotion.deactivated === true ? { deactivated: true } : {}),
});

/** The definition attributes an operator's change sets (when present) or removes (when absent). */
export const PROMOTION_DEFINITION_FIELDS = [
  "percentOff",
  "validFrom",
  "expiresAt",
  "maxUses",
  "maxUsesPerCustomer",
  "deactivated",
] as const;

/**
 * A promotion's definition item. One whose uses are counted on shards also says how many
 * (`useShards`, promotions.ts); without it, on the one counter `keys.promotionUses`.
 */
export const promotionItem = (promotion: Promotion) => ({
  ...keys.promotion(promotion.code),
  GSI2PK: LISTS.promotions,
  GSI2SK: promotion.code,
  type: "PROMOTION",
  ...promotionDefinition(promotion),
});

/**
 * One of a promotion's use counters: its uses, its share of `maxUses` (`cap`, when the code has
 * a limit) and a copy of the definition, which checkout checks there instead of on the promotion's
 * own item.
 */
export const promotionUseShardItem = (
  promotion: Promotion,
  shard: number,
  uses: number,
  cap: number | undefined,
) => ({
  ...keys.promotionUseShard(promotion.code, shard),
  type: "PROMOTION_USE_SHARD",
  ...promotionDefinition(promotion),
  shard,
  uses,
  ...(cap === undefined ? {} : { cap }),
});

export const promotionFrom = (item: Item): Promotion => {
  const { code, percentOff, validFrom, expiresAt, maxUses, maxUsesPerCustomer, deactivated } =
    item as unknown as Promotion;
  return {
    code,
    percentOff: Number(percentOff),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(maxUses === undefined ? {} : { maxUses: Number(maxUses) }),
    ...(maxUsesPerCustomer === undefined ? {} : { maxUsesPerCustomer: Number(maxUsesPerCustomer) }),
    ...(deactivated === true ? { deactivated: true as const } : {}),
  };
};

/**
 * The index keys that put a cart with lines (a user's or a guest's) in the operators' CARTS
 * list: the shard of its partition key, so cart saves spread over `listShards` partitions.
 */
export const cartListKeys = (key: { PK: string }, layout: TableLayout) => ({
  GSI2PK: keys.listPartition(LISTS.carts, shardOf(key.PK, layout.listShards)),
  GSI2SK: key.PK,
});

/**
 * An order's place in the operators' ORDERS list: the shard of its id, which an attached guest
 * order keeps (it changes partition, not id), by time within the shard.
 */
export const orderListKeys = (order: Pick<Order, "id" | "createdAt">, layout: TableLayout) => ({
  GSI2PK: keys.listPartition(LISTS.orders, shardOf(order.id, layout.listShards)),
  GSI2SK: keys.allOrdersSort(order.createdAt, order.id),
});

/** An order's place among the in-flight orders (GSI1), by the same shard as in ORDERS. */
export const inFlightKeys = (order: Pick<Order, "id" | "createdAt">, layout: TableLayout) => ({
  GSI1PK: keys.inFlightPartition(shardOf(order.id, layout.listShards)),
  GSI1SK: keys.inFlightSort(order.createdAt, order.id),
});

/** A paid order's place in the shipping queue (GSI1), by the same shard as in ORDERS. */
export const toShipKeys = (order: Pick<Order, "id" | "createdAt">, layout: TableLayout) => ({
  GSI1PK: keys.toShipPartition(shardOf(order.id, layout.listShards)),
  GSI1SK: keys.toShipSort(order.createdAt, order.id),
});

/**
 * The GSI1 keys an order in `status` has: among the in-flight orders while PLACED or
 * PROCESSING, in the shipping queue while paid, none after.
 */
export function orderQueueKeys(
  order: Pick<Order, "id" | "createdAt">,
  status: OrderStatus,
  layout: TableLayout,
): { GSI1PK: string; GSI1SK: string } | undefined {
  if (!isFinalStatus(status)) return inFlightKeys(order, layout);
  return awaitsShipping(status) ? toShipKeys(order, layout) : undefined;
}

/** A message's place among the due e-mails (GSI1): the shard of its id, by when it is due. */
export const mailDueKeys = (
  message: Pick<OutboxMessage, "id">,
  nextAttemptAt: string,
  layout: TableLayout,
) => ({
  GSI1PK: keys.mailDuePartition(shardOf(message.id, layout.listShards)),
  GSI1SK: keys.mailDueSort(nextAttemptAt, message.id),
});

const pickMail = (message: OutboxMessage): OutboxMessage => ({
  id: message.id,
  orderId: message.orderId,
  userId: message.userId,
  kind: message.kind,
  createdAt: message.createdAt,
  attempts: Number(message.attempts),
  ...(message.nextAttemptAt === undefined ? {} : { nextAttemptAt: message.nextAttemptAt }),
  ...(message.sentAt === undefined ? {} : { sentAt: message.sentAt }),
  ...(message.failedAt === undefined ? {} : { failedAt: message.failedAt }),
  ...(message.lastError === undefined ? {} : { lastError: message.lastError }),
});

/**
 * An order's e-mail in the outbox, beside its order's pointer; among the due ones (GSI1) while
 * it has a `nextAttemptAt`. `type` and `id` are what the table stream's consumer reads.
 */
export const mailItem = (message: OutboxMessage, layout: TableLayout): Item => ({
  ...keys.orderMail(message.orderId, message.kind),
  ...(message.nextAttemptAt === undefined
    ? {}
    : mailDueKeys(message, message.nextAttemptAt, layout)),
  type: "MAIL",
  ...pickMail(message),
});

export const mailFrom = (item: Item): OutboxMessage => pickMail(item as unknown as OutboxMessage);

export const stockAdjustmentItem = (adjustment: StockAdjustment): Item => ({
  ...keys.stockAdjustment(adjustment.productId, adjustment.createdAt, adjustment.id),
  type: "STOCK_ADJUSTMENT",
  ...adjustment,
});

export const stockAdjustmentFrom = (item: Item): StockAdjustment => {
  const { id, productId, delta, reason, note, actor, createdAt, stockAfter } =
    item as unknown as StockAdjustment;
  return {
    id,
    productId,
    delta: Number(delta),
    reason,
    ...(note === undefined ? {} : { note }),
    actor,
    createdAt,
    stockAfter: Number(stockAfter),
  };
};

export const cartLinesOf = (lines: readonly CartLine[]): CartLine[] =>
  lines.map(({ productId, quantity }) => ({ productId, quantity }));

/** A whole cart item, as a guest cart's merge writes it (a save updates attributes instead). */
export const cartItem = (cart: Cart, layout: TableLayout): Item => ({
  ...keys.cart(cart.userId),
  ...cartListKeys(keys.cart(cart.userId), layout),
  type: "CART",
  ...cart,
});

export const cartFrom = (item: Item): Cart => {
  const { userId, lines, promotionCode, version, updatedAt } = item as unknown as Cart;
  return {
    userId,
    lines: cartLinesOf(lines),
    ...(promotionCode === undefined ? {} : { promotionCode }),
    version,
    updatedAt,
  };
};

/** A new guest cart: empty, its expiry in the TTL attribute. */
export const guestCartItem = (cart: GuestCart): Item => ({
  ...keys.guestCart(cart.tokenHash),
  type: "GUEST_CART",
  tokenHash: cart.tokenHash,
  lines: [],
  version: cart.version,
  updatedAt: cart.updatedAt,
  [TIME_TO_LIVE_ATTRIBUTE]: cart.expiresAt,
});

export const guestCartFrom = (item: Item): GuestCart => {
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

export const secondsOf = (iso: string): number => epochSeconds(new Date(iso));

const pricedLinesOf = (lines: readonly PricedLine[]): PricedLine[] =>
  lines.map(({ productId, name, quantity, unitPriceCents, lineTotalCents }) => ({
    productId,
    name,
    quantity,
    unitPriceCents,
    lineTotalCents,
  }));

const pickShipment = (shipment: Shipment): Shipment => ({
  carrier: shipment.carrier,
  trackingNumber: shipment.trackingNumber,
  ...(shipment.trackingUrl === undefined ? {} : { trackingUrl: shipment.trackingUrl }),
  shippedAt: shipment.shippedAt,
});

export const pickOrder = (order: Order): Order => ({
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
  ...(order.checkout === undefined ? {} : { checkout: structuredClone(order.checkout) }),
  ...(order.guest === undefined
    ? {}
    : { guest: { email: order.guest.email, accessTokenHash: order.guest.accessTokenHash } }),
  ...(order.shipment === undefined ? {} : { shipment: pickShipment(order.shipment) }),
  ...(order.deliveredAt === undefined ? {} : { deliveredAt: order.deliveredAt }),
});

/** The item an order is stored as: what the table's stream carries when checkout inserts it. */
export const orderItem = (order: Order, layout: TableLayout): Item => ({
  ...keys.order(order.userId, order.id),
  LSI1SK: keys.orderTimeSort(order.createdAt, order.id),
  ...orderListKeys(order, layout),
  ...orderQueueKeys(order, order.status, layout),
  type: "ORDER",
  ...pickOrder(order),
});

export const orderFrom = (item: Item): Order => pickOrder(item as unknown as Order);

/** The SHA-256 (hex) of the address: the table's keys never hold a shopper's e-mail address. */
export const emailHash = (email: string): string =>
  createHash("sha256").update(email, "utf8").digest("hex");

/** The index item of a guest order, put in checkout's transaction; none for a customer's. */
export function guestOrderIndexItem(order: Order): Item | undefined {
  if (order.guest === undefined) return undefined;
  return {
    ...keys.guestOrder(emailHash(order.guest.email), order.createdAt, order.id),
    type: "GUEST_ORDER",
    userId: order.userId,
    orderId: order.id,
  };
}

/** The record of an idempotency key: which order it placed. */
export const idempotencyKeyItem = (order: Order): Item => ({
  ...keys.idempotencyKey(order.userId, order.idempotencyKey),
  type: "IDEMPOTENCY",
  userId: order.userId,
  idempotencyKey: order.idempotencyKey,
  orderId: order.id,
  createdAt: order.createdAt,
});

/** A connection is stored twice (by id, and under its user); both items carry these attributes. */
export const connectionAttributes = (connection: Connection): Item => ({
  type: "CONNECTION",
  id: connection.id,
  userId: connection.userId,
  connectedAt: connection.connectedAt,
  [TIME_TO_LIVE_ATTRIBUTE]: connection.expiresAt,
});

export const connectionFrom = (item: Item): Connection => {
  const { id, userId, connectedAt, expiresAt } = item as unknown as Connection;
  return { id, userId, connectedAt, expiresAt: Number(expiresAt) };
};

/** The claim of an email by a user: its key makes an email name one user at most. */
export const emailClaimItem = (user: User): Item => ({
  ...keys.email(user.email),
  type: "EMAIL",
  email: user.email,
  userId: user.id,
});

const pickUser = ({ id, email, name, passwordHash, createdAt }: User): User => ({
  id,
  email,
  name,
  passwordHash,
  createdAt,
});

export const userItem = (user: User): Item => ({
  ...keys.user(user.id),
  type: "USER",
  ...pickUser(user),
});

export const userFrom = (item: Item): User => pickUser(item as unknown as User);
