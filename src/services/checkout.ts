import { createHash, timingSafeEqual } from "node:crypto";
import {
  type Address,
  type AddressInput,
  AppError,
  type Cart,
  type CheckoutTotals,
  epochSeconds,
  type GuestCart,
  guestCartNotFound,
  methodsFor,
  type OrderCheckout,
  type PricedCart,
  type Promotion,
  priceCart,
  priceCheckout,
  requireAddress,
  type ShippingOption,
  shippingMethodUnavailable,
  snapshotCheckout,
} from "../domain/index.js";
import { loadProducts, loadPromotion } from "./cart.js";
import { guestCartTokenHash } from "./guest-carts.js";
import type { Caller, Clock, Store } from "./ports.js";
import type { ShopSettingsService } from "./shop-settings.js";
import { type PostalAddressView, postalAddressView, type TotalsView, totalsView } from "./views.js";

/**
 * Who checks out: a signed-in customer, or a guest known only by the token of their guest cart
 * (and the client address the edge saw, for the guest checkout's rate limits).
 */
export type Buyer =
  | { kind: "customer"; caller: Caller }
  | { kind: "guest"; cartToken: string; clientAddress?: string | undefined };

/** Where the order goes and how, as the client sends it (`checkoutBody`, `checkoutQuoteBody`). */
export interface CheckoutInput {
  shippingAddress?: AddressInput | undefined;
  /** A signed-in customer's saved address, instead of `shippingAddress`. */
  addressId?: string | undefined;
  /** Absent: the shipping address. */
  billingAddress?: AddressInput | undefined;
  /** Required to check out; a quote without one prices the cheapest method. */
  shippingMethodId?: string | undefined;
  /** A guest's e-mail address; a signed-in customer's orders use the account's. */
  email?: string | undefined;
}

/** What the cart would cost shipped to an address: the methods offered and the totals. */
export interface CheckoutQuoteView {
  shippingAddress: PostalAddressView;
  billingAddress: PostalAddressView;
  /** Every method that ships to the address, cheapest first, each at this cart's price. */
  shippingMethods: ShippingOption[];
  /** The method the totals are priced with: the one asked for, else the cheapest. */
  shippingMethodId: string;
  totals: TotalsView;
}

/** A cart read for checkout: the cart, and how the store knows it (a guest's by its hash). */
export interface CheckoutCart {
  cart: Cart | GuestCart;
  /** Set for a guest's cart: the store empties this one when the order is placed. */
  guestCartTokenHash?: string;
}

/** A cart priced for an address: the goods, the promotion priced, and the order's snapshot. */
export interface PricedCheckout {
  priced: PricedCart;
  promotion: Promotion | undefined;
  options: ShippingOption[];
  option: ShippingOption;
  shippingAddress: Address;
  billingAddress: Address | undefined;
  totals: CheckoutTotals;
  snapshot: OrderCheckout;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * The user id a guest cart's orders are placed under: derived from the cart's token hash, so a
 * retried guest checkout finds its idempotency key where the first one recorded it, and every
 * guest has a partition of their own (no key that all guest orders share). Never a real user's
 * id: those are UUIDs.
 */
export const guestOwnerId = (cartTokenHash: string): string =>
  `guest-${cartTokenHash.slice(0, 40)}`;

/**
 * The order access token of a guest's order: 256 bits derived from the guest cart's token (a
 * secret only the shopper's client holds) and the order id. Derived rather than drawn so that a
 * retried checkout can answer it again; the store keeps only `accessTokenHash` of it.
 */
export const orderAccessToken = (cartToken: string, orderId: string): string =>
  sha256(`order-access-token\n${cartToken}\n${orderId}`).toString("base64url");

export const accessTokenHash = (token: string): string => sha256(token).toString("hex");

/** Whether `token` opens an order whose guest part stores `storedHash`; constant-time. */
export function opensOrder(token: string, storedHash: string): boolean {
  const given = sha256(token);
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === given.length && timingSafeEqual(given, stored);
}

/** Lower-cased: an address's domain is case-insensitive, and its mailbox is in practice. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function createCheckoutPricing(deps: {
  store: Store;
  clock: Clock;
  shopSettings: ShopSettingsService;
}) {
  const { store, clock, shopSettings } = deps;

  /** The buyer's cart; NOT_FOUND for a guest token naming no live cart. */
  async function cartOf(buyer: Buyer): Promise<CheckoutCart | undefined> {
    if (buyer.kind === "customer") {
      const cart = await store.getCart(buyer.caller.userId);
      return cart === undefined ? undefined : { cart };
    }
    const tokenHash = guestCartTokenHash(buyer.cartToken);
    const cart = await store.getGuestCart(tokenHash, epochSeconds(clock.now()));
    if (cart === undefined) throw guestCartNotFound();
    return { cart, guestCartTokenHash: tokenHash };
  }

