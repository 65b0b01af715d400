import type { Order, OutboxMessage } from "../domain/index.js";
import type { Page, PageRequest } from "./page-ports.js";

// The ports of what happens after payment: the store's outbox of order e-mails (written in the
// same transaction as the change each tells of, by `placeOrder` and `changeOrderStatus`), the
// operators' shipping queue, and the services that send a message and find its recipient.

/** Where a message sits among the due ones, soonest due first: by `nextAttemptAt`, then `id`. */
export interface OutboxKey {
  nextAttemptAt: string;
  id: string;
}

export interface DueMailQuery {
  /** Messages due at or before this instant (ISO 8601). */
  dueBy: string;
  limit: number;
  after?: OutboxKey | undefined;
}

/** A failed try of a message: it is tried again at `nextAttemptAt`, or given up at `failedAt`. */
export interface MailAttempt {
  id: string;
  /** The `attempts` the sender read: the write is made only if the message still has them. */
  attemptsBefore: number;
  error: string;
  nextAttemptAt?: string;
  failedAt?: string;
}

/** Where an order sits in the shipping queue, oldest first: by `createdAt`, then `id`. */
export type ShippingQueueKey = { createdAt: string; id: string };

/** What every Store keeps of the outbox and the shipping queue (ports.ts's Store extends it). */
export interface FulfilmentStore {
  /**
   * A page of the messages neither sent nor given up whose `nextAttemptAt` is at or before
   * `dueBy`, soonest due first, through an index of those messages alone (never a scan; on
   * DynamoDB spread over several partition keys).
   */
  listDueMail(query: DueMailQuery): Promise<Page<OutboxMessage, OutboxKey>>;
  getMail(id: string): Promise<OutboxMessage | undefined>;
  /** Every message of an order, by id. */
  listOrderMail(orderId: string): Promise<OutboxMessage[]>;
  /**
   * Marks the message sent at `sentAt` (and takes it out of the due ones) in one conditional
   * write; false when it was sent or given up before.
   */
  markMailSent(id: string, sentAt: string, attempts: number): Promise<boolean>;
  /**
   * Records a failed try in one conditional write (only while the message is unsent and still
   * has `attemptsBefore` tries); false when another sender got there first.
   */
  recordMailAttempt(attempt: MailAttempt): Promise<boolean>;
  /**
   * A page of the paid orders waiting to ship (COMPLETED), oldest first, through an index of
   * those orders alone (on DynamoDB spread over several partition keys).
   */
  listOrdersToShip(page: PageRequest<ShippingQueueKey>): Promise<Page<Order, ShippingQueueKey>>;
}

/** One e-mail, ready to hand to the mail service. */
export interface MailMessage {
  /** The `Message-ID`, without angle brackets: `<outbox id>@<mail domain>`. */
  messageId: string;
  /** The sender, as `Name <address>` or a bare address. */
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Hands a message to the mail service: SES in AWS, `.eml` files locally. */
export interface Mailer {
  /**
   * Resolves once the mail service took the message; MAIL_UNAVAILABLE when it could not be
   * reached or refused for a while (try again later), MAIL_REJECTED when it refuses this
   * message for good (a bad address).
   */
  send(message: MailMessage): Promise<void>;
}

/** Where a customer's e-mail goes: read when each message is sent, so a changed address counts. */
export interface Recipients {
  /** The account's current, confirmed address; undefined when it has none (or no such user). */
  emailOf(userId: string): Promise<string | undefined>;
}

/**
 * The links e-mails give guests: a token derived from the order id with the shop's key, so
 * that a guest's later e-mails open the order without the shop ever storing a token.
 */
export interface OrderLinks {
  tokenFor(orderId: string): Promise<string>;
  /** Whether `token` is the link token of `orderId`; constant-time. */
  opens(orderId: string, token: string): Promise<boolean>;
}

/** The Store methods of fulfilment: each adapter keeps them in a part of its own. */
export type FulfilmentStoreMethod = keyof FulfilmentStore;
