import { AppError } from "../domain/index.js";
import type { Clock } from "./ports.js";

/** At most `max` guest checkouts per `windowSeconds` for one key. */
export interface WindowLimit {
  max: number;
  windowSeconds: number;
}

/**
 * How many guest checkouts one client address and one e-mail address may place. A guest order
 * costs the shop stock held until it is paid or cancelled, so a script placing guest orders
 * under fresh e-mail addresses is held back by its client address, and one address being
 * signed up for orders by others by its e-mail. Generous for people: a household behind one
 * address places far fewer than 30 orders in 10 minutes.
 */
export const GUEST_CHECKOUT_LIMITS: { perClient: WindowLimit; perEmail: WindowLimit } = {
  perClient: { max: 30, windowSeconds: 600 },
  perEmail: { max: 10, windowSeconds: 600 },
};

/** Keys counted per kind; when full, the one whose window started first goes. */
const MAX_TRACKED_KEYS = 10_000;

/**
 * Counts per key in fixed windows, in this process's memory and bounded: a Map keeps insertion
 * order and a new window re-inserts its key, so the oldest windows are at the front.
 */
class WindowCounts {
  private readonly byKey = new Map<string, { count: number; startMs: number }>();

  constructor(
    private readonly limit: WindowLimit,
    private readonly nowMs: () => number,
  ) {}

  /** Milliseconds until `key` may go again (0: it may now, and this attempt is counted). */
  take(key: string): number {
    const now = this.nowMs();
    const windowMs = this.limit.windowSeconds * 1000;
    const entry = this.byKey.get(key);
    if (entry === undefined || now - entry.startMs >= windowMs) {
      this.byKey.delete(key);
      if (this.byKey.size >= MAX_TRACKED_KEYS) {
        const oldest = this.byKey.keys().next();
        if (oldest.done !== true) this.byKey.delete(oldest.value);
      }
      this.byKey.set(key, { count: 1, startMs: now });
      return 0;
    }
    if (entry.count >= this.limit.max) return entry.startMs + windowMs - now;
    entry.count += 1;
    return 0;
  }

  /** Takes back an attempt `take` counted (the other kind refused it). */
  giveBack(key: string): void {
    const entry = this.byKey.get(key);
    if (entry !== undefined && entry.count > 0) entry.count -= 1;
  }
}

/**
 * The guest checkout's rate limits, per client address and per e-mail address: TOO_MANY_REQUESTS
 * (429, with the seconds to wait) past either. Per process by design, as the login throttle: it
 * holds a script back without a store write per attempt; in AWS each Lambda instance counts for
 * itself, so the limit there is per instance (docs/reliability.md).
 */
export class GuestCheckoutLimits {
  private readonly clients: WindowCounts;
  private readonly emails: WindowCounts;

  constructor(clock: Clock, limits = GUEST_CHECKOUT_LIMITS) {
    const nowMs = () => clock.now().getTime();
    this.clients = new WindowCounts(limits.perClient, nowMs);
    this.emails = new WindowCounts(limits.perEmail, nowMs);
  }

  admit(attempt: { email: string; clientAddress?: string | undefined }): void {
    const { email, clientAddress } = attempt;
    const clientWait = clientAddress === undefined ? 0 : this.clients.take(clientAddress);
    if (clientWait > 0) throw tooManyGuestCheckouts(clientWait, "from this address");
    const emailWait = this.emails.take(email);
    if (emailWait > 0) {
      if (clientAddress !== undefined) this.clients.giveBack(clientAddress);
      throw tooManyGuestCheckouts(emailWait, "for this e-mail address");
    }
  }
}

const tooManyGuestCheckouts = (waitMs: number, scope: string): AppError =>
  new AppError("TOO_MANY_REQUESTS", `too many guest checkouts ${scope}; wait and try again`, {
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
  });
