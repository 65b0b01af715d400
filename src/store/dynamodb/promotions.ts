// A promotion's items: its definition (`PROMOTION#code / META`) and the use shards that count its
// uses, each with a copy of the definition, so that checkout writes one shard and never the
// definition (docs/dynamodb-table.md, "How checkout counts a promotion"). Operators write the
// definition and every shard in one transaction; `shardPromotionUses` moves a promotion of the
// older layout (one TOTAL counter) onto shards.
import {
  type ManagedPromotion,
  type Promotion,
  promotionExists,
  promotionNotFound,
  storeUnavailable,
} from "../../domain/index.js";
import { type HotReads, hotReadsOf } from "./hot-reads.js";
import {
  type Item,
  PROMOTION_DEFINITION_FIELDS,
  promotionDefinition,
  promotionFrom,
  promotionItem,
  promotionUseShardItem,
} from "./items.js";
import { getItem, getItems, queryAll, type Table } from "./reads.js";
import { failed, transact, transactOrRefuse } from "./retries.js";
import { keys, LISTS, OPERATOR_INDEX, shardNumbers } from "./table.js";

/**
 * What this process keeps of promotions counted on shards (hot-reads.ts): every cart and every
 * checkout with a code prices it from its definition, one key however many use it. Checkout
 * checks the definition again on its use shard, so a second-old copy never prices an order
 * wrongly: it is refused as changed, and priced again.
 */
const hotPromotions = new WeakMap<Table, HotReads<Item | undefined>>();

/** A promotion's definition item, kept for a second when it is counted on shards. */
export async function readPromotion(table: Table, code: string): Promise<Item | undefined> {
  const hot = hotReadsOf(hotPromotions, table);
  const kept = hot.get(code);
  if (kept !== undefined) return kept;
  const mark = hot.mark(code);
  const item = await getItem(table, keys.promotion(code));
  if (item !== undefined && useShardsOf(item) > 0) hot.keep(code, item, mark);
  return item;
}

function forgetPromotion(table: Table, code: string): void {
  hotReadsOf(hotPromotions, table).changed(code);
}

/** How often a write reads the promotion again after checkouts or another write got between. */
const WRITE_MAX_ATTEMPTS = 10;

/** How many shards count a promotion's uses: 0 for the one counter of the older layout. */
export const useShardsOf = (definition: Item | undefined): number =>
  Number(definition?.useShards ?? 0);

export const usesOf = (counter: Item | undefined): number => Number(counter?.uses ?? 0);

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * `maxUses` split over shards that hold `uses`: what is left of it (none when the uses already
 * reach it), evenly, on top of each shard's uses. The caps add up to `maxUses` (or to the uses,
 * when more were taken before the limit was lowered), so no checkout can take a use past them.
 */
export function capsOf(maxUses: number, uses: readonly number[]): number[] {
  const left = Math.max(0, maxUses - sum(uses));
  const share = Math.floor(left / uses.length);
  const extra = left % uses.length;
  return uses.map((taken, shard) => taken + share + (shard < extra ? 1 : 0));
}

/** The keys of the counters a promotion's uses are on: its shards, or its one TOTAL counter. */
function counterKeysOf(definition: Item): Record<string, string>[] {
  const code = String(definition.code);
  const shards = useShardsOf(definition);
  return shards === 0
    ? [keys.promotionUses(code)]
    : shardNumbers(shards).map((shard) => keys.promotionUseShard(code, shard));
}

/** A promotion's use shards, strongly consistent, shard 0 first (undefined where missing). */
export const readUseShards = (table: Table, code: string, shards: number) =>
  getItems(
    table,
    shardNumbers(shards).map((shard) => keys.promotionUseShard(code, shard)),
  );

/** The orders that used a promotion so far: the sum of its shards, or its one counter. */
export async function promotionUsesOf(table: Table, definition: Item): Promise<number> {
  return sum((await getItems(table, counterKeysOf(definition))).map(usesOf));
}

/** A new promotion's items: its definition and, on `shards` shards, no use yet. */
export function newPromotionItems(promotion: Promotion, shards: number): Item[] {
  if (shards === 0) return [promotionItem(promotion)];
  const none = shardNumbers(shards).map(() => 0);
  const caps = promotion.maxUses === undefined ? undefined : capsOf(promotion.maxUses, none);
  return [
    { ...promotionItem(promotion), useShards: shards },
    ...none.map((uses, shard) => promotionUseShardItem(promotion, shard, uses, caps?.[shard])),
  ];
}

