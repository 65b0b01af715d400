// Brings an existing table up to today's layout: a parallel Scan hands every item to a list of
// steps, each of which rewrites the items of one older layout (conditional on the item still
// holding the old key), and each segment's position is saved after every page, so a run that is
// stopped goes on where it stopped. `scripts/backfill-dynamodb.ts` runs it against a table.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import {
  awaitsShipping,
  isFinalStatus,
  ORDER_STATUSES,
  type OrderStatus,
} from "../../domain/index.js";
import {
  cartListKeys,
  catalogueProductFrom,
  commentSummaryItem,
  type Item,
  inFlightKeys,
  mailDueKeys,
  orderListKeys,
  toShipKeys,
} from "./items.js";
import { reshardStock } from "./operator.js";
import { shardPromotionUses } from "./promotions.js";
import type { Table } from "./reads.js";
import { failed, isConditionFailure, transact } from "./retries.js";
import {
  IN_FLIGHT_PARTITION,
  keys,
  LISTS,
  MAIL_DUE_PARTITION,
  type TableLayout,
  TO_SHIP_PARTITION,
} from "./table.js";

/**
 * One migration of the backfill. `migrate` sees every item of the table (as the Scan read it)
 * and answers true when it rewrote the item; an item it has no business with, or one already in
 * today's layout, is false. Each rewrite must be conditional on the old value it replaces: a
 * second run then changes nothing, and an item live traffic rewrote since the Scan read it (a
 * cart saved, an order finished) is left to that write.
 */
export interface BackfillStep {
  readonly name: string;
  migrate(table: Table, item: Item): Promise<boolean>;
}

/** A key's value is one of a spread list's (the old single partition included). */
const inList = (value: unknown, list: string): value is string =>
  typeof value === "string" && (value === list || value.startsWith(`${list}#`));

