import { normalizePromotionCode, type Promotion } from "../domain/index.js";
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
      const current = (await store.listPromotions()).find((p) => p.code === normalized);
      const { uses: _uses, ...definition } = current ?? {
        code: normalized,
        percentOff: 1,
        uses: 0,
      };
      // An unknown code fails in updatePromotion with NOT_FOUND, as an update would.
      return promotionView(await store.updatePromotion({ ...definition, deactivated: true }));
    },
  };
}
