import type { Order, OrderStatus } from "./order.js";

// The e-mails an order's customer receives, as the outbox keeps them until they are sent. A
// message is written in the same store transaction as the change it tells of (checkout for
// `placed`, the status change for the others), so no change is ever left untold and no message
// is written for a change that did not happen. Its content is made when it is sent.

/** What a message tells the customer. */
export type OrderMailKind = "placed" | "paid" | "shipped" | "cancelled" | "payment-failed";

export const ORDER_MAIL_KINDS: readonly OrderMailKind[] = [
  "placed",
  "paid",
  "shipped",
  "cancelled",
  "payment-failed",
];

/** The message a step to `to` writes; none for the steps a customer is not told of. */
export function mailKindOf(to: OrderStatus): OrderMailKind | undefined {
  switch (to) {
    case "PLACED":
      return "placed";
    case "COMPLETED":
      return "paid";
    case "SHIPPED":
      return "shipped";
    case "CANCELLED":
      return "cancelled";
    case "FAILED":
      return "payment-failed";
    default:
      return undefined;
  }
}

/** One message of the outbox. */
export interface OutboxMessage {
  /**
   * `<orderId>.<kind>`: one message per order and kind, ever (each of these steps happens once
   * in an order's life), so a replayed write adds nothing. It is also the message's
   * `Message-ID` (with the shop's mail domain), by which mail clients drop a duplicate.
   */
  id: string;
  orderId: string;
  /** The order's owner when the message was written (a guest's orders: `guest-...`). */
  userId: string;
  kind: OrderMailKind;
  createdAt: string;
  /** Tries made so far. */
  attempts: number;
  /** Not before this instant (ISO 8601) is it tried (again); absent once sent or given up. */
  nextAttemptAt?: string;
  /** When it was handed to the mail service; absent until then. */
  sentAt?: string;
  /** When the last try failed and no more are made; the message is reported then. */
  failedAt?: string;
  /** Why the last try failed, in the shop's words (never a provider's raw answer). */
  lastError?: string;
}

/** Tries of a message before it is given up and reported. */
export const MAIL_MAX_ATTEMPTS = 8;

/** The message's id for `orderId` and `kind`. */
export const outboxMessageId = (orderId: string, kind: OrderMailKind): string =>
  `${orderId}.${kind}`;

/** The message the step of `order` (as it is after the step) to its status writes at `at`. */
export function outboxMessageOf(order: Order, at: string): OutboxMessage | undefined {
  const kind = mailKindOf(order.status);
  if (kind === undefined) return undefined;
  return {
    id: outboxMessageId(order.id, kind),
    orderId: order.id,
    userId: order.userId,
    kind,
    createdAt: at,
    attempts: 0,
    nextAttemptAt: at,
  };
}

/**
 * When a message whose try number `attempts` (1 for the first) just failed at `now` is tried
 * again: 30 s, 1, 2, 4 ... minutes, at most an hour apart; undefined once `MAIL_MAX_ATTEMPTS`
 * are made (give up and report it).
 */
export function nextMailAttemptAt(attempts: number, now: Date): string | undefined {
  if (attempts >= MAIL_MAX_ATTEMPTS) return undefined;
  const delayMs = Math.min(60 * 60_000, 30_000 * 2 ** (attempts - 1));
  return new Date(now.getTime() + delayMs).toISOString();
}
