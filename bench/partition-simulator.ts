// A partition-limit simulator: an HTTP proxy between the store's own DynamoDB client and
// DynamoDB Local that meters every request as DynamoDB bills it, per partition key value of the
// table and of each index (scale-metering.ts), and refuses, before forwarding, a request that
// touches a key whose token bucket is below zero (scale-budget.ts), with the answer DynamoDB
// gives a throttled request (scale-throttle-answers.ts). The store's code is unchanged: point its
// endpoint at `endpoint`.
//
// A request that may go reserves the units it is estimated to consume (a read: the least one
// can; a write: from the item as it is and as the write will leave its index keys), and once
// answered the reservation is settled against the units it did consume. To know an item's size
// and index keys before and after a write, the proxy reads the items a write names from DynamoDB
// Local before forwarding it, and an UpdateItem's item afterwards (or asks the update for its new
// item); those reads are its own, neither metered nor throttled. Under concurrent writes to one
// item an image may be another request's: the units are then approximate.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import { HOP_HEADERS } from "./capacity-proxy.js";
import { batchGetItem, batchWriteItem } from "./scale-batches.js";
import {
  type BudgetOptions,
  PartitionBudget,
  type PartitionUsage,
  type Touch,
} from "./scale-budget.js";
import {
  type Charge,
  chargesOfGet,
  chargesOfQuery,
  chargesOfTransactGet,
  hashKeyOf,
  itemId,
  keyOf,
  type Partition,
  queryPartition,
  readUnitsOf,
  tablePartition,
  type UpdateInput,
  type WireItem,
} from "./scale-metering.js";
import {
  chargesOf,
  errorNameOf,
  estimateOf,
  type Forwarded,
  type Json,
  type PlannedWrite,
  plannedWriteOf,
  type RequestCounts,
  type SimulatorContext,
  touchesOf,
  withJson,
} from "./scale-simulator-context.js";
import { type Answer, throughputExceeded, transactionThrottled } from "./scale-throttle-answers.js";

