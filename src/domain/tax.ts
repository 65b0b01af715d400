import { isCountryCode, REGION_CODES } from "./address.js";
import type { PricedCart } from "./cart.js";
import { type FieldError, invalidConfiguration } from "./errors.js";
import { isCents, scaleHalfUp } from "./money.js";
import { characterCount, hasForbiddenCharacter } from "./text.js";

/**
 * A rate is in parts per million (19 % is 190_000): basis points cannot hold the state rates of
 * New Jersey (6.625 %) or Minnesota (6.875 %), nor Québec's QST (9.975 %).
 */
export const PPM = 1_000_000;

/**
 * One tax an operator defines. A country rate (no `region`) applies to every address in the
 * country; a region rate applies to addresses in that region ON TOP of the country rate, as its
 * own tax line: Canada's GST (country) and a province's PST (region) are two lines, as a receipt
 * must show them, and a US state's sales tax is a region rate in a country with none.
 */
export interface TaxRate {
  /** ISO 3166-1 alpha-2, upper-case. */
  country: string;
  /** A code of `REGION_CODES[country]`; absent for the country's own rate. */
  region?: string;
  /** What the order and the receipt call it: `VAT`, `GST`, `CA sales tax`. */
  label: string;
  ratePpm: number;
}

/** Prices include tax (EU style: the order shows the tax part), or tax is added on top (US). */
export type TaxMode = "inclusive" | "exclusive";

export interface TaxConfig {
  mode: TaxMode;
  /** Whether the shipping price is taxed, at the address's rates, like the goods. */
  taxShipping: boolean;
}

/** One rate as applied to one order. */
export interface TaxLine {
  label: string;
  country: string;
  region?: string;
  ratePpm: number;
  /**
   * The amount the rate applies to, tax excluded, in both modes: in a tax-inclusive shop the
   * taxed gross minus all its tax; so `taxCents` is `taxableCents × ratePpm / PPM`, rounded.
   */
  taxableCents: number;
  taxCents: number;
}

/**
 * What an order costs. `totalCents` is what the shopper pays: subtotal − discount + shipping,
 * plus `taxCents` in a tax-exclusive shop (in a tax-inclusive one the tax is inside it).
 * `taxCents` is the sum of the lines' `taxCents`.
 */
export interface CheckoutTotals {
  subtotalCents: number;
  discountCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  taxMode: TaxMode;
  taxLines: TaxLine[];
}

export const TAX_LIMITS = { maxLabelLength: 40 };

/**
 * The rates that apply at `address`: the country's own first, then its region's. With more than
 * one for a place (a set `checkTaxRates` refuses), the first of each kind counts.
 */
export function ratesFor(
  rates: readonly TaxRate[],
  address: { country: string; region?: string | undefined },
): TaxRate[] {
  const country = rates.find((rate) => rate.country === address.country && !rate.region);
  const region =
    address.region === undefined
      ? undefined
      : rates.find((rate) => rate.country === address.country && rate.region === address.region);
  return [country, region].filter((rate) => rate !== undefined);
}

export interface CheckoutPricing {
  /** The goods, as `priceCart` priced them: subtotal and discount. */
  pricedCart: Pick<PricedCart, "subtotalCents" | "discountCents">;
  /** What the chosen method costs this order (`ShippingOption.priceCents`). */
  shippingCents: number;
  address: { country: string; region?: string | undefined };
  rates: readonly TaxRate[];
  config: TaxConfig;
}

/**
 * The totals of an order shipped to `address`.
 *
 * The taxed amount is the goods after the discount, plus the shipping when `taxShipping`; there
 * is one tax line per rate that applies (`ratesFor`), none when the shop has no rate for the
 * place (it does not collect tax there).
 *
 * ONE ROUNDING RULE: each tax line's amount is rounded once per order, half up, to the cent.
 * - Per order (per rate on the whole order), not per cart line: every product here carries the
 *   address's rate(s), so the order's taxed amount is exactly known and one rounding of it is
 *   exact to half a cent. The EU VAT directive (art. 226) lets an invoice state VAT per rate,
 *   and the shopper sees one amount per rate whose sum is the tax: no "sum of rounded lines is
 *   not the rounded sum" cent, and no need to spread the discount over lines to tax them.
 * - Half up, not half even: it is the commercial rounding tax authorities prescribe (German
 *   "kaufmännische Rundung", the US states' half-cent rule, the euro conversion rules), and the
 *   bias half-even removes only builds up over many rounded amounts summed, which rounding once
 *   per order and rate avoids.
 * - The rounded figure is always the tax itself. Exclusive: tax = round(net × r). Inclusive:
 *   tax = round(gross × r / (1 + R)), R the sum of the rates that apply, and the net is
 *   gross − tax. That equals gross − round(gross / (1 + r)) except on an exact half, where
 *   rounding the tax up (not the net) keeps the rule one rule: 20 % inside 3 cents is 0.5 cent,
 *   so 1 cent of tax.
 * Every product of two amounts is taken in BigInt (`scaleHalfUp`), so the largest cart stays
 * exact. RangeError when an amount is not whole cents, the discount exceeds the subtotal, or a
 * rate is not 0 to `PPM` ppm: the services never pass such values.
 */
