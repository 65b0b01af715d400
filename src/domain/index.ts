export type { Address, AddressInput } from "./address.js";
export {
  ADDRESS_LIMITS,
  checkAddress,
  isCountryCode,
  normalizeAddress,
  POSTAL_CODE_RULES,
  REGION_CODES,
  requireAddress,
  sameAddress,
} from "./address.js";
export type {
  AddressReplacement,
  NewSavedAddress,
  SavedAddress,
} from "./address-book.js";
export { ADDRESS_BOOK_LIMITS, addressBookOrder } from "./address-book.js";
export type { Cart, CartContents, CartLine, GuestCart, PricedCart, PricedLine } from "./cart.js";
export {
  assertCartLines,
  CART_LIMITS,
  GUEST_CART_TTL_SECONDS,
  mergeCarts,
  priceCart,
} from "./cart.js";
export type {
  Comment,
  CommentKey,
  CommentWindow,
  ImageContentType,
  ImageUpload,
  ImageUploadRequest,
  ManagedProduct,
  Product,
  ProductFigures,
  ProductWithComments,
  RatingSummary,
  StockAdjustment,
  StockReason,
} from "./catalogue.js";
export {
  assertAdjustment,
  COMMENT_LIMITS,
  commentWindows,
  IMAGE_UPLOADS,
  imageExtensionOf,
  latestComments,
  MAX_RATING,
  MIN_RATING,
  newestFirst,
  STOCK_REASONS,
  summarizeRatings,
} from "./catalogue.js";
export type { Connection } from "./connection.js";
export { CONNECTION_TTL_SECONDS, epochSeconds } from "./connection.js";
export type { ErrorCode, FieldError } from "./errors.js";
export {
  AppError,
  addressBookFull,
  addressNotFound,
  adminOnly,
  cartChanged,
  emailTaken,
  guestCartNotFound,
  invalidAddress,
  invalidConfiguration,
  isAppError,
  mailRejected,
  mailUnavailable,
  mergeConflict,
  notShippable,
  orderNotCancellable,
  orderNotFound,
  orderNotShippable,
  outOfStock,
  paymentUnavailable,
  priceChanged,
  productExists,
  productNotFound,
  promotionExists,
  promotionNotFound,
  promotionUsedUp,
  settingsChanged,
  shippingMethodUnavailable,
  stockWouldGoNegative,
  storeUnavailable,
  tooManyComments,
} from "./errors.js";
export {
  CURRENCY,
  isCents,
  MAX_PRICE_CENTS,
  percentageDiscountCents,
  scaleHalfUp,
} from "./money.js";
export type {
  Order,
  OrderCheckout,
  OrderGuest,
  OrderShipping,
  OrderStatus,
  OrderTotals,
  OrderTransition,
  PlaceOrderCommand,
  Shipment,
} from "./order.js";
export {
  assertTransition,
  awaitsShipping,
  billingAddressOf,
  cancellableBy,
  canTransition,
  createOrder,
  holdsStock,
  isFinalStatus,
  isFulfilmentStep,
  mayHoldPayment,
  ORDER_STATUSES,
  orderTotals,
  returnsStock,
  snapshotCheckout,
  transitionOrder,
} from "./order.js";
export type { OrderMailKind, OutboxMessage } from "./order-mail.js";
export {
  MAIL_MAX_ATTEMPTS,
  mailKindOf,
  nextMailAttemptAt,
  ORDER_MAIL_KINDS,
  outboxMessageId,
  outboxMessageOf,
} from "./order-mail.js";
export type { ManagedPromotion, Promotion } from "./promotion.js";
export { normalizePromotionCode, requireUsablePromotion } from "./promotion.js";
export type { ShippingMethod, ShippingOption, ShippingZone } from "./shipping.js";
export {
  assertShippingConfiguration,
  checkShippingMethods,
  checkShippingZones,
  methodsFor,
  SHIPPING_LIMITS,
  selectShippingMethod,
  shippingPriceCents,
  zoneFor,
} from "./shipping.js";
export type {
  CheckoutPricing,
  CheckoutTotals,
  TaxConfig,
  TaxLine,
  TaxMode,
  TaxRate,
} from "./tax.js";
export {
  assertTaxRates,
  checkTaxRates,
  PPM,
  priceCheckout,
  ratesFor,
  TAX_LIMITS,
} from "./tax.js";
export type { User } from "./user.js";
export { ADMIN_GROUP, defaultDisplayName, normalizeEmail } from "./user.js";