export async function listPromotions(table: Table): Promise<ManagedPromotion[]> {
  const items = await queryAll(table, {
    IndexName: OPERATOR_INDEX,
    KeyConditionExpression: "GSI2PK = :promotions",
    ExpressionAttributeValues: { ":promotions": LISTS.promotions },
  });
  const promotions = await Promise.all(
    items.map(async (item) => ({
      ...promotionFrom(item),
      uses: await promotionUsesOf(table, item),
    })),
  );
  return promotions.sort((a, b) => a.code.localeCompare(b.code));
}

/** A new code on the layout's count of shards, with no use yet; PROMOTION_EXISTS when taken. */
export async function createPromotion(
  table: Table,
  promotion: Promotion,
): Promise<ManagedPromotion> {
  const items = newPromotionItems(promotion, table.layout.promotionShards);
  await transactOrRefuse(
    table.documents,
    items.map((Item) => ({
      Put: { TableName: table.name, Item, ConditionExpression: "attribute_not_exists(PK)" },
    })),
    [() => promotionExists(promotion.code)],
  );
  forgetPromotion(table, promotion.code);
  return { ...promotion, uses: 0 };
}

/**
 * Replaces a code's definition, on its item and on every shard in one transaction, keeping its
 * uses. The shards' caps are computed again from the uses read (`capsOf`), each written only if
 * its shard's uses are still within its new cap: checkouts that took uses since the read are
 * counted within the caps, never past them, and the write is retried only when one would be.
 */
export async function updatePromotion(
  table: Table,
  promotion: Promotion,
): Promise<ManagedPromotion> {
  for (let attempt = 0; attempt < WRITE_MAX_ATTEMPTS; attempt++) {
    const current = await getItem(table, keys.promotion(promotion.code));
    if (current === undefined) throw promotionNotFound(promotion.code);
    const shards = useShardsOf(current);
    const counters = await getItems(table, counterKeysOf(current));
    const uses = counters.map(usesOf);
    const caps =
      shards === 0 || promotion.maxUses === undefined ? undefined : capsOf(promotion.maxUses, uses);
    const outcome = await transact(table.documents, [
      {
        Put: {
          TableName: table.name,
          Item:
            shards === 0
              ? promotionItem(promotion)
              : { ...promotionItem(promotion), useShards: shards },
          // Not moved onto shards (or to another count) since the read.
          ConditionExpression:
            shards === 0
              ? "attribute_exists(PK) AND attribute_not_exists(#useShards)"
              : "#useShards = :useShards",
          ExpressionAttributeNames: { "#useShards": "useShards" },
          ...(shards === 0 ? {} : { ExpressionAttributeValues: { ":useShards": shards } }),
        },
      },
      ...(shards === 0
        ? []
        : shardNumbers(shards).map((shard) =>
            rewriteShard(table, promotion, shard, caps?.[shard]),
          )),
    ]);
    if (outcome.written) {
      forgetPromotion(table, promotion.code);
      return { ...promotion, uses: sum(uses) };
    }
    if (!outcome.contended && !outcome.reasons.some(failed)) throw outcome.error;
  }
  throw storeUnavailable(new Error(`promotion ${promotion.code} kept changing under its update`));
}

/** A shard's copy of the definition replaced and its cap set (removed for a code without limit). */
function rewriteShard(table: Table, promotion: Promotion, shard: number, cap: number | undefined) {
  const definition: Record<string, unknown> = promotionDefinition(promotion);
  const set = PROMOTION_DEFINITION_FIELDS.filter((name) => definition[name] !== undefined);
  const removed = PROMOTION_DEFINITION_FIELDS.filter((name) => definition[name] === undefined);
  const assignments = [
    ...set.map((name) => `#${name} = :${name}`),
    ...(cap === undefined ? [] : ["#cap = :cap"]),
  ];
  const removals = [...removed.map((name) => `#${name}`), ...(cap === undefined ? ["#cap"] : [])];
  return {
    Update: {
      TableName: table.name,
      Key: keys.promotionUseShard(promotion.code, shard),
      UpdateExpression:
        `SET ${assignments.join(", ")}` +
        (removals.length === 0 ? "" : ` REMOVE ${removals.join(", ")}`),
      ConditionExpression:
        cap === undefined ? "attribute_exists(PK)" : "attribute_exists(PK) AND #uses <= :cap",
      ExpressionAttributeNames: {
        ...Object.fromEntries(PROMOTION_DEFINITION_FIELDS.map((name) => [`#${name}`, name])),
        "#cap": "cap",
        ...(cap === undefined ? {} : { "#uses": "uses" }),
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(set.map((name) => [`:${name}`, definition[name]])),
        ...(cap === undefined ? {} : { ":cap": cap }),
      },
    },
  };
}

