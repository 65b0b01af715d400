import type { ShippingOption } from "../api/types.js";
import { formatMoney } from "../format.js";

/** "2–4 business days", "5 business days", or "" when the shop did not say. */
export function deliveryDays(option: {
  minDeliveryDays?: number | null | undefined;
  maxDeliveryDays?: number | null | undefined;
}): string {
  const low = option.minDeliveryDays ?? option.maxDeliveryDays;
  const high = option.maxDeliveryDays ?? option.minDeliveryDays;
  if (low === undefined || low === null || high === undefined || high === null) return "";
  const days = low === high ? `${low}` : `${low}–${high}`;
  return `${days} business day${high === 1 ? "" : "s"}`;
}

/**
 * The shipping methods to the address, as radio buttons in a fieldset: one is chosen. They stay
 * enabled while a new quote is asked, so the arrow keys keep their focus in the group.
 */
export function ShippingMethods({
  options,
  chosen,
  currency,
  onChoose,
}: {
  options: readonly ShippingOption[];
  chosen: string;
  currency: string;
  onChoose: (methodId: string) => void;
}) {
  const money = (cents: number) => formatMoney(cents, currency);
  return (
    <fieldset class="choices group shipping-methods">
      <legend>Shipping method</legend>
      {options.map((option) => {
        const id = `shipping-method-${option.methodId}`;
        const days = deliveryDays(option);
        const free = option.priceCents === 0;
        return (
          <div key={option.methodId} class="choice">
            <input
              type="radio"
              id={id}
              name="shippingMethod"
              value={option.methodId}
              checked={option.methodId === chosen}
              aria-describedby={`${id}-details`}
              onChange={() => onChoose(option.methodId)}
            />
            <label for={id}>
              <span class="choice-name">{option.name}</span>
              <span class="choice-price">
                {free ? "Free" : money(option.priceCents)}
                {free && option.regularPriceCents > 0 ? (
                  <s class="muted"> {money(option.regularPriceCents)}</s>
                ) : null}
              </span>
            </label>
            <p id={`${id}-details`} class="hint choice-details">
              {[
                days,
                option.freeAboveCents === undefined
                  ? ""
                  : `free above ${money(option.freeAboveCents)}`,
              ]
                .filter((part) => part !== "")
                .join(" · ")}
            </p>
          </div>
        );
      })}
    </fieldset>
  );
}
