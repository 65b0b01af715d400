// Guest orders by e-mail address: one small index item per guest order, in a partition of the
// address's hash (one per shopper, never shared), and the move of a finished guest order into
// the account that confirmed the address.
import { isFinalStatus, type Order } from "../../domain/index.js";
import {
  type AttachGuestOrderCommand,
  GUEST_ORDER_LIMITS,
} from "../../services/guest-order-ports.js";
import { orderById } from "./checkout.js";
import { emailHash, orderItem, pickOrder } from "./items.js";
import type { Table } from "./reads.js";
import { transact } from "./retries.js";
import { keys } from "./table.js";

export async function listGuestOrders(table: Table, email: string): Promise<Order[]> {
  const { Items = [] } = await table.documents.query({
    TableName: table.name,
    KeyConditionExpression: "PK = :pk",
    ExpressionAttributeValues: { ":pk": keys.guestOrderPartition(emailHash(email)) },
    Limit: GUEST_ORDER_LIMITS.maxListed,
    ConsistentRead: true,
  });
  const orders = await Promise.all(
    Items.map((item) => orderById(table, String(item.userId), String(item.orderId))),
  );
  return orders.filter((order): order is Order => order !== undefined);
}

/**
 * ONE transaction: the order item leaves the guest's partition (on condition it is still the
 * finished order read) for the account's, its pointer follows, and its index item goes.
 */
export async function attachGuestOrder(
  table: Table,
  { orderId, fromUserId, toUserId }: AttachGuestOrderCommand,
): Promise<Order | undefined> {
  const order = await orderById(table, fromUserId, orderId);
  if (order?.guest === undefined || !isFinalStatus(order.status)) return undefined;
  const attached = pickOrder({ ...order, userId: toUserId });
  const outcome = await transact(table.documents, [
    {
      Delete: {
        TableName: table.name,
        Key: keys.order(fromUserId, orderId),
        ConditionExpression: "#status = :status",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": order.status },
      },
    },
    {
      Put: {
        TableName: table.name,
        Item: orderItem(attached, table.layout),
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    {
      Update: {
        TableName: table.name,
        Key: keys.orderPointer(orderId),
        UpdateExpression: "SET userId = :to",
        ConditionExpression: "userId = :from",
        ExpressionAttributeValues: { ":to": toUserId, ":from": fromUserId },
      },
    },
    {
      Delete: {
        TableName: table.name,
        Key: keys.guestOrder(emailHash(order.guest.email), order.createdAt, orderId),
      },
    },
  ]);
  return outcome.written ? attached : undefined;
}
