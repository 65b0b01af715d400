import {
  AppError,
  createOrder,
  isFinalStatus,
  type Order,
  orderNotFound,
} from "../domain/index.js";
import { createCanceller } from "./cancellation.js";
import {
  accessTokenHash,
  type Buyer,
  type CheckoutInput,
  type CheckoutPricingService,
  cartEmpty,
  guestOwnerId,
  normalizeEmail,
  orderAccessToken,
  refusedField,
} from "./checkout.js";
import { guestCartTokenHash } from "./guest-carts.js";
import type { GuestCheckoutLimits } from "./guest-checkout-limits.js";
import { opensGuestOrder } from "./order-links.js";
import { paymentRequestOf } from "./order-processing.js";
import type { OrderLinks } from "./outbox-ports.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type {
  Caller,
  Clock,
  IdGenerator,
  Logger,
  Notifier,
  OrderQueue,
  PaymentProvider,
  PaymentSession,
  Store,
  TokenVerifier,
} from "./ports.js";
import { type OrderView, orderView } from "./views.js";

export interface CheckoutResult {
  order: OrderView;
  /** True when the idempotency key was used before and this is the first checkout's order. */
  replayed: boolean;
  /**
   * A guest's checkout only: the token that opens this order (`getGuestOrder`), shown to the
   * guest and never stored; a replay answers the same token.
   */
  orderAccessToken?: string;
}

/** What an attach moved into the account, and how many guest orders it left for later. */
export interface GuestOrdersAttached {
  attached: OrderView[];
  /** Guest orders of the address still being processed: attached by a later call. */
  inFlight: number;
}

export interface OrderService {
  /**
   * Turns the buyer's cart into an order shipped to the address of `input`, priced with its
   * shipping and tax at the shop's settings, in one store transaction, and hands it to
   * processing (which runs later, elsewhere). Without an idempotency key the cart version stands
   * in for one, so a double submit of the same cart places one order. A replay answers the
   * first order as it is now. A guest's checkout needs `input.email`, is rate limited
   * (TOO_MANY_REQUESTS) and answers the order's access token.
   */
  checkout(
    buyer: Buyer,
    input: CheckoutInput,
    idempotencyKey: string | undefined,
  ): Promise<CheckoutResult>;
  /** NOT_FOUND for an unknown order, a customer's order and a token that does not open it. */
  getGuestOrder(orderId: string, accessToken: string): Promise<OrderView>;
  /** As a customer's `cancelOrder`, for the guest order `accessToken` opens. */
  cancelGuestOrder(orderId: string, accessToken: string): Promise<OrderView>;
  /**
   * Moves the finished guest orders placed with the caller's e-mail address into the caller's
   * orders, once the user pool has confirmed that address: `idToken` is the caller's ID token
   * (it says the address and whether it is confirmed; the access token does not). FORBIDDEN
   * while the address is unconfirmed, VALIDATION_FAILED for another user's ID token. Orders
   * still in flight stay with the guest and are attached by a later call.
   */
  attachGuestOrders(caller: Caller, idToken: string): Promise<GuestOrdersAttached>;
  /** A page of the caller's orders, newest first. */
  listOrders(caller: Caller, page?: PageInput): Promise<PageOf<OrderView>>;
  /** NOT_FOUND for an unknown order and for another user's order alike. */
  getOrder(caller: Caller, orderId: string): Promise<OrderView>;
  /**
   * Cancels one of the caller's orders while it is still PLACED (the payment has not started),
   * its stock returned; ORDER_NOT_CANCELLABLE (409) in any other state, NOT_FOUND as getOrder.
   */
  cancelOrder(caller: Caller, orderId: string): Promise<OrderView>;
  /**
   * What the page needs to pay one of the caller's orders (the payment is started once per
   * order, however often asked): `{provider: "demo"}` when the shop's provider charges by
   * itself. ORDER_NOT_PAYABLE (409) once the order is paid, failed or cancelled; NOT_FOUND as
   * getOrder; PAYMENT_UNAVAILABLE (503) when the provider cannot be reached.
   */
  payOrder(caller: Caller, orderId: string): Promise<PaymentSession>;
  /** As `payOrder`, for the guest order `accessToken` opens. */
  payGuestOrder(orderId: string, accessToken: string): Promise<PaymentSession>;
}

