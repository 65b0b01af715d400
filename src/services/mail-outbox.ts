import { AppError, nextMailAttemptAt, type Order, type OutboxMessage } from "../domain/index.js";
import { orderPageUrl } from "./order-links.js";
import { type OrderMailInput, renderOrderMail } from "./order-mail.js";
import type { Mailer, MailMessage, OrderLinks, OutboxKey, Recipients } from "./outbox-ports.js";
import type { Clock, Logger, Store } from "./ports.js";

// Sends the order e-mails the outbox holds: the stream function in AWS (for each new message,
// and its sweep for the retries), the dev server's poller locally. A message is marked sent
// after the mail service took it, so a crash between the two sends it again on the next try:
// at most twice, with the same Message-ID, by which mail clients show it once. It is never lost:
// it stays due until it is marked sent or given up.

/** The log line of a message given up (its alarm in AWS matches this text exactly). */
export const MAIL_GIVEN_UP = "order e-mail given up";

/** Messages sent at once by `sendDue`. */
const SEND_CONCURRENCY = 4;

export type DeliveryOutcome = "sent" | "retry" | "failed" | "skipped";

export interface MailSender {
  /**
   * Sends the outbox message `id` unless it was sent or given up already, and records what
   * happened: `sent`; `retry` (a failure that may pass: it is due again later); `failed` (given
   * up after its last try or refused for good, and logged as MAIL_GIVEN_UP); `skipped` (nothing
   * to do, or another sender recorded it first). A message's own failure never throws.
   */
  deliver(id: string): Promise<DeliveryOutcome>;
  /**
   * Sends up to `limit` of the messages due now, soonest due first, a few at once; `more` when
   * more were due than `limit`. Throws only when the due messages cannot be listed.
   */
  sendDue(options: {
    limit: number;
  }): Promise<{ sent: number; retried: number; failed: number; more: boolean }>;
}

export interface MailSenderDeps {
  store: Store;
  mailer: Mailer;
  recipients: Recipients;
  links: OrderLinks;
  clock: Clock;
  log: Logger;
  /**
   * The storefront's base address, for the links to an order's page; a function where it is
   * known only later (the dev server's own address, once it listens).
   */
  shopUrl: string | (() => string);
  /** The sender: `Name <address>` (the name signs the messages) or a bare address. */
  from: string;
  /** The domain of each message's Message-ID: `<outbox id>@<mailDomain>`. */
  mailDomain: string;
}

/** A try that failed: `permanent` ones are not tried again. */
class Undeliverable extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** The sender's display name (`Serverless Store <shop@...>`), else its address. */
export function shopNameOf(from: string): string {
  const named = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(from)?.[1];
  return named === undefined || named === "" ? from.trim() : named;
}

/** Why a try failed, in the shop's words: an AppError's detail, never another error's text. */
function failureOf(error: unknown): Undeliverable {
  if (error instanceof Undeliverable) return error;
  if (error instanceof AppError)
    return new Undeliverable(error.message, error.code === "MAIL_REJECTED");
  return new Undeliverable("an unexpected error", false);
}

const isGuests = (order: Order): boolean =>
  order.guest !== undefined && order.userId.startsWith("guest-");

