// What DynamoDB bills a request, item by item and partition key by partition key: the metering
// half of the partition simulator (partition-simulator.ts), pure functions of the items before
// and after a write, or of the items a read returned. The rules are AWS's documented ones
// ("DynamoDB item sizes and formats", "Read/write capacity mode", "Managing capacity for
// transactions"), with the approximations said where they are made.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TABLE_DEFINITION } from "../src/store/dynamodb/table.js";

/** An item in DynamoDB's wire format: attribute name to attribute value. */
export type WireItem = Record<string, AttributeValue>;

export type CapacityKind = "read" | "write";

/**
 * One partition key value of the table or of one of its indexes, as the simulator names it:
 * `table USER#42` or `GSI1 CATALOGUE`. An LSI shares the table's partitions, so its reads and
 * writes are named (and throttled) on the table's key.
 */
export type Partition = string;

/** Units of one kind a request consumed on one partition key. */
export interface Charge {
  partition: Partition;
  kind: CapacityKind;
  units: number;
}

interface IndexSchema {
  name: string;
  hashKey: string;
  rangeKey: string;
  /** A local index lives in the table's partitions: its units count on the table's key. */
  local: boolean;
}

const keyNamed = (
  schema: readonly { AttributeName?: string | undefined; KeyType?: string | undefined }[] = [],
  type: "HASH" | "RANGE",
): string => {
  const name = schema.find((key) => key.KeyType === type)?.AttributeName;
  if (name === undefined) throw new Error(`TABLE_DEFINITION: a key schema has no ${type} key`);
  return name;
};

export const TABLE_HASH_KEY = keyNamed(TABLE_DEFINITION.KeySchema, "HASH");
export const TABLE_RANGE_KEY = keyNamed(TABLE_DEFINITION.KeySchema, "RANGE");

/** The indexes of TABLE_DEFINITION and their key attributes. */
export const INDEXES: readonly IndexSchema[] = [
  ...(TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).map((index) => ({
    name: index.IndexName ?? "",
    hashKey: keyNamed(index.KeySchema, "HASH"),
    rangeKey: keyNamed(index.KeySchema, "RANGE"),
    local: false,
  })),
  ...(TABLE_DEFINITION.LocalSecondaryIndexes ?? []).map((index) => ({
    name: index.IndexName ?? "",
    hashKey: keyNamed(index.KeySchema, "HASH"),
    rangeKey: keyNamed(index.KeySchema, "RANGE"),
    local: true,
  })),
];

const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;
/** Everything in TransactWriteItems and TransactGetItems is done twice: prepare, then commit. */
const TRANSACTION_FACTOR = 2;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * A number's size: about one byte per two significant digits, plus one. Leading and trailing
 * zeros, the sign, the point and an exponent do not count (AWS says "approximately"; this is
 * that approximation, rounded up).
 */
export function numberSizeBytes(number: string): number {
  const mantissa = number.trim().replace(/^[-+]/, "").split(/e/i)[0] ?? "";
  const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(digits.length / 2) + 1;
}

/** The size of one attribute value, without its name. */
export function valueSizeBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberSizeBytes(value.N);
  // On the wire a binary is base64; its raw bytes are what counts.
  if (value.B !== undefined) return Buffer.from(value.B as unknown as string, "base64").length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  // A list or a map costs 3 bytes, and each element 1 more than its own size.
  if (value.L !== undefined) {
    return value.L.reduce((sum, element) => sum + 1 + valueSizeBytes(element), 3);
  }
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + utf8Bytes(name) + 1 + valueSizeBytes(element),
      3,
    );
  }
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8Bytes(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSizeBytes(n), 0);
  if (value.BS !== undefined) {
    return value.BS.reduce(
      (sum, bytes) => sum + Buffer.from(bytes as unknown as string, "base64").length,
      0,
    );
  }
  return 0;
}

/** An item's size as DynamoDB bills it: every attribute's name and value. 0 for no item. */
export function itemSizeBytes(item: WireItem | undefined): number {
  if (item === undefined) return 0;
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8Bytes(name) + valueSizeBytes(value),
    0,
  );
}

/** Write units of one item write: each started KB, at least one. */
export const writeUnitsOf = (bytes: number): number =>
  Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

/** Read units of one read of `bytes`: each started 4 KB, at least one; half when eventual. */
export const readUnitsOf = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);

/** A key attribute's value as text (keys are strings, numbers or binaries). */
const keyText = (value: AttributeValue | undefined): string | undefined =>
  value?.S ?? value?.N ?? (value?.B === undefined ? undefined : String(value.B));

