import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import {
  type BudgetOptions,
  PartitionBudget,
  type PartitionUsage,
  type Touch,
} from "./scale-budget.js";
import {
  type Charge,
  chargesOfConditionCheck,
  chargesOfGet,
  chargesOfQuery,
  chargesOfRefusedWrite,
  chargesOfTransactGet,
  chargesOfWrite,
  hashKeyOf,
  indexKeysAfterUpdate,
  itemId,
  keyOf,
  type Partition,
  partitionsOf,
  queryPartition,
  tablePartition,
  type UpdateInput,
  type WireItem,
} from "./scale-metering.js";
import { type Answer, throughputExceeded, transactionThrottled } from "./scale-throttle-answers.js";

// A partition-limit simulator: an HTTP proxy between the store's own DynamoDB client and
// DynamoDB Local that meters every request as DynamoDB bills it, per partition key value of the
// table and of each index (scale-metering.ts), and refuses, before forwarding, a request that
// touches a key whose token bucket is in debt (scale-budget.ts), with the answer DynamoDB gives
// a throttled request. The store's code is unchanged: point its endpoint at `endpoint`.
//
// To know an item's size and index keys before and after a write, the proxy reads the items a
// write names from DynamoDB Local before forwarding it, and an UpdateItem's item afterwards;
// those reads are its own, neither metered nor throttled. Under concurrent writes to one item the
// images may be another request's: the units are then approximate, the admission is not. How a
// throttled request is answered: scale-throttle-answers.ts.

export interface SimulatorTarget {
  /** DynamoDB Local's endpoint. */
  endpoint: string;
  /** What the proxy signs its own reads with: the namespace of DynamoDB Local's tables. */
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface PartitionSimulatorOptions extends BudgetOptions {
  target: SimulatorTarget;
  /** How a throttled transaction is answered (see above); `cancellation` by default. */
  transactionThrottle?: "cancellation" | "exception";
}

/** Requests of one operation. */
export interface RequestCounts {
  /** Sent on to DynamoDB Local (a batch with some keys held back counts here too). */
  forwarded: number;
  /** Refused whole before forwarding. */
  throttled: number;
  /** Batches forwarded with some keys held back as unprocessed. */
  partial: number;
  /** Requests whose client gave up (its timeout) before the answer went back. */
  abandoned: number;
}

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
const HOP_HEADERS = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "keep-alive",
  "transfer-encoding",
  // A rewritten body would fail the checksum; the store's client does not check it.
  "x-amz-crc32",
]);

/** The error name of a DynamoDB error answer (`ConditionalCheckFailedException`). */
const errorNameOf = (answer: { json: Record<string, unknown> }): string =>
  String(answer.json.__type ?? "")
    .split("#")
    .pop() ?? "";

interface Forwarded {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** One write of a TransactWriteItems or BatchWriteItem, or a single write operation. */
interface PlannedWrite {
  kind: "Put" | "Update" | "Delete" | "ConditionCheck";
  tableName: string;
  key: WireItem;
  /** The item a Put writes. */
  proposed?: WireItem;
  update?: UpdateInput;
}

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
  const count = (operation: string, outcome: keyof RequestCounts) => {
    const counts = requests.get(operation) ?? {
      forwarded: 0,
      throttled: 0,
      partial: 0,
      abandoned: 0,
    };
    counts[outcome] += 1;
    requests.set(operation, counts);
  };

