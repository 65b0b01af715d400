import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertTaxRates,
  CART_LIMITS,
  type CheckoutPricing,
  checkTaxRates,
  MAX_PRICE_CENTS,
  PPM,
  priceCheckout,
  ratesFor,
  type TaxConfig,
  type TaxRate,
} from "../../../src/domain/index.js";

const rates: TaxRate[] = [
  { country: "DE", label: "VAT", ratePpm: 190_000 },
  { country: "FR", label: "VAT", ratePpm: 200_000 },
  { country: "NL", label: "VAT", ratePpm: 210_000 },
  { country: "US", region: "CA", label: "CA sales tax", ratePpm: 72_500 },
  { country: "US", region: "MN", label: "MN sales tax", ratePpm: 68_750 },
  { country: "CA", label: "GST", ratePpm: 50_000 },
  { country: "CA", region: "BC", label: "PST", ratePpm: 70_000 },
  { country: "CA", region: "QC", label: "QST", ratePpm: 99_750 },
];

const inclusive: TaxConfig = { mode: "inclusive", taxShipping: true };
const exclusive: TaxConfig = { mode: "exclusive", taxShipping: false };

function price(
  subtotalCents: number,
  options: Partial<Omit<CheckoutPricing, "pricedCart">> & { discountCents?: number } = {},
) {
  return priceCheckout({
    pricedCart: { subtotalCents, discountCents: options.discountCents ?? 0 },
    shippingCents: options.shippingCents ?? 0,
    address: options.address ?? { country: "DE" },
    rates: options.rates ?? rates,
    config: options.config ?? inclusive,
  });
}

const LARGEST_CART = CART_LIMITS.maxLines * CART_LIMITS.maxQuantity * MAX_PRICE_CENTS;

describe("priceCheckout, tax-exclusive", () => {
  it("adds the state's tax on top of the goods, not on untaxed shipping", () => {
    expect(
      price(5998, {
        shippingCents: 599,
        address: { country: "US", region: "CA" },
        config: exclusive,
      }),
    ).toEqual({
      subtotalCents: 5998,
      discountCents: 0,
      shippingCents: 599,
      taxCents: 435, // 434.855
      totalCents: 5998 + 599 + 435,
      taxMode: "exclusive",
      taxLines: [
        {
          label: "CA sales tax",
          country: "US",
          region: "CA",
          ratePpm: 72_500,
          taxableCents: 5998,
          taxCents: 435,
        },
      ],
    });
  });

  it("taxes shipping too when the shop says so", () => {
    const totals = price(5998, {
      shippingCents: 599,
      address: { country: "US", region: "CA" },
      config: { mode: "exclusive", taxShipping: true },
    });
    expect(totals.taxLines[0]?.taxableCents).toBe(6597);
    expect(totals.taxCents).toBe(478); // 478.2825
    expect(totals.totalCents).toBe(6597 + 478);
  });

  it("rounds an exact half cent up: 19 % of 50 cents is 10 cents", () => {
    expect(price(50, { config: exclusive }).taxCents).toBe(10);
    expect(price(49, { config: exclusive }).taxCents).toBe(9); // 9.31
    expect(
      price(1, { config: exclusive, rates: [{ country: "DE", label: "X", ratePpm: 500_000 }] }),
    ).toMatchObject({ taxCents: 1, totalCents: 2 }); // half of 1 cent
  });

  it("taxes a 1-cent order at nothing when the tax is under half a cent", () => {
    expect(price(1, { config: exclusive })).toMatchObject({ taxCents: 0, totalCents: 1 });
  });

  it("takes the tax on the goods after the discount, and none on a 100 % discount", () => {
    expect(price(2999, { discountCents: 300, config: exclusive }).taxCents).toBe(513); // 512.81
    expect(
      price(2999, { discountCents: 2999, shippingCents: 690, config: exclusive }),
    ).toMatchObject({ taxCents: 0, totalCents: 690 });
    expect(
      price(2999, {
        discountCents: 2999,
        shippingCents: 690,
        config: { mode: "exclusive", taxShipping: true },
      }),
    ).toMatchObject({ taxCents: 131, totalCents: 821 }); // 19 % of the shipping alone: 131.1
  });

  it("adds a province's tax to the country's as a second line (Canada: GST + QST)", () => {
    const totals = price(2999, { address: { country: "CA", region: "QC" }, config: exclusive });
    expect(totals.taxLines.map((line) => [line.label, line.taxCents])).toEqual([
      ["GST", 150], // 149.95
      ["QST", 299], // 299.1503
    ]);
    expect(totals).toMatchObject({ taxCents: 449, totalCents: 2999 + 449 });
  });

  it("holds rates basis points cannot: Minnesota's 6.875 %", () => {
    expect(
      price(10_000, { address: { country: "US", region: "MN" }, config: exclusive }).taxCents,
    ).toBe(688); // 687.5
  });

  it("stays exact on the largest cart, where a float product would not", () => {
    const totals = price(LARGEST_CART - 1, {
      address: { country: "US", region: "MN" },
      config: exclusive,
    });
    // 494_999_999_999 x 0.06875 = 34_031_249_999.93125
    expect(totals.taxCents).toBe(34_031_250_000);
    expect(totals.totalCents).toBe(LARGEST_CART - 1 + 34_031_250_000);
  });
});

