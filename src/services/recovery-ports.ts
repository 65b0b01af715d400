import type { Order } from "../domain/index.js";

// The ports of recovery: what the store keeps so that no order stays in flight after a crash or
// an outage (the orders still PLACED or PROCESSING, found without a scan) and so that a resumed
// order is never charged twice (the payment taken for each order, kept beside the orders).

/** Where an order sits among the in-flight ones, oldest first: by `createdAt`, then `id`. */
export interface InFlightKey {
  createdAt: string;
  id: string;
  /** The order's owner: a key-value store resumes a read by the whole item key. */
  userId: string;
}

export interface InFlightQuery {
  /** Only orders placed before this instant (ISO 8601): a sweep leaves the fresh ones alone. */
  placedBefore: string;
  limit: number;
  /** The `next` of the page before; the first page without it. */
  after?: InFlightKey | undefined;
}

export interface InFlightPage {
  orders: Order[];
  /** Undefined on the last page. */
  next: InFlightKey | undefined;
}

/** The payment taken (or declined) for one order: at most one per order, ever. */
export interface PaymentRecord {
  orderId: string;
  userId: string;
  amountCents: number;
  approved: boolean;
  /** Why it was declined; when not approved only. */
  reason?: string;
  chargedAt: string;
  /** When it was given back; an approved payment is refunded once at most. */
  refundedAt?: string;
}

export interface RecordedPayment {
  /** True when this call wrote the record; false when an earlier one had. */
  recorded: boolean;
  payment: PaymentRecord;
}

/**
 * A payment started at a provider for one order (Stripe: its PaymentIntent), written once: a
 * retry, a re-drive or a second page asking reuses it, even after the provider's own
 * idempotency keys have expired.
 */
export interface PaymentSessionRecord {
  orderId: string;
  provider: "stripe";
  /** The provider's id of the payment (`pi_...`). */
  reference: string;
  createdAt: string;
}

/** One webhook event of a provider, recorded once it was handled: a replay of it does nothing. */
export interface PaymentEventRecord {
  /** The provider's event id (`evt_...`). */
  eventId: string;
  /** The event's type as the provider named it. */
  type: string;
  orderId?: string;
  /** What handling it did: for the log and whoever reads the store. */
  outcome: string;
  receivedAt: string;
  /** Epoch seconds after which the record may be dropped (DynamoDB TTL). */
  expiresAt: number;
}

/** The store's part in taking payments exactly once per order, across processes and restarts. */
export interface PaymentLedger {
  findPaymentSession(orderId: string): Promise<PaymentSessionRecord | undefined>;
  /**
   * Records the payment started for `record.orderId` in one conditional write, unless one is
   * recorded already; answers the one that stands.
   */
  recordPaymentSession(record: PaymentSessionRecord): Promise<PaymentSessionRecord>;
  findPaymentEvent(eventId: string): Promise<PaymentEventRecord | undefined>;
  /** Records a handled event in one conditional write; false when it was recorded before. */
  recordPaymentEvent(record: PaymentEventRecord): Promise<boolean>;
  findPayment(orderId: string): Promise<PaymentRecord | undefined>;
  /**
   * Records the payment of `record.orderId` in one conditional write, unless one is recorded
   * already; answers the record that stands, and whether it is this one (`recorded`).
   */
  recordPayment(record: PaymentRecord): Promise<RecordedPayment>;
  /**
   * Marks the order's approved payment refunded at `refundedAt`, in one conditional write;
   * true the one time it does, false when it was refunded before, declined or never taken.
   */
  recordRefund(orderId: string, refundedAt: string): Promise<boolean>;
}

/** What every Store keeps for recovery (services/ports.ts's Store extends it). */
export interface RecoveryStore extends PaymentLedger {
  /**
   * A page of the orders still PLACED or PROCESSING placed before `query.placedBefore`, oldest
   * first, in one store round trip through an index of those orders alone (never a scan).
   */
  listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage>;
}

/** The Store methods of recovery: each adapter keeps them in a part of its own. */
export type RecoveryStoreMethod = keyof RecoveryStore;
