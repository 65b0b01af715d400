import { ApiError } from "../api/problem.js";
import { checkout } from "../api/store-api.js";
import type { Cart, CheckoutInput, PlacedOrder } from "../api/types.js";

// One Idempotency-Key per checkout attempt: made when "Place order" is first pressed for a cart
// version and what the checkout sends (address, method, e-mail), reused by every retry of that
// attempt (a double click, a timeout, a reload), dropped once the server has answered for good.
// The server then makes at most one order of it. Another address or method is another attempt.
const KEY = "store.checkoutAttempt";

interface Attempt {
  version: number;
  /** The checkout's body, as sent. */
  body: string;
  key: string;
}

function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function readAttempt(): Attempt | null {
  try {
    const value = JSON.parse(
      window.sessionStorage.getItem(KEY) ?? "null",
    ) as Partial<Attempt> | null;
    return typeof value?.key === "string" &&
      typeof value.version === "number" &&
      typeof value.body === "string"
      ? { key: value.key, version: value.version, body: value.body }
      : null;
  } catch {
    return null;
  }
}

function attemptFor(current: Cart, body: string): Attempt {
  const kept = readAttempt();
  if (kept !== null && kept.version === current.version && kept.body === body) return kept;
  const attempt = { version: current.version, body, key: newKey() };
  window.sessionStorage.setItem(KEY, JSON.stringify(attempt));
  return attempt;
}

/** A failure worth retrying with the same key: the order may or may not exist yet. */
function mayRetry(error: unknown): boolean {
  return (
    !(error instanceof ApiError) ||
    error.status === 0 ||
    error.status === 429 ||
    error.status >= 500
  );
}

let inFlight: Promise<PlacedOrder> | undefined;

/**
 * Places the order for this cart, shipped as `input` says (a guest's cart named by its token);
 * a second call while the first is in flight joins it.
 */
export function placeOrder(
  current: Cart,
  input: CheckoutInput,
  guestToken: string | null,
): Promise<PlacedOrder> {
  if (inFlight !== undefined) return inFlight;
  const attempt = attemptFor(current, JSON.stringify(input));
  inFlight = checkout(input, attempt.key, guestToken)
    .then(
      (order) => {
        window.sessionStorage.removeItem(KEY);
        return order;
      },
      (error: unknown) => {
        if (!mayRetry(error)) window.sessionStorage.removeItem(KEY);
        throw error;
      },
    )
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}