  /** The shipping address of `input`: given, or (signed in) one of the address book. */
  async function shippingAddressOf(buyer: Buyer, input: CheckoutInput): Promise<Address> {
    const { shippingAddress, addressId } = input;
    if (addressId !== undefined) {
      if (shippingAddress !== undefined) {
        throw refusedField("addressId", "give shippingAddress or addressId, not both");
      }
      if (buyer.kind === "guest") {
        throw refusedField("addressId", "the address book needs an account: send shippingAddress");
      }
      const book = await store.listAddresses(buyer.caller.userId);
      const saved = book.find((entry) => entry.id === addressId);
      if (saved === undefined)
        throw refusedField("addressId", "not an address of your address book");
      return saved.address;
    }
    if (shippingAddress === undefined) {
      throw refusedField("shippingAddress", "required (or addressId of a saved address)");
    }
    return requireAddress(shippingAddress, "shippingAddress");
  }

  /**
   * Prices `cart` shipped to the address of `input` with the method asked for (the cheapest
   * when none is and `methodRequired` is false), at the shop's current settings. NOT_SHIPPABLE
   * naming `shippingAddress.country` when no zone covers it; VALIDATION_FAILED on
   * `shippingMethodId` for a method that does not ship there.
   */
  async function price(
    buyer: Buyer,
    cart: Cart | GuestCart,
    input: CheckoutInput,
  ): Promise<PricedCheckout> {
    const shippingAddress = await shippingAddressOf(buyer, input);
    const billingAddress =
      input.billingAddress === undefined
        ? undefined
        : requireAddress(input.billingAddress, "billingAddress");
    const now = clock.now();
    const [products, promotion, config] = await Promise.all([
      loadProducts(store, cart.lines),
      loadPromotion(store, cart.promotionCode, now),
      shopSettings.current(),
    ]);
    const priced = priceCart(cart.lines, products, promotion);
    const goodsCents = priced.subtotalCents - priced.discountCents;
    const options = methodsFor(
      config.shipping.zones,
      config.shipping.methods,
      shippingAddress.country,
      goodsCents,
    );
    const wanted = input.shippingMethodId;
    const option =
      wanted === undefined ? options[0] : options.find((offered) => offered.methodId === wanted);
    if (option === undefined) {
      throw shippingMethodUnavailable(wanted ?? "", shippingAddress.country);
    }
    const taxConfig = { mode: config.tax.mode, taxShipping: config.tax.taxShipping };
    const totals = priceCheckout({
      pricedCart: priced,
      shippingCents: option.priceCents,
      address: shippingAddress,
      rates: config.tax.rates,
      config: taxConfig,
    });
    const snapshot = snapshotCheckout({
      shippingAddress,
      billingAddress,
      option,
      config: taxConfig,
      totals,
    });
    return {
      priced,
      promotion,
      options,
      option,
      shippingAddress,
      billingAddress,
      totals,
      snapshot,
    };
  }

  return {
    cartOf,
    price,

    async quote(buyer: Buyer, input: CheckoutInput): Promise<CheckoutQuoteView> {
      const found = await cartOf(buyer);
      if (found === undefined || found.cart.lines.length === 0) throw cartEmpty();
      const checkout = await price(buyer, found.cart, input);
      return {
        shippingAddress: postalAddressView(checkout.shippingAddress),
        billingAddress: postalAddressView(checkout.billingAddress ?? checkout.shippingAddress),
        shippingMethods: checkout.options,
        shippingMethodId: checkout.option.methodId,
        totals: totalsView(checkout.totals),
      };
    },
  };
}

export type CheckoutPricingService = ReturnType<typeof createCheckoutPricing>;

export const cartEmpty = (): AppError =>
  new AppError("CART_EMPTY", "the cart is empty: save products to it first");

/** VALIDATION_FAILED naming one field of the checkout's body. */
export const refusedField = (field: string, message: string): AppError =>
  new AppError("VALIDATION_FAILED", `${field}: ${message}`, { fields: [{ field, message }] });
