// The DynamoDB store's part in recovery: the orders still in flight (the IN_FLIGHT partition of
// the catalogue index) and the payment taken for each order (PAYMENT#orderId, written once).
import type {
  InFlightPage,
  InFlightQuery,
  PaymentRecord,
  RecoveryStore,
} from "../../services/index.js";
import { type Item, orderFrom } from "./items.js";
import { getItem, type Table } from "./reads.js";
import { isConditionFailure } from "./retries.js";
import { CATALOGUE_INDEX, IN_FLIGHT_PARTITION, keys } from "./table.js";

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

/** The recovery methods of the Store over `table`, unguarded: the store guards each call. */
export function dynamoDbRecovery(table: Table): RecoveryStore {
  const findPayment = async (orderId: string): Promise<PaymentRecord | undefined> => {
    const item = await getItem(table, keys.payment(orderId));
    return item === undefined ? undefined : paymentFrom(item);
  };
  return {
    async listOrdersInFlight(query: InFlightQuery): Promise<InFlightPage> {
      const after = query.after;
      const page = await table.documents.query({
        TableName: table.name,
        IndexName: CATALOGUE_INDEX,
        // Sort keys are createdAt#id: every order placed before the instant sorts below it.
        KeyConditionExpression: "GSI1PK = :inFlight AND GSI1SK < :before",
        ExpressionAttributeValues: {
          ":inFlight": IN_FLIGHT_PARTITION,
          ":before": query.placedBefore,
        },
        Limit: query.limit,
        ...(after === undefined
          ? {}
          : {
              ExclusiveStartKey: {
                ...keys.order(after.userId, after.id),
                GSI1PK: IN_FLIGHT_PARTITION,
                GSI1SK: keys.inFlightSort(after.createdAt, after.id),
              },
            }),
      });
      // The index is read eventually consistent: an order that finished a moment ago may still
      // be listed, and processing it again changes nothing.
      const orders = (page.Items ?? []).map(orderFrom);
      const last = orders[orders.length - 1];
      return {
        orders,
        next:
          page.LastEvaluatedKey !== undefined && last !== undefined
            ? { createdAt: last.createdAt, id: last.id, userId: last.userId }
            : undefined,
      };
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