describe("priceCheckout, tax-inclusive", () => {
  it("shows the VAT inside the price and leaves the total alone", () => {
    expect(price(2999)).toEqual({
      subtotalCents: 2999,
      discountCents: 0,
      shippingCents: 0,
      taxCents: 479, // 2999 x 19 / 119 = 478.83
      totalCents: 2999,
      taxMode: "inclusive",
      taxLines: [
        { label: "VAT", country: "DE", ratePpm: 190_000, taxableCents: 2520, taxCents: 479 },
      ],
    });
  });

  it("agrees with gross - round(gross / 1.19) away from exact halves", () => {
    for (const gross of [1, 2, 5, 50, 119, 1190, 2999, 4999, 123_457]) {
      const net = Math.floor((gross * 100) / 119 + 0.5);
      expect(price(gross).taxCents).toBe(gross - net);
    }
  });

  it("rounds the tax, not the net, on an exact half: 20 % inside 3 cents is 1 cent", () => {
    // 3 / 1.2 = 2.5 exactly: rounding the net up would make the tax 0.
    expect(price(3, { address: { country: "FR" } })).toMatchObject({
      taxCents: 1,
      totalCents: 3,
      taxLines: [{ taxableCents: 2, taxCents: 1 }],
    });
    expect(price(2997, { address: { country: "FR" } }).taxCents).toBe(500); // 499.5
  });

  it("taxes shipping inside the total when the shop taxes shipping", () => {
    const totals = price(4000, { shippingCents: 760, address: { country: "NL" } });
    expect(totals).toMatchObject({ totalCents: 4760, taxCents: 826 }); // 4760 x 21 / 121 = 826.1
    const untaxedShipping = price(4000, {
      shippingCents: 760,
      address: { country: "NL" },
      config: { mode: "inclusive", taxShipping: false },
    });
    expect(untaxedShipping).toMatchObject({ totalCents: 4760, taxCents: 694 }); // 694.2
  });

  it("finds no tax in a 1-cent order and none in a 100 % discount without shipping", () => {
    expect(price(1)).toMatchObject({ taxCents: 0, totalCents: 1 });
    expect(price(2999, { discountCents: 2999 })).toMatchObject({ taxCents: 0, totalCents: 0 });
  });

  it("splits two rates inside one price by their share of the combined rate", () => {
    const totals = price(1120, { address: { country: "CA", region: "BC" } });
    expect(totals.taxLines.map((line) => [line.label, line.taxableCents, line.taxCents])).toEqual([
      ["GST", 1000, 50],
      ["PST", 1000, 70],
    ]);
    expect(totals.taxCents).toBe(120);
  });

  it("stays exact on the largest cart", () => {
    expect(price(LARGEST_CART).taxCents).toBe(79_033_613_445); // 495e9 x 19 / 119 = ...445.378
  });
});

