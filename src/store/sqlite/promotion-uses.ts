import { type Order, promotionUsedUp, requireUsablePromotion } from "../../domain/index.js";
import { promotionFromRow } from "./rows.js";
import type { Statements } from "./statements.js";

/**
 * Inside placeOrder's transaction: checks the order's promotion (its current definition) can
 * take one more use in all and for this customer, and takes it.
 */
export function takePromotionUse(statements: Statements, order: Order): void {
  const code = order.promotionCode;
  if (code === undefined) return;
  const row = statements.promotion.get(code);
  const promotion = requireUsablePromotion(
    code,
    row === undefined ? undefined : promotionFromRow(row),
    new Date(order.createdAt),
  );
  const uses = row?.uses ?? 0;
  if (promotion.maxUses !== undefined && uses >= promotion.maxUses) {
    throw promotionUsedUp(code, false);
  }
  const customerUses = statements.customerPromotionUses.get(code, order.userId) ?? 0;
  if (promotion.maxUsesPerCustomer !== undefined && customerUses >= promotion.maxUsesPerCustomer) {
    throw promotionUsedUp(code, true);
  }
  statements.takePromotionUse.run(code);
  statements.takeCustomerPromotionUse.run({ code, userId: order.userId });
}