  const forward = async (operation: string, headers: Headers, body: string): Promise<Forwarded> => {
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
      if (!HOP_HEADERS.has(name)) passed[name] = value;
    }
    if (operation !== "") count(operation, "forwarded");
    return { status: answer.status, headers: passed, text, json };
  };

  /** The current items at `keys` of `tableName`, by `itemId`. */
  const readImages = async (
    tableName: string,
    keys: readonly WireItem[],
  ): Promise<Map<string, WireItem>> => {
    const found = new Map<string, WireItem>();
    const distinct = [...new Map(keys.map((key) => [itemId(tableName, key), key])).values()];
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
    return found;
  };

  /** Images of many writes' items, across tables. */
  const imagesOf = async (writes: readonly PlannedWrite[]): Promise<Map<string, WireItem>> => {
    const byTable = new Map<string, WireItem[]>();
    for (const write of writes) {
      byTable.set(write.tableName, [...(byTable.get(write.tableName) ?? []), write.key]);
    }
    const all = new Map<string, WireItem>();
    for (const [tableName, keys] of byTable) {
      for (const [id, item] of await readImages(tableName, keys)) all.set(id, item);
    }
    return all;
  };

  /** The keys a write touches, as far as they can be known before it is sent. */
  const touchesOf = (write: PlannedWrite, before: WireItem | undefined): Touch[] => {
    const expected =
      write.kind === "Put"
        ? write.proposed
        : write.kind === "Update"
          ? indexKeysAfterUpdate(write.key, before, write.update ?? {})
          : undefined;
    const partitions = new Set([
      tablePartition(write.key),
      // A ConditionCheck writes nothing: only the item's own partition is used.
      ...(write.kind === "ConditionCheck" ? [] : partitionsOf(before)),
      ...partitionsOf(expected),
    ]);
    return [...partitions].map((partition) => ({ partition, kind: "write" as const }));
  };

  /** What a forwarded write consumed: after its success, or after its condition failed. */
  const chargesOf = (
    write: PlannedWrite,
    before: WireItem | undefined,
    after: WireItem | undefined,
    outcome: "written" | "refused",
    transactional: boolean,
  ): Charge[] => {
    if (write.kind === "ConditionCheck") return chargesOfConditionCheck(write.key, before);
    if (outcome === "refused") {
      return chargesOfRefusedWrite(write.key, before, write.proposed, transactional);
    }
    return chargesOfWrite({ key: write.key, before, after, transactional });
  };

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

  /** Writes whose table key is refused go back at once, without reading their items. */
  const refusedOnTables = (writes: readonly PlannedWrite[]): Set<Partition> =>
    new Set(
      budget
        .refusedOf(writes.map((write) => ({ partition: tablePartition(write.key), kind: "write" })))
        .map((touch) => touch.partition),
    );

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
    const refused = budget.refusedOf(touchesOf(write, before));
    if (refused.length > 0) return throttled(refused);
    // An UpdateItem that asks for nothing back is asked for the new item, saving a read after.
    const askNew = write.kind === "Update" && (input.ReturnValues ?? "NONE") === "NONE";
    const answer = await forward(
      operation,
      headers,
      askNew ? JSON.stringify({ ...input, ReturnValues: "ALL_NEW" }) : body,
    );
    if (answer.status === 200) {
      const after =
        write.kind === "Update" && (askNew || input.ReturnValues === "ALL_NEW")
          ? (answer.json.Attributes as WireItem | undefined)
          : (await imagesAfter([write]))(write);
      budget.debit(chargesOf(write, before, after, "written", false));
      if (askNew) {
        const { Attributes: _unasked, ...asked } = answer.json;
        return withJson(answer, asked);
      }
    } else if (errorNameOf(answer) === "ConditionalCheckFailedException") {
      budget.debit(chargesOf(write, before, undefined, "refused", false));
    }
    return answer;
  };

  const getItem = async (input: Json, headers: Headers, body: string) => {
    const tableName = String(input.TableName);
    const key = input.Key as WireItem;
    const refused = budget.refusedOf([{ partition: tablePartition(key), kind: "read" }]);
    if (refused.length > 0) {
      count("GetItem", "throttled");
      return throughputExceeded(refused, tableName, target.region);
    }
    const answer = await forward("GetItem", headers, body);
    if (answer.status === 200) {
      const item = answer.json.Item as WireItem | undefined;
      budget.debit(chargesOfGet(key, item, input.ConsistentRead === true));
    }
    return answer;
  };

  const query = async (input: Json, headers: Headers, body: string) => {
    const tableName = String(input.TableName);
    const indexName = input.IndexName as string | undefined;
    const partition = queryPartition(indexName, queryHashValue(input, hashKeyOf(indexName)));
    const refused = budget.refusedOf([{ partition, kind: "read" }]);
    if (refused.length > 0) {
      count("Query", "throttled");
      return throughputExceeded(refused, tableName, target.region);
    }
    const answer = await forward("Query", headers, body);
    if (answer.status === 200) {
      const itemsRead = needsRawRead(input)
        ? await rawQueryItems(input)
        : ((answer.json.Items as WireItem[] | undefined) ?? []);
      budget.debit(chargesOfQuery(partition, itemsRead, input.ConsistentRead === true));
    }
    return answer;
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
    const used = (placeholders: unknown) =>
      placeholders === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(placeholders as Json).filter(([name]) =>
              new RegExp(`${name}(?![\\w])`).test(condition),
            ),
          );
    const names = used(raw.ExpressionAttributeNames);
    const values = used(raw.ExpressionAttributeValues);
    const answer = await images.send<{ Items?: WireItem[] }>("Query", {
      ...raw,
      ExpressionAttributeNames:
        names !== undefined && Object.keys(names).length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
    });
    return answer.Items ?? [];
  };

  const batchGet = async (input: Json, headers: Headers) => {
    const requested = (input.RequestItems ?? {}) as Record<
      string,
      Json & { Keys: WireItem[]; ConsistentRead?: boolean }
    >;
    const touches = Object.values(requested).flatMap((request) =>
      request.Keys.map((key) => ({ partition: tablePartition(key), kind: "read" as const })),
    );
    const refused = new Set(budget.refusedOf(touches).map((touch) => touch.partition));
    const admitted: typeof requested = {};
    const held: typeof requested = {};
    for (const [tableName, request] of Object.entries(requested)) {
      const go = request.Keys.filter((key) => !refused.has(tablePartition(key)));
      const stay = request.Keys.filter((key) => refused.has(tablePartition(key)));
      if (go.length > 0) admitted[tableName] = { ...request, Keys: go };
      if (stay.length > 0) held[tableName] = { ...request, Keys: stay };
    }
    const firstTable = Object.keys(requested)[0] ?? "";
    if (Object.keys(admitted).length === 0) {
      count("BatchGetItem", "throttled");
      return throughputExceeded(
        [...refused].map((partition) => ({ partition, kind: "read" as const })),
        firstTable,
        target.region,
      );
    }
    if (Object.keys(held).length > 0) count("BatchGetItem", "partial");
    const answer = await forward(
      "BatchGetItem",
      headers,
      JSON.stringify({ ...input, RequestItems: admitted }),
    );
    if (answer.status !== 200) return answer;
    const responses = (answer.json.Responses ?? {}) as Record<string, WireItem[]>;
    const unprocessed = (answer.json.UnprocessedKeys ?? {}) as Record<string, Json>;
    const charges: Charge[] = [];
    for (const [tableName, request] of Object.entries(admitted)) {
      const found = new Map(
        (responses[tableName] ?? []).map((item) => [itemId(tableName, keyOf(item)), item]),
      );
      const notDone = new Set(
        ((unprocessed[tableName]?.Keys ?? []) as WireItem[]).map((key) => itemId(tableName, key)),
      );
      for (const key of request.Keys) {
        const id = itemId(tableName, key);
        if (notDone.has(id)) continue;
        charges.push(...chargesOfGet(key, found.get(id), request.ConsistentRead === true));
      }
    }
    budget.debit(charges);
    return withJson(answer, {
      ...answer.json,
      UnprocessedKeys: mergeUnprocessed(unprocessed, held, "Keys"),
    });
  };

  const batchWrite = async (input: Json, headers: Headers) => {
    const requested = (input.RequestItems ?? {}) as Record<string, Json[]>;
    const planned = Object.entries(requested).flatMap(([tableName, list]) =>
      list.map((request) => {
        const put = request.PutRequest as { Item: WireItem } | undefined;
        const del = request.DeleteRequest as { Key: WireItem } | undefined;
        const write: PlannedWrite = put
          ? { kind: "Put", tableName, key: keyOf(put.Item), proposed: put.Item }
          : { kind: "Delete", tableName, key: keyOf(del?.Key ?? {}) };
        return { request, write };
      }),
    );
    const before = await imagesOf(planned.map(({ write }) => write));
    const beforeOf = (write: PlannedWrite) => before.get(itemId(write.tableName, write.key));
    const touches = planned.map(({ write }) => touchesOf(write, beforeOf(write)));
    const refused = new Set(budget.refusedOf(touches.flat()).map((touch) => touch.partition));
    const goes = (i: number) => !(touches[i] ?? []).some((touch) => refused.has(touch.partition));
    const admitted: Record<string, Json[]> = {};
    const held: Record<string, Json[]> = {};
    planned.forEach(({ request, write }, i) => {
      const into = goes(i) ? admitted : held;
      into[write.tableName] = [...(into[write.tableName] ?? []), request];
    });
    if (Object.keys(admitted).length === 0) {
      count("BatchWriteItem", "throttled");
      return throughputExceeded(
        [...refused].map((partition) => ({ partition, kind: "write" as const })),
        planned[0]?.write.tableName ?? "",
        target.region,
      );
    }
    if (Object.keys(held).length > 0) count("BatchWriteItem", "partial");
    const answer = await forward(
      "BatchWriteItem",
      headers,
      JSON.stringify({ ...input, RequestItems: admitted }),
    );
    if (answer.status !== 200) return answer;
    const unprocessed = (answer.json.UnprocessedItems ?? {}) as Record<string, Json[]>;
    const notDone = new Set(
      Object.values(unprocessed)
        .flat()
        .map((request) => JSON.stringify(request)),
    );
    const charges = planned
      .filter(({ request }, i) => goes(i) && !notDone.has(JSON.stringify(request)))
      .flatMap(({ write }) => chargesOf(write, beforeOf(write), write.proposed, "written", false));
    budget.debit(charges);
    return withJson(answer, {
      ...answer.json,
      UnprocessedItems: { ...unprocessed, ...mergeLists(unprocessed, held) },
    });
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
    const touches = writes.map((write) => touchesOf(write, beforeOf(write)));
    const refused = new Set(budget.refusedOf(touches.flat()).map((touch) => touch.partition));
    if (refused.size > 0) {
      return throttled(touches.map((list) => list.some((touch) => refused.has(touch.partition))));
    }
    const answer = await forward("TransactWriteItems", headers, body);
    if (answer.status === 200) {
      const after = await imagesAfter(writes);
      budget.debit(
        writes.flatMap((write) => chargesOf(write, beforeOf(write), after(write), "written", true)),
      );
    } else if (errorNameOf(answer) === "TransactionCanceledException") {
      // Every item was prepared, none committed: each billed as a refused write, twice.
      budget.debit(
        writes.flatMap((write) => chargesOf(write, beforeOf(write), undefined, "refused", true)),
      );
    }
    return answer;
  };

  const transactGet = async (input: Json, headers: Headers, body: string) => {
    const gets = (
      (input.TransactItems ?? []) as { Get: { TableName: string; Key: WireItem } }[]
    ).map((item) => item.Get);
    const touches = gets.map((get) => ({
      partition: tablePartition(get.Key),
      kind: "read" as const,
    }));
    const refused = new Set(budget.refusedOf(touches).map((touch) => touch.partition));
    if (refused.size > 0) {
      count("TransactGetItems", "throttled");
      return transactionThrottled(
        touches.map((touch) => refused.has(touch.partition)),
        transactionMode,
      );
    }
    const answer = await forward("TransactGetItems", headers, body);
    if (answer.status === 200) {
      const responses = (answer.json.Responses ?? []) as { Item?: WireItem }[];
      budget.debit(gets.flatMap((get, i) => chargesOfTransactGet(get.Key, responses[i]?.Item)));
    }
    return answer;
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
    const input: Json = body === "" ? {} : JSON.parse(body);
    response.once("close", () => {
      if (!response.writableFinished) count(operation, "abandoned");
    });
    const t0 = performance.now();
    let answer: Answer | Forwarded;
    switch (operation) {
      case "GetItem":
        answer = await getItem(input, headers, body);
        break;
      case "Query":
        answer = await query(input, headers, body);
        break;
      case "BatchGetItem":
        answer = await batchGet(input, headers);
        break;
      case "TransactGetItems":
        answer = await transactGet(input, headers, body);
        break;
      case "PutItem":
      case "UpdateItem":
      case "DeleteItem":
        answer = await singleWrite(operation, input, headers, body);
        break;
      case "BatchWriteItem":
        answer = await batchWrite(input, headers);
        break;
      case "TransactWriteItems":
        answer = await transactWrite(input, headers, body);
        break;
      default:
        // Table setup and Scan: passed on, neither metered nor throttled.
        answer = await forward(operation, headers, body);
    }
    const text = "text" in answer ? answer.text : answer.body;
    if (process.env.SIM_DEBUG)
      console.log("DBG", operation, answer.status, Math.round(performance.now() - t0));
    response.writeHead(answer.status, answer.headers ?? {});
    response.end(text);
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

/** One item of a TransactWriteItems, as a planned write. */
function plannedWriteOf(item: Json): PlannedWrite {
  const [kind, action] = Object.entries(item)[0] ?? [];
  const body = (action ?? {}) as Json;
  const tableName = String(body.TableName);
  if (kind === "Put") {
    const proposed = body.Item as WireItem;
    return { kind, tableName, key: keyOf(proposed), proposed };
  }
  const key = keyOf(body.Key as WireItem);
  if (kind === "Update") return { kind, tableName, key, update: body as UpdateInput };
  if (kind === "Delete" || kind === "ConditionCheck") return { kind, tableName, key };
  throw new Error(`TransactWriteItems: unknown action ${String(kind)}`);
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

function withJson(answer: Forwarded, json: Json): Forwarded {
  return { ...answer, json, text: JSON.stringify(json) };
}

/** DynamoDB's unprocessed keys, with the ones the simulator held back added. */
function mergeUnprocessed(
  unprocessed: Record<string, Json>,
  held: Record<string, Json & { Keys: WireItem[] }>,
  field: "Keys",
): Record<string, Json> {
  const merged: Record<string, Json> = { ...unprocessed };
  for (const [tableName, request] of Object.entries(held)) {
    const already = (merged[tableName]?.[field] ?? []) as WireItem[];
    merged[tableName] = { ...request, [field]: [...already, ...request.Keys] };
  }
  return merged;
}

function mergeLists(
  unprocessed: Record<string, Json[]>,
  held: Record<string, Json[]>,
): Record<string, Json[]> {
  const merged: Record<string, Json[]> = {};
  for (const [tableName, list] of Object.entries(held)) {
    merged[tableName] = [...(unprocessed[tableName] ?? []), ...list];
  }
  return merged;
}
