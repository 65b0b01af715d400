import {
  cartChanged,
  type Order,
  type PlaceOrderCommand,
  type Promotion,
  promotionUsedUp,
  requireUsablePromotion,
  storeUnavailable,
} from "../../domain/index.js";
import { type Item, promotionFrom } from "./items.js";
import { promotionUsesOf, readUseShards, useShardsOf, usesOf } from "./promotions.js";
import { getItem, getItems, type Table } from "./reads.js";
import type { TransactItems } from "./retries.js";
import { keys, shardNumbers, shardOf } from "./table.js";

/** Transactions a checkout sends at most while the shards it picks fill under it. */
const MAX_ATTEMPTS = 8;

/** The promotion's part of one checkout transaction. */
export interface PromotionUse {
  /** What the checkout's transaction adds for its promotion (nothing without one). */
  readonly items: NonNullable<TransactItems>;
  /**
   * Given which of `items` failed, in their order: the use to try in a new transaction (the
   * shard picked is full but another has room, or the promotion is on another layout), or throws
   * the refusal.
   */
  retry(failedItems: readonly boolean[]): Promise<PromotionUse>;
}

/**
 * The promotion's part of checkout: a check that its definition is still the one priced (active,
 * in its window, the same terms) and a counted use, in all and per customer, each conditional on
 * its limit. The use is counted on one of the promotion's shards, which carries a copy of the
 * definition and its share of `maxUses` (`cap`): one write on a key of the shard's own, none on
 * the definition. 50 checkouts racing for the last use of a shard: DynamoDB serialises the
 * shard's conditional update, so exactly one takes it; the others retry on a shard with room,
 * and are refused once every shard is full.
 */
export function promotionUse(table: Table, command: PlaceOrderCommand): PromotionUse {
  const shards = table.layout.promotionShards;
  // The layout's count is that of every promotion created or moved under it. One counted
  // otherwise (on fewer shards, or on the older layout's one counter) fails the shard's
  // `attribute_exists(PK)`, and the retry reads the count its definition item says.
  return useOn(table, command, shards === 0 ? undefined : shardOf(command.order.id, shards), 1);
}

/** A use counted on `shard`, or on the one counter of the older layout when undefined. */
function useOn(
  table: Table,
  command: PlaceOrderCommand,
  shard: number | undefined,
  attempt: number,
): PromotionUse {
  const { order, promotion } = command;
  const code = order.promotionCode;
  if (code === undefined || promotion === undefined) {
    return {
      items: [],
      retry: async () => {
        throw cartChanged();
      },
    };
  }
  const terms = pricedTerms(promotion, order.createdAt);
  const customer = count(
    table,
    keys.customerPromotionUses(code, order.userId),
    code,
    promotion.maxUsesPerCustomer,
  );
  const again = (customerFailed: boolean) =>
    replan(table, command, { shard, attempt, customerFailed });
  if (shard === undefined) {
    const check = {
      ConditionCheck: {
        TableName: table.name,
        Key: keys.promotion(code),
        // Not moved onto shards since: its uses are no longer counted on TOTAL.
        ConditionExpression: `${terms.expression} AND attribute_not_exists(#useShards)`,
        ExpressionAttributeNames: { ...terms.names, "#useShards": "useShards" },
        ExpressionAttributeValues: terms.values,
      },
    };
    return {
      items: [check, count(table, keys.promotionUses(code), code, promotion.maxUses), customer],
      retry: async ([definition, total, mine]) => {
        if (definition === true) return again(mine === true);
        throw promotionUsedUp(code, total !== true);
      },
    };
  }
  const capped = promotion.maxUses !== undefined;
  const use = {
    Update: {
      TableName: table.name,
      Key: keys.promotionUseShard(code, shard),
      UpdateExpression: "ADD #uses :one",
      ConditionExpression: capped ? `${terms.expression} AND #uses < #cap` : terms.expression,
      ExpressionAttributeNames: {
        ...terms.names,
        "#uses": "uses",
        ...(capped ? { "#cap": "cap" } : {}),
      },
      ExpressionAttributeValues: { ...terms.values, ":one": 1 },
    },
  };
  return {
    items: [use, customer],
    retry: async ([counter, mine]) => {
      if (counter === true) return again(mine === true);
      throw promotionUsedUp(code, true);
    },
  };
}

/**
 * The condition that an item carrying a promotion's definition (its own, or a use shard's copy)
 * still has the terms the cart was priced with, and allows a use at `now`.
 */
