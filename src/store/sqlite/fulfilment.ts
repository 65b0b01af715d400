// The SQLite store's part in fulfilment: the outbox of order e-mails (`order_mail`, its due
// messages through the partial index `order_mail_due`) and the shipping queue (the paid orders:
// the COMPLETED range of `orders_by_status`). Messages are put by placeOrder and
// changeOrderStatus, in their transactions (shop-store.ts).
import type Database from "better-sqlite3";
import type {
  FulfilmentStore,
  MailAttempt,
  OutboxKey,
  ShippingQueueKey,
} from "../../services/index.js";
import {
  MAIL_COLUMNS,
  mailFromRow,
  ORDER_COLUMNS,
  type OrderRow,
  type OutboxMessageRow,
  orderFromRow,
} from "./rows.js";
import { guarded } from "./shop-store.js";

/**
 * The keyset queries of the due messages and of the queue, each a range of an index (exported
 * so a test can ask SQLite's planner that neither scans its table).
 */
export const FULFILMENT_QUERIES = {
  dueMail:
    `SELECT ${MAIL_COLUMNS} FROM order_mail WHERE next_attempt_at IS NOT NULL ` +
    "AND next_attempt_at <= @dueBy AND (next_attempt_at, id) > (@afterTime, @afterId) " +
    "ORDER BY next_attempt_at, id LIMIT @limit",
  ordersToShip:
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE status = 'COMPLETED' ` +
    "AND (created_at, id) > (@afterTime, @afterId) ORDER BY created_at, id LIMIT @limit",
} as const;

/** A page's items and the key after them, from `limit` + 1 rows read. */
function pageOf<T, K>(rows: T[], limit: number, keyOf: (item: T) => K) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? keyOf(last) : undefined };
}

/** The fulfilment methods of the Store over `db`, whose schema has `order_mail`. */
export function sqliteFulfilment(db: Database.Database): FulfilmentStore {
  type Range = { afterTime: string; afterId: string; limit: number };
  const dueMail = db.prepare<Range & { dueBy: string }, OutboxMessageRow>(
    FULFILMENT_QUERIES.dueMail,
  );
  const ordersToShip = db.prepare<Range, OrderRow>(FULFILMENT_QUERIES.ordersToShip);
  const mail = db.prepare<[string], OutboxMessageRow>(
    `SELECT ${MAIL_COLUMNS} FROM order_mail WHERE id = ?`,
  );
  const orderMail = db.prepare<[string], OutboxMessageRow>(
    `SELECT ${MAIL_COLUMNS} FROM order_mail WHERE order_id = ? ORDER BY id`,
  );
  const markSent = db.prepare<{ id: string; sentAt: string; attempts: number }>(
    "UPDATE order_mail SET sent_at = @sentAt, attempts = @attempts, next_attempt_at = NULL " +
      "WHERE id = @id AND sent_at IS NULL AND failed_at IS NULL",
  );
  // Only while still due with the tries the sender read: of two senders, one records its try.
  const recordAttempt = db.prepare<{
    id: string;
    attemptsBefore: number;
    error: string;
    nextAttemptAt: string | null;
    failedAt: string | null;
  }>(
    "UPDATE order_mail SET attempts = @attemptsBefore + 1, last_error = @error, " +
      "next_attempt_at = @nextAttemptAt, failed_at = @failedAt " +
      "WHERE id = @id AND next_attempt_at IS NOT NULL AND attempts = @attemptsBefore",
  );

  return {
    async listDueMail(query) {
      return guarded(() => {
        // "" sorts before every time and id: the first page.
        const rows = dueMail.all({
          dueBy: query.dueBy,
          afterTime: query.after?.nextAttemptAt ?? "",
          afterId: query.after?.id ?? "",
          limit: query.limit + 1,
        });
        return pageOf(
          rows.map(mailFromRow),
          query.limit,
          (message): OutboxKey => ({ nextAttemptAt: message.nextAttemptAt ?? "", id: message.id }),
        );
      });
    },
    async getMail(id) {
      return guarded(() => {
        const row = mail.get(id);
        return row === undefined ? undefined : mailFromRow(row);
      });
    },
    async listOrderMail(orderId) {
      return guarded(() => orderMail.all(orderId).map(mailFromRow));
    },
    async markMailSent(id, sentAt, attempts) {
      return guarded(() => markSent.run({ id, sentAt, attempts }).changes === 1);
    },
    async recordMailAttempt(attempt: MailAttempt) {
      return guarded(
        () =>
          recordAttempt.run({
            id: attempt.id,
            attemptsBefore: attempt.attemptsBefore,
            error: attempt.error,
            nextAttemptAt: attempt.nextAttemptAt ?? null,
            failedAt: attempt.failedAt ?? null,
          }).changes === 1,
      );
    },
    async listOrdersToShip(page) {
      return guarded(() => {
        const rows = ordersToShip.all({
          afterTime: page.after?.createdAt ?? "",
          afterId: page.after?.id ?? "",
          limit: page.limit + 1,
        });
        return pageOf(
          rows.map(orderFromRow),
          page.limit,
          (order): ShippingQueueKey => ({ createdAt: order.createdAt, id: order.id }),
        );
      });
    },
  };
}
