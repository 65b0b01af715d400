// What the partition simulator's handlers share (partition-simulator.ts, scale-batches.ts): the
// shapes of its requests and answers, and a write planned before it is sent: the units it is
// expected to consume, and those it did.
import type { PartitionBudget, Touch } from "./scale-budget.js";
import {
  type Charge,
  chargesOfConditionCheck,
  chargesOfRefusedWrite,
  chargesOfWrite,
  indexKeysAfterUpdate,
  keyOf,
  type UpdateInput,
  type WireItem,
} from "./scale-metering.js";

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

export type Json = Record<string, unknown>;

/** DynamoDB Local's answer to a forwarded request. */
export interface Forwarded {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Json;
}

/** One write of a TransactWriteItems or BatchWriteItem, or a single write operation. */
export interface PlannedWrite {
  kind: "Put" | "Update" | "Delete" | "ConditionCheck";
  tableName: string;
  key: WireItem;
  /** The item a Put writes. */
  proposed?: WireItem;
  update?: UpdateInput;
}

/** What the operations' handlers share: the budget, the way on, and the proxy's own reads. */
export interface SimulatorContext {
  budget: PartitionBudget;
  region: string;
  forward(operation: string, headers: Headers, body: string): Promise<Forwarded>;
  count(operation: string, outcome: keyof RequestCounts): void;
  /** The current items of the writes, by `itemId`, read straight from DynamoDB Local. */
  imagesOf(writes: readonly PlannedWrite[]): Promise<Map<string, WireItem>>;
}

/** The keys a set of charges falls on: what must not be in debt for the request to go. */
export const touchesOf = (charges: readonly Charge[]): Touch[] =>
  charges.map(({ partition, kind }) => ({ partition, kind }));

/**
 * What a write is expected to consume before it is sent: from the item as it is, and as the
 * write will leave its index keys (a Put's item, an Update's SET and REMOVE of index keys).
 */
export function estimateOf(
  write: PlannedWrite,
  before: WireItem | undefined,
  transactional: boolean,
): Charge[] {
  if (write.kind === "ConditionCheck") return chargesOfConditionCheck(write.key, before);
  const expected =
    write.kind === "Put"
      ? write.proposed
      : write.kind === "Update"
        ? indexKeysAfterUpdate(write.key, before, write.update ?? {})
        : undefined;
  return chargesOfWrite({
    key: write.key,
    before,
    after: expected,
    transactional,
    assumeChanged: true,
  });
}

/** What a forwarded write consumed: after its success, or after its condition failed. */
export function chargesOf(
  write: PlannedWrite,
  before: WireItem | undefined,
  after: WireItem | undefined,
  outcome: "written" | "refused",
  transactional: boolean,
): Charge[] {
  if (write.kind === "ConditionCheck") return chargesOfConditionCheck(write.key, before);
  if (outcome === "refused") {
    return chargesOfRefusedWrite(write.key, before, write.proposed, transactional);
  }
  return chargesOfWrite({ key: write.key, before, after, transactional });
}

/** The error name of a DynamoDB error answer (`ConditionalCheckFailedException`). */
export const errorNameOf = (answer: { json: Json }): string =>
  String(answer.json.__type ?? "")
    .split("#")
    .pop() ?? "";

export const withJson = (answer: Forwarded, json: Json): Forwarded => ({
  ...answer,
  json,
  text: JSON.stringify(json),
});

/** One item of a TransactWriteItems, as a planned write. */
export function plannedWriteOf(item: Json): PlannedWrite {
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
