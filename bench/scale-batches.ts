// BatchGetItem and BatchWriteItem through the partition simulator: each key is admitted on its
// own, as DynamoDB does, so a batch with some keys on a throttled partition goes with the others
// and hands the throttled ones back as unprocessed, for the caller to retry; only a batch whose
// every key is throttled is refused whole.

import {
  type CapacityKind,
  type Charge,
  chargesOfGet,
  itemId,
  keyOf,
  type Partition,
  readUnitsOf,
  tablePartition,
  type WireItem,
} from "./scale-metering.js";
import {
  chargesOf,
  errorNameOf,
  estimateOf,
  type Forwarded,
  type Json,
  type PlannedWrite,
  type SimulatorContext,
  touchesOf,
  withJson,
} from "./scale-simulator-context.js";
import { type Answer, throughputExceeded } from "./scale-throttle-answers.js";

type KeysAndAttributes = Json & { Keys: WireItem[]; ConsistentRead?: boolean };

export async function batchGetItem(
  context: SimulatorContext,
  input: Json,
  headers: Headers,
): Promise<Answer | Forwarded> {
  const { budget } = context;
  const requested = (input.RequestItems ?? {}) as Record<string, KeysAndAttributes>;
  const estimateOfKey = (key: WireItem, consistent: boolean): Charge => ({
    partition: tablePartition(key),
    kind: "read",
    units: readUnitsOf(0, consistent),
  });
  const all = Object.values(requested).flatMap((request) =>
    request.Keys.map((key) => estimateOfKey(key, request.ConsistentRead === true)),
  );
  const refused = new Set(budget.refusedOf(touchesOf(all)).map((touch) => touch.partition));
  const admitted: Record<string, KeysAndAttributes> = {};
  const held: Record<string, KeysAndAttributes> = {};
  for (const [tableName, request] of Object.entries(requested)) {
    const go = request.Keys.filter((key) => !refused.has(tablePartition(key)));
    const stay = request.Keys.filter((key) => refused.has(tablePartition(key)));
    if (go.length > 0) admitted[tableName] = { ...request, Keys: go };
    if (stay.length > 0) held[tableName] = { ...request, Keys: stay };
  }
  const refusal = refusalOf(context, "BatchGetItem", "read", refused, admitted, held);
  if (refusal !== undefined) return refusal;
  const estimate = Object.values(admitted).flatMap((request) =>
    request.Keys.map((key) => estimateOfKey(key, request.ConsistentRead === true)),
  );
  budget.reserve(estimate);
  const consumed: Charge[] = [];
  try {
    const answer = await context.forward(
      "BatchGetItem",
      headers,
      JSON.stringify({ ...input, RequestItems: admitted }),
    );
    if (answer.status !== 200) return answer;
    const responses = (answer.json.Responses ?? {}) as Record<string, WireItem[]>;
    const unprocessed = (answer.json.UnprocessedKeys ?? {}) as Record<string, KeysAndAttributes>;
    for (const [tableName, request] of Object.entries(admitted)) {
      const found = new Map(
        (responses[tableName] ?? []).map((item) => [itemId(tableName, keyOf(item)), item]),
      );
      const notDone = new Set(
        (unprocessed[tableName]?.Keys ?? []).map((key) => itemId(tableName, key)),
      );
      for (const key of request.Keys) {
        const id = itemId(tableName, key);
        if (!notDone.has(id)) {
          consumed.push(...chargesOfGet(key, found.get(id), request.ConsistentRead === true));
        }
      }
    }
    const merged: Record<string, KeysAndAttributes> = { ...unprocessed };
    for (const [tableName, request] of Object.entries(held)) {
      merged[tableName] = {
        ...request,
        Keys: [...(unprocessed[tableName]?.Keys ?? []), ...request.Keys],
      };
    }
    return withJson(answer, { ...answer.json, UnprocessedKeys: merged });
  } finally {
    budget.settle(estimate, consumed);
  }
}

export async function batchWriteItem(
  context: SimulatorContext,
  input: Json,
  headers: Headers,
): Promise<Answer | Forwarded> {
  const { budget } = context;
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
  const before = await context.imagesOf(planned.map(({ write }) => write));
  const beforeOf = (write: PlannedWrite) => before.get(itemId(write.tableName, write.key));
  const estimates = planned.map(({ write }) => estimateOf(write, beforeOf(write), false));
  const refused = new Set(
    budget.refusedOf(touchesOf(estimates.flat())).map((touch) => touch.partition),
  );
  const goes = planned.map((_, i) => !(estimates[i] ?? []).some((c) => refused.has(c.partition)));
  const admitted: Record<string, Json[]> = {};
  const held: Record<string, Json[]> = {};
  planned.forEach(({ request, write }, i) => {
    const into = goes[i] ? admitted : held;
    into[write.tableName] = [...(into[write.tableName] ?? []), request];
  });
  const refusal = refusalOf(context, "BatchWriteItem", "write", refused, admitted, held);
  if (refusal !== undefined) return refusal;
  const estimate = estimates.filter((_, i) => goes[i]).flat();
  budget.reserve(estimate);
  let consumed: Charge[] = [];
  try {
    const answer = await context.forward(
      "BatchWriteItem",
      headers,
      JSON.stringify({ ...input, RequestItems: admitted }),
    );
    if (answer.status !== 200 || errorNameOf(answer) !== "") return answer;
    const unprocessed = (answer.json.UnprocessedItems ?? {}) as Record<string, Json[]>;
    const notDone = new Set(
      Object.values(unprocessed)
        .flat()
        .map((request) => JSON.stringify(request)),
    );
    consumed = planned
      .filter(({ request }, i) => goes[i] && !notDone.has(JSON.stringify(request)))
      .flatMap(({ write }) => chargesOf(write, beforeOf(write), write.proposed, "written", false));
    const merged: Record<string, Json[]> = { ...unprocessed };
    for (const [tableName, list] of Object.entries(held)) {
      merged[tableName] = [...(unprocessed[tableName] ?? []), ...list];
    }
    return withJson(answer, { ...answer.json, UnprocessedItems: merged });
  } finally {
    budget.settle(estimate, consumed);
  }
}

/**
 * The exception when every key of a batch was throttled (the batch is refused whole); otherwise
 * nothing, the batch counted as partial when some keys are held back.
 */
function refusalOf(
  context: SimulatorContext,
  operation: string,
  kind: CapacityKind,
  refused: ReadonlySet<Partition>,
  admitted: Record<string, unknown>,
  held: Record<string, unknown>,
): Answer | undefined {
  if (Object.keys(admitted).length > 0) {
    if (Object.keys(held).length > 0) context.count(operation, "partial");
    return undefined;
  }
  context.count(operation, "throttled");
  return throughputExceeded(
    [...refused].map((partition) => ({ partition, kind })),
    Object.keys(held)[0] ?? "",
    context.region,
  );
}