/**
 * Moves a promotion of the older layout (its uses on the one counter `keys.promotionUses`, no
 * `useShards` on its definition) onto `table.layout.promotionShards` shards, in ONE transaction
 * conditional on the counter's uses and the definition being those read: shard 0 takes the uses
 * so far, the caps share out what is left of `maxUses`, the counter is deleted and the definition
 * says `useShards`. Retried when a checkout or an operator got between the read and the write.
 * Returns false, writing nothing, when the promotion is on shards already. For the backfill: run
 * it once every function that checks out runs a version that counts uses on shards.
 */
export async function shardPromotionUses(table: Table, code: string): Promise<boolean> {
  const shards = table.layout.promotionShards;
  if (shards === 0) throw new RangeError("layout.promotionShards is 0: no shards to move uses to");
  for (let attempt = 0; attempt < WRITE_MAX_ATTEMPTS; attempt++) {
    const [definition, total] = await getItems(table, [
      keys.promotion(code),
      keys.promotionUses(code),
    ]);
    if (definition === undefined) throw promotionNotFound(code);
    if (useShardsOf(definition) > 0) return false;
    const promotion = promotionFrom(definition);
    const uses = shardNumbers(shards).map((shard) => (shard === 0 ? usesOf(total) : 0));
    const caps = promotion.maxUses === undefined ? undefined : capsOf(promotion.maxUses, uses);
    const unchanged = unchangedDefinition(promotion);
    const outcome = await transact(table.documents, [
      {
        Update: {
          TableName: table.name,
          Key: keys.promotion(code),
          UpdateExpression: "SET #useShards = :useShards",
          ConditionExpression: unchanged.expression,
          ExpressionAttributeNames: { ...unchanged.names, "#useShards": "useShards" },
          ExpressionAttributeValues: { ...unchanged.values, ":useShards": shards },
        },
      },
      total === undefined
        ? {
            ConditionCheck: {
              TableName: table.name,
              Key: keys.promotionUses(code),
              ConditionExpression: "attribute_not_exists(PK)",
            },
          }
        : {
            Delete: {
              TableName: table.name,
              Key: keys.promotionUses(code),
              ConditionExpression: "#uses = :uses",
              ExpressionAttributeNames: { "#uses": "uses" },
              ExpressionAttributeValues: { ":uses": usesOf(total) },
            },
          },
      ...uses.map((taken, shard) => ({
        Put: {
          TableName: table.name,
          Item: promotionUseShardItem(promotion, shard, taken, caps?.[shard]),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      })),
    ]);
    if (outcome.written) {
      forgetPromotion(table, code);
      return true;
    }
    if (!outcome.contended && !outcome.reasons.some(failed)) throw outcome.error;
  }
  throw storeUnavailable(new Error(`promotion ${code} kept changing while moved onto shards`));
}

/** The condition that a definition item is still `promotion`'s, and not on shards yet. */
function unchangedDefinition(promotion: Promotion) {
  const definition: Record<string, unknown> = promotionDefinition(promotion);
  const conditions = PROMOTION_DEFINITION_FIELDS.map((name) =>
    definition[name] === undefined ? `attribute_not_exists(#${name})` : `#${name} = :${name}`,
  );
  return {
    expression: `${conditions.join(" AND ")} AND attribute_not_exists(#useShards)`,
    names: Object.fromEntries(PROMOTION_DEFINITION_FIELDS.map((name) => [`#${name}`, name])),
    values: Object.fromEntries(
      PROMOTION_DEFINITION_FIELDS.filter((name) => definition[name] !== undefined).map((name) => [
        `:${name}`,
        definition[name],
      ]),
    ),
  };
}
