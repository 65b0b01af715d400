import { isCountryCode } from "./address.js";
import {
  type FieldError,
  invalidConfiguration,
  notShippable,
  shippingMethodUnavailable,
} from "./errors.js";
import { isCents, MAX_PRICE_CENTS } from "./money.js";
import { characterCount, hasForbiddenCharacter } from "./text.js";

/** A set of countries shipped to alike. A country belongs to at most one zone. */
export interface ShippingZone {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2 codes, upper-case. */
  countries: string[];
}

/** A way to ship to the countries of one zone, at a price. */
export interface ShippingMethod {
  id: string;
  zoneId: string;
  name: string;
  priceCents: number;
  /**
   * The method costs nothing when the goods cost at least this much: the subtotal AFTER the
   * discount and BEFORE tax (see `shippingPriceCents`).
   */
  freeAboveCents?: number;
  /** Working days from dispatch to delivery, as the page shows them. */
  minDeliveryDays?: number;
  maxDeliveryDays?: number;
}

/** A method as one order is offered it: `priceCents` is what this order pays for it. */
export interface ShippingOption {
  methodId: string;
  zoneId: string;
  name: string;
  priceCents: number;
  /** The method's price without the free-above rule, for "free above …" on the page. */
  regularPriceCents: number;
  freeAboveCents?: number;
  minDeliveryDays?: number;
  maxDeliveryDays?: number;
}

export const SHIPPING_LIMITS = { maxIdLength: 64, maxNameLength: 80, maxDeliveryDays: 365 };

/**
 * What `method` costs on an order whose goods come to `goodsCents` after its discount.
 *
 * After the discount, because that is what the shopper pays for the goods: a 100 % code must not
 * also earn free shipping, and "free above 50" means 50 paid. Before tax, because the shipping
 * price must be known before the tax is (shipping may be taxed), and so that the same basket gets
 * the same shipping in a tax-inclusive and a tax-exclusive shop.
 */
export function shippingPriceCents(method: ShippingMethod, goodsCents: number): number {
  if (!isCents(goodsCents)) throw new RangeError(`goods ${goodsCents} are not whole cents`);
  return method.freeAboveCents !== undefined && goodsCents >= method.freeAboveCents
    ? 0
    : method.priceCents;
}

/** The zone that covers `country`: the first in `zones`, though a checked set has one at most. */
export function zoneFor(zones: readonly ShippingZone[], country: string): ShippingZone | undefined {
  return zones.find((zone) => zone.countries.includes(country));
}

/**
 * The methods an order to `country` whose goods come to `goodsCents` (subtotal minus discount)
 * can ship with, cheapest first (ties in the order configured), each with this order's price.
 * NOT_SHIPPABLE naming the country when no zone covers it, or its zone has no method.
 */
export function methodsFor(
  zones: readonly ShippingZone[],
  methods: readonly ShippingMethod[],
  country: string,
  goodsCents: number,
): ShippingOption[] {
  const zone = zoneFor(zones, country);
  const options = methods
    .filter((method) => zone !== undefined && method.zoneId === zone.id)
    .map((method) => optionOf(method, goodsCents));
  if (options.length === 0) throw notShippable(country);
  // Array.prototype.sort is stable: equal prices keep the configured order.
  return options.sort((a, b) => a.priceCents - b.priceCents);
}

/**
 * The option `methodId` for this order, as `methodsFor` prices it; NOT_SHIPPABLE when nothing
 * ships to `country`, VALIDATION_FAILED on `shippingMethodId` when that method does not.
 */
export function selectShippingMethod(
  zones: readonly ShippingZone[],
  methods: readonly ShippingMethod[],
  country: string,
  goodsCents: number,
  methodId: string,
): ShippingOption {
  const option = methodsFor(zones, methods, country, goodsCents).find(
    (candidate) => candidate.methodId === methodId,
  );
  if (option === undefined) throw shippingMethodUnavailable(methodId, country);
  return option;
}

