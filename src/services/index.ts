// The services' public surface: `createServices` and the `Services` it builds, the ports every
// adapter implements (ports.ts), and the input schemas both edges validate with (inputs.ts).
import { type AuthService, createAuthService } from "./auth.js";
import { type CartService, createCartService } from "./cart.js";
import { type CatalogService, createCatalogService } from "./catalog.js";
import { type ConnectionService, createConnectionService } from "./connections.js";
import { createGuestCartService, type GuestCartService } from "./guest-carts.js";
import { createOrderProcessor, type OrderProcessor } from "./order-processing.js";
import { createOrderService, type OrderService } from "./orders.js";
import type {
  Clock,
  IdGenerator,
  Logger,
  Notifier,
  OrderQueue,
  PasswordHasher,
  PaymentProvider,
  Store,
  TokenIssuer,
} from "./ports.js";

export type { AuthService, UserPoolRefusal } from "./auth.js";
export { LOGIN_THROTTLE, PASSWORD_POLICY, PENDING_SIGNUPS, UserPoolError } from "./auth.js";
export type { ConnectionService } from "./connections.js";
export {
  anonymousWithoutGuestCart,
  commentBody,
  GUEST_CART_TOKEN_HEADER,
  graphqlBody,
  graphqlQuery,
  guestCartToken,
  guestCartTokenRequired,
  idempotencyKey,
  loginBody,
  requireGuestCartToken,
  saveCartBody,
  signupBody,
  validate,
} from "./inputs.js";
export type { OrderProcessor } from "./order-processing.js";
export type { PageInput, PageOf } from "./paging.js";
export { graphqlPageArgs, PAGE_LIMITS, pageInputOf, pageQuery } from "./paging.js";
export type {
  Caller,
  Clock,
  ConnectionDirectory,
  CreateGuestCartCommand,
  IdGenerator,
  IssuedToken,
  Logger,
  MergeGuestCartCommand,
  Notifier,
  OrderKey,
  OrderQueue,
  OrderRef,
  OrderStatusChange,
  OrderUpdate,
  Page,
  PageRequest,
  PasswordHasher,
  PaymentProvider,
  PaymentRequest,
  PaymentResult,
  PlaceOrderResult,
  SaveCartCommand,
  SaveGuestCartCommand,
  SessionTokens,
  Store,
  TokenIssuer,
  TokenVerifier,
} from "./ports.js";
export type { CartLineView, CartView, LineView, OrderView, ProductView } from "./views.js";

export interface Services {
  catalog: CatalogService;
  carts: CartService;
  guestCarts: GuestCartService;
  orders: OrderService;
  auth: AuthService;
  connections: ConnectionService;
  processing: OrderProcessor;
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
}

/** Builds every use case from its ports; the only place services are wired together. */
export function createServices(deps: ServiceDeps): Services {
  return {
    catalog: createCatalogService(deps),
    carts: createCartService(deps),
    guestCarts: createGuestCartService(deps),
    orders: createOrderService(deps),
    auth: createAuthService(deps),
    connections: createConnectionService(deps),
    processing: createOrderProcessor(deps),
  };
}
