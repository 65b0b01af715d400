// The DynamoDB store's part in recovery: the orders still in flight (the IN_FLIGHT partitions of
// the catalogue index, one per list shard) and the payment taken for each order
// (PAYMENT#orderId, written once).
import type {
  InFlightKey,
  InFlightPage,
  InFlightQuery,
  PaymentEventRecord,
  PaymentRecord,
  PaymentSessionRecord,
  RecoveryStore,
} from "../../services/index.js";
import { type Item, orderFrom } from "./items.js";
import { getItem, type Table } from "./reads.js";
import { isConditionFailure } from "./retries.js";
import { inFlightPartitions, spreadPage } from "./spread-lists.js";
import { CATALOGUE_INDEX, keys } from "./table.js";

const paymentItem = (record: PaymentRecord): Item => ({
  ...keys.payment(record.orderId),
  type: "PAYMENT",
  orderId: record.orderId,
  userId: record.userId,
  amountCents: record.amountCents,
  approved: record.approved,
  ...(record.reason === undefined ? {} : { reason: record.reason }),
  chargedAt: record.chargedAt,
});

const paymentFrom = (item: Item): PaymentRecord => ({
  orderId: String(item.orderId),
  userId: String(item.userId),
  amountCents: Number(item.amountCents),
  approved: item.approved === true,
  ...(typeof item.reason === "string" ? { reason: item.reason } : {}),
  chargedAt: String(item.chargedAt),
  ...(typeof item.refundedAt === "string" ? { refundedAt: item.refundedAt } : {}),
});

const sessionFrom = (item: Item): PaymentSessionRecord => ({
  orderId: String(item.orderId),
  provider: "stripe",
  reference: String(item.reference),
  createdAt: String(item.createdAt),
});

const eventFrom = (item: Item): PaymentEventRecord => ({
  eventId: String(item.eventId),
  type: String(item.eventType),
  ...(typeof item.orderId === "string" ? { orderId: item.orderId } : {}),
  outcome: String(item.outcome),
  receivedAt: String(item.receivedAt),
  expiresAt: Number(item.expiresAt),
});

/** Writes `item` unless its key is taken; false when it was. */
async function putOnce(table: Table, item: Item): Promise<boolean> {
  try {
    await table.documents.put({
      TableName: table.name,
      Item: item,
      ConditionExpression: "attribute_not_exists(PK)",
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Where a page of in-flight orders stopped: its last order, or the last key a shard read. */
function inFlightKeyOf(item: Item): InFlightKey {
  const sort = String(item.GSI1SK);
  const split = sort.indexOf("#");
  return {
    createdAt: sort.slice(0, split),
    id: sort.slice(split + 1),
    userId: String(item.PK).slice(keys.userPartition("").length),
  };
}

/** The recovery methods of the Store over `table`, unguarded: the store guards each call. */
export function dynamoDbRecovery(table: Table): RecoveryStore {
  const findPayment = async (orderId: string): Promise<PaymentRecord | undefined> => {
    const item = await getItem(table, keys.payment(orderId));
    return item === undefined ? undefined : paymentFrom(item);
  };
  return {
    async listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
      const { after } = query;
      // Sort keys are createdAt#id: every order placed before the instant sorts below it, and
      // the next page is the keys above the last one, on every shard again.
      const page = await spreadPage(
        table,
        {
          index: { name: CATALOGUE_INDEX, partitionKey: "GSI1PK", sortKey: "GSI1SK" },
          partitions: inFlightPartitions(table.layout.listShards),
          descending: false,
          above: after === undefined ? undefined : keys.inFlightSort(after.createdAt, after.id),
          below: query.placedBefore,
        },
        query.limit,
      );
      // The index is read eventually consistent: an order that finished a moment ago may still
      // be listed, and processing it again changes nothing.
      const orders = page.items.map(orderFrom);
      return { orders, next: page.next === undefined ? undefined : inFlightKeyOf(page.next) };
    },
    findPayment,
    async recordPayment(record) {
      try {
        await table.documents.put({
          TableName: table.name,
          Item: paymentItem(record),
          // The charge's one conditional write: a second one for the order is refused.
          ConditionExpression: "attribute_not_exists(PK)",
        });
        return { recorded: true, payment: { ...record } };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const first = await findPayment(record.orderId);
        if (first === undefined) throw new Error(`payment of order ${record.orderId} vanished`);
        return { recorded: false, payment: first };
      }
    },
    async findPaymentSession(orderId) {
      const item = await getItem(table, keys.paymentSession(orderId));
      return item === undefined ? undefined : sessionFrom(item);
    },
    async recordPaymentSession(record) {
      const item = {
        ...keys.paymentSession(record.orderId),
        type: "PAYMENT_SESSION",
        ...record,
      };
      if (await putOnce(table, item)) return { ...record };
      const first = await getItem(table, keys.paymentSession(record.orderId));
      if (first === undefined) throw new Error(`payment of order ${record.orderId} vanished`);
      return sessionFrom(first);
    },
    async findPaymentEvent(eventId) {
      const item = await getItem(table, keys.paymentEvent(eventId));
      return item === undefined ? undefined : eventFrom(item);
    },
    recordPaymentEvent({ type, ...record }) {
      // `type` names the item's kind on every item of the table: the event's own is `eventType`.
      return putOnce(table, {
        ...keys.paymentEvent(record.eventId),
        type: "PAYMENT_EVENT",
        eventType: type,
        ...record,
      });
    },
    async recordRefund(orderId, refundedAt) {
      try {
        await table.documents.update({
          TableName: table.name,
          Key: keys.payment(orderId),
          ConditionExpression:
            "attribute_exists(PK) AND approved = :true AND attribute_not_exists(refundedAt)",
          UpdateExpression: "SET refundedAt = :at",
          ExpressionAttributeValues: { ":true": true, ":at": refundedAt },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