/** Sets `set`'s attributes on the item if `condition` still holds; false when it no longer does. */
async function rewrite(
  table: Table,
  item: Item,
  update: {
    set: string;
    condition: string;
    names?: Record<string, string>;
    values: Record<string, unknown>;
  },
): Promise<boolean> {
  try {
    await table.documents.update({
      TableName: table.name,
      Key: { PK: item.PK, SK: item.SK },
      UpdateExpression: `SET ${update.set}`,
      ConditionExpression: update.condition,
      ...(update.names === undefined ? {} : { ExpressionAttributeNames: update.names }),
      ExpressionAttributeValues: update.values,
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const orderKeysOf = (item: Item) => ({ id: String(item.id), createdAt: String(item.createdAt) });

/**
 * A step that moves the items of `types` in an operators' list (its single old partition, or
 * another shard count's) to the partition `wanted` gives them; the sort key stays.
 */
function spreadList(
  name: string,
  list: "ORDERS" | "CARTS",
  types: readonly string[],
  wanted: (item: Item, layout: TableLayout) => string,
): BackfillStep {
  return {
    name,
    async migrate(table, item) {
      if (!types.includes(String(item.type)) || !inList(item.GSI2PK, list)) return false;
      const partition = wanted(item, table.layout);
      if (item.GSI2PK === partition) return false;
      // A cart saved since the Scan has the right key, one checked out none: either is left.
      return rewrite(table, item, {
        set: "GSI2PK = :wanted",
        condition: "GSI2PK = :old",
        values: { ":wanted": partition, ":old": item.GSI2PK },
      });
    },
  };
}

const spreadOrderList = spreadList(
  "orders list (GSI2 ORDERS)",
  LISTS.orders,
  ["ORDER"],
  (item, layout) => orderListKeys(orderKeysOf(item), layout).GSI2PK,
);

/** Carts and guest carts with lines. */
const spreadCartList = spreadList(
  "carts list (GSI2 CARTS)",
  LISTS.carts,
  ["CART", "GUEST_CART"],
  (item, layout) => cartListKeys({ PK: String(item.PK) }, layout).GSI2PK,
);

/**
 * A step that puts the orders whose status `belongs` on GSI1 under `partition` (its single old
 * key, another shard count's, or none at all when placed before the list existed) where `wanted`
 * gives them, conditional on the status read: an order that moved on since leaves such a list
 * for good, and its own write took care of its keys.
 */
function spreadOrderIndex(
  name: string,
  partition: string,
  belongs: (status: OrderStatus) => boolean,
  wanted: (
    order: { id: string; createdAt: string },
    layout: TableLayout,
  ) => {
    GSI1PK: string;
    GSI1SK: string;
  },
): BackfillStep {
  return {
    name,
    async migrate(table, item) {
      const status = ORDER_STATUSES.find((known) => known === item.status);
      if (item.type !== "ORDER" || status === undefined || !belongs(status)) return false;
      if (item.GSI1PK !== undefined && !inList(item.GSI1PK, partition)) return false;
      const place = wanted(orderKeysOf(item), table.layout);
      if (item.GSI1PK === place.GSI1PK && item.GSI1SK === place.GSI1SK) return false;
      return rewrite(table, item, {
        set: "GSI1PK = :wanted, GSI1SK = :sort",
        condition:
          item.GSI1PK === undefined
            ? "#status = :status AND attribute_not_exists(GSI1PK)"
            : "#status = :status AND GSI1PK = :old",
        names: { "#status": "status" },
        values: {
          ":wanted": place.GSI1PK,
          ":sort": place.GSI1SK,
          ":status": status,
          ...(item.GSI1PK === undefined ? {} : { ":old": item.GSI1PK }),
        },
      });
    },
  };
}

/** Orders still PLACED or PROCESSING move to their shard of the in-flight orders. */
const spreadInFlightOrders = spreadOrderIndex(
  "in-flight orders (GSI1 IN_FLIGHT)",
  IN_FLIGHT_PARTITION,
  (status) => !isFinalStatus(status),
  inFlightKeys,
);

/** Paid orders (paid before the shipping queue existed, too) move to their shard of it. */
const spreadOrdersToShip = spreadOrderIndex(
  "shipping queue (GSI1 TO_SHIP)",
  TO_SHIP_PARTITION,
  awaitsShipping,
  toShipKeys,
);

/**
 * E-mails waiting to be sent under another shard count's MAIL_DUE partition move to their
 * shard, conditional on still being where they were read (a message sent since has no keys).
 */
const spreadDueMail: BackfillStep = {
  name: "due e-mails (GSI1 MAIL_DUE)",
  async migrate(table, item) {
    if (item.type !== "MAIL" || typeof item.nextAttemptAt !== "string") return false;
    if (!inList(item.GSI1PK, MAIL_DUE_PARTITION)) return false;
    const wanted = mailDueKeys({ id: String(item.id) }, item.nextAttemptAt, table.layout);
    if (item.GSI1PK === wanted.GSI1PK) return false;
    return rewrite(table, item, {
      set: "GSI1PK = :wanted",
      condition: "GSI1PK = :old",
      values: { ":wanted": wanted.GSI1PK, ":old": item.GSI1PK },
    });
  },
};

/**
 * The steps that spread the operators' lists, the in-flight orders, the shipping queue and the
 * due e-mails (`listShards`).
 */
export const LIST_STEPS: readonly BackfillStep[] = [
  spreadOrderList,
  spreadCartList,
  spreadInFlightOrders,
  spreadOrdersToShip,
  spreadDueMail,
];

/**
 * A product whose stock is still on its own item gets it split over `layout.stockShards` stock
 * items (at least one), in one transaction conditional on the stock read (`reshardStock`).
 */
const shardProductStock: BackfillStep = {
  name: "product stock (PRODUCT#id#STOCK#k)",
  async migrate(table, item) {
    if (item.type !== "PRODUCT" || item.SK !== "META" || item.stockShards !== undefined) {
      return false;
    }
    if (table.layout.stockShards === 0) return false;
    return reshardStock(table, String(item.id), table.layout.stockShards, 0);
  },
};

/** A promotion still counted on its one TOTAL counter moves onto use shards. */
const shardPromotionCounters: BackfillStep = {
  name: "promotion uses (PROMOTION_USES#code#k)",
  async migrate(table, item) {
    if (item.type !== "PROMOTION" || item.SK !== "META" || item.useShards !== undefined) {
      return false;
    }
    if (table.layout.promotionShards === 0) return false;
    return shardPromotionUses(table, String(item.code));
  },
};

/**
 * A customer's count of a promotion's uses moves from the promotion's partition to the
 * customer's (`keys.customerPromotionUses`): added there and deleted here in one transaction,
 * conditional on the count read, so a second run finds nothing to move.
 */
const moveCustomerPromotionUses: BackfillStep = {
  name: "customers' promotion uses (USER#id / PROMOTION_USES#code)",
  async migrate(table, item) {
    const pk = String(item.PK);
    const sk = String(item.SK);
    if (!pk.startsWith("PROMOTION_USES#") || !sk.startsWith("USER#")) return false;
    const code = pk.slice("PROMOTION_USES#".length);
    const userId = sk.slice("USER#".length);
    const uses = Number(item.uses ?? 0);
    const outcome = await transact(table.documents, [
      {
        Update: {
          TableName: table.name,
          Key: keys.customerPromotionUses(code, userId),
          UpdateExpression: "SET #type = :type, #code = :code ADD #uses :uses",
          ExpressionAttributeNames: { "#type": "type", "#code": "code", "#uses": "uses" },
          ExpressionAttributeValues: { ":type": "PROMOTION_USES", ":code": code, ":uses": uses },
        },
      },
      {
        Delete: {
          TableName: table.name,
          Key: { PK: pk, SK: sk },
          ConditionExpression: "#uses = :uses",
          ExpressionAttributeNames: { "#uses": "uses" },
          ExpressionAttributeValues: { ":uses": uses },
        },
      },
    ]);
    return outcome.written;
  },
};

/**
 * A product's comment summary moves off its item (in the catalogue index's one partition) to an
 * item of its own: put there unless a comment made one since (a later comment starts from the
 * product's), and removed from the product's item conditional on the count read.
 */
const moveCommentSummary: BackfillStep = {
  name: "comment summaries (PRODUCT#id#COMMENTS)",
  async migrate(table, item) {
    if (item.type !== "PRODUCT" || item.SK !== "META" || item.commentCount === undefined) {
      return false;
    }
    const productId = String(item.id);
    const count = Number(item.commentCount);
    const removeFromProduct = {
      Update: {
        TableName: table.name,
        Key: keys.product(productId),
        UpdateExpression: "REMOVE commentCount, ratingTotal, latestComments",
        ConditionExpression: "commentCount = :count",
        ExpressionAttributeValues: { ":count": count },
      },
    };
    const moved = await transact(table.documents, [
      removeFromProduct,
      {
        Put: {
          TableName: table.name,
          Item: commentSummaryItem(productId, {
            commentCount: count,
            ratingTotal: Number(item.ratingTotal ?? 0),
            comments: catalogueProductFrom(item).comments,
          }),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ]);
    if (moved.written) return true;
    // A comment since made the summary item from the product's: the product's copy only goes.
    if (moved.contended || !failed(moved.reasons[1]) || failed(moved.reasons[0])) return false;
    return (await transact(table.documents, [removeFromProduct])).written;
  },
};

/**
 * The steps that move stock, promotion counts and comment summaries off the keys that every
 * checkout or comment wrote.
 */
export const COUNTER_STEPS: readonly BackfillStep[] = [
  shardProductStock,
  shardPromotionCounters,
  moveCustomerPromotionUses,
  moveCommentSummary,
];

/** Every step a backfill runs, in this order on each item. */
export const BACKFILL_STEPS: readonly BackfillStep[] = [...LIST_STEPS, ...COUNTER_STEPS];

export interface BackfillOptions {
  /** BACKFILL_STEPS when omitted. */
  steps?: readonly BackfillStep[];
  /** Segments of the parallel Scan, each read by its own loop (4 when omitted). */
  segments?: number;
  /** Items a Scan page reads at most (`Limit`); DynamoDB's 1 MB pages when omitted. */
  pageSize?: number;
  /**
   * A JSON file each segment's position is saved to after every page: a run that finds it goes
   * on from there (same table and segment count only). Removed once the run completes.
   */
  checkpointFile?: string;
  /** Stops the run after the pages being read (each saved to the checkpoint). */
  signal?: AbortSignal;
  /** Called after every page with the counts so far. */
  onPage?: (report: BackfillReport) => void;
}

export interface BackfillReport {
  /** Items this run read. */
  scanned: number;
  /** Items this run rewrote, by step name (every step listed). */
  changed: Record<string, number>;
  /** False when the run was stopped before every segment was read. */
  complete: boolean;
}

type SegmentPosition = { done: true } | { done: false; start?: Item };

interface Checkpoint {
  table: string;
  segments: number;
  positions: SegmentPosition[];
}

const DEFAULT_SEGMENTS = 4;

/**
 * Runs `steps` over every item of the table: a parallel Scan of `segments` segments, the items
 * of a page one after the other, each segment's position checkpointed after each page. Costs
 * one read of the whole table (0.5 read unit per 4 KB) plus one write per rewritten item.
 */
export async function runBackfill(
  table: Table,
  options: BackfillOptions = {},
): Promise<BackfillReport> {
  const steps = options.steps ?? BACKFILL_STEPS;
  const segments = options.segments ?? DEFAULT_SEGMENTS;
  if (!Number.isInteger(segments) || segments < 1) {
    throw new RangeError("segments: must be an integer of at least 1");
  }
  const file = options.checkpointFile;
  const checkpoint = (file === undefined ? undefined : await readCheckpoint(file)) ?? {
    table: table.name,
    segments,
    positions: Array.from({ length: segments }, (): SegmentPosition => ({ done: false })),
  };
  if (checkpoint.table !== table.name || checkpoint.segments !== segments) {
    throw new Error(
      `checkpoint ${file} is of table ${checkpoint.table} in ${checkpoint.segments} segments, ` +
        `not ${table.name} in ${segments}: run with its segments, or remove it to start over`,
    );
  }
  const report: BackfillReport = {
    scanned: 0,
    changed: Object.fromEntries(steps.map((step) => [step.name, 0])),
    complete: false,
  };
  // Segments finish pages concurrently: their saves go one after the other, whole file each.
  let saving = Promise.resolve();
  const save = () => {
    saving = saving.then(() =>
      file === undefined ? undefined : writeCheckpoint(file, checkpoint),
    );
    return saving;
  };

  const runSegment = async (segment: number) => {
    for (;;) {
      const position = checkpoint.positions[segment];
      if (position === undefined || position.done || options.signal?.aborted === true) return;
      const page = await table.documents.scan({
        TableName: table.name,
        Segment: segment,
        TotalSegments: segments,
        ...(options.pageSize === undefined ? {} : { Limit: options.pageSize }),
        ...(position.start === undefined ? {} : { ExclusiveStartKey: position.start }),
      });
      for (const item of page.Items ?? []) {
        report.scanned += 1;
        for (const step of steps) {
          if (await step.migrate(table, item)) {
            report.changed[step.name] = (report.changed[step.name] ?? 0) + 1;
          }
        }
      }
      checkpoint.positions[segment] =
        page.LastEvaluatedKey === undefined
          ? { done: true }
          : { done: false, start: page.LastEvaluatedKey };
      await save();
      options.onPage?.({ ...report, changed: { ...report.changed } });
    }
  };

  await Promise.all(Array.from({ length: segments }, (_, segment) => runSegment(segment)));
  report.complete = checkpoint.positions.every((position) => position.done);
  if (report.complete && file !== undefined) await rm(file, { force: true });
  return report;
}

async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Checkpoint>;
  if (
    typeof parsed.table !== "string" ||
    typeof parsed.segments !== "number" ||
    !Array.isArray(parsed.positions) ||
    parsed.positions.length !== parsed.segments
  ) {
    throw new Error(`checkpoint ${file} is not a backfill checkpoint`);
  }
  return parsed as Checkpoint;
}

/** Written beside the file and renamed over it: a run killed mid-write leaves the last one. */
async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(partial, file);
}
