import { ApiError } from "../api/problem.js";
import { createGuestCart, getCart, mergeGuestCart, saveCart } from "../api/store-api.js";
import type { Cart, CartInput } from "../api/types.js";
import { session } from "../auth/session.js";
import { createStore } from "../state.js";
import { forgetGuestToken, keepGuestToken, readGuestToken } from "./guest-token.js";

/** The cart as the server last priced it; null before the first load or when there is none. */
export const cart = createStore<Cart | null>(null);

const isGone = (error: unknown) =>
  error instanceof ApiError && error.status === 404 && error.code === "NOT_FOUND";

const signedIn = () => session.get() !== null;

// Saves run one after another, each computed from the cart the previous one left, so quick
// clicks on "+" add up instead of overwriting each other.
let queue: Promise<unknown> = Promise.resolve();

function serial<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

export function loadCart(): Promise<Cart | null> {
  return serial(async () => {
    const token = signedIn() ? null : readGuestToken();
    if (!signedIn() && token === null) {
      cart.set(null);
      return null;
    }
    try {
      const loaded = await getCart(token);
      cart.set(loaded);
      return loaded;
    } catch (error) {
      if (token !== null && isGone(error)) {
        forgetGuestToken();
        cart.set(null);
        return null;
      }
      throw error;
    }
  });
}

async function saveAsGuest(input: CartInput): Promise<Cart> {
  let token = readGuestToken();
  for (let attempt = 0; ; attempt += 1) {
    if (token === null) {
      token = (await createGuestCart()).token;
      keepGuestToken(token);
    }
    try {
      return await saveCart(input, token);
    } catch (error) {
      // The guest cart expired or was merged elsewhere: start a new one, once.
      if (!isGone(error) || attempt > 0) throw error;
      forgetGuestToken();
      token = null;
    }
  }
}

function inputOf(current: Cart | null): CartInput {
  const input: CartInput = {
    products: (current?.products ?? []).map((line) => ({ id: line.id, quantity: line.quantity })),
  };
  if (current?.promotionCode) input.promotionCode = current.promotionCode;
  return input;
}

/** Saves the cart that `change` makes of the current one; answers the server's priced cart. */
function update(change: (input: CartInput) => CartInput): Promise<Cart> {
  return serial(async () => {
    const input = change(inputOf(cart.get()));
    const saved = signedIn() ? await saveCart(input, null) : await saveAsGuest(input);
    cart.set(saved);
    return saved;
  });
}

const MAX_QUANTITY = 99;

export function addToCart(productId: string, quantity = 1): Promise<Cart> {
  return update((input) => {
    const line = input.products.find((item) => item.id === productId);
    if (line === undefined) input.products.push({ id: productId, quantity });
    else line.quantity = Math.min(line.quantity + quantity, MAX_QUANTITY);
    return input;
  });
}

export function setQuantity(productId: string, quantity: number): Promise<Cart> {
  return update((input) => ({
    ...input,
    products: input.products.map((item) =>
      item.id === productId
        ? { id: item.id, quantity: Math.min(Math.max(quantity, 1), MAX_QUANTITY) }
        : item,
    ),
  }));
}

export function removeLine(productId: string): Promise<Cart> {
  return update((input) => ({
    ...input,
    products: input.products.filter((item) => item.id !== productId),
  }));
}

export function setPromotion(code: string | null): Promise<Cart> {
  return update((input) => {
    const next: CartInput = { products: input.products };
    if (code !== null && code.trim() !== "") next.promotionCode = code.trim();
    return next;
  });
}

/** After sign-in: folds the guest cart into the user's (the server merges, idempotently). */
export function adoptGuestCart(): Promise<Cart | null> {
  const token = readGuestToken();
  if (token === null) return loadCart();
  return serial(async () => {
    const merged = await mergeGuestCart(token);
    forgetGuestToken();
    cart.set(merged);
    return merged;
  });
}

/** Quantities in the cart by product id, for the catalogue's "in your cart" marks. */
export function quantities(current: Cart | null): Map<string, number> {
  return new Map((current?.products ?? []).map((line) => [line.id, line.quantity]));
}

export function lineCount(current: Cart | null): number {
  let count = 0;
  for (const line of current?.products ?? []) count += line.quantity;
  return count;
}