export function priceCheckout({
  pricedCart,
  shippingCents,
  address,
  rates,
  config,
}: CheckoutPricing): CheckoutTotals {
  const { subtotalCents, discountCents } = pricedCart;
  for (const [name, value] of [
    ["subtotal", subtotalCents],
    ["discount", discountCents],
    ["shipping", shippingCents],
  ] as const) {
    if (!isCents(value)) throw new RangeError(`${name} ${value} is not whole cents`);
  }
  if (discountCents > subtotalCents) {
    throw new RangeError(`discount ${discountCents} exceeds subtotal ${subtotalCents}`);
  }
  const applied = ratesFor(rates, address);
  for (const rate of applied) {
    if (!isRatePpm(rate.ratePpm)) throw new RangeError(`rate ${rate.ratePpm} ppm is not 0 to 1e6`);
  }
  const goodsCents = subtotalCents - discountCents;
  const taxedCents = goodsCents + (config.taxShipping ? shippingCents : 0);
  const taxes =
    config.mode === "exclusive"
      ? applied.map((rate) => scaleHalfUp(taxedCents, rate.ratePpm, PPM))
      : extractTaxes(taxedCents, applied);
  const taxCents = taxes.reduce((sum, tax) => sum + tax, 0);
  const netCents = config.mode === "exclusive" ? taxedCents : taxedCents - taxCents;
  const taxLines = applied.map(
    (rate, index): TaxLine => ({
      label: rate.label,
      country: rate.country,
      ...(rate.region ? { region: rate.region } : {}),
      ratePpm: rate.ratePpm,
      taxableCents: netCents,
      taxCents: taxes[index] ?? 0,
    }),
  );
  const totalCents = goodsCents + shippingCents + (config.mode === "exclusive" ? taxCents : 0);
  if (!Number.isSafeInteger(totalCents)) throw new RangeError(`total ${totalCents} is too large`);
  return {
    subtotalCents,
    discountCents,
    shippingCents,
    taxCents,
    totalCents,
    taxMode: config.mode,
    taxLines,
  };
}

/** The tax inside `grossCents` for each of `rates`: gross × r / (1 + R), each rounded half up. */
function extractTaxes(grossCents: number, rates: readonly TaxRate[]): number[] {
  const combinedPpm = rates.reduce((sum, rate) => sum + rate.ratePpm, 0);
  return rates.map((rate) => scaleHalfUp(grossCents, rate.ratePpm, PPM + combinedPpm));
}

const isRatePpm = (ratePpm: number): boolean =>
  Number.isInteger(ratePpm) && ratePpm >= 0 && ratePpm <= PPM;

/**
 * What is wrong with the tax rates an operator saves, by field (`rates[2].ratePpm`): a country
 * that is not an upper-case alpha-2 code, a region that is not a code of `REGION_CODES` (a
 * region rate elsewhere could never match an address), a rate outside 0 to 100 %, an empty or
 * long label, and two rates for one place (which would apply would depend on a list's order).
 */
export function checkTaxRates(rates: readonly TaxRate[]): FieldError[] {
  const errors: FieldError[] = [];
  const places = new Set<string>();
  rates.forEach((rate, r) => {
    const at = (name: string) => `rates[${r}].${name}`;
    const codes = REGION_CODES[rate.country];
    if (!isCountryCode(rate.country)) {
      errors.push({ field: at("country"), message: "an upper-case ISO 3166-1 alpha-2 code" });
    } else if (rate.region !== undefined && !codes?.includes(rate.region)) {
      errors.push({
        field: at("region"),
        message:
          codes === undefined
            ? `${rate.country} has no region codes: give a country rate`
            : `not a region code of ${rate.country}`,
      });
    } else {
      const place = rate.region === undefined ? rate.country : `${rate.country}-${rate.region}`;
      if (places.has(place)) {
        errors.push({
          field: at(rate.region === undefined ? "country" : "region"),
          message: `${place} already has a rate`,
        });
      }
      places.add(place);
    }
    const length = characterCount(rate.label.trim());
    if (length === 0 || length > TAX_LIMITS.maxLabelLength || hasForbiddenCharacter(rate.label)) {
      errors.push({
        field: at("label"),
        message: `1 to ${TAX_LIMITS.maxLabelLength} characters, no control characters`,
      });
    }
    if (!isRatePpm(rate.ratePpm)) {
      errors.push({
        field: at("ratePpm"),
        message: `whole parts per million, 0 to ${PPM} (19 % is 190000)`,
      });
    }
  });
  return errors;
}

/** Refuses (VALIDATION_FAILED, every field named) rates `checkTaxRates` finds wrong. */
export function assertTaxRates(rates: readonly TaxRate[]): void {
  const fields = checkTaxRates(rates);
  if (fields.length > 0) throw invalidConfiguration("tax rates", fields);
}