describe("priceCheckout, places without tax", () => {
  it("collects nothing where the shop has no rate", () => {
    expect(price(2999, { address: { country: "JP" }, config: exclusive })).toMatchObject({
      taxCents: 0,
      totalCents: 2999,
      taxLines: [],
    });
    expect(
      price(2999, { address: { country: "US", region: "OR" }, config: exclusive }),
    ).toMatchObject({ taxCents: 0, taxLines: [] });
  });

  it("refuses amounts that are not whole cents, a discount over the subtotal, a bad rate", () => {
    expect(() => price(10.5)).toThrow(RangeError);
    expect(() => price(10, { discountCents: 11 })).toThrow(RangeError);
    expect(() => price(10, { shippingCents: -1 })).toThrow(RangeError);
    expect(() => price(10, { rates: [{ country: "DE", label: "VAT", ratePpm: 0.19 }] })).toThrow(
      RangeError,
    );
  });
});

describe("ratesFor", () => {
  it("gives the country's rate, then the region's", () => {
    expect(ratesFor(rates, { country: "CA", region: "BC" }).map((r) => r.label)).toEqual([
      "GST",
      "PST",
    ]);
    expect(ratesFor(rates, { country: "CA", region: "ON" }).map((r) => r.label)).toEqual(["GST"]);
    expect(ratesFor(rates, { country: "US" })).toEqual([]);
  });
});

describe("priceCheckout invariants", () => {
  const rate = fc.integer({ min: 0, max: 300_000 });
  const scenario = fc
    .record({
      subtotal: fc.integer({ min: 0, max: LARGEST_CART }),
      discountShare: fc.integer({ min: 0, max: 100 }),
      shipping: fc.integer({ min: 0, max: MAX_PRICE_CENTS }),
      countryPpm: fc.option(rate, { nil: undefined }),
      regionPpm: fc.option(rate, { nil: undefined }),
      mode: fc.constantFrom("inclusive" as const, "exclusive" as const),
      taxShipping: fc.boolean(),
    })
    .map((s) => {
      const scenarioRates: TaxRate[] = [];
      if (s.countryPpm !== undefined) {
        scenarioRates.push({ country: "CA", label: "GST", ratePpm: s.countryPpm });
      }
      if (s.regionPpm !== undefined) {
        scenarioRates.push({ country: "CA", region: "BC", label: "PST", ratePpm: s.regionPpm });
      }
      return {
        pricing: {
          pricedCart: {
            subtotalCents: s.subtotal,
            discountCents: Math.floor((s.subtotal * s.discountShare) / 100),
          },
          shippingCents: s.shipping,
          address: { country: "CA", region: "BC" },
          rates: scenarioRates,
          config: { mode: s.mode, taxShipping: s.taxShipping },
        } satisfies CheckoutPricing,
      };
    });

  it("every amount is a non-negative safe integer", () => {
    fc.assert(
      fc.property(scenario, ({ pricing }) => {
        const totals = priceCheckout(pricing);
        const amounts = [
          totals.subtotalCents,
          totals.discountCents,
          totals.shippingCents,
          totals.taxCents,
          totals.totalCents,
          ...totals.taxLines.flatMap((line) => [line.taxableCents, line.taxCents]),
        ];
        for (const amount of amounts) {
          expect(Number.isSafeInteger(amount) && amount >= 0, `${amount}`).toBe(true);
        }
      }),
    );
  });

  it("total = subtotal - discount + shipping (+ tax when exclusive), tax = the lines' sum", () => {
    fc.assert(
      fc.property(scenario, ({ pricing }) => {
        const t = priceCheckout(pricing);
        const added = pricing.config.mode === "exclusive" ? t.taxCents : 0;
        expect(t.totalCents).toBe(t.subtotalCents - t.discountCents + t.shippingCents + added);
        expect(t.taxLines.reduce((sum, line) => sum + line.taxCents, 0)).toBe(t.taxCents);
        expect(t.taxLines).toHaveLength(pricing.rates.length);
      }),
    );
  });

  it("each line is within half a cent of its exact tax, a half rounding up", () => {
    fc.assert(
      fc.property(scenario, ({ pricing }) => {
        const t = priceCheckout(pricing);
        const { subtotalCents, discountCents } = pricing.pricedCart;
        const taxed = BigInt(
          subtotalCents - discountCents + (pricing.config.taxShipping ? pricing.shippingCents : 0),
        );
        const combined = BigInt(pricing.rates.reduce((sum, r) => sum + r.ratePpm, 0));
        const denominator =
          pricing.config.mode === "exclusive" ? BigInt(PPM) : BigInt(PPM) + combined;
        t.taxLines.forEach((line) => {
          // exact = taxed x rate / denominator; require tax - 1/2 <= exact < tax + 1/2
          const exact2 = 2n * taxed * BigInt(line.ratePpm);
          const tax = BigInt(line.taxCents);
          expect((2n * tax - 1n) * denominator <= exact2).toBe(true);
          expect(exact2 < (2n * tax + 1n) * denominator).toBe(true);
        });
        if (pricing.config.mode === "inclusive") {
          for (const line of t.taxLines) {
            expect(BigInt(line.taxableCents + t.taxCents)).toBe(taxed);
          }
        } else {
          for (const line of t.taxLines) expect(BigInt(line.taxableCents)).toBe(taxed);
        }
      }),
    );
  });
});

