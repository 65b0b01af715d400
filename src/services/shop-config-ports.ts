import type { ShippingMethod, ShippingZone, TaxConfig, TaxRate } from "../domain/index.js";

// The shop's shipping and tax settings' part of the Store port, apart from ports.ts: what the
// operators replace now and then and what every checkout reads. Two documents, each with its
// own version, so that an operator editing the tax rates never conflicts with one editing the
// shipping zones.

/** The shipping zones and their methods, as one document. */
export interface ShippingSettings {
  zones: ShippingZone[];
  methods: ShippingMethod[];
  /** 0 before the first save (and no seed): nothing is shipped anywhere. */
  version: number;
  /** When an operator saved this version; absent when never saved (seeded or empty). */
  updatedAt?: string;
}

/** The tax rates and how the shop applies them, as one document. */
export interface TaxSettings extends TaxConfig {
  rates: TaxRate[];
  version: number;
  updatedAt?: string;
}

export interface ShopConfig {
  shipping: ShippingSettings;
  tax: TaxSettings;
}

/** A shipping document to save in place of the one at `expectedVersion`. */
export interface SaveShippingCommand {
  zones: ShippingZone[];
  methods: ShippingMethod[];
  expectedVersion: number;
  updatedAt: string;
}

export interface SaveTaxCommand extends TaxConfig {
  rates: TaxRate[];
  expectedVersion: number;
  updatedAt: string;
}

export interface ShopConfigStore {
  /**
   * Both documents, in one round trip; a document never saved (nor seeded) is at version 0,
   * empty, tax-exclusive with shipping untaxed (`unsavedShopConfig`).
   */
  getShopConfig(): Promise<ShopConfig>;
  /**
   * In ONE conditional write: replaces the shipping document if it is still at
   * `expectedVersion` (0: never saved), answering it at the next version; SETTINGS_CHANGED,
   * writing nothing, otherwise. VALIDATION_FAILED (`assertShippingConfiguration`) first.
   */
  saveShippingSettings(command: SaveShippingCommand): Promise<ShippingSettings>;
  /** As `saveShippingSettings`, for the tax document (`assertTaxRates`). */
  saveTaxSettings(command: SaveTaxCommand): Promise<TaxSettings>;
}

/** The Store methods of the shop's settings: each adapter keeps them in a part of its own. */
export type ShopConfigStoreMethod = keyof ShopConfigStore;

/** The settings of a store where nothing was ever saved nor seeded: no zone, no rate. */
export const unsavedShopConfig = (): ShopConfig => ({
  shipping: { zones: [], methods: [], version: 0 },
  tax: { rates: [], mode: "exclusive", taxShipping: false, version: 0 },
});
