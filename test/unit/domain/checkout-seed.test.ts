import { describe, expect, it } from "vitest";
import {
  checkShippingMethods,
  checkShippingZones,
  checkTaxRates,
  methodsFor,
  priceCheckout,
  ratesFor,
} from "../../../src/domain/index.js";
import {
  SEED_SHIPPING_METHODS,
  SEED_SHIPPING_ZONES,
  SEED_TAX_CONFIG,
  SEED_TAX_RATES,
} from "../../../src/store/seed-checkout.js";

describe("the demo checkout configuration", () => {
  it("passes the rules an operator's configuration must", () => {
    expect(checkShippingZones(SEED_SHIPPING_ZONES)).toEqual([]);
    expect(checkShippingMethods(SEED_SHIPPING_METHODS, SEED_SHIPPING_ZONES)).toEqual([]);
    expect(checkTaxRates(SEED_TAX_RATES)).toEqual([]);
  });

  it("ships to every zone's countries, each with at least one method", () => {
    for (const zone of SEED_SHIPPING_ZONES) {
      for (const country of zone.countries) {
        expect(
          methodsFor(SEED_SHIPPING_ZONES, SEED_SHIPPING_METHODS, country, 0).length,
        ).toBeGreaterThan(0);
      }
    }
  });

  it("leaves countries uncovered, so that NOT_SHIPPABLE can be seen", () => {
    for (const country of ["BR", "CN", "IN"]) {
      expect(() => methodsFor(SEED_SHIPPING_ZONES, SEED_SHIPPING_METHODS, country, 0)).toThrow(
        expect.objectContaining({ code: "NOT_SHIPPABLE" }),
      );
    }
  });

  it("holds the rates as parts per million", () => {
    const rate = (country: string, region?: string) =>
      ratesFor(SEED_TAX_RATES, { country, region }).map((r) => r.ratePpm);
    expect(rate("DE")).toEqual([190_000]);
    expect(rate("FR")).toEqual([200_000]);
    expect(rate("NL")).toEqual([210_000]);
    expect(rate("GB")).toEqual([200_000]);
    expect(rate("US", "MN")).toEqual([68_750]);
    expect(rate("CA", "QC")).toEqual([50_000, 99_750]);
    expect(rate("US", "OR")).toEqual([]);
  });

  it("prices a US basket with state tax on top and free ground shipping above 50 dollars", () => {
    const [ground] = methodsFor(SEED_SHIPPING_ZONES, SEED_SHIPPING_METHODS, "US", 5998);
    expect(ground).toMatchObject({ methodId: "us-ground", priceCents: 0 });
    const totals = priceCheckout({
      pricedCart: { subtotalCents: 5998, discountCents: 0 },
      shippingCents: 0,
      address: { country: "US", region: "CA" },
      rates: SEED_TAX_RATES,
      config: SEED_TAX_CONFIG,
    });
    expect(totals).toMatchObject({ taxCents: 435, totalCents: 6433 });
  });
});
