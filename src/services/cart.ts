import {
  assertCartLines,
  type Cart,
  type CartLine,
  normalizePromotionCode,
  type Product,
  type Promotion,
  priceCart,
  requireUsablePromotion,
} from "../domain/index.js";
import type { Store } from "../store/index.js";
import type { Caller, Clock } from "./ports.js";
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
      const lines = input.products.map((p) => ({ productId: p.id, quantity: p.quantity }));
      assertCartLines(lines);
      const code =
        input.promotionCode === undefined ? undefined : normalizePromotionCode(input.promotionCode);
      const now = clock.now();
      const [products, promotion] = await Promise.all([
        loadProducts(store, lines),
        loadPromotion(store, code, now),
      ]);
      // Pricing before saving refuses unknown products, so a stored cart only names real ones.
      const priced = priceCart(lines, products, promotion);
      const saved = await store.saveCart({
        userId: caller.userId,
        lines,
        ...(code === undefined ? {} : { promotionCode: code }),
        updatedAt: now.toISOString(),
      });
      return cartView(priced, saved, []);
    },
  };
}

/**
 * Prices a cart saved earlier. Reading never fails because the catalogue moved on: a product
 * withdrawn since is left out and a code expired since is not applied, each with a notice.
 * Checkout is strict about both.
 */
async function priceSavedCart(store: Store, cart: Cart | undefined, now: Date): Promise<CartView> {
  const lines = cart?.lines ?? [];
  const notices: string[] = [];
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
  return cartView(priceCart(available, products, promotion), cart, notices);
}
