import {
  cartChanged,
  type PlaceOrderCommand,
  promotionUsedUp,
  requireUsablePromotion,
} from "../../domain/index.js";
import { promotionFrom } from "./items.js";
import { getItem, type Table } from "./reads.js";
import { keys } from "./table.js";

/**
 * The promotion's part of checkout: a check that its definition is still the one priced (active,
 * in its window, the same limits) and a counted use, in all and per customer, each conditional
 * on its limit. 50 checkouts racing for the last use: DynamoDB serialises the counter's
 * conditional update, so exactly one takes it.
 */
export function promotionUse(table: Table, { order, promotion }: PlaceOrderCommand) {
  const code = order.promotionCode;
  if (code === undefined || promotion === undefined) {
    return { items: [], refusal: async () => cartChanged() };
  }
  const now = order.createdAt;
  const limit = (name: string, value: number | undefined) =>
    value === undefined ? `attribute_not_exists(#${name})` : `#${name} = :${name}`;
  const check = {
    ConditionCheck: {
      TableName: table.name,
      Key: keys.promotion(code),
      ConditionExpression:
        "attribute_exists(PK) AND attribute_not_exists(#deactivated) AND " +
        "#percentOff = :percentOff" +
        ` AND ${limit("maxUses", promotion.maxUses)}` +
        ` AND ${limit("maxUsesPerCustomer", promotion.maxUsesPerCustomer)}` +
        " AND (attribute_not_exists(#validFrom) OR #validFrom <= :now)" +
        " AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)",
      ExpressionAttributeNames: {
        "#deactivated": "deactivated",
        "#percentOff": "percentOff",
        "#maxUses": "maxUses",
        "#maxUsesPerCustomer": "maxUsesPerCustomer",
        "#validFrom": "validFrom",
        "#expiresAt": "expiresAt",
      },
      ExpressionAttributeValues: {
        ":percentOff": promotion.percentOff,
        ":now": now,
        ...(promotion.maxUses === undefined ? {} : { ":maxUses": promotion.maxUses }),
        ...(promotion.maxUsesPerCustomer === undefined
          ? {}
          : { ":maxUsesPerCustomer": promotion.maxUsesPerCustomer }),
      },
    },
  };
  const count = (key: Record<string, string>, max: number | undefined) => ({
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
  });
  return {
    items: [
      check,
      count(keys.promotionUses(code), promotion.maxUses),
      count(keys.customerPromotionUses(code, order.userId), promotion.maxUsesPerCustomer),
    ],
    /** Which of the three refused: [definition, total, customer]. */
    refusal: async ([definition, total]: boolean[]): Promise<Error> => {
      if (definition === true) {
        const item = await getItem(table, keys.promotion(code));
        // Unusable now: say why; usable but changed (its limits): price the cart again.
        requireUsablePromotion(
          code,
          item === undefined ? undefined : promotionFrom(item),
          new Date(now),
        );
        return cartChanged();
      }
      return promotionUsedUp(code, total !== true);
    },
  };
}
