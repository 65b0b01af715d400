// The SQLite store's part in recovery: the orders still in flight (through orders_by_status) and
// the payment taken for each order (one row per order, its key the order's id).
import type Database from "better-sqlite3";
import type {
  InFlightPage,
  InFlightQuery,
  PaymentEventRecord,
  PaymentRecord,
  PaymentSessionRecord,
  RecoveryStore,
} from "../../services/index.js";
import { ORDER_COLUMNS, type OrderRow, orderFromRow } from "./rows.js";
import { guarded } from "./shop-store.js";

interface PaymentRow {
  orderId: string;
  userId: string;
  amountCents: number;
  approved: 0 | 1;
  reason: string | null;
  chargedAt: string;
  refundedAt: string | null;
}

const PAYMENT_COLUMNS =
  "order_id AS orderId, user_id AS userId, amount_cents AS amountCents, approved, reason, " +
  "charged_at AS chargedAt, refunded_at AS refundedAt";

const paymentFromRow = ({ approved, reason, refundedAt, ...rest }: PaymentRow): PaymentRecord => ({
  ...rest,
  approved: approved === 1,
  ...(reason === null ? {} : { reason }),
  ...(refundedAt === null ? {} : { refundedAt }),
});

interface PaymentEventRow {
  eventId: string;
  type: string;
  orderId: string | null;
  outcome: string;
  receivedAt: string;
  expiresAt: number;
}

const paymentEventFromRow = ({ orderId, ...rest }: PaymentEventRow): PaymentEventRecord => ({
  ...rest,
  ...(orderId === null ? {} : { orderId }),
});

/**
 * The recovery methods of the Store over `db`, whose schema has the `payments`,
 * `payment_sessions` and `payment_events` tables.
 */
export function sqliteRecovery(db: Database.Database): RecoveryStore {
  // Two ranges of orders_by_status (status, created_at, id): finished orders are never read.
  const inFlight = db.prepare<
    { placedBefore: string; afterTime: string; afterId: string; limit: number },
    OrderRow
  >(
    `SELECT ${ORDER_COLUMNS} FROM orders
     WHERE status IN ('PLACED', 'PROCESSING') AND created_at < @placedBefore
       AND (created_at > @afterTime OR (created_at = @afterTime AND id > @afterId))
     ORDER BY created_at, id LIMIT @limit`,
  );
  const findPayment = db.prepare<[string], PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = ?`,
  );
  const insertPayment = db.prepare(
    `INSERT INTO payments (order_id, user_id, amount_cents, approved, reason, charged_at)
     VALUES (@orderId, @userId, @amountCents, @approved, @reason, @chargedAt)
     ON CONFLICT (order_id) DO NOTHING`,
  );
  const findSession = db.prepare<[string], PaymentSessionRecord>(
    `SELECT order_id AS orderId, provider, reference, created_at AS createdAt
     FROM payment_sessions WHERE order_id = ?`,
  );
  const insertSession = db.prepare(
    `INSERT INTO payment_sessions (order_id, provider, reference, created_at)
     VALUES (@orderId, @provider, @reference, @createdAt) ON CONFLICT (order_id) DO NOTHING`,
  );
  const findEvent = db.prepare<[string], PaymentEventRow>(
    `SELECT event_id AS eventId, type, order_id AS orderId, outcome, received_at AS receivedAt,
       expires_at AS expiresAt FROM payment_events WHERE event_id = ?`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO payment_events (event_id, type, order_id, outcome, received_at, expires_at)
     VALUES (@eventId, @type, @orderId, @outcome, @receivedAt, @expiresAt)
     ON CONFLICT (event_id) DO NOTHING`,
  );
  const refund = db.prepare(
    `UPDATE payments SET refunded_at = ?
     WHERE order_id = ? AND approved = 1 AND refunded_at IS NULL`,
  );

  return {
    async listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
      return guarded(() => {
        const rows = inFlight.all({
          placedBefore: query.placedBefore,
          afterTime: query.after?.createdAt ?? "",
          afterId: query.after?.id ?? "",
          limit: query.limit + 1,
        });
        const orders = rows.slice(0, query.limit).map(orderFromRow);
        const last = orders[orders.length - 1];
        return {
          orders,
          next:
            rows.length > query.limit && last !== undefined
              ? { createdAt: last.createdAt, id: last.id, userId: last.userId }
              : undefined,
        };
      });
    },
    async findPayment(orderId) {
      return guarded(() => {
        const row = findPayment.get(orderId);
        return row === undefined ? undefined : paymentFromRow(row);
      });
    },
    async recordPayment(record) {
      return guarded(() => {
        // The insert is the charge's one conditional write: a second one for the order is ignored.
        const { changes } = insertPayment.run({
          orderId: record.orderId,
          userId: record.userId,
          amountCents: record.amountCents,
          approved: record.approved ? 1 : 0,
          reason: record.reason ?? null,
          chargedAt: record.chargedAt,
        });
        const row = findPayment.get(record.orderId);
        if (row === undefined) throw new Error(`payment of order ${record.orderId} not recorded`);
        return { recorded: changes === 1, payment: paymentFromRow(row) };
      });
    },
    async recordRefund(orderId, refundedAt) {
      return guarded(() => refund.run(refundedAt, orderId).changes === 1);
    },
    async findPaymentSession(orderId) {
      return guarded(() => findSession.get(orderId));
    },
    async recordPaymentSession(record) {
      return guarded(() => {
        insertSession.run(record);
        const standing = findSession.get(record.orderId);
        if (standing === undefined) throw new Error(`payment of order ${record.orderId} vanished`);
        return standing;
      });
    },
    async findPaymentEvent(eventId) {
      return guarded(() => {
        const row = findEvent.get(eventId);
        return row === undefined ? undefined : paymentEventFromRow(row);
      });
    },
    async recordPaymentEvent(record) {
      return guarded(
        () => insertEvent.run({ ...record, orderId: record.orderId ?? null }).changes === 1,
      );
    },
  };
}
