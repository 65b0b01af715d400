import type { ShippingMethod, ShippingZone, TaxConfig, TaxRate } from "../domain/index.js";
import type { ShopConfig } from "../services/index.js";

/**
 * The demo shipping setup every adapter seeds on first run: domestic (the shop prices in USD),
 * the EU, and the rest of the world it ships to. Countries in no zone (Brazil, China, India, ...)
 * answer NOT_SHIPPABLE, so the page can show it.
 */
export const SEED_SHIPPING_ZONES: readonly ShippingZone[] = [
  { id: "domestic", name: "United States", countries: ["US"] },
  {
    id: "eu",
    name: "European Union",
    countries: ["DE", "FR", "NL", "BE", "AT", "IT", "ES", "IE"],
  },
  { id: "world", name: "Rest of the world", countries: ["GB", "CA", "JP", "AU", "CH", "NZ"] },
];

export const SEED_SHIPPING_METHODS: readonly ShippingMethod[] = [
  {
    id: "us-ground",
    zoneId: "domestic",
    name: "Ground",
    priceCents: 599,
    freeAboveCents: 5000,
    minDeliveryDays: 3,
    maxDeliveryDays: 5,
  },
  {
    id: "us-express",
    zoneId: "domestic",
    name: "Express",
    priceCents: 1499,
    minDeliveryDays: 1,
    maxDeliveryDays: 2,
  },
  {
    id: "eu-standard",
    zoneId: "eu",
    name: "Standard",
    priceCents: 690,
    freeAboveCents: 6000,
    minDeliveryDays: 3,
    maxDeliveryDays: 6,
  },
  {
    id: "eu-express",
    zoneId: "eu",
    name: "Express",
    priceCents: 1990,
    minDeliveryDays: 1,
    maxDeliveryDays: 3,
  },
  {
    id: "world-standard",
    zoneId: "world",
    name: "International",
    priceCents: 1490,
    freeAboveCents: 15000,
    minDeliveryDays: 7,
    maxDeliveryDays: 14,
  },
  {
    id: "world-express",
    zoneId: "world",
    name: "International express",
    priceCents: 3990,
    minDeliveryDays: 3,
    maxDeliveryDays: 5,
  },
];

/**
 * Demo rates, in parts per million (19 % is 190_000): standard VAT of the EU countries shipped
 * to, GB and CH; GST of AU, NZ, JP and Canada, with two provinces' own tax on top (a region rate
 * adds its own line); US state rates only (no local ones), and none for states without a sales
 * tax (OR, DE, MT, NH), which therefore show no tax.
 */
export const SEED_TAX_RATES: readonly TaxRate[] = [
  { country: "DE", label: "VAT", ratePpm: 190_000 }, // 19 %
  { country: "FR", label: "VAT", ratePpm: 200_000 }, // 20 %
  { country: "NL", label: "VAT", ratePpm: 210_000 }, // 21 %
  { country: "BE", label: "VAT", ratePpm: 210_000 }, // 21 %
  { country: "AT", label: "VAT", ratePpm: 200_000 }, // 20 %
  { country: "IT", label: "VAT", ratePpm: 220_000 }, // 22 %
  { country: "ES", label: "VAT", ratePpm: 210_000 }, // 21 %
  { country: "IE", label: "VAT", ratePpm: 230_000 }, // 23 %
  { country: "GB", label: "VAT", ratePpm: 200_000 }, // 20 %
  { country: "CH", label: "VAT", ratePpm: 81_000 }, // 8.1 %
  { country: "AU", label: "GST", ratePpm: 100_000 }, // 10 %
  { country: "NZ", label: "GST", ratePpm: 150_000 }, // 15 %
  { country: "JP", label: "Consumption tax", ratePpm: 100_000 }, // 10 %
  { country: "CA", label: "GST", ratePpm: 50_000 }, // 5 %
  { country: "CA", region: "BC", label: "PST", ratePpm: 70_000 }, // 7 %
  { country: "CA", region: "QC", label: "QST", ratePpm: 99_750 }, // 9.975 %
  { country: "US", region: "CA", label: "California sales tax", ratePpm: 72_500 }, // 7.25 %
  { country: "US", region: "NY", label: "New York sales tax", ratePpm: 40_000 }, // 4 %
  { country: "US", region: "TX", label: "Texas sales tax", ratePpm: 62_500 }, // 6.25 %
  { country: "US", region: "WA", label: "Washington sales tax", ratePpm: 65_000 }, // 6.5 %
  { country: "US", region: "NJ", label: "New Jersey sales tax", ratePpm: 66_250 }, // 6.625 %
  { country: "US", region: "MN", label: "Minnesota sales tax", ratePpm: 68_750 }, // 6.875 %
];

/** The demo shop prices in USD, US style: tax added on top, shipping untaxed. */
export const SEED_TAX_CONFIG: TaxConfig = { mode: "exclusive", taxShipping: false };

/** The demo settings every adapter seeds where none were ever saved: both documents at version 1. */
export const seedShopConfig = (): ShopConfig => ({
  shipping: {
    zones: SEED_SHIPPING_ZONES.map((zone) => ({ ...zone, countries: [...zone.countries] })),
    methods: SEED_SHIPPING_METHODS.map((method) => ({ ...method })),
    version: 1,
  },
  tax: {
    rates: SEED_TAX_RATES.map((rate) => ({ ...rate })),
    ...SEED_TAX_CONFIG,
    version: 1,
  },
});
