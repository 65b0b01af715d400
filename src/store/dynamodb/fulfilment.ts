// The DynamoDB store's part in fulfilment: the outbox of order e-mails (`ORDER#id / MAIL#kind`,
// put by checkout and by the status changes in their transactions, checkout.ts) and the
// shipping queue. Both lists are sparse keys of GSI1 spread over `layout.listShards`
// partitions (MAIL_DUE#shard while a message waits to be sent, TO_SHIP#shard while an order is
// paid), read with one Query per shard merged by sort key (spread-lists.ts): no partition key
// is written by every checkout.
import { ORDER_MAIL_KINDS, type OrderMailKind } from "../../domain/index.js";
import type { FulfilmentStore, MailAttempt } from "../../services/index.js";
import { type Item, mailDueKeys, mailFrom, orderFrom } from "./items.js";
import { getItem, queryAll, type Table } from "./reads.js";
import { isConditionFailure } from "./retries.js";
import { mailDuePartitions, spreadPage, toShipPartitions } from "./spread-lists.js";
import { CATALOGUE_INDEX, keys } from "./table.js";

const GSI1 = { name: CATALOGUE_INDEX, partitionKey: "GSI1PK", sortKey: "GSI1SK" };

/** The time and id of a `<time>#<id>` GSI1 sort key: where the next page goes on from. */
function positionOf(item: Item): { at: string; id: string } {
  const sort = String(item.GSI1SK);
  const split = sort.indexOf("#");
  return { at: sort.slice(0, split), id: sort.slice(split + 1) };
}

/** The key of message `id` (`<orderId>.<kind>`); undefined for an id no message can have. */
function mailKeyOf(id: string): { PK: string; SK: string } | undefined {
  const split = id.lastIndexOf(".");
  const kind = ORDER_MAIL_KINDS.find((known: OrderMailKind) => known === id.slice(split + 1));
  return split <= 0 || kind === undefined ? undefined : keys.orderMail(id.slice(0, split), kind);
}

/** Runs one conditional update; false when its condition did not hold. */
async function updateIf(
  table: Table,
  update: Omit<Parameters<Table["documents"]["update"]>[0], "TableName">,
): Promise<boolean> {
  try {
    await table.documents.update({ TableName: table.name, ...update });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The fulfilment methods of the Store over `table`, unguarded: the store guards each call. */
export function dynamoDbFulfilment(table: Table): FulfilmentStore {
  return {
    async listDueMail(query) {
      const { after } = query;
      // The index is read eventually consistent: a message sent a moment ago may still be
      // listed, and the sender's conditional write then finds it sent.
      const page = await spreadPage(
        table,
        {
          index: GSI1,
          partitions: mailDuePartitions(table.layout.listShards),
          descending: false,
          above: after === undefined ? undefined : keys.mailDueSort(after.nextAttemptAt, after.id),
          below: keys.pastMailDueAt(query.dueBy),
        },
        query.limit,
      );
      const next = page.next === undefined ? undefined : positionOf(page.next);
      return {
        items: page.items.map(mailFrom),
        next: next === undefined ? undefined : { nextAttemptAt: next.at, id: next.id },
      };
    },

    async getMail(id) {
      const key = mailKeyOf(id);
      const item = key === undefined ? undefined : await getItem(table, key);
      return item === undefined ? undefined : mailFrom(item);
    },

    async listOrderMail(orderId) {
      // `MAIL#<kind>` sorts as `<orderId>.<kind>` does: by id.
      const items = await queryAll(table, {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :mail)",
        ExpressionAttributeValues: {
          ":pk": keys.orderPointerPartition(orderId),
          ":mail": keys.orderMailSortPrefix,
        },
        ConsistentRead: true,
      });
      return items.map(mailFrom);
    },

    async markMailSent(id, sentAt, attempts) {
      const key = mailKeyOf(id);
      if (key === undefined) return false;
      return updateIf(table, {
        Key: key,
        ConditionExpression:
          "attribute_exists(PK) AND attribute_not_exists(sentAt) AND attribute_not_exists(failedAt)",
        UpdateExpression:
          "SET sentAt = :sentAt, attempts = :attempts REMOVE nextAttemptAt, GSI1PK, GSI1SK",
        ExpressionAttributeValues: { ":sentAt": sentAt, ":attempts": attempts },
      });
    },

    async recordMailAttempt(attempt: MailAttempt) {
      const key = mailKeyOf(attempt.id);
      if (key === undefined) return false;
      const { nextAttemptAt, failedAt } = attempt;
      const due =
        nextAttemptAt === undefined ? undefined : mailDueKeys(attempt, nextAttemptAt, table.layout);
      const set = ["attempts = :after", "lastError = :error"];
      const values: Record<string, unknown> = {
        ":before": attempt.attemptsBefore,
        ":after": attempt.attemptsBefore + 1,
        ":error": attempt.error,
      };
      if (due !== undefined) {
        // Due again later: its place among the due ones moves with it.
        set.push("nextAttemptAt = :next", "GSI1PK = :due", "GSI1SK = :dueSort");
        Object.assign(values, {
          ":next": nextAttemptAt,
          ":due": due.GSI1PK,
          ":dueSort": due.GSI1SK,
        });
      }
      if (failedAt !== undefined) {
        set.push("failedAt = :failedAt");
        values[":failedAt"] = failedAt;
      }
      // Still due, with the tries the sender read: of two senders, one records its try.
      return updateIf(table, {
        Key: key,
        ConditionExpression: "attribute_exists(nextAttemptAt) AND attempts = :before",
        UpdateExpression:
          `SET ${set.join(", ")}` +
          (due === undefined ? " REMOVE nextAttemptAt, GSI1PK, GSI1SK" : ""),
        ExpressionAttributeValues: values,
      });
    },

    async listOrdersToShip(request) {
      const { after } = request;
      // Eventually consistent too: an order shipped a moment ago may still be listed, and
      // shipping it again finds its status moved.
      const page = await spreadPage(
        table,
        {
          index: GSI1,
          partitions: toShipPartitions(table.layout.listShards),
          descending: false,
          above: after === undefined ? undefined : keys.toShipSort(after.createdAt, after.id),
        },
        request.limit,
      );
      const next = page.next === undefined ? undefined : positionOf(page.next);
      return {
        items: page.items.map(orderFrom),
        next: next === undefined ? undefined : { createdAt: next.at, id: next.id },
      };
    },
  };
}
