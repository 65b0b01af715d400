import { createHash, randomBytes } from "node:crypto";
import {
  CART_LIMITS,
  epochSeconds,
  GUEST_CART_TTL_SECONDS,
  guestCartNotFound,
  isAppError,
  mergeCarts,
} from "../domain/index.js";
import { priceNewCart, priceSavedCart, type SaveCartInput } from "./cart.js";
import type { Caller, Clock, Store } from "./ports.js";
import { type CartView, cartView } from "./views.js";

/** What a new guest cart answers: the token is shown once, the store keeps only its hash. */
export interface GuestCartCreated {
  /** 256 random bits, base64url (43 characters): the only key to the cart. */
  token: string;
  /** When the cart expires unless saved again before. */
  expiresAt: string;
}

/** The carts of shoppers who have not signed in, each known by the token it was created with. */
export interface GuestCartService {
  createGuestCart(): Promise<GuestCartCreated>;
  /** Throws NOT_FOUND when the token names no cart, or one expired or merged. */
  getGuestCart(token: string): Promise<CartView>;
  /** The same checks and pricing as a user's save; NOT_FOUND as `getGuestCart`. */
  saveGuestCart(token: string, input: SaveCartInput): Promise<CartView>;
  /**
   * Merges the guest cart into the caller's cart and deletes it, answering the caller's cart
   * with notices of what was capped or dropped. An unknown, expired or already merged token
   * changes nothing and answers the caller's cart as it is: a retried merge is harmless.
   */
  mergeGuestCart(caller: Caller, token: string): Promise<CartView>;
}

const TOKEN_BYTES = 32;
/** Merges retried after another write moved one of the carts between the read and the write. */
const MERGE_MAX_ATTEMPTS = 5;

/** The store's key of a guest cart: a leaked table never hands out usable tokens. */
export const guestCartTokenHash = (token: string): string =>
  createHash("sha256").update(token, "utf8").digest("hex");

const expiryOf = (now: Date): number => epochSeconds(now) + GUEST_CART_TTL_SECONDS;

export function createGuestCartService(deps: { store: Store; clock: Clock }): GuestCartService {
  const { store, clock } = deps;

  return {
    async createGuestCart() {
      const token = randomBytes(TOKEN_BYTES).toString("base64url");
      const now = clock.now();
      const cart = await store.createGuestCart({
        tokenHash: guestCartTokenHash(token),
        updatedAt: now.toISOString(),
        expiresAt: expiryOf(now),
      });
      return { token, expiresAt: new Date(cart.expiresAt * 1000).toISOString() };
    },

    async getGuestCart(token) {
      const now = clock.now();
      const cart = await store.getGuestCart(guestCartTokenHash(token), epochSeconds(now));
      if (cart === undefined) throw guestCartNotFound();
      return priceSavedCart(store, cart, now);
    },

    async saveGuestCart(token, input) {
      const now = clock.now();
      const { lines, promotionCode, priced, products } = await priceNewCart(store, input, now);
      const saved = await store.saveGuestCart({
        tokenHash: guestCartTokenHash(token),
        lines,
        ...(promotionCode === undefined ? {} : { promotionCode }),
        updatedAt: now.toISOString(),
        expiresAt: expiryOf(now),
      });
      if (saved === undefined) throw guestCartNotFound();
      return cartView(priced, saved, [], products);
    },

    async mergeGuestCart(caller, token) {
      const tokenHash = guestCartTokenHash(token);
      for (let attempt = 1; ; attempt++) {
        const now = clock.now();
        // The guest cart first, then the user's: when a concurrent merge has just taken the guest
        // cart, the user's cart read after it already holds that merge (one transaction wrote
        // both), so a retried merge answers the merged cart, never the one from before.
        const guest = await store.getGuestCart(tokenHash, epochSeconds(now));
        const user = await store.getCart(caller.userId);
        if (guest === undefined) return priceSavedCart(store, user, now);
        const merged = mergeCarts(user ?? { lines: [] }, guest);
        try {
          const saved = await store.mergeGuestCart({
            userId: caller.userId,
            tokenHash,
            userCartVersion: user?.version ?? 0,
            guestCartVersion: guest.version,
            lines: merged.lines,
            ...(merged.promotionCode === undefined ? {} : { promotionCode: merged.promotionCode }),
            updatedAt: now.toISOString(),
          });
          const notices = [
            ...merged.capped.map(
              (id) =>
                `quantity of ${id} capped at ${CART_LIMITS.maxQuantity} when the carts merged`,
            ),
            ...merged.dropped.map(
              (id) => `product ${id} left out: a cart holds at most ${CART_LIMITS.maxLines} lines`,
            ),
          ];
          return priceSavedCart(store, saved, now, notices);
        } catch (error) {
          // One of the carts moved since it was read: read both again and merge anew.
          const moved = isAppError(error) && error.code === "CART_CHANGED";
          if (!moved || attempt >= MERGE_MAX_ATTEMPTS) throw error;
        }
      }
    },
  };
}