/** The table partition an item (or a key) is in. */
export function tablePartition(key: WireItem): Partition {
  return `table ${keyText(key[TABLE_HASH_KEY]) ?? "?"}`;
}

/** The partition of index `indexName` (`undefined`: the table) that a Query names. */
export function queryPartition(indexName: string | undefined, hashKeyValue: string): Partition {
  const index = INDEXES.find((candidate) => candidate.name === indexName);
  return index === undefined || index.local
    ? `table ${hashKeyValue}`
    : `${index.name} ${hashKeyValue}`;
}

/** The hash key attribute a Query of `indexName` (`undefined`: the table) must name. */
export function hashKeyOf(indexName: string | undefined): string {
  return INDEXES.find((index) => index.name === indexName)?.hashKey ?? TABLE_HASH_KEY;
}

/** Where an item is in one index: its partition and its sort key; undefined when not in it. */
function entryIn(index: IndexSchema, item: WireItem | undefined) {
  if (item === undefined) return undefined;
  const hash = keyText(item[index.hashKey]);
  const range = keyText(item[index.rangeKey]);
  // A sparse index holds only the items that carry both of its key attributes.
  if (hash === undefined || range === undefined) return undefined;
  return {
    partition: index.local ? tablePartition(item) : `${index.name} ${hash}`,
    sortKey: `${hash}\u0000${range}`,
  };
}

/** Every partition an item occupies: the table's, then each index's it is in. */
export function partitionsOf(item: WireItem | undefined): Partition[] {
  if (item === undefined) return [];
  const partitions = [tablePartition(item)];
  for (const index of INDEXES) {
    const entry = entryIn(index, item);
    if (entry !== undefined) partitions.push(entry.partition);
  }
  return [...new Set(partitions)];
}

const sameItem = (a: WireItem, b: WireItem): boolean => {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => JSON.stringify(a[name]) === JSON.stringify(b[name]))
  );
};

/** One item written, as the simulator saw it before and after. */
export interface ItemWrite {
  /** The item's key: a delete of a missing item still costs a unit, on its partition. */
  key: WireItem;
  /** The item before the write; undefined when there was none. */
  before: WireItem | undefined;
  /** The item after it; undefined when the write deleted it (or the item stayed absent). */
  after: WireItem | undefined;
  /** Part of a TransactWriteItems: every unit twice. */
  transactional: boolean;
  /**
   * Bill the index entries the item has as updated even if `after` equals `before`: an estimate
   * before an Update is sent, when what it will change is not known yet.
   */
  assumeChanged?: boolean;
}

/**
 * What one successful write consumes: on the table's partition, each started KB of the larger of
 * the item before and after; on each index, an updated entry costs the same, an entry whose
 * index key changed costs a delete of the old (its size) and a put of the new (its size), an
 * entry left as it was costs nothing. The indexes project every attribute (TABLE_DEFINITION), so
 * an index entry is as large as its item. A local index's write counts on the table's key.
 */
export function chargesOfWrite({
  key,
  before,
  after,
  transactional,
  assumeChanged = false,
}: ItemWrite): Charge[] {
  const factor = transactional ? TRANSACTION_FACTOR : 1;
  const beforeBytes = itemSizeBytes(before);
  const afterBytes = itemSizeBytes(after);
  const charges: Charge[] = [
    {
      partition: tablePartition(key),
      kind: "write",
      units: writeUnitsOf(Math.max(beforeBytes, afterBytes)) * factor,
    },
  ];
  const charge = (partition: Partition, bytes: number) =>
    charges.push({ partition, kind: "write", units: writeUnitsOf(bytes) * factor });
  for (const index of INDEXES) {
    const old = entryIn(index, before);
    const next = entryIn(index, after);
    if (old !== undefined && next !== undefined && old.sortKey === next.sortKey) {
      if (
        before !== undefined &&
        after !== undefined &&
        (assumeChanged || !sameItem(before, after))
      ) {
        charge(next.partition, Math.max(beforeBytes, afterBytes));
      }
      continue;
    }
    if (old !== undefined) charge(old.partition, beforeBytes);
    if (next !== undefined) charge(next.partition, afterBytes);
  }
  return charges;
}

/**
 * What a write whose condition failed consumes: the write it would have been, on the table only
 * (nothing changed, so no index is written). AWS bills it on the larger of the existing item and
 * the item a Put would have written, at least one unit; an Update's would-be item is unknown, so
 * the existing item's size stands for it.
 */
