// The columns each query selects, the rows they come back as, and the mappers between rows and
// domain objects.
import {
  type Cart,
  type CartLine,
  epochSeconds,
  type GuestCart,
  type ManagedProduct,
  type ManagedPromotion,
  type Order,
  type OrderCheckout,
  type OrderMailKind,
  type OrderStatus,
  type OutboxMessage,
  type PricedLine,
  type Product,
  type Promotion,
  type Shipment,
  type StockAdjustment,
  type StockReason,
} from "../../domain/index.js";

export const PRODUCT_COLUMNS =
  "id, name, description, image_url AS imageUrl, price_cents AS priceCents, stock";
export const COMMENT_COLUMNS =
  "id, product_id AS productId, author, rating, text, created_at AS createdAt";
export const CART_COLUMNS =
  "user_id AS userId, lines, promotion_code AS promotionCode, version, updated_at AS updatedAt";
export const GUEST_CART_COLUMNS =
  "token_hash AS tokenHash, lines, promotion_code AS promotionCode, version, " +
  "updated_at AS updatedAt, expires_at AS expiresAt";
export const ORDER_COLUMNS =
  "id, user_id AS userId, idempotency_key AS idempotencyKey, status, created_at AS createdAt, " +
  "promotion_code AS promotionCode, discount_percentage AS discountPercentage, " +
  "subtotal_cents AS subtotalCents, discount_cents AS discountCents, total_cents AS totalCents, " +
  "lines, failure_reason AS failureReason, checkout, guest_email AS guestEmail, " +
  "access_token_hash AS accessTokenHash, shipment, delivered_at AS deliveredAt";
export const USER_COLUMNS =
  "id, email, name, password_hash AS passwordHash, created_at AS createdAt";
export const CONNECTION_COLUMNS =
  "id, user_id AS userId, connected_at AS connectedAt, expires_at AS expiresAt";

export interface CartRow {
  userId: string;
  lines: string;
  promotionCode: string | null;
  version: number;
  updatedAt: string;
}

export interface GuestCartRow {
  tokenHash: string;
  lines: string;
  promotionCode: string | null;
  version: number;
  updatedAt: string;
  expiresAt: number;
}

export interface PromotionRow {
  code: string;
  percentOff: number;
  validFrom: string | null;
  expiresAt: string | null;
  maxUses: number | null;
  maxUsesPerCustomer: number | null;
  deactivated: number;
  uses: number;
}

export const PROMOTION_COLUMNS =
  "code, percent_off AS percentOff, valid_from AS validFrom, expires_at AS expiresAt, " +
  "max_uses AS maxUses, max_uses_per_customer AS maxUsesPerCustomer, deactivated, uses";

export interface OrderRow {
  id: string;
  userId: string;
  idempotencyKey: string;
  status: OrderStatus;
  createdAt: string;
  promotionCode: string | null;
  discountPercentage: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  lines: string;
  failureReason: string | null;
  /** The order's `OrderCheckout` as JSON; null on orders placed before checkout had one. */
  checkout: string | null;
  guestEmail: string | null;
  accessTokenHash: string | null;
  /** The order's `Shipment` as JSON, from SHIPPED on. */
  shipment: string | null;
  deliveredAt: string | null;
}

/** A row as inserted: a guest's order also records who placed it (its key stays theirs). */
export interface NewOrderRow extends OrderRow {
  placedBy: string | null;
}

// Lines are JSON written only by this adapter; picking the known fields keeps the objects handed
// out fresh and free of anything else a hand-edited row might carry.
const cartLinesFrom = (json: string): CartLine[] =>
  (JSON.parse(json) as CartLine[]).map(({ productId, quantity }) => ({ productId, quantity }));

const pickPricedLine = (line: PricedLine): PricedLine => ({
  productId: line.productId,
  name: line.name,
  quantity: line.quantity,
  unitPriceCents: line.unitPriceCents,
  lineTotalCents: line.lineTotalCents,
});

const pricedLinesFrom = (json: string): PricedLine[] =>
  (JSON.parse(json) as PricedLine[]).map(pickPricedLine);

const pickShipment = (shipment: Shipment): Shipment => ({
  carrier: shipment.carrier,
  trackingNumber: shipment.trackingNumber,
  ...(shipment.trackingUrl === undefined ? {} : { trackingUrl: shipment.trackingUrl }),
  shippedAt: shipment.shippedAt,
});

/** A shipment as its column holds it; null for none (SQL's `coalesce` keeps the one stored). */
export const shipmentJson = (shipment: Shipment | undefined): string | null =>
  shipment === undefined ? null : JSON.stringify(pickShipment(shipment));

export const cartFromRow = ({ lines, promotionCode, ...rest }: CartRow): Cart => ({
  ...rest,
  lines: cartLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
});

export const guestCartFromRow = ({ lines, promotionCode, ...rest }: GuestCartRow): GuestCart => ({
  ...rest,
  lines: cartLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
});

export const cartLinesJson = (lines: readonly CartLine[]): string =>
  JSON.stringify(lines.map(({ productId, quantity }) => ({ productId, quantity })));

export const secondsOf = (iso: string): number => epochSeconds(new Date(iso));

