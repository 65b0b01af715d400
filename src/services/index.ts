// The services' public surface: `createServices` and the `Services` it builds, the ports every
// adapter implements (ports.ts), and the input schemas both edges validate with (inputs.ts).

import { type AddressBookService, createAddressBookService } from "./addresses.js";
import { type AdminCatalogueService, createAdminCatalogueService } from "./admin-catalogue.js";
import { type AdminOrderService, createAdminOrderService } from "./admin-orders.js";
import { type AdminPromotionService, createAdminPromotionService } from "./admin-promotions.js";
import { type AuthService, createAuthService } from "./auth.js";
import { type CartService, createCartService } from "./cart.js";
import { type CatalogService, createCatalogService } from "./catalog.js";
import { type CheckoutPricingService, createCheckoutPricing } from "./checkout.js";
import { type ConnectionService, createConnectionService } from "./connections.js";
import { createFulfilmentService, type FulfilmentService } from "./fulfilment.js";
import { createGuestCartService, type GuestCartService } from "./guest-carts.js";
import { type GUEST_CHECKOUT_LIMITS, GuestCheckoutLimits } from "./guest-checkout-limits.js";
import { createMailSender, type MailSender, type MailSenderDeps } from "./mail-outbox.js";
import { createOrderProcessor, type OrderProcessor } from "./order-processing.js";
import { createOrderRecovery, type OrderRecovery } from "./order-recovery.js";
import { createOrderService, type OrderService } from "./orders.js";
import type { OrderLinks } from "./outbox-ports.js";
import { createPaymentEventService, type PaymentEventService } from "./payment-events.js";
import type {
  Clock,
  IdGenerator,
  ImageUploads,
  Logger,
  Notifier,
  OrderQueue,
  PasswordHasher,
  PaymentProvider,
  Store,
  TokenIssuer,
  TokenVerifier,
} from "./ports.js";
import { createShopSettingsService, type ShopSettingsService } from "./shop-settings.js";

export type { AddressStore } from "./address-ports.js";
export type { AddressBookService, AddressBookView, AddressView, NewAddress } from "./addresses.js";
export type {
  AdminCatalogueService,
  FiguresView,
  NewAdjustment,
  NewProduct,
  ProductChanges,
} from "./admin-catalogue.js";
export type { AdminOrderService, CancelledOrderView } from "./admin-orders.js";
export type { AdminPromotionService, PromotionDefinition } from "./admin-promotions.js";
export type {
  AdminOrderView,
  ManagedProductView,
  PromotionView,
  StockAdjustmentView,
} from "./admin-views.js";
export type { AuthService, SignupAccepted, UserPoolRefusal } from "./auth.js";
export { PASSWORD_POLICY, PENDING_SIGNUPS, UserPoolError } from "./auth.js";
export type {
  Buyer,
  CheckoutInput,
  CheckoutPricingService,
  CheckoutQuoteView,
} from "./checkout.js";
export type { AddCommentCommand, CommentStore } from "./comment-ports.js";
export type { ConnectionService } from "./connections.js";
export type { FulfilmentService, ShipmentInput } from "./fulfilment.js";
export { GUEST_CHECKOUT_LIMITS } from "./guest-checkout-limits.js";
export type {
  AttachGuestOrderCommand,
  GuestOrderStore,
  GuestOrderStoreMethod,
} from "./guest-order-ports.js";
export { GUEST_ORDER_LIMITS } from "./guest-order-ports.js";
export {
  addressBody,
  anonymousWithoutGuestCart,
  attachGuestOrdersBody,
  checkoutBody,
  checkoutQuoteBody,
  commentBody,
  createProductBody,
  createPromotionBody,
  GUEST_CART_TOKEN_HEADER,
  graphqlBody,
  graphqlQuery,
  guestCartToken,
  guestCartTokenRequired,
  ID_LIMITS,
  idempotencyKey,
  idNamed,
  imageUploadBody,
  loginBody,
  ORDER_ACCESS_TOKEN_HEADER,
  orderAccessToken,
  orderStatusQuery,
  promotionCode,
  promotionDefinition,
  requireGuestCartToken,
  SHIPMENT_LIMITS,
  saveCartBody,
  shipmentBody,
  signupBody,
  stockAdjustmentBody,
  storeId,
  updateProductBody,
  validate,
} from "./inputs.js";
export { delaySecondsAfter, LOGIN_THROTTLE } from "./login-throttle.js";
export type { DeliveryOutcome, MailSender, MailSenderDeps } from "./mail-outbox.js";
export { MAIL_GIVEN_UP } from "./mail-outbox.js";
export { isAdmin, requireAdmin } from "./operator-access.js";
export type { OrderProcessor } from "./order-processing.js";
export type { OrderRecovery, SweepOptions, SweepSummary } from "./order-recovery.js";
export type { PageInput, PageOf } from "./paging.js";
export { graphqlPageArgs, PAGE_LIMITS, pageInputOf, pageQuery } from "./paging.js";
export type {
  PaymentEventOutcome,
  PaymentEventReceipt,
  PaymentEventService,
} from "./payment-events.js";
export type {
  AllOrdersPageRequest,
  Caller,
  Clock,
  ConnectionDirectory,
  CreateGuestCartCommand,
  CreateProductCommand,
  IdGenerator,
  ImageUploads,
  IssuedToken,
  Logger,
  MergeGuestCartCommand,
  Notifier,
  OperatorStoreMethod,
  OrderKey,
  OrderQueue,
  OrderRef,
  OrderStatusChange,
  OrderUpdate,
  Page,
  PageRequest,
  PasswordHasher,
  PaymentEvent,
  PaymentProvider,
  PaymentRequest,
  PaymentResult,
  PaymentSession,
  PaymentWebhook,
  PlaceOrderResult,
  RefundResult,
  SaveCartCommand,
  SaveGuestCartCommand,
  SessionTokens,
  StockAdjustmentKey,
  Store,
  TokenIssuer,
  TokenVerifier,
  UpdateProductCommand,
  VerifiedIdentity,
} from "./ports.js";
export type {
  InFlightKey,
  InFlightPage,
  InFlightQuery,
  PaymentEventRecord,
  PaymentLedger,
  PaymentRecord,
  PaymentSessionRecord,
  RecordedPayment,
  RecoveryStore,
  RecoveryStoreMethod,
} from "./recovery-ports.js";
export type {
  SaveShippingCommand,
  SaveTaxCommand,
  ShippingSettings,
  ShopConfig,
  ShopConfigStore,
  ShopConfigStoreMethod,
  TaxSettings,
} from "./shop-config-ports.js";
export { unsavedShopConfig } from "./shop-config-ports.js";
export type { ShippingMethodsView, ShopSettingsService } from "./shop-settings.js";
export { SHOP_SETTINGS_CACHE_MS } from "./shop-settings.js";
export type {
  ShippingMethodsQuery,
  ShippingSettingsInput,
  TaxSettingsInput,
} from "./shop-settings-inputs.js";
export {
  SHOP_SETTINGS_LIMITS,
  shippingMethodsQuery,
  shippingSettingsBody,
  taxSettingsBody,
} from "./shop-settings-inputs.js";
export type {
  CartLineView,
  CartView,
  CommentView,
  LineView,
  OrderView,
  PostalAddressView,
  ProductView,
  ShipmentView,
  TotalsView,
} from "./views.js";

