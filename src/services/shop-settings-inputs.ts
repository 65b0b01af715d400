import * as z from "zod/mini";
import { MAX_PRICE_CENTS } from "../domain/index.js";
import "./zod-messages.js";

// The inputs of the shop's settings, as inputs.ts builds the others (lazy schemas, unknown keys
// dropped). Shapes and sizes only: what the values mean (a country in two zones, a method of no
// zone, a rate over 100 %) is the domain's check, which names the field the same way
// (`zones[1].countries[0]`), so both kinds of refusal read alike.

/**
 * Upper bounds of a document: far above any real shop (there are 249 country codes), they keep
 * one document well under DynamoDB's 400 KB item and the body limit.
 */
export const SHOP_SETTINGS_LIMITS = { maxZones: 100, maxMethods: 200, maxRates: 500 };

const text = () => z.string().check(z.maxLength(200));
const code = () => z.string().check(z.maxLength(8));
const wholeNumber = () => z.int().check(z.gte(0));
const version = () => z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));

export const shippingSettingsBody = z.lazy(() =>
  z.object({
    zones: z
      .array(
        z.object({
          id: text(),
          name: text(),
          countries: z.array(code()).check(z.maxLength(300)),
        }),
      )
      .check(z.maxLength(SHOP_SETTINGS_LIMITS.maxZones)),
    methods: z
      .array(
        z.object({
          id: text(),
          zoneId: text(),
          name: text(),
          priceCents: wholeNumber(),
          freeAboveCents: z.optional(wholeNumber()),
          minDeliveryDays: z.optional(wholeNumber()),
          maxDeliveryDays: z.optional(wholeNumber()),
        }),
      )
      .check(z.maxLength(SHOP_SETTINGS_LIMITS.maxMethods)),
    /** The version read: the save is refused (409) when another replaced it since. */
    version: version(),
  }),
);

export const taxSettingsBody = z.lazy(() =>
  z.object({
    rates: z
      .array(
        z.object({
          country: code(),
          region: z.optional(code()),
          label: text(),
          ratePpm: wholeNumber(),
        }),
      )
      .check(z.maxLength(SHOP_SETTINGS_LIMITS.maxRates)),
    mode: z.enum(["inclusive", "exclusive"]),
    taxShipping: z.boolean(),
    version: version(),
  }),
);

/** A query string's digits (REST) or an Int (GraphQL), as whole cents. */
const centsParam = () =>
  z.pipe(
    z.union([
      z.int(),
      z.pipe(
        z.string().check(z.regex(/^[0-9]{1,15}$/, "must be whole cents")),
        z.transform(Number),
      ),
    ]),
    z.int().check(z.gte(0), z.lte(MAX_PRICE_CENTS * 10_000)),
  );

/** `?country=&goodsCents=` of the shipping methods a shopper may choose from. */
export const shippingMethodsQuery = z.lazy(() =>
  z.object({
    country: z
      .string()
      .check(
        z.trim(),
        z.toUpperCase(),
        z.regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code, such as DE"),
      ),
    goodsCents: z.optional(centsParam()),
  }),
);

export type ShippingSettingsInput = z.infer<typeof shippingSettingsBody>;
export type TaxSettingsInput = z.infer<typeof taxSettingsBody>;
export type ShippingMethodsQuery = z.infer<typeof shippingMethodsQuery>;