export const promotionFromRow = (row: PromotionRow): Promotion => ({
  code: row.code,
  percentOff: row.percentOff,
  ...(row.validFrom === null ? {} : { validFrom: row.validFrom }),
  ...(row.expiresAt === null ? {} : { expiresAt: row.expiresAt }),
  ...(row.maxUses === null ? {} : { maxUses: row.maxUses }),
  ...(row.maxUsesPerCustomer === null ? {} : { maxUsesPerCustomer: row.maxUsesPerCustomer }),
  ...(row.deactivated === 1 ? { deactivated: true as const } : {}),
});

export const managedPromotionFromRow = (row: PromotionRow): ManagedPromotion => ({
  ...promotionFromRow(row),
  uses: row.uses,
});

export const promotionToRow = (promotion: Promotion): Omit<PromotionRow, "uses"> => ({
  code: promotion.code,
  percentOff: promotion.percentOff,
  validFrom: promotion.validFrom ?? null,
  expiresAt: promotion.expiresAt ?? null,
  maxUses: promotion.maxUses ?? null,
  maxUsesPerCustomer: promotion.maxUsesPerCustomer ?? null,
  deactivated: promotion.deactivated === true ? 1 : 0,
});

export interface ManagedProductRow extends Product {
  archived: number;
}

export const managedProductFromRow = ({
  archived,
  ...product
}: ManagedProductRow): ManagedProduct => ({
  ...product,
  archived: archived === 1,
});

export interface StockAdjustmentRow {
  id: string;
  productId: string;
  delta: number;
  reason: StockReason;
  note: string | null;
  actor: string;
  createdAt: string;
  stockAfter: number;
}

export const STOCK_ADJUSTMENT_COLUMNS =
  "id, product_id AS productId, delta, reason, note, actor, created_at AS createdAt, " +
  "stock_after AS stockAfter";

export const stockAdjustmentFromRow = ({ note, ...rest }: StockAdjustmentRow): StockAdjustment => ({
  ...rest,
  ...(note === null ? {} : { note }),
});

export const orderFromRow = ({
  lines,
  promotionCode,
  failureReason,
  checkout,
  guestEmail,
  accessTokenHash,
  shipment,
  deliveredAt,
  ...rest
}: OrderRow): Order => ({
  ...rest,
  lines: pricedLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
  ...(failureReason === null ? {} : { failureReason }),
  ...(checkout === null ? {} : { checkout: JSON.parse(checkout) as OrderCheckout }),
  ...(guestEmail === null || accessTokenHash === null
    ? {}
    : { guest: { email: guestEmail, accessTokenHash } }),
  ...(shipment === null ? {} : { shipment: pickShipment(JSON.parse(shipment) as Shipment) }),
  ...(deliveredAt === null ? {} : { deliveredAt }),
});

export const orderToRow = (order: Order): NewOrderRow => ({
  id: order.id,
  userId: order.userId,
  idempotencyKey: order.idempotencyKey,
  status: order.status,
  createdAt: order.createdAt,
  promotionCode: order.promotionCode ?? null,
  discountPercentage: order.discountPercentage,
  subtotalCents: order.subtotalCents,
  discountCents: order.discountCents,
  totalCents: order.totalCents,
  lines: JSON.stringify(order.lines.map(pickPricedLine)),
  failureReason: order.failureReason ?? null,
  checkout: order.checkout === undefined ? null : JSON.stringify(order.checkout),
  guestEmail: order.guest?.email ?? null,
  accessTokenHash: order.guest?.accessTokenHash ?? null,
  placedBy: order.guest === undefined ? null : order.userId,
  shipment: shipmentJson(order.shipment),
  deliveredAt: order.deliveredAt ?? null,
});

export interface OutboxMessageRow {
  id: string;
  orderId: string;
  userId: string;
  kind: OrderMailKind;
  createdAt: string;
  attempts: number;
  /** Null once the message is sent or given up: out of `order_mail_due`. */
  nextAttemptAt: string | null;
  sentAt: string | null;
  failedAt: string | null;
  lastError: string | null;
}

export const MAIL_COLUMNS =
  "id, order_id AS orderId, user_id AS userId, kind, created_at AS createdAt, attempts, " +
  "next_attempt_at AS nextAttemptAt, sent_at AS sentAt, failed_at AS failedAt, " +
  "last_error AS lastError";

export const mailFromRow = ({
  nextAttemptAt,
  sentAt,
  failedAt,
  lastError,
  ...rest
}: OutboxMessageRow): OutboxMessage => ({
  ...rest,
  ...(nextAttemptAt === null ? {} : { nextAttemptAt }),
  ...(sentAt === null ? {} : { sentAt }),
  ...(failedAt === null ? {} : { failedAt }),
  ...(lastError === null ? {} : { lastError }),
});

export const mailToRow = (message: OutboxMessage): OutboxMessageRow => ({
  id: message.id,
  orderId: message.orderId,
  userId: message.userId,
  kind: message.kind,
  createdAt: message.createdAt,
  attempts: message.attempts,
  nextAttemptAt: message.nextAttemptAt ?? null,
  sentAt: message.sentAt ?? null,
  failedAt: message.failedAt ?? null,
  lastError: message.lastError ?? null,
});