describe("checkTaxRates", () => {
  it("accepts one rate per place", () => {
    expect(checkTaxRates(rates)).toEqual([]);
  });

  it("refuses two rates for one place, naming the second", () => {
    expect(checkTaxRates([...rates, { country: "DE", label: "VAT", ratePpm: 70_000 }])).toEqual([
      { field: "rates[8].country", message: "DE already has a rate" },
    ]);
    expect(
      checkTaxRates([...rates, { country: "US", region: "CA", label: "Sales", ratePpm: 1 }]),
    ).toEqual([{ field: "rates[8].region", message: "US-CA already has a rate" }]);
  });

  it("refuses regions without codes, bad codes, rates out of range and bad labels", () => {
    expect(
      checkTaxRates([
        { country: "de", label: "VAT", ratePpm: 190_000 },
        { country: "DE", region: "BY", label: "VAT", ratePpm: 190_000 },
        { country: "US", region: "XX", label: "", ratePpm: 1_000_001 },
        { country: "GB", label: "V\u202eAT", ratePpm: 0.2 },
      ]),
    ).toEqual([
      { field: "rates[0].country", message: "an upper-case ISO 3166-1 alpha-2 code" },
      { field: "rates[1].region", message: "DE has no region codes: give a country rate" },
      { field: "rates[2].region", message: "not a region code of US" },
      { field: "rates[2].label", message: "1 to 40 characters, no control characters" },
      {
        field: "rates[2].ratePpm",
        message: "whole parts per million, 0 to 1000000 (19 % is 190000)",
      },
      { field: "rates[3].label", message: "1 to 40 characters, no control characters" },
      {
        field: "rates[3].ratePpm",
        message: "whole parts per million, 0 to 1000000 (19 % is 190000)",
      },
    ]);
  });

  it("assertTaxRates refuses as VALIDATION_FAILED", () => {
    expect(() => assertTaxRates([{ country: "DE", label: "", ratePpm: 1 }])).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(() => assertTaxRates(rates)).not.toThrow();
  });
});
