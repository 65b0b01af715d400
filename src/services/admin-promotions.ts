import { normalizePromotionCode, type Promotion, promotionNotFound } from "../domain/index.js";
import { type PromotionView, promotionView } from "./admin-views.js";
import { requireAdmin } from "./operator-access.js";
import type { Caller, Store } from "./ports.js";

export interface PromotionDefinition {
  percentOff: number;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  maxUses?: number | undefined;
  maxUsesPerCustomer?: number | undefined;
  active: boolean;
}

/** Promotion codes, for the operators only. Limits are enforced by checkout, atomically. */
export interface AdminPromotionService {
  listPromotions(caller: Caller | undefined): Promise<PromotionView[]>;
  createPromotion(
    caller: Caller | undefined,
    input: PromotionDefinition & { code: string },
  ): Promise<PromotionView>;
  /** Replaces the code's definition; its uses so far are kept. */
  updatePromotion(
    caller: Caller | undefined,
    code: string,
    input: PromotionDefinition,
  ): Promise<PromotionView>;
  /** Refused from now on, at cart saves and checkouts; the orders that used it keep it. */
  deactivatePromotion(caller: Caller | undefined, code: string): Promise<PromotionView>;
}

function promotionOf(code: string, input: PromotionDefinition): Promotion {
  return {
    code: normalizePromotionCode(code),
    percentOff: input.percentOff,
    ...(input.validFrom === undefined
      ? {}
      : { validFrom: new Date(input.validFrom).toISOString() }),
    ...(input.validUntil === undefined
      ? {}
      : { expiresAt: new Date(input.validUntil).toISOString() }),
    ...(input.maxUses === undefined ? {} : { maxUses: input.maxUses }),
    ...(input.maxUsesPerCustomer === undefined
      ? {}
      : { maxUsesPerCustomer: input.maxUsesPerCustomer }),
    ...(input.active ? {} : { deactivated: true as const }),
  };
}

export function createAdminPromotionService(deps: { store: Store }): AdminPromotionService {
  const { store } = deps;
  return {
    async listPromotions(caller) {
      requireAdmin(caller);
      return (await store.listPromotions()).map(promotionView);
    },

    async createPromotion(caller, input) {
      requireAdmin(caller);
      return promotionView(await store.createPromotion(promotionOf(input.code, input)));
    },

    async updatePromotion(caller, code, input) {
      requireAdmin(caller);
      return promotionView(await store.updatePromotion(promotionOf(code, input)));
    },

    async deactivatePromotion(caller, code) {
      requireAdmin(caller);
      const normalized = normalizePromotionCode(code);
      const current = await store.getPromotion(normalized);
      if (current === undefined) throw promotionNotFound(normalized);
      return promotionView(await store.updatePromotion({ ...current, deactivated: true }));
    },
  };
}
