import type { Store } from "../store/index.js";
import { type AuthService, createAuthService } from "./auth.js";
import { type CartService, createCartService } from "./cart.js";
import { type CatalogService, createCatalogService } from "./catalog.js";
import { createOrderService, type OrderService } from "./orders.js";
import type { Clock, IdGenerator, PasswordHasher, TokenIssuer } from "./ports.js";

export type { AuthService, Credentials, SignupInput } from "./auth.js";
export { LOGIN_THROTTLE } from "./auth.js";
export type { CartService, SaveCartInput } from "./cart.js";
export type { CatalogService, NewComment } from "./catalog.js";
export type { CheckoutResult, OrderService } from "./orders.js";
export type {
  Caller,
  Clock,
  IdGenerator,
  IssuedToken,
  PasswordHasher,
  TokenIssuer,
  TokenVerifier,
} from "./ports.js";
export type { CartView, CommentView, LineView, OrderView, ProductView } from "./views.js";

export interface Services {
  catalog: CatalogService;
  carts: CartService;
  orders: OrderService;
  auth: AuthService;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
}

/** Builds every use case from its ports; the only place services are wired together. */
export function createServices(deps: ServiceDeps): Services {
  return {
    catalog: createCatalogService(deps),
    carts: createCartService(deps),
    orders: createOrderService(deps),
    auth: createAuthService(deps),
  };
}