export function createOrderService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  queue: OrderQueue;
  payment: PaymentProvider;
  notifier: Notifier;
  log: Logger;
  pricing: CheckoutPricingService;
  guestLimits: GuestCheckoutLimits;
  /** Verifies the ID token an attach of guest orders is sent with. */
  identity?: Pick<TokenVerifier, "verifyIdToken"> | undefined;
  /** The link tokens of guests' e-mails, which open a guest order as its access token does. */
  links: OrderLinks;
}): OrderService {
  const { store, clock, ids, queue, pricing, guestLimits, identity, payment, links } = deps;
  const cancel = createCanceller(deps);

  /** A still PLACED order is handed on again on a replay: processing is idempotent. */
  const handOn = async (order: Order): Promise<void> => {
    if (order.status === "PLACED") await queue.enqueue({ userId: order.userId, orderId: order.id });
  };

  /** The first checkout's order when `idempotencyKey` placed one, handed on again if PLACED. */
  const replayOf = async (
    ownerId: string,
    idempotencyKey: string | undefined,
  ): Promise<Order | undefined> => {
    if (idempotencyKey === undefined) return undefined;
    const previous = await store.findOrderByIdempotencyKey(ownerId, idempotencyKey);
    if (previous !== undefined) await handOn(previous);
    return previous;
  };

  /** The answer for `order`, with its access token when it is a guest's. */
  const answer = (buyer: Buyer, order: Order, replayed: boolean): CheckoutResult =>
    buyer.kind === "guest"
      ? {
          order: orderView(order),
          replayed,
          orderAccessToken: orderAccessToken(buyer.cartToken, order.id),
        }
      : { order: orderView(order), replayed };

  /** The guest order `accessToken` opens; NOT_FOUND, as for no order at all, otherwise. */
  const guestOrder = async (orderId: string, accessToken: string): Promise<Order> => {
    const order = await store.findOrder(orderId);
    if (order === undefined || !(await opensGuestOrder(links, order, accessToken))) {
      throw orderNotFound(orderId);
    }
    return order;
  };

  return {
    async checkout(buyer, input, idempotencyKey) {
      const ownerId =
        buyer.kind === "customer"
          ? buyer.caller.userId
          : guestOwnerId(guestCartTokenHash(buyer.cartToken));
      const email = guestEmailOf(buyer, input);
      const previous = await replayOf(ownerId, idempotencyKey);
      if (previous !== undefined) return answer(buyer, previous, true);
      const found = await pricing.cartOf(buyer);
      if (found === undefined || found.cart.lines.length === 0) {
        // A concurrent retry with this key may have placed its order, emptying the cart, between
        // the key's read above and the cart's: that order is this request's answer too.
        const placed = await replayOf(ownerId, idempotencyKey);
        if (placed !== undefined) return answer(buyer, placed, true);
        throw cartEmpty();
      }
      const { cart } = found;
      const checkout = await pricing.price(buyer, cart, input);
      if (email !== undefined && buyer.kind === "guest") {
        guestLimits.admit({ email, clientAddress: buyer.clientAddress });
      }
      const id = ids.newId();
      const order = createOrder(
        checkout.priced,
        {
          id,
          userId: ownerId,
          createdAt: clock.now().toISOString(),
          idempotencyKey: idempotencyKey ?? `cart-version-${cart.version}`,
          ...(buyer.kind === "guest" && email !== undefined
            ? {
                guest: {
                  email,
                  accessTokenHash: accessTokenHash(orderAccessToken(buyer.cartToken, id)),
                },
              }
            : {}),
        },
        checkout.snapshot,
      );
      // The order's lines follow the cart's, so a refusal names the cart line (`products[1].id`).
      const result = await store.placeOrder({
        order,
        cartVersion: cart.version,
        ...(checkout.promotion === undefined ? {} : { promotion: checkout.promotion }),
        ...(found.guestCartTokenHash === undefined
          ? {}
          : { guestCartTokenHash: found.guestCartTokenHash }),
      });
      await handOn(result.order);
      return answer(buyer, result.order, !result.placed);
    },

    async getGuestOrder(orderId, accessToken) {
      return orderView(await guestOrder(orderId, accessToken));
    },

    async cancelGuestOrder(orderId, accessToken) {
      const order = await guestOrder(orderId, accessToken);
      return orderView((await cancel(order, "customer")).order);
    },

    async attachGuestOrders(caller, idToken) {
      if (identity === undefined) {
        throw new AppError("NOT_IMPLEMENTED", "this deployment cannot verify ID tokens");
      }
      const who = await identity.verifyIdToken(idToken);
      if (who.userId !== caller.userId) {
        throw refusedField("idToken", "the ID token of the signed-in user, not another's");
      }
      if (who.email === undefined || !who.emailVerified) {
        throw new AppError(
          "FORBIDDEN",
          "confirm your e-mail address first: guest orders are attached only to an account " +
            "that confirmed the address they were placed with",
        );
      }
      const orders = await store.listGuestOrders(who.email);
      const attached: OrderView[] = [];
      let inFlight = 0;
      for (const order of orders) {
        if (!isFinalStatus(order.status)) {
          inFlight += 1;
          continue;
        }
        const moved = await store.attachGuestOrder({
          orderId: order.id,
          fromUserId: order.userId,
          toUserId: caller.userId,
        });
        if (moved !== undefined) attached.push(orderView(moved));
      }
      return { attached, inFlight };
    },

    async listOrders(caller, page = {}) {
      const orders = await store.listOrderPage(caller.userId, pageRequest("orders", page));
      return {
        items: orders.items.map(orderView),
        nextCursor: nextCursorOf("orders", orders.next),
      };
    },

    async getOrder(caller, orderId) {
      const order = await store.getOrder(caller.userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      return orderView(order);
    },

    async cancelOrder(caller, orderId) {
      const order = await store.getOrder(caller.userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      return orderView((await cancel(order, "customer")).order);
    },

    async payOrder(caller, orderId) {
      const order = await store.getOrder(caller.userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      return paymentSessionOf(payment, order);
    },

    async payGuestOrder(orderId, accessToken) {
      return paymentSessionOf(payment, await guestOrder(orderId, accessToken));
    },
  };
}

/** The provider's session for an order still waiting for its payment. */
function paymentSessionOf(payment: PaymentProvider, order: Order): Promise<PaymentSession> {
  if (order.status !== "PLACED" && order.status !== "PROCESSING") {
    throw new AppError(
      "ORDER_NOT_PAYABLE",
      `order ${order.id} cannot be paid: it is ${order.status}`,
    );
  }
  return payment.session(paymentRequestOf(order));
}

/**
 * A guest's e-mail address, normalized: required from a guest, refused from a customer (whose
 * orders the account's address serves), so that no one is left thinking it was used.
 */
function guestEmailOf(buyer: Buyer, input: CheckoutInput): string | undefined {
  if (buyer.kind === "customer") {
    if (input.email !== undefined) {
      throw refusedField("email", "a signed-in customer's order uses the account's address");
    }
    return undefined;
  }
  if (input.email === undefined) {
    throw refusedField("email", "required: the order's messages go there");
  }
  return normalizeEmail(input.email);
}