export interface Services {
  catalog: CatalogService;
  carts: CartService;
  guestCarts: GuestCartService;
  orders: OrderService;
  /** The signed-in customer's address book. */
  addresses: AddressBookService;
  auth: AuthService;
  connections: ConnectionService;
  processing: OrderProcessor;
  /** Re-drives the orders stuck in flight: the sweeper function's use case. */
  recovery: OrderRecovery;
  /** The payment provider's webhook: settles orders from its verified events. */
  paymentEvents: PaymentEventService;
  adminCatalogue: AdminCatalogueService;
  adminPromotions: AdminPromotionService;
  adminOrders: AdminOrderService;
  /** The operators' shipping queue, and their SHIPPED and DELIVERED steps. */
  fulfilment: FulfilmentService;
  /** The shop's shipping and tax settings: the operators' edits, and everyone's cached read. */
  shopSettings: ShopSettingsService;
  /** Prices a cart for an address (the checkout quote); checkout itself is `orders`'. */
  checkout: CheckoutPricingService;
  /** Sends the order e-mails of the outbox: the stream function's, the dev server's poller's. */
  mail: MailSender;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  queue: OrderQueue;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
  uploads: ImageUploads;
  /** Verifies ID tokens (attaching guest orders); absent, attaching is NOT_IMPLEMENTED. */
  identity?: Pick<TokenVerifier, "verifyIdToken">;
  /** The guest checkout's rate limits; GUEST_CHECKOUT_LIMITS when absent. */
  guestCheckoutLimits?: typeof GUEST_CHECKOUT_LIMITS;
  /** How long a payment may wait for its customer (PAYMENT_WINDOW_MS when absent). */
  paymentWindowMs?: number;
  /** The link tokens of guests' e-mails: they open a guest order as its access token does. */
  links: OrderLinks;
  /** What sending the order e-mails takes besides the store, the clock, the log and `links`. */
  mail: Pick<MailSenderDeps, "mailer" | "recipients" | "shopUrl" | "from" | "mailDomain">;
}

/** Builds every use case from its ports; the only place services are wired together. */
export function createServices(deps: ServiceDeps): Services {
  const processing = createOrderProcessor(deps);
  const shopSettings = createShopSettingsService(deps);
  const checkout = createCheckoutPricing({ ...deps, shopSettings });
  const guestLimits = new GuestCheckoutLimits(deps.clock, deps.guestCheckoutLimits);
  return {
    catalog: createCatalogService(deps),
    carts: createCartService(deps),
    guestCarts: createGuestCartService(deps),
    orders: createOrderService({ ...deps, pricing: checkout, guestLimits }),
    addresses: createAddressBookService(deps),
    auth: createAuthService(deps),
    connections: createConnectionService(deps),
    processing,
    recovery: createOrderRecovery({ ...deps, processing }),
    paymentEvents: createPaymentEventService({ ...deps, processing }),
    adminCatalogue: createAdminCatalogueService(deps),
    adminPromotions: createAdminPromotionService(deps),
    adminOrders: createAdminOrderService(deps),
    fulfilment: createFulfilmentService(deps),
    shopSettings,
    checkout,
    mail: createMailSender({ ...deps, ...deps.mail }),
  };
}
export type {
  DueMailQuery,
  FulfilmentStore,
  FulfilmentStoreMethod,
  MailAttempt,
  Mailer,
  MailMessage,
  OrderLinks,
  OutboxKey,
  Recipients,
  ShippingQueueKey,
} from "./outbox-ports.js";