function optionOf(method: ShippingMethod, goodsCents: number): ShippingOption {
  const { id, zoneId, name, priceCents, freeAboveCents, minDeliveryDays, maxDeliveryDays } = method;
  return {
    methodId: id,
    zoneId,
    name,
    priceCents: shippingPriceCents(method, goodsCents),
    regularPriceCents: priceCents,
    ...(freeAboveCents === undefined ? {} : { freeAboveCents }),
    ...(minDeliveryDays === undefined ? {} : { minDeliveryDays }),
    ...(maxDeliveryDays === undefined ? {} : { maxDeliveryDays }),
  };
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

function checkId(id: string, field: string, seen: Set<string>, errors: FieldError[]): void {
  if (!ID.test(id) || id.length > SHIPPING_LIMITS.maxIdLength) {
    errors.push({
      field,
      message: `lower-case letters, digits and hyphens, at most ${SHIPPING_LIMITS.maxIdLength}`,
    });
  } else if (seen.has(id)) {
    errors.push({ field, message: `${id} is used twice` });
  }
  seen.add(id);
}

function checkName(name: string, field: string, errors: FieldError[]): void {
  const length = characterCount(name.trim());
  if (length === 0 || length > SHIPPING_LIMITS.maxNameLength || hasForbiddenCharacter(name)) {
    errors.push({
      field,
      message: `1 to ${SHIPPING_LIMITS.maxNameLength} characters, no control characters`,
    });
  }
}

/**
 * What is wrong with a set of zones an operator saves, by field (`zones[1].countries[0]`). A
 * country may be in one zone only: with two, which price applies would depend on the order of a
 * list, so such a set is refused here rather than resolved at checkout.
 */
export function checkShippingZones(zones: readonly ShippingZone[]): FieldError[] {
  const errors: FieldError[] = [];
  const ids = new Set<string>();
  const zoneOf = new Map<string, string>();
  zones.forEach((zone, z) => {
    checkId(zone.id, `zones[${z}].id`, ids, errors);
    checkName(zone.name, `zones[${z}].name`, errors);
    if (zone.countries.length === 0) {
      errors.push({ field: `zones[${z}].countries`, message: "at least one country" });
    }
    zone.countries.forEach((country, c) => {
      const field = `zones[${z}].countries[${c}]`;
      const other = zoneOf.get(country);
      if (!isCountryCode(country)) {
        errors.push({ field, message: "an upper-case ISO 3166-1 alpha-2 code, such as DE" });
      } else if (other !== undefined) {
        errors.push({
          field,
          message:
            other === zone.id
              ? `${country} is listed twice`
              : `${country} is already in zone ${other}`,
        });
      } else {
        zoneOf.set(country, zone.id);
      }
    });
  });
  return errors;
}

const isDays = (days: number) =>
  Number.isInteger(days) && days >= 0 && days <= SHIPPING_LIMITS.maxDeliveryDays;

/** What is wrong with the methods an operator saves, by field (`methods[0].zoneId`). */
export function checkShippingMethods(
  methods: readonly ShippingMethod[],
  zones: readonly ShippingZone[],
): FieldError[] {
  const errors: FieldError[] = [];
  const ids = new Set<string>();
  const zoneIds = new Set(zones.map((zone) => zone.id));
  const cents = (value: number) => isCents(value) && value <= MAX_PRICE_CENTS;
  methods.forEach((method, m) => {
    const at = (name: string) => `methods[${m}].${name}`;
    checkId(method.id, at("id"), ids, errors);
    checkName(method.name, at("name"), errors);
    if (!zoneIds.has(method.zoneId)) {
      errors.push({ field: at("zoneId"), message: `no zone ${method.zoneId}` });
    }
    if (!cents(method.priceCents)) {
      errors.push({ field: at("priceCents"), message: `whole cents, 0 to ${MAX_PRICE_CENTS}` });
    }
    if (method.freeAboveCents !== undefined && !cents(method.freeAboveCents)) {
      errors.push({ field: at("freeAboveCents"), message: `whole cents, 0 to ${MAX_PRICE_CENTS}` });
    }
    const { minDeliveryDays: min, maxDeliveryDays: max } = method;
    const daysMessage = `whole days, 0 to ${SHIPPING_LIMITS.maxDeliveryDays}`;
    if (min !== undefined && !isDays(min)) {
      errors.push({ field: at("minDeliveryDays"), message: daysMessage });
    }
    if (max !== undefined && !isDays(max)) {
      errors.push({ field: at("maxDeliveryDays"), message: daysMessage });
    } else if (min !== undefined && max !== undefined && isDays(min) && max < min) {
      errors.push({ field: at("maxDeliveryDays"), message: "at least minDeliveryDays" });
    }
  });
  return errors;
}

/**
 * Refuses (VALIDATION_FAILED, every field named) a shipping configuration `checkShippingZones`
 * or `checkShippingMethods` finds wrong; what every store checks before saving one.
 */
export function assertShippingConfiguration(
  zones: readonly ShippingZone[],
  methods: readonly ShippingMethod[],
): void {
  const fields = [...checkShippingZones(zones), ...checkShippingMethods(methods, zones)];
  if (fields.length > 0) throw invalidConfiguration("shipping zones and methods", fields);
}
