export type { Cart, CartContents, CartLine, GuestCart, PricedCart, PricedLine } from "./cart.js";
export {
  assertCartLines,
  CART_LIMITS,
  GUEST_CART_TTL_SECONDS,
  mergeCarts,
  priceCart,
} from "./cart.js";
export type { Comment, Product, ProductWithComments, RatingSummary } from "./catalogue.js";
export { MAX_RATING, MIN_RATING, summarizeRatings } from "./catalogue.js";
export type { Connection } from "./connection.js";
export { CONNECTION_TTL_SECONDS, epochSeconds } from "./connection.js";
export type { ErrorCode, FieldError } from "./errors.js";
export {
  AppError,
  cartChanged,
  emailTaken,
  guestCartNotFound,
  isAppError,
  mergeConflict,
  outOfStock,
  priceChanged,
  productNotFound,
  storeUnavailable,
} from "./errors.js";
export { CURRENCY, isCents, MAX_PRICE_CENTS, percentageDiscountCents } from "./money.js";
export type { Order, OrderStatus, OrderTransition, PlaceOrderCommand } from "./order.js";
export {
  assertTransition,
  canTransition,
  createOrder,
  isFinalStatus,
  ORDER_STATUSES,
  transitionOrder,
} from "./order.js";
export type { Promotion } from "./promotion.js";
export { normalizePromotionCode, requireUsablePromotion } from "./promotion.js";
export type { User } from "./user.js";
export { defaultDisplayName, normalizeEmail } from "./user.js";