function pricedTerms(promotion: Promotion, now: string) {
  const limit = (name: string, value: number | undefined) =>
    value === undefined ? `attribute_not_exists(#${name})` : `#${name} = :${name}`;
  return {
    expression:
      "attribute_exists(PK) AND attribute_not_exists(#deactivated) AND " +
      "#percentOff = :percentOff" +
      ` AND ${limit("maxUses", promotion.maxUses)}` +
      ` AND ${limit("maxUsesPerCustomer", promotion.maxUsesPerCustomer)}` +
      " AND (attribute_not_exists(#validFrom) OR #validFrom <= :now)" +
      " AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)",
    names: {
      "#deactivated": "deactivated",
      "#percentOff": "percentOff",
      "#maxUses": "maxUses",
      "#maxUsesPerCustomer": "maxUsesPerCustomer",
      "#validFrom": "validFrom",
      "#expiresAt": "expiresAt",
    },
    values: {
      ":percentOff": promotion.percentOff,
      ":now": now,
      ...(promotion.maxUses === undefined ? {} : { ":maxUses": promotion.maxUses }),
      ...(promotion.maxUsesPerCustomer === undefined
        ? {}
        : { ":maxUsesPerCustomer": promotion.maxUsesPerCustomer }),
    },
  };
}

/** One more use on a counter (the older layout's TOTAL, or a customer's), under `max`. */
function count(table: Table, key: Record<string, string>, code: string, max: number | undefined) {
  return {
    Update: {
      TableName: table.name,
      Key: key,
      UpdateExpression: "SET #type = :type, #code = :code ADD #uses :one",
      ...(max === undefined
        ? {}
        : { ConditionExpression: "attribute_not_exists(#uses) OR #uses < :max" }),
      ExpressionAttributeNames: { "#type": "type", "#code": "code", "#uses": "uses" },
      ExpressionAttributeValues: {
        ":type": "PROMOTION_USES",
        ":code": code,
        ":one": 1,
        ...(max === undefined ? {} : { ":max": max }),
      },
    },
  };
}

/**
 * After the definition's check failed (on the promotion's item or on the shard picked): reads the
 * definition and says why, or, when it still has the terms priced, reads every shard and retries
 * on one with room; PROMOTION used up when none has any.
 */
async function replan(
  table: Table,
  command: PlaceOrderCommand,
  tried: { shard: number | undefined; attempt: number; customerFailed: boolean },
): Promise<PromotionUse> {
  const { order, promotion: priced } = command;
  const code = order.promotionCode;
  if (code === undefined || priced === undefined) throw cartChanged();
  const item = await getItem(table, keys.promotion(code));
  // Unusable now: say why; usable but changed (its terms): price the cart again.
  const current = requireUsablePromotion(
    code,
    item === undefined ? undefined : promotionFrom(item),
    new Date(order.createdAt),
  );
  if (!sameTerms(current, priced)) throw cartChanged();
  const shards = useShardsOf(item);
  if (shards === 0) {
    if (tried.shard === undefined) throw cartChanged();
    return useOn(table, command, undefined, tried.attempt + 1);
  }
  const counters = await readUseShards(table, code, shards);
  const open = shardNumbers(shards).filter((shard) => hasRoom(counters[shard], current.maxUses));
  if (open.length === 0) throw promotionUsedUp(code, false);
  if (tried.customerFailed) throw promotionUsedUp(code, true);
  if (tried.attempt >= MAX_ATTEMPTS) {
    throw storeUnavailable(new Error(`the shards of promotion ${code} kept filling`));
  }
  const shard = open[Math.floor(Math.random() * open.length)];
  return useOn(table, command, shard, tried.attempt + 1);
}

/** The terms checkout compares with the ones priced (the window is checked against the time). */
const sameTerms = (a: Promotion, b: Promotion): boolean =>
  a.percentOff === b.percentOff &&
  a.maxUses === b.maxUses &&
  a.maxUsesPerCustomer === b.maxUsesPerCustomer;

const hasRoom = (shard: Item | undefined, maxUses: number | undefined): boolean =>
  shard !== undefined && (maxUses === undefined || usesOf(shard) < Number(shard.cap));

/**
 * For a checkout that kept meeting other transactions: throws what the promotion's state read
 * now refuses it with, as its items' conditions would (unusable, used up in all, or by this
 * customer); returns when it would pass.
 */
export async function requirePromotionLeft(table: Table, order: Order): Promise<void> {
  const code = order.promotionCode;
  if (code === undefined) return;
  const [definition, mine] = await getItems(table, [
    keys.promotion(code),
    keys.customerPromotionUses(code, order.userId),
  ]);
  const promotion = requireUsablePromotion(
    code,
    definition === undefined ? undefined : promotionFrom(definition),
    new Date(order.createdAt),
  );
  if (
    definition !== undefined &&
    promotion.maxUses !== undefined &&
    (await promotionUsesOf(table, definition)) >= promotion.maxUses
  ) {
    throw promotionUsedUp(code, false);
  }
  const limit = promotion.maxUsesPerCustomer;
  if (limit !== undefined && usesOf(mine) >= limit) throw promotionUsedUp(code, true);
}
