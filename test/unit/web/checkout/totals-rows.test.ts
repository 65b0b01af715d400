import { describe, expect, it } from "vitest";
import { ratePercent, totalsRows } from "../../../../web/src/checkout/totals-rows.js";

// The summary's lines: every amount the API's, tax on top before the total in an exclusive shop,
// "incl." after it in an inclusive one, and an order from before checkout took an address shown
// as it was (no shipping, no tax).

const base = { subtotalCents: 2999, discountCents: 0, shippingCents: 690, taxCents: 0 };
const rows = (totals: Parameters<typeof totalsRows>[0], shipped = true) =>
  totalsRows(totals, { discountLabel: "Discount (10%)", shipped }).map(
    (row) => `${row.label}=${row.cents}`,
  );

describe("the checkout's and orders' summary lines", () => {
  it("adds exclusive tax before the total, each line with its label and rate", () => {
    const totals = {
      ...base,
      taxCents: 217,
      totalCents: 3906,
      taxMode: "exclusive" as const,
      taxLines: [
        {
          label: "California sales tax",
          country: "US",
          region: "CA",
          ratePpm: 72_500,
          taxableCents: 2999,
          taxCents: 217,
        },
      ],
    };
    expect(rows(totals)).toEqual([
      "Subtotal=2999",
      "Shipping=690",
      "California sales tax 7.25%=217",
      "Total=3906",
    ]);
  });

  it("says inclusive tax after the total, as part of it", () => {
    const totals = {
      ...base,
      discountCents: 300,
      taxCents: 540,
      totalCents: 3389,
      taxMode: "inclusive" as const,
      taxLines: [
        {
          label: "VAT",
          country: "DE",
          region: null,
          ratePpm: 190_000,
          taxableCents: 3389,
          taxCents: 540,
        },
      ],
    };
    expect(rows(totals)).toEqual([
      "Subtotal=2999",
      "Discount (10%)=300",
      "Shipping=690",
      "Total=3389",
      "incl. VAT 19%=540",
    ]);
  });

  it("shows a zero tax in an exclusive shop that taxes nothing there", () => {
    const totals = { ...base, totalCents: 3689, taxMode: "exclusive" as const, taxLines: [] };
    expect(rows(totals)).toContain("Tax=0");
  });

  it("shows an old order (no address, no tax mode) with its subtotal, discount and total only", () => {
    const old = {
      ...base,
      shippingCents: 0,
      discountCents: 300,
      totalCents: 2699,
      taxMode: null,
      taxLines: [],
    };
    expect(rows(old, false)).toEqual(["Subtotal=2999", "Discount (10%)=300", "Total=2699"]);
  });

  it("writes rates in parts per million as percentages", () => {
    expect(ratePercent(72_500)).toBe("7.25%");
    expect(ratePercent(99_750)).toBe("9.975%");
    expect(ratePercent(190_000)).toBe("19%");
  });
});
