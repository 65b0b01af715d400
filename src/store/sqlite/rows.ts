// The columns each query selects, the rows they come back as, and the mappers between rows and
// domain objects.
import {
  type Cart,
  type CartLine,
  epochSeconds,
  type GuestCart,
  type Order,
  type OrderStatus,
  type PricedLine,
  type Promotion,
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
  "lines, failure_reason AS failureReason";
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
}

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

export const promotionFromRow = ({ validFrom, expiresAt, ...rest }: PromotionRow): Promotion => ({
  ...rest,
  ...(validFrom === null ? {} : { validFrom }),
  ...(expiresAt === null ? {} : { expiresAt }),
});

export const orderFromRow = ({
  lines,
  promotionCode,
  failureReason,
  ...rest
}: OrderRow): Order => ({
  ...rest,
  lines: pricedLinesFrom(lines),
  ...(promotionCode === null ? {} : { promotionCode }),
  ...(failureReason === null ? {} : { failureReason }),
});

export const orderToRow = (order: Order): OrderRow => ({
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
});