export interface SimulatorTarget {
  /** DynamoDB Local's endpoint. */
  endpoint: string;
  /** What the proxy signs its own reads with: the namespace of DynamoDB Local's tables. */
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface PartitionSimulatorOptions extends BudgetOptions {
  target: SimulatorTarget;
  /** How a throttled transaction is answered (scale-throttle-answers.ts); `cancellation`. */
  transactionThrottle?: "cancellation" | "exception";
}

export type { RequestCounts } from "./scale-simulator-context.js";

export interface SimulatorReport {
  /** Every partition key used or refused since the last `resetUsage`. */
  partitions: PartitionUsage[];
  /** Per operation (`Query`, `TransactWriteItems`, ...), since the last `resetUsage`. */
  requests: Map<string, RequestCounts>;
}

export interface PartitionSimulator {
  endpoint: string;
  budget: PartitionBudget;
  report(): SimulatorReport;
  /** Forgets what was used and refused; the buckets keep their levels. */
  resetUsage(): void;
  close(): Promise<void>;
}

const BATCH_GET_MAX_KEYS = 100;
// A rewritten body would fail the checksum; the store's client does not check it.
const DROPPED_HEADERS = new Set([...HOP_HEADERS, "x-amz-crc32"]);

/** Starts the simulator in front of `options.target` on a free loopback port. */
export async function startPartitionSimulator(
  options: PartitionSimulatorOptions,
): Promise<PartitionSimulator> {
  const { target } = options;
  const budget = new PartitionBudget(options);
  const transactionMode = options.transactionThrottle ?? "cancellation";
  // The proxy's own reads of item images: straight to DynamoDB Local, never metered.
  const images = new DynamoDbClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
  });
  let requests = new Map<string, RequestCounts>();

  const context: SimulatorContext = {
    budget,
    region: target.region,
    count: (operation, outcome) => {
      const counts = requests.get(operation) ?? {
        forwarded: 0,
        throttled: 0,
        partial: 0,
        abandoned: 0,
      };
      counts[outcome] += 1;
      requests.set(operation, counts);
    },
    forward: async (operation, headers, body) => {
      const answer = await fetch(target.endpoint, { method: "POST", headers, body });
      const text = await answer.text();
      let json: Json = {};
      try {
        json = JSON.parse(text || "{}");
      } catch {
        // Not JSON: passed on as it is, with nothing to meter.
      }
      const passed: Record<string, string> = {};
      for (const [name, value] of answer.headers) {
        if (!DROPPED_HEADERS.has(name)) passed[name] = value;
      }
      context.count(operation, "forwarded");
      return { status: answer.status, headers: passed, text, json };
    },
    imagesOf: async (writes) => {
      const found = new Map<string, WireItem>();
      const byTable = new Map<string, Map<string, WireItem>>();
      for (const { tableName, key } of writes) {
        const keys = byTable.get(tableName) ?? new Map<string, WireItem>();
        keys.set(itemId(tableName, key), key);
        byTable.set(tableName, keys);
      }
      for (const [tableName, keys] of byTable) {
        const distinct = [...keys.values()];
        for (let start = 0; start < distinct.length; start += BATCH_GET_MAX_KEYS) {
          let pending = distinct.slice(start, start + BATCH_GET_MAX_KEYS);
          while (pending.length > 0) {
            const answer = await images.send<{
              Responses?: Record<string, WireItem[]>;
              UnprocessedKeys?: Record<string, { Keys?: WireItem[] }>;
            }>("BatchGetItem", {
              RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
            });
            for (const item of answer.Responses?.[tableName] ?? []) {
              found.set(itemId(tableName, keyOf(item)), item);
            }
            pending = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
          }
        }
      }
      return found;
    },
  };
  const { forward, count, imagesOf } = context;

  /**
   * Reserves `estimate`, runs the forwarded request, then settles the reservation against the
   * units `send` says it consumed (none when it failed).
   */
  const admitted = async <T>(
    estimate: readonly Charge[],
    send: () => Promise<{ answer: T; consumed: Charge[] }>,
  ): Promise<T> => {
    budget.reserve(estimate);
    let consumed: Charge[] = [];
    try {
      const result = await send();
      consumed = result.consumed;
      return result.answer;
    } finally {
      budget.settle(estimate, consumed);
    }
  };

  /** Writes whose table key is in debt go back at once, without reading their items. */
  const refusedOnTables = (writes: readonly PlannedWrite[]): Set<Partition> =>
    new Set(
      budget
        .refusedOf(writes.map((write) => ({ partition: tablePartition(write.key), kind: "write" })))
        .map((touch) => touch.partition),
    );

  /** The items after the writes went: a Put's item, nothing for a Delete, an Update's read. */
  const imagesAfter = async (writes: readonly PlannedWrite[]) => {
    const updated = await imagesOf(writes.filter((write) => write.kind === "Update"));
    return (write: PlannedWrite): WireItem | undefined =>
      write.kind === "Put"
        ? write.proposed
        : write.kind === "Update"
          ? updated.get(itemId(write.tableName, write.key))
          : undefined;
  };

  const singleWrite = async (
    operation: string,
    input: Json,
    headers: Headers,
    body: string,
  ): Promise<Answer | Forwarded> => {
    const tableName = String(input.TableName);
    const proposed = input.Item as WireItem | undefined;
    const write: PlannedWrite = {
      kind: operation === "PutItem" ? "Put" : operation === "UpdateItem" ? "Update" : "Delete",
      tableName,
      key: keyOf(proposed ?? (input.Key as WireItem)),
      ...(proposed === undefined ? {} : { proposed }),
      update: input as UpdateInput,
    };
    const throttled = (refused: readonly Touch[]) => {
      count(operation, "throttled");
      return throughputExceeded(refused, tableName, target.region);
    };
    if (refusedOnTables([write]).size > 0) {
      return throttled([{ partition: tablePartition(write.key), kind: "write" }]);
    }
    const before = (await imagesOf([write])).get(itemId(tableName, write.key));
    const estimate = estimateOf(write, before, false);
    const refused = budget.refusedOf(touchesOf(estimate));
    if (refused.length > 0) return throttled(refused);
    // An UpdateItem that asks for nothing back is asked for the new item, saving a read after.
    const askNew = write.kind === "Update" && (input.ReturnValues ?? "NONE") === "NONE";
    return admitted(estimate, async () => {
      const answer = await forward(
        operation,
        headers,
        askNew ? JSON.stringify({ ...input, ReturnValues: "ALL_NEW" }) : body,
      );
      if (errorNameOf(answer) === "ConditionalCheckFailedException") {
        return { answer, consumed: chargesOf(write, before, undefined, "refused", false) };
      }
      if (answer.status !== 200) return { answer, consumed: [] };
      const after =
        write.kind === "Update" && (askNew || input.ReturnValues === "ALL_NEW")
          ? (answer.json.Attributes as WireItem | undefined)
          : (await imagesAfter([write]))(write);
      const consumed = chargesOf(write, before, after, "written", false);
      if (!askNew) return { answer, consumed };
      const { Attributes: _unasked, ...asked } = answer.json;
      return { answer: withJson(answer, asked), consumed };
    });
  };

  /** A GetItem or a Query: one partition, read. */
  const read = async (
    operation: "GetItem" | "Query",
    input: Json,
    headers: Headers,
    body: string,
  ): Promise<Answer | Forwarded> => {
    const tableName = String(input.TableName);
    const indexName = input.IndexName as string | undefined;
    const partition =
      operation === "GetItem"
        ? tablePartition(input.Key as WireItem)
        : queryPartition(indexName, queryHashValue(input, hashKeyOf(indexName)));
    const consistent = input.ConsistentRead === true;
    const estimate: Charge[] = [{ partition, kind: "read", units: readUnitsOf(0, consistent) }];
    const refused = budget.refusedOf(touchesOf(estimate));
    if (refused.length > 0) {
      count(operation, "throttled");
      return throughputExceeded(refused, tableName, target.region);
    }
    return admitted(estimate, async () => {
      const answer = await forward(operation, headers, body);
      if (answer.status !== 200) return { answer, consumed: [] };
      if (operation === "GetItem") {
        const item = answer.json.Item as WireItem | undefined;
        return { answer, consumed: chargesOfGet(input.Key as WireItem, item, consistent) };
      }
      const itemsRead = needsRawRead(input)
        ? await rawQueryItems(input)
        : ((answer.json.Items as WireItem[] | undefined) ?? []);
      return { answer, consumed: chargesOfQuery(partition, itemsRead, consistent) };
    });
  };

  /**
   * The items a Query read, whatever it returned: a filter drops items after they were read (and
   * billed), a projection or a count returns less of them. The same page again, unfiltered.
   */
  const rawQueryItems = async (input: Json): Promise<WireItem[]> => {
    const {
      FilterExpression: _filter,
      ProjectionExpression: _projection,
      Select: _select,
      ReturnConsumedCapacity: _capacity,
      ...raw
    } = input;
    const condition = String(raw.KeyConditionExpression ?? "");
    const used = (placeholders: unknown) => {
      const kept = Object.entries((placeholders ?? {}) as Json).filter(([name]) =>
        new RegExp(`${name}(?!\\w)`).test(condition),
      );
      return kept.length === 0 ? undefined : Object.fromEntries(kept);
    };
    const answer = await images.send<{ Items?: WireItem[] }>("Query", {
      ...raw,
      ExpressionAttributeNames: used(raw.ExpressionAttributeNames),
      ExpressionAttributeValues: used(raw.ExpressionAttributeValues),
    });
    return answer.Items ?? [];
  };

  const transactWrite = async (input: Json, headers: Headers, body: string) => {
    const writes = ((input.TransactItems ?? []) as Json[]).map(plannedWriteOf);
    const throttled = (throttledItems: boolean[]) => {
      count("TransactWriteItems", "throttled");
      return transactionThrottled(throttledItems, transactionMode);
    };
    const refusedTables = refusedOnTables(writes);
    if (refusedTables.size > 0) {
      return throttled(writes.map((write) => refusedTables.has(tablePartition(write.key))));
    }
    const before = await imagesOf(writes);
    const beforeOf = (write: PlannedWrite) => before.get(itemId(write.tableName, write.key));
    const estimates = writes.map((write) => estimateOf(write, beforeOf(write), true));
    const refused = new Set(
      budget.refusedOf(touchesOf(estimates.flat())).map((touch) => touch.partition),
    );
    if (refused.size > 0) {
      return throttled(estimates.map((list) => list.some((c) => refused.has(c.partition))));
    }
    return admitted(estimates.flat(), async () => {
      const answer = await forward("TransactWriteItems", headers, body);
      if (answer.status === 200) {
        const after = await imagesAfter(writes);
        const consumed = writes.flatMap((write) =>
          chargesOf(write, beforeOf(write), after(write), "written", true),
        );
        return { answer, consumed };
      }
      if (errorNameOf(answer) !== "TransactionCanceledException") return { answer, consumed: [] };
      // Every item was prepared, none committed: each billed as a refused write, twice.
      const consumed = writes.flatMap((write) =>
        chargesOf(write, beforeOf(write), undefined, "refused", true),
      );
      return { answer, consumed };
    });
  };

  const transactGet = async (input: Json, headers: Headers, body: string) => {
    const gets = (
      (input.TransactItems ?? []) as { Get: { TableName: string; Key: WireItem } }[]
    ).map((item) => item.Get);
    const estimates = gets.map((get) => chargesOfTransactGet(get.Key, undefined));
    const refused = new Set(
      budget.refusedOf(touchesOf(estimates.flat())).map((touch) => touch.partition),
    );
    if (refused.size > 0) {
      count("TransactGetItems", "throttled");
      return transactionThrottled(
        estimates.map((list) => list.some((c) => refused.has(c.partition))),
        transactionMode,
      );
    }
    return admitted(estimates.flat(), async () => {
      const answer = await forward("TransactGetItems", headers, body);
      if (answer.status !== 200) return { answer, consumed: [] };
      const responses = (answer.json.Responses ?? []) as { Item?: WireItem }[];
      const consumed = gets.flatMap((get, i) => chargesOfTransactGet(get.Key, responses[i]?.Item));
      return { answer, consumed };
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && name !== "host" && name !== "content-length") {
        headers.set(name, value);
      }
    }
    response.once("close", () => {
      if (!response.writableFinished) count(operation, "abandoned");
    });
    const input: Json = body === "" ? {} : JSON.parse(body);
    let answer: Answer | Forwarded;
    switch (operation) {
      case "GetItem":
      case "Query":
        answer = await read(operation, input, headers, body);
        break;
      case "PutItem":
      case "UpdateItem":
      case "DeleteItem":
        answer = await singleWrite(operation, input, headers, body);
        break;
      case "TransactWriteItems":
        answer = await transactWrite(input, headers, body);
        break;
      case "TransactGetItems":
        answer = await transactGet(input, headers, body);
        break;
      case "BatchGetItem":
        answer = await batchGetItem(context, input, headers);
        break;
      case "BatchWriteItem":
        answer = await batchWriteItem(context, input, headers);
        break;
      default:
        // Table setup and Scan: passed on, neither metered nor throttled.
        answer = await forward(operation, headers, body);
    }
    response.writeHead(answer.status, answer.headers ?? {});
    response.end("text" in answer ? answer.text : answer.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    budget,
    report: () => ({
      partitions: budget.usages(),
      requests: new Map([...requests].map(([name, counts]) => [name, { ...counts }])),
    }),
    resetUsage: () => {
      budget.resetUsage();
      requests = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        images.destroy();
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** The partition key value a Query's key condition names (`GSI1PK = :catalogue`). */
export function queryHashValue(input: Json, hashKey: string): string {
  const condition = String(input.KeyConditionExpression ?? "");
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as WireItem;
  for (const [, target = "", placeholder = ""] of condition.matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    const name = target.startsWith("#") ? names[target] : target;
    const value = values[placeholder];
    if (name === hashKey && value !== undefined) return value.S ?? value.N ?? String(value.B);
  }
  return "?";
}

/** Whether a Query returns less than it read, so its items do not say what it consumed. */
const needsRawRead = (input: Json): boolean =>
  input.FilterExpression !== undefined ||
  input.ProjectionExpression !== undefined ||
  (input.Select !== undefined && input.Select !== "ALL_ATTRIBUTES");
