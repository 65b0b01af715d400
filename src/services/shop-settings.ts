import {
  isAppError,
  methodsFor,
  notShippable,
  type ShippingMethod,
  type ShippingOption,
} from "../domain/index.js";
import { requireAdmin } from "./operator-access.js";
import type { Caller, Clock, Store } from "./ports.js";
import type { ShippingSettings, ShopConfig, TaxSettings } from "./shop-config-ports.js";
import type {
  ShippingMethodsQuery,
  ShippingSettingsInput,
  TaxSettingsInput,
} from "./shop-settings-inputs.js";

/**
 * How long one process serves the settings it read before reading them again. Every checkout
 * needs them and they all live in one partition of the DynamoDB table (`SHOP_CONFIG`): read per
 * checkout, that partition would be the hot key DESIGN.md forbids. Cached per process, its
 * reads are at most one per instance per this period, whatever the checkout rate; the price is
 * that a change reaches other instances up to this late (the saving one at once).
 */
export const SHOP_SETTINGS_CACHE_MS = 30_000;

/** The shipping methods offered to one country for one amount of goods, cheapest first. */
export interface ShippingMethodsView {
  country: string;
  goodsCents: number;
  methods: ShippingOption[];
}

export interface ShopSettingsService {
  /**
   * The settings as checkout prices with them: from the per-process cache, up to
   * SHOP_SETTINGS_CACHE_MS old. Shared by every caller of the process: read, never change.
   */
  current(): Promise<ShopConfig>;
  /** NOT_SHIPPABLE naming `country` when no zone (or no method) covers it. */
  shippingMethods(query: ShippingMethodsQuery): Promise<ShippingMethodsView>;
  /** The operators' reads are never cached: the version they save from must be the latest. */
  shippingSettings(caller: Caller | undefined): Promise<ShippingSettings>;
  saveShippingSettings(
    caller: Caller | undefined,
    input: ShippingSettingsInput,
  ): Promise<ShippingSettings>;
  taxSettings(caller: Caller | undefined): Promise<TaxSettings>;
  saveTaxSettings(caller: Caller | undefined, input: TaxSettingsInput): Promise<TaxSettings>;
}

/**
 * The last settings read, for `ttlMs`. Concurrent misses share one read, so a cold instance
 * under a burst of checkouts reads once; a failed read is not kept.
 */
function settingsCache(store: Store, clock: Clock, ttlMs: number) {
  let entry: { config: Promise<ShopConfig>; readAt: number } | undefined;
  return {
    read(): Promise<ShopConfig> {
      const now = clock.now().getTime();
      if (entry === undefined || now - entry.readAt >= ttlMs) {
        const config = store.getShopConfig();
        const current = { config, readAt: now };
        entry = current;
        config.catch(() => {
          if (entry === current) entry = undefined;
        });
      }
      return entry.config;
    },
    forget(): void {
      entry = undefined;
    },
  };
}

// zod's optional fields are `T | undefined`; the domain's are absent instead.
const methodOf = (method: ShippingSettingsInput["methods"][number]): ShippingMethod => {
  const { freeAboveCents, minDeliveryDays, maxDeliveryDays, ...required } = method;
  return {
    ...required,
    ...(freeAboveCents === undefined ? {} : { freeAboveCents }),
    ...(minDeliveryDays === undefined ? {} : { minDeliveryDays }),
    ...(maxDeliveryDays === undefined ? {} : { maxDeliveryDays }),
  };
};

export function createShopSettingsService(deps: {
  store: Store;
  clock: Clock;
  shopSettingsCacheMs?: number;
}): ShopSettingsService {
  const { store, clock } = deps;
  const cache = settingsCache(store, clock, deps.shopSettingsCacheMs ?? SHOP_SETTINGS_CACHE_MS);
  return {
    current: () => cache.read(),

    async shippingMethods({ country, goodsCents = 0 }) {
      const { shipping } = await cache.read();
      try {
        return {
          country,
          goodsCents,
          methods: methodsFor(shipping.zones, shipping.methods, country, goodsCents),
        };
      } catch (error) {
        if (isAppError(error) && error.code === "NOT_SHIPPABLE")
          throw notShippable(country, "country");
        throw error;
      }
    },

    async shippingSettings(caller) {
      requireAdmin(caller);
      return (await store.getShopConfig()).shipping;
    },

    async saveShippingSettings(caller, input) {
      requireAdmin(caller);
      const saved = await store.saveShippingSettings({
        zones: input.zones,
        methods: input.methods.map(methodOf),
        expectedVersion: input.version,
        updatedAt: clock.now().toISOString(),
      });
      cache.forget();
      return saved;
    },

    async taxSettings(caller) {
      requireAdmin(caller);
      return (await store.getShopConfig()).tax;
    },

    async saveTaxSettings(caller, input) {
      requireAdmin(caller);
      const saved = await store.saveTaxSettings({
        rates: input.rates.map(({ region, ...rate }) => ({
          ...rate,
          ...(region === undefined ? {} : { region }),
        })),
        mode: input.mode,
        taxShipping: input.taxShipping,
        expectedVersion: input.version,
        updatedAt: clock.now().toISOString(),
      });
      cache.forget();
      return saved;
    },
  };
}
