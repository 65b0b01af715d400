import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SaveShippingCommand, SaveTaxCommand, Store } from "../../../src/services/index.js";
import { seedShopConfig } from "../../../src/store/seed-checkout.js";
import { SAMPLE_SHIPPING, SAMPLE_TAX } from "../../helpers/admin-samples.js";
import { appErrorOf } from "../../helpers/errors.js";

// The shop's settings part of the Store contract, for every adapter: the demo settings seeded,
// each document replaced whole and read back as saved, and a save from a stale version refused
// (SETTINGS_CHANGED) without writing, also when two race from one version.

const SAVED_AT = "2026-05-01T12:00:00.000Z";

const shipping = (expectedVersion: number): SaveShippingCommand => ({
  zones: SAMPLE_SHIPPING.zones.map((zone) => ({ ...zone, countries: [...zone.countries] })),
  methods: SAMPLE_SHIPPING.methods.map((method) => ({ ...method })),
  expectedVersion,
  updatedAt: SAVED_AT,
});

/** German VAT, and Canada's GST with Québec's QST on top (a region rate). */
const tax = (expectedVersion: number): SaveTaxCommand => ({
  ...SAMPLE_TAX,
  rates: [
    ...SAMPLE_TAX.rates,
    { country: "CA", label: "GST", ratePpm: 50_000 },
    { country: "CA", region: "QC", label: "QST", ratePpm: 99_750 },
  ],
  expectedVersion,
  updatedAt: SAVED_AT,
});

export function describeShopConfigContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, shipping and tax settings`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    it("starts with the demo settings, both documents at version 1", async () => {
      expect(await store.getShopConfig()).toEqual(seedShopConfig());
    });

    it("replaces the shipping document whole and reads it back as saved, the tax one untouched", async () => {
      const { expectedVersion: _, ...document } = shipping(1);
      const saved = await store.saveShippingSettings(shipping(1));
      expect(saved).toEqual({ ...document, version: 2 });
      const read = await store.getShopConfig();
      expect(read.shipping).toEqual(saved);
      expect(read.tax).toEqual(seedShopConfig().tax);
      expect(read.shipping.methods[0]).not.toHaveProperty("minDeliveryDays");
    });

    it("replaces the tax document whole, region rates and mode included", async () => {
      const saved = await store.saveTaxSettings(tax(1));
      expect(saved.version).toBe(2);
      const read = await store.getShopConfig();
      expect(read.tax).toEqual(saved);
      expect(read.tax).toMatchObject({ mode: "inclusive", taxShipping: true });
      expect(read.tax.rates[0]).not.toHaveProperty("region");
      expect(read.shipping.version).toBe(1);
      expect((await store.saveTaxSettings(tax(2))).version).toBe(3);
    });

    it("refuses a save from a stale version with SETTINGS_CHANGED, writing nothing", async () => {
      await store.saveShippingSettings(shipping(1));
      const stale = { ...shipping(1), zones: [{ id: "x", name: "X", countries: ["FR"] }] };
      const error = await appErrorOf(store.saveShippingSettings({ ...stale, methods: [] }));
      expect(error.code).toBe("SETTINGS_CHANGED");
      expect(error.fields).toEqual([{ field: "version", message: "no longer 1" }]);
      expect((await appErrorOf(store.saveTaxSettings(tax(0)))).code).toBe("SETTINGS_CHANGED");
      expect((await appErrorOf(store.saveTaxSettings(tax(7)))).code).toBe("SETTINGS_CHANGED");
      const read = await store.getShopConfig();
      expect(read.shipping.version).toBe(2);
      expect(read.shipping.zones.map((zone) => zone.id)).toEqual(["home", "near"]);
      expect(read.tax).toEqual(seedShopConfig().tax);
    });

    it("of two saves from one version, exactly one is written", async () => {
      const results = await Promise.allSettled([
        store.saveShippingSettings(shipping(1)),
        store.saveShippingSettings({ ...shipping(1), methods: [] }),
      ]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      expect((await store.getShopConfig()).shipping.version).toBe(2);
    });

    it("refuses an invalid document naming the field, writing nothing", async () => {
      const overlapping = {
        ...shipping(1),
        zones: [
          { id: "home", name: "Germany", countries: ["DE"] },
          { id: "near", name: "Neighbours", countries: ["DE"] },
        ],
      };
      const error = await appErrorOf(store.saveShippingSettings(overlapping));
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.fields?.map((field) => field.field)).toEqual(["zones[1].countries[0]"]);
      const badRate = { ...tax(1), rates: [{ country: "DE", label: "VAT", ratePpm: 2_000_000 }] };
      const taxError = await appErrorOf(store.saveTaxSettings(badRate));
      expect(taxError.fields?.map((field) => field.field)).toEqual(["rates[0].ratePpm"]);
      expect(await store.getShopConfig()).toEqual(seedShopConfig());
    });
  });
}
