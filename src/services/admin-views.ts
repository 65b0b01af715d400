import {
  CURRENCY,
  type ManagedProduct,
  type ManagedPromotion,
  type Order,
  type StockAdjustment,
} from "../domain/index.js";
import { type OrderView, orderView } from "./views.js";

// What the operators' routes answer. Amounts are integer cents of `currency`.

export interface ManagedProductView {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  currency: string;
  stock: number;
  /** Out of the catalogue; still named by the orders that have it. */
  archived: boolean;
}

export interface StockAdjustmentView {
  id: string;
  productId: string;
  delta: number;
  reason: string;
  note: string | null;
  actor: string;
  createdAt: string;
  stockAfter: number;
}

export interface PromotionView {
  code: string;
  percentOff: number;
  validFrom: string | null;
  validUntil: string | null;
  maxUses: number | null;
  maxUsesPerCustomer: number | null;
  active: boolean;
  /** Orders placed with the code so far. */
  uses: number;
}

/** Any user's order, with whose it is. */
export interface AdminOrderView extends OrderView {
  userId: string;
}

export const managedProductView = (product: ManagedProduct): ManagedProductView => ({
  id: product.id,
  name: product.name,
  description: product.description,
  imageUrl: product.imageUrl,
  priceCents: product.priceCents,
  currency: CURRENCY,
  stock: product.stock,
  archived: product.archived,
});

export const stockAdjustmentView = (adjustment: StockAdjustment): StockAdjustmentView => ({
  id: adjustment.id,
  productId: adjustment.productId,
  delta: adjustment.delta,
  reason: adjustment.reason,
  note: adjustment.note ?? null,
  actor: adjustment.actor,
  createdAt: adjustment.createdAt,
  stockAfter: adjustment.stockAfter,
});

export const promotionView = (promotion: ManagedPromotion): PromotionView => ({
  code: promotion.code,
  percentOff: promotion.percentOff,
  validFrom: promotion.validFrom ?? null,
  validUntil: promotion.expiresAt ?? null,
  maxUses: promotion.maxUses ?? null,
  maxUsesPerCustomer: promotion.maxUsesPerCustomer ?? null,
  active: promotion.deactivated !== true,
  uses: promotion.uses,
});

export const adminOrderView = (order: Order): AdminOrderView => ({
  ...orderView(order),
  userId: order.userId,
});