export function chargesOfRefusedWrite(
  key: WireItem,
  existing: WireItem | undefined,
  proposed: WireItem | undefined,
  transactional: boolean,
): Charge[] {
  const bytes = Math.max(itemSizeBytes(existing), itemSizeBytes(proposed));
  return [
    {
      partition: tablePartition(key),
      kind: "write",
      units: writeUnitsOf(bytes) * (transactional ? TRANSACTION_FACTOR : 1),
    },
  ];
}

/**
 * A ConditionCheck of a TransactWriteItems is billed as a write of the item checked, twice as
 * every transaction item: 2 WCU for an item up to 1 KB. AWS's pages on transactions do not say
 * it plainly; it is what others measured against real DynamoDB (ReturnConsumedCapacity of a
 * transaction with one ConditionCheck), so the simulator bills it so.
 */
export function chargesOfConditionCheck(key: WireItem, existing: WireItem | undefined): Charge[] {
  return [
    {
      partition: tablePartition(key),
      kind: "write",
      units: writeUnitsOf(itemSizeBytes(existing)) * TRANSACTION_FACTOR,
    },
  ];
}

/** A GetItem (or one key of a BatchGetItem): the item's started 4 KB, one unit when missing. */
export function chargesOfGet(
  key: WireItem,
  item: WireItem | undefined,
  consistent: boolean,
): Charge[] {
  return [
    {
      partition: tablePartition(key),
      kind: "read",
      units: readUnitsOf(itemSizeBytes(item), consistent),
    },
  ];
}

/** One item of a TransactGetItems: a strongly consistent read, twice. */
export function chargesOfTransactGet(key: WireItem, item: WireItem | undefined): Charge[] {
  return [
    {
      partition: tablePartition(key),
      kind: "read",
      units: readUnitsOf(itemSizeBytes(item), true) * TRANSACTION_FACTOR,
    },
  ];
}

/**
 * One Query (one page of it): the sizes of every item it read added up first, then rounded up
 * to 4 KB, on the partition it named. The items read are those before any filter.
 */
export function chargesOfQuery(
  partition: Partition,
  itemsRead: readonly WireItem[],
  consistent: boolean,
): Charge[] {
  const bytes = itemsRead.reduce((sum, item) => sum + itemSizeBytes(item), 0);
  return [{ partition, kind: "read", units: readUnitsOf(bytes, consistent) }];
}

/** The key attributes of an item (or of a key): what addresses it in the table. */
export function keyOf(item: WireItem): WireItem {
  const key: WireItem = {};
  for (const name of [TABLE_HASH_KEY, TABLE_RANGE_KEY]) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}

/** A text naming one item of a table: its table and key values. */
export const itemId = (tableName: string, key: WireItem): string =>
  [tableName, keyText(key[TABLE_HASH_KEY]), keyText(key[TABLE_RANGE_KEY])].join("\u0000");

/** What an UpdateItem says, as far as its index keys are concerned. */
export interface UpdateInput {
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: WireItem;
}

const CLAUSE = /\b(SET|REMOVE|ADD|DELETE)\b/gi;

/**
 * The item an UpdateItem will leave, as far as index keys go, before it is sent: the existing
 * item (or the key alone) with the index key attributes its SET clause assigns a plain value
 * (`GSI2PK = :carts`) set, and those its REMOVE clause names removed. Enough to know which
 * index partitions a write will touch, before it may go; what it did is read afterwards.
 */
export function indexKeysAfterUpdate(
  key: WireItem,
  existing: WireItem | undefined,
  update: UpdateInput,
): WireItem {
  const item: WireItem = { ...(existing ?? key) };
  const expression = update.UpdateExpression ?? "";
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const nameOf = (token: string) => (token.startsWith("#") ? (names[token] ?? token) : token);
  const indexAttributes = new Set(INDEXES.flatMap((index) => [index.hashKey, index.rangeKey]));
  const starts = [...expression.matchAll(CLAUSE)];
  starts.forEach((start, i) => {
    const body = expression.slice(
      (start.index ?? 0) + start[0].length,
      starts[i + 1]?.index ?? expression.length,
    );
    const clause = start[0].toUpperCase();
    if (clause === "SET") {
      for (const [, target = "", placeholder = ""] of body.matchAll(
        /(#?[\w.]+)\s*=\s*(:\w+)\s*(?=,|$)/g,
      )) {
        const name = nameOf(target);
        const value = values[placeholder];
        if (indexAttributes.has(name) && value !== undefined) item[name] = value;
      }
    } else if (clause === "REMOVE") {
      for (const token of body.split(",")) {
        const name = nameOf(token.trim());
        if (indexAttributes.has(name)) delete item[name];
      }
    }
  });
  return item;
}
