import {
  assertCartLines,
  type Cart,
  type CartContents,
  type CartLine,
  normalizePromotionCode,
  type PricedCart,
  type Product,
  type Promotion,
  priceCart,
  requireUsablePromotion,
} from "../domain/index.js";
import type { Caller, Clock, Store } from "./ports.js";
import { type CartView, cartView } from "./views.js";

export interface SaveCartInput {
  products: { id: string; quantity: number }[];
  promotionCode?: string | undefined;
}

export interface CartService {
  getCart(caller: Caller): Promise<CartView>;
  /** Replaces the caller's cart; refuses unknown products and unusable codes, naming them. */
  saveCart(caller: Caller, input: SaveCartInput): Promise<CartView>;
}

export async function loadProducts(
  store: Store,
  lines: readonly CartLine[],
): Promise<Map<string, Product>> {
  if (lines.length === 0) return new Map();
  const products = await store.getProducts(lines.map((line) => line.productId));
  return new Map(products.map((product) => [product.id, product]));
}

/** Looks a code up and refuses it when unknown, not yet valid or expired. */
export async function loadPromotion(
  store: Store,
  code: string | undefined,
  now: Date,
): Promise<Promotion | undefined> {
  if (code === undefined) return undefined;
  return requireUsablePromotion(code, await store.getPromotion(code), now);
}

export function createCartService(deps: { store: Store; clock: Clock }): CartService {
  const { store, clock } = deps;

  return {
    async getCart(caller) {
      const cart = await store.getCart(caller.userId);
      return priceSavedCart(store, cart, clock.now());
    },

    async saveCart(caller, input) {
      const now = clock.now();
      const { lines, promotionCode, priced, products } = await priceNewCart(store, input, now);
      const saved = await store.saveCart({
        userId: caller.userId,
        lines,
        ...(promotionCode === undefined ? {} : { promotionCode }),
        updatedAt: now.toISOString(),
      });
      return cartView(priced, saved, [], products);
    },
  };
}

/** A cart about to be saved, checked and priced: what a user's and a guest's save share. */
export interface NewCart {
  lines: CartLine[];
  promotionCode: string | undefined;
  priced: PricedCart;
  /** The products of the lines, as read for pricing: their stock goes into the view. */
  products: ReadonlyMap<string, Product>;
}

/**
 * Checks `input` against the cart rules and prices it strictly: unknown products and unusable
 * codes are refused, naming them, so a stored cart only names real products.
 */
export async function priceNewCart(
  store: Store,
  input: SaveCartInput,
  now: Date,
): Promise<NewCart> {
  const lines = input.products.map((p) => ({ productId: p.id, quantity: p.quantity }));
  assertCartLines(lines);
  const promotionCode =
    input.promotionCode === undefined ? undefined : normalizePromotionCode(input.promotionCode);
  const [products, promotion] = await Promise.all([
    loadProducts(store, lines),
    loadPromotion(store, promotionCode, now),
  ]);
  return { lines, promotionCode, priced: priceCart(lines, products, promotion), products };
}

/** A saved cart of either kind: its contents and the version and time of its last save. */
export type SavedCart = CartContents & Pick<Cart, "version" | "updatedAt">;

/**
 * Prices a cart saved earlier. Reading never fails because the catalogue moved on: a product
 * withdrawn since is left out and a code expired since is not applied, each with a notice
 * (after any `notices` given). Checkout is strict about both.
 */
export async function priceSavedCart(
  store: Store,
  cart: SavedCart | undefined,
  now: Date,
  notices: string[] = [],
): Promise<CartView> {
  const lines = cart?.lines ?? [];
  let promotion: Promotion | undefined;
  const [products, found] = await Promise.all([
    loadProducts(store, lines),
    cart?.promotionCode === undefined ? undefined : store.getPromotion(cart.promotionCode),
  ]);
  if (cart?.promotionCode !== undefined) {
    try {
      promotion = requireUsablePromotion(cart.promotionCode, found, now);
    } catch {
      notices.push(`promotion code ${cart.promotionCode} can no longer be used`);
    }
  }
  const available = lines.filter((line) => {
    if (products.has(line.productId)) return true;
    notices.push(`product ${line.productId} is no longer sold`);
    return false;
  });
  return cartView(priceCart(available, products, promotion), cart, notices, products);
}
