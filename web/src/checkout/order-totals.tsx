import { formatMoney } from "../format.js";
import type { TotalsRow } from "./totals-rows.js";

/** An order's or a quote's summary: each amount as the API answered it. */
export function OrderTotals({ rows, currency }: { rows: readonly TotalsRow[]; currency: string }) {
  const money = (cents: number) => formatMoney(cents, currency);
  return (
    <dl class="totals">
      {rows.map((row) => {
        const kind = row.kind === "total" ? "total" : row.kind === "included" ? "included" : "";
        return (
          <div key={row.label} class={`totals-row ${kind}`}>
            <dt>{row.label}</dt>
            <dd data-cents={row.cents}>
              {row.kind === "discount" ? `−${money(row.cents)}` : money(row.cents)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
