// Reading a list whose items are spread over several partitions of an index (the operators'
// ORDERS and CARTS lists, the in-flight orders, the shipping queue, the due e-mails): one Query
// per shard, in parallel, merged by sort key. Where each item is written is `items.ts`'s
// (`orderListKeys`, `cartListKeys`, `inFlightKeys`, `toShipKeys`, `mailDueKeys`); the shard
// count is the table's `layout.listShards`.
import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Item } from "./items.js";
import { queryAll, type Table } from "./reads.js";
import { keys, shardNumbers } from "./table.js";

/** Reads of one shard for one page at most, when a filter keeps few of the items read. */
const MAX_READS_PER_SHARD = 20;

/** Every partition of an operators' list, in shard order: what a fan-out read queries. */
export const listPartitions = (list: "ORDERS" | "CARTS", shards: number): string[] =>
  shardNumbers(shards).map((shard) => keys.listPartition(list, shard));

/** Every partition of the in-flight orders. */
export const inFlightPartitions = (shards: number): string[] =>
  shardNumbers(shards).map(keys.inFlightPartition);

/** Every partition of the shipping queue. */
export const toShipPartitions = (shards: number): string[] =>
  shardNumbers(shards).map(keys.toShipPartition);

/** Every partition of the e-mails waiting to be sent. */
export const mailDuePartitions = (shards: number): string[] =>
  shardNumbers(shards).map(keys.mailDuePartition);

/** A list spread over `partitions` of an index, and the part of it a read wants. */
export interface SpreadList {
  readonly index: { name: string; partitionKey: string; sortKey: string };
  readonly partitions: readonly string[];
  /** Descending sort keys (newest first for `createdAt#id` keys), else ascending. */
  readonly descending: boolean;
  /** Only sort keys strictly above and below these (either may be absent). */
  readonly above?: string | undefined;
  readonly below?: string | undefined;
  /** A filter on the items' attributes (never on the index's keys). */
  readonly filter?:
    | {
        expression: string;
        names: Record<string, string>;
        values: Record<string, unknown>;
      }
    | undefined;
  /**
   * Queries of one shard for one page at most (20 when omitted): a shard whose filter kept
   * fewer items than the page stops there, and the page ends where the first such shard did.
   */
  readonly maxReadsPerShard?: number | undefined;
}

export interface SpreadPage {
  items: Item[];
  /**
   * Where the next page goes on from (undefined on the last): the last item of this one, or the
   * last key a shard evaluated when a filter made it stop short. Its sort key is the next
   * page's `above` (ascending) or `below` (descending) bound.
   */
  next: Item | undefined;
}

/**
 * One page of a spread list: each shard is queried in parallel with the same key condition on
 * the sort key and `Limit` `limit` + 1 (read further only while a filter drops items), the
 * answers are merged by sort key, and the first `limit` are the page. The next page is again a
 * key condition on every shard (`sort < <last key>` read descending), so no item key is rebuilt
 * from a cursor and the shards need no cursor of their own.
 *
 * Reading a page costs one Query per shard (`layout.listShards` of them), each reading up to
 * `limit` + 1 items: read units for up to shards × (limit + 1) items, where one partition
 * would have read limit + 1. That is the price of writes no single partition has to absorb.
 */
export async function spreadPage(
  table: Table,
  list: SpreadList,
  limit: number,
): Promise<SpreadPage> {
  const wanted = limit + 1;
  const shards = await Promise.all(
    list.partitions.map((partition) => readShard(table, list, partition, wanted)),
  );
  const sortOf = (item: Item) => String(item[list.index.sortKey]);
  // Sort keys end in the item's id, so two shards never hold the same one; they are ASCII (ISO
  // times, ids, PKs), where JavaScript's string order is DynamoDB's byte order.
  const beforeInReadOrder = (a: string, b: string) => (list.descending ? a > b : a < b);
  const byReadOrder = (a: Item, b: Item) =>
    beforeInReadOrder(sortOf(a), sortOf(b)) ? -1 : beforeInReadOrder(sortOf(b), sortOf(a)) ? 1 : 0;
  // A shard that stopped short only vouches for the keys up to where it stopped: past the
  // earliest such point (in read order), another page must look again.
  const frontier = shards
    .flatMap((shard) => (shard.stoppedAt === undefined ? [] : [shard.stoppedAt]))
    .sort(byReadOrder)[0];
  const merged = shards
    .flatMap((shard) => shard.items)
    .filter((item) => frontier === undefined || !beforeInReadOrder(sortOf(frontier), sortOf(item)))
    .sort(byReadOrder);
  const items = merged.slice(0, limit);
  // Every shard read `wanted` items or ran out, so more than `limit` merged means more follow;
  // at most `limit` means each shard ran out, or stopped short at the frontier.
  return { items, next: merged.length > limit ? items.at(-1) : frontier };
}

/** Up to `wanted` items of one shard, and where it stopped when it read fewer with more left. */
async function readShard(
  table: Table,
  list: SpreadList,
  partition: string,
  wanted: number,
): Promise<{ items: Item[]; stoppedAt: Item | undefined }> {
  const { index, above, below, filter } = list;
  const sortOf = (item: Item) => String(item[index.sortKey]);
  // A key condition takes one range on the sort key: both bounds are a BETWEEN, which includes
  // them, so the bounds' own keys are dropped here (at most one extra item read).
  const inside = (item: Item) =>
    (above === undefined || sortOf(item) > above) && (below === undefined || sortOf(item) < below);
  const items: Item[] = [];
  let start: Item | undefined;
  const maxReads = list.maxReadsPerShard ?? MAX_READS_PER_SHARD;
  for (let reads = 0; reads < maxReads; reads++) {
    const answer = await table.documents.query({
      TableName: table.name,
      IndexName: index.name,
      KeyConditionExpression: `#pk = :partition${sortCondition(above, below)}`,
      ...(filter === undefined ? {} : { FilterExpression: filter.expression }),
      ExpressionAttributeNames: {
        "#pk": index.partitionKey,
        ...(above === undefined && below === undefined ? {} : { "#sk": index.sortKey }),
        ...filter?.names,
      },
      ExpressionAttributeValues: {
        ":partition": partition,
        ...(above === undefined ? {} : { ":above": above }),
        ...(below === undefined ? {} : { ":below": below }),
        ...filter?.values,
      },
      ScanIndexForward: !list.descending,
      Limit: wanted - items.length,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    items.push(...(answer.Items ?? []).filter(inside));
    start = answer.LastEvaluatedKey;
    if (start === undefined || items.length >= wanted) break;
  }
  return { items, stoppedAt: items.length >= wanted ? undefined : start };
}

function sortCondition(above: string | undefined, below: string | undefined): string {
  if (above !== undefined && below !== undefined) return " AND #sk BETWEEN :above AND :below";
  if (above !== undefined) return " AND #sk > :above";
  if (below !== undefined) return " AND #sk < :below";
  return "";
}

/**
 * Every item of a spread list: each shard queried in parallel to its end (page after page),
 * `input` giving the rest of each shard's Query. One Query per shard at least.
 */
export async function queryEveryShard(
  table: Table,
  partitions: readonly string[],
  input: (partition: string) => Omit<QueryCommandInput, "TableName">,
): Promise<Item[]> {
  const shards = await Promise.all(
    partitions.map((partition) => queryAll(table, input(partition))),
  );
  return shards.flat();
}
