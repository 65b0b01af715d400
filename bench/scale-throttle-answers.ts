// The answers DynamoDB gives a throttled request, as the partition simulator
// (partition-simulator.ts) sends them. As AWS documents them:
// - GetItem, PutItem, UpdateItem, DeleteItem, Query: HTTP 400
//   `ProvisionedThroughputExceededException` with the hot-key message of an on-demand table and
//   `ThrottlingReasons` (`TableWriteKeyRangeThroughputExceeded`, `IndexReadKeyRange...`).
// - BatchGetItem, BatchWriteItem: the throttled keys come back as `UnprocessedKeys` /
//   `UnprocessedItems` and the rest is done; only when every one is throttled, the exception.
// - TransactWriteItems, TransactGetItems: `TransactionCanceledException` with one reason per
//   item, `ThrottlingError` for the items on a throttled key and `None` for the others: the
//   cancellation reason AWS's API reference lists for "throughput exceeds the current capacity of
//   your table or index ... check if you have a hot key". The API also lists a plain
//   `ThrottlingException` for these operations; the `exception` mode answers that instead, to see
//   how the store fares with either.
import { randomUUID } from "node:crypto";
import type { Touch } from "./scale-budget.js";
import type { Partition } from "./scale-metering.js";

const ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#";
const CONTENT_TYPE = "application/x-amz-json-1.0";
/** What DynamoDB says of a hot key of an on-demand table. */
export const HOT_KEY_MESSAGE =
  "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically " +
  "scaling your table or index so please try again shortly. If exceptions persist, check if you " +
  "have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";
/** The account DynamoDB Local puts in its ARNs. */
const LOCAL_ACCOUNT = "000000000000";

/** An answer to send back to the client. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** What the throttle answers name: the table, and the index when the key is an index's. */
function arnOf(region: string, tableName: string, partition: Partition): string {
  const scope = partition.slice(0, partition.indexOf(" "));
  const table = `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${tableName}`;
  return scope === "table" ? table : `${table}/index/${scope}`;
}

const reasonOf = (touch: Touch): string =>
  `${touch.partition.startsWith("table ") ? "Table" : "Index"}` +
  `${touch.kind === "write" ? "Write" : "Read"}KeyRangeThroughputExceeded`;

const errorAnswer = (body: Record<string, unknown>): Answer => ({
  status: 400,
  body: JSON.stringify(body),
  headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID() },
});

/** DynamoDB's answer to a single-item operation or a Query on a throttled key. */
export function throughputExceeded(
  refused: readonly Touch[],
  tableName: string,
  region: string,
): Answer {
  return errorAnswer({
    __type: `${ERROR_PREFIX}ProvisionedThroughputExceededException`,
    message: HOT_KEY_MESSAGE,
    ThrottlingReasons: refused.map((touch) => ({
      reason: reasonOf(touch),
      resource: arnOf(region, tableName, touch.partition),
    })),
  });
}

/**
 * DynamoDB's answer to a transaction with items on a throttled key: cancelled, `ThrottlingError`
 * for those items, `None` for the others; or, with `exception`, a `ThrottlingException`.
 */
export function transactionThrottled(
  itemsThrottled: readonly boolean[],
  mode: "cancellation" | "exception",
): Answer {
  if (mode === "exception") {
    return errorAnswer({ __type: `${ERROR_PREFIX}ThrottlingException`, message: HOT_KEY_MESSAGE });
  }
  const codes = itemsThrottled.map((throttled) => (throttled ? "ThrottlingError" : "None"));
  return errorAnswer({
    __type: `${ERROR_PREFIX}TransactionCanceledException`,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
    CancellationReasons: codes.map((code) =>
      code === "None" ? { Code: code } : { Code: code, Message: HOT_KEY_MESSAGE },
    ),
  });
}