export function createMailSender(deps: MailSenderDeps): MailSender {
  const { store, mailer, recipients, links, clock, log } = deps;
  const shopName = shopNameOf(deps.from);

  /** Where the message goes: a guest's order's address, else its owner's current one. */
  async function recipientOf(order: Order): Promise<string> {
    if (order.guest !== undefined && isGuests(order)) return order.guest.email;
    let address: string | undefined;
    try {
      address = await recipients.emailOf(order.userId);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new Undeliverable("looking up the customer's e-mail address failed", false);
    }
    if (address === undefined) {
      throw new Undeliverable("the customer has no confirmed e-mail address", true);
    }
    return address;
  }

  /** For a cancelled order: whether a payment was taken, and whether it is back already. */
  async function paymentOf(order: Order): Promise<NonNullable<OrderMailInput["payment"]>> {
    const payment = await store.findPayment(order.id);
    if (payment === undefined || !payment.approved) return "none";
    return payment.refundedAt === undefined ? "owed" : "refunded";
  }

  async function compose(message: OutboxMessage): Promise<MailMessage> {
    const order = await store.findOrder(message.orderId);
    if (order === undefined) throw new Undeliverable("the order no longer exists", true);
    const to = await recipientOf(order);
    const guestToken = isGuests(order) ? await links.tokenFor(order.id) : undefined;
    const content = renderOrderMail({
      order,
      kind: message.kind,
      orderUrl: orderPageUrl(
        typeof deps.shopUrl === "string" ? deps.shopUrl : deps.shopUrl(),
        order,
        guestToken,
      ),
      shopName,
      ...(message.kind === "cancelled" ? { payment: await paymentOf(order) } : {}),
    });
    return { messageId: `${message.id}@${deps.mailDomain}`, from: deps.from, to, ...content };
  }

  /** Records the failed try: due again after a backoff, or given up (and reported). */
  async function recordFailure(message: OutboxMessage, error: unknown): Promise<DeliveryOutcome> {
    const failure = failureOf(error);
    const attempts = message.attempts + 1;
    const now = clock.now();
    const next = failure.permanent ? undefined : nextMailAttemptAt(attempts, now);
    const details = {
      messageId: message.id,
      orderId: message.orderId,
      kind: message.kind,
      attempts,
      error: failure.message,
    };
    try {
      const recorded = await store.recordMailAttempt({
        id: message.id,
        attemptsBefore: message.attempts,
        error: failure.message,
        ...(next === undefined ? { failedAt: now.toISOString() } : { nextAttemptAt: next }),
      });
      if (!recorded) return "skipped";
    } catch (recordError) {
      // Unrecorded, the message stays due as it was: the next round tries it again.
      log({
        level: "warn",
        message: "order e-mail not sent, and its try could not be recorded; it stays due",
        ...details,
        recordError: failureOf(recordError).message,
      });
      return "retry";
    }
    if (next === undefined) {
      log({ level: "error", message: MAIL_GIVEN_UP, ...details });
      return "failed";
    }
    log({ level: "warn", message: "order e-mail not sent; retrying", ...details, next });
    return "retry";
  }

  async function deliver(id: string): Promise<DeliveryOutcome> {
    let message: OutboxMessage | undefined;
    try {
      message = await store.getMail(id);
    } catch (error) {
      log({
        level: "warn",
        message: "reading an order e-mail failed; it stays due",
        messageId: id,
        error: failureOf(error).message,
      });
      return "retry";
    }
    if (message === undefined || message.sentAt !== undefined || message.failedAt !== undefined) {
      return "skipped";
    }
    try {
      await mailer.send(await compose(message));
    } catch (error) {
      return recordFailure(message, error);
    }
    try {
      await store.markMailSent(id, clock.now().toISOString(), message.attempts + 1);
    } catch (error) {
      // Sent, but still due: the next round sends it again, once, under the same Message-ID.
      log({
        level: "warn",
        message: "order e-mail sent but not marked sent; it may be sent twice",
        messageId: id,
        error: failureOf(error).message,
      });
    }
    return "sent";
  }

  return {
    deliver,
    async sendDue({ limit }) {
      const dueBy = clock.now().toISOString();
      const summary = { sent: 0, retried: 0, failed: 0, more: false };
      let handled = 0;
      let after: OutboxKey | undefined;
      do {
        // One listing for all that is left to send (on DynamoDB each is a Query per list shard),
        // then the messages a few at a time.
        const page = await store.listDueMail({ dueBy, limit: limit - handled, after });
        handled += page.items.length;
        for (let i = 0; i < page.items.length; i += SEND_CONCURRENCY) {
          const batch = page.items.slice(i, i + SEND_CONCURRENCY);
          const outcomes = await Promise.all(batch.map((message) => deliver(message.id)));
          for (const outcome of outcomes) {
            if (outcome === "sent") summary.sent += 1;
            else if (outcome === "retry") summary.retried += 1;
            else if (outcome === "failed") summary.failed += 1;
          }
        }
        after = page.next;
      } while (after !== undefined && handled < limit);
      summary.more = after !== undefined;
      return summary;
    },
  };
}
