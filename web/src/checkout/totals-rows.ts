import type { Order, Totals } from "../api/types.js";

/** One line of an order's or a quote's summary: an amount exactly as the API answered it. */
export interface TotalsRow {
  label: string;
  cents: number;
  kind: "amount" | "discount" | "total" | "included";
}

type Priced = Pick<
  Totals,
  | "subtotalCents"
  | "discountCents"
  | "shippingCents"
  | "taxCents"
  | "totalCents"
  | "taxMode"
  | "taxLines"
>;

const percentFormat = new Intl.NumberFormat(undefined, {
  style: "percent",
  maximumFractionDigits: 4,
});

/** A rate in parts per million as a percentage: 72500 → "7.25%". */
export function ratePercent(ratePpm: number): string {
  return percentFormat.format(ratePpm / 1_000_000);
}

/**
 * The summary's lines, every amount one the API answered (the page computes none): subtotal,
 * discount, shipping, tax and total. Tax added on top (exclusive) stands before the total, each
 * line with its label and rate; tax already inside the prices (inclusive) is said after it as
 * "incl. VAT 19%". `shipped` is false for an order from before checkout took an address: it has
 * no shipping and no tax, and shows only what it had.
 */
export function totalsRows(
  totals: Priced,
  options: { discountLabel: string; shipped: boolean },
): TotalsRow[] {
  const rows: TotalsRow[] = [{ label: "Subtotal", cents: totals.subtotalCents, kind: "amount" }];
  if (totals.discountCents > 0) {
    rows.push({ label: options.discountLabel, cents: totals.discountCents, kind: "discount" });
  }
  if (options.shipped)
    rows.push({ label: "Shipping", cents: totals.shippingCents, kind: "amount" });
  const taxLabel = (line: Totals["taxLines"][number]) =>
    `${line.label} ${ratePercent(line.ratePpm)}`;
  if (totals.taxMode === "exclusive") {
    for (const line of totals.taxLines) {
      rows.push({ label: taxLabel(line), cents: line.taxCents, kind: "amount" });
    }
    if (totals.taxLines.length === 0)
      rows.push({ label: "Tax", cents: totals.taxCents, kind: "amount" });
  }
  rows.push({ label: "Total", cents: totals.totalCents, kind: "total" });
  if (totals.taxMode === "inclusive") {
    for (const line of totals.taxLines) {
      rows.push({ label: `incl. ${taxLabel(line)}`, cents: line.taxCents, kind: "included" });
    }
  }
  return rows;
}

/** Whether an order was placed with an address, so has shipping and tax (older ones have not). */
export const isShipped = (order: Order): boolean =>
  order.shippingAddress !== null || order.shipping !== null;
