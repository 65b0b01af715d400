import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AppError,
  assertShippingConfiguration,
  checkShippingMethods,
  checkShippingZones,
  methodsFor,
  type ShippingMethod,
  type ShippingZone,
  selectShippingMethod,
  shippingPriceCents,
} from "../../../src/domain/index.js";

const zones: ShippingZone[] = [
  { id: "domestic", name: "United States", countries: ["US"] },
  { id: "eu", name: "European Union", countries: ["DE", "FR", "NL"] },
  { id: "empty", name: "Nowhere yet", countries: ["NZ"] },
];

const methods: ShippingMethod[] = [
  { id: "eu-express", zoneId: "eu", name: "Express", priceCents: 1900, minDeliveryDays: 1 },
  {
    id: "eu-standard",
    zoneId: "eu",
    name: "Standard",
    priceCents: 690,
    freeAboveCents: 5000,
    minDeliveryDays: 3,
    maxDeliveryDays: 5,
  },
  { id: "us-ground", zoneId: "domestic", name: "Ground", priceCents: 599 },
  { id: "eu-pickup", zoneId: "eu", name: "Pick-up point", priceCents: 690 },
];

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("shippingPriceCents", () => {
  const standard = methods[1] as ShippingMethod;

  it("is free at the threshold and above it, the full price one cent below", () => {
    expect(shippingPriceCents(standard, 4999)).toBe(690);
    expect(shippingPriceCents(standard, 5000)).toBe(0);
    expect(shippingPriceCents(standard, 5001)).toBe(0);
  });

  it("never makes a method without a threshold free", () => {
    expect(shippingPriceCents(methods[0] as ShippingMethod, 10 ** 12)).toBe(1900);
  });

  it("makes a threshold of 0 always free, even for goods that cost nothing", () => {
    expect(shippingPriceCents({ ...standard, freeAboveCents: 0 }, 0)).toBe(0);
  });
});

describe("methodsFor", () => {
  it("offers the zone's methods, cheapest first, ties in the configured order", () => {
    expect(methodsFor(zones, methods, "DE", 4999)).toEqual([
      {
        methodId: "eu-standard",
        zoneId: "eu",
        name: "Standard",
        priceCents: 690,
        regularPriceCents: 690,
        freeAboveCents: 5000,
        minDeliveryDays: 3,
        maxDeliveryDays: 5,
      },
      {
        methodId: "eu-pickup",
        zoneId: "eu",
        name: "Pick-up point",
        priceCents: 690,
        regularPriceCents: 690,
      },
      {
        methodId: "eu-express",
        zoneId: "eu",
        name: "Express",
        priceCents: 1900,
        regularPriceCents: 1900,
        minDeliveryDays: 1,
      },
    ]);
  });

  it("prices each method for this order's goods (after discount)", () => {
    const options = methodsFor(zones, methods, "FR", 5000);
    expect(options.map((option) => [option.methodId, option.priceCents])).toEqual([
      ["eu-standard", 0],
      ["eu-pickup", 690],
      ["eu-express", 1900],
    ]);
  });

  it("refuses a country no zone covers with NOT_SHIPPABLE naming the country", () => {
    const error = thrown(() => methodsFor(zones, methods, "BR", 100));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "NOT_SHIPPABLE",
      message: "we do not ship to BR",
      fields: [{ field: "shippingAddress.country", message: "not shipped to BR" }],
    });
  });

  it("refuses a country whose zone has no method, as one no zone covers", () => {
    expect(thrown(() => methodsFor(zones, methods, "NZ", 100))).toMatchObject({
      code: "NOT_SHIPPABLE",
    });
  });

  it("takes the first zone when an unchecked configuration lists a country twice", () => {
    const overlapping = [...zones, { id: "world", name: "World", countries: ["DE"] }];
    const world: ShippingMethod = { id: "w", zoneId: "world", name: "World", priceCents: 1 };
    expect(
      methodsFor(overlapping, [...methods, world], "DE", 0).map((option) => option.zoneId),
    ).toEqual(["eu", "eu", "eu"]);
  });

  it("prices every option as its method's price or 0, free exactly from the threshold", () => {
    const method = fc.record(
      {
        id: fc.constantFrom("a", "b", "c"),
        zoneId: fc.constant("eu"),
        name: fc.constant("M"),
        priceCents: fc.integer({ min: 0, max: 10 ** 8 }),
        freeAboveCents: fc.integer({ min: 0, max: 10 ** 8 }),
      },
      { requiredKeys: ["id", "zoneId", "name", "priceCents"] },
    );
    fc.assert(
      fc.property(fc.array(method, { minLength: 1 }), fc.nat(2 * 10 ** 8), (list, goods) => {
        const options = methodsFor(zones, list, "NL", goods);
        expect(options).toHaveLength(list.length);
        for (const option of options) {
          const free = option.freeAboveCents !== undefined && goods >= option.freeAboveCents;
          expect(option.priceCents).toBe(free ? 0 : option.regularPriceCents);
        }
        const prices = options.map((option) => option.priceCents);
        expect(prices).toEqual([...prices].sort((a, b) => a - b));
      }),
    );
  });
});

describe("selectShippingMethod", () => {
  it("answers the chosen option with this order's price", () => {
    expect(selectShippingMethod(zones, methods, "NL", 6000, "eu-standard")).toMatchObject({
      methodId: "eu-standard",
      priceCents: 0,
    });
  });

  it("refuses a method of another zone, or an unknown one, on shippingMethodId", () => {
    for (const id of ["us-ground", "no-such-method"]) {
      expect(thrown(() => selectShippingMethod(zones, methods, "DE", 0, id))).toMatchObject({
        code: "VALIDATION_FAILED",
        fields: [{ field: "shippingMethodId", message: "not offered for DE" }],
      });
    }
  });

  it("refuses a country nothing ships to with NOT_SHIPPABLE before looking at the method", () => {
    expect(thrown(() => selectShippingMethod(zones, methods, "CN", 0, "us-ground"))).toMatchObject({
      code: "NOT_SHIPPABLE",
    });
  });
});

describe("checkShippingZones", () => {
  it("accepts zones that share no country", () => {
    expect(checkShippingZones(zones)).toEqual([]);
  });

  it("refuses a country in two zones, naming the second place and the first zone", () => {
    expect(
      checkShippingZones([...zones, { id: "world", name: "World", countries: ["GB", "FR"] }]),
    ).toEqual([{ field: "zones[3].countries[1]", message: "FR is already in zone eu" }]);
    expect(checkShippingZones([{ id: "eu", name: "EU", countries: ["DE", "DE"] }])).toEqual([
      { field: "zones[0].countries[1]", message: "DE is listed twice" },
    ]);
  });

  it("refuses codes that are not upper-case alpha-2, empty zones, bad ids and names", () => {
    expect(
      checkShippingZones([
        { id: "eu", name: "EU", countries: ["de", "DEU"] },
        { id: "eu", name: " ", countries: [] },
        { id: "Bad Id", name: "x\u202ey", countries: ["US"] },
      ]).map((error) => error.field),
    ).toEqual([
      "zones[0].countries[0]",
      "zones[0].countries[1]",
      "zones[1].id",
      "zones[1].name",
      "zones[1].countries",
      "zones[2].id",
      "zones[2].name",
    ]);
  });
});

describe("checkShippingMethods", () => {
  it("accepts methods of known zones", () => {
    expect(checkShippingMethods(methods, zones)).toEqual([]);
  });

  it("names each wrong field", () => {
    expect(
      checkShippingMethods(
        [
          {
            id: "x",
            zoneId: "mars",
            name: "X",
            priceCents: 1.5,
            freeAboveCents: -1,
            minDeliveryDays: 5,
            maxDeliveryDays: 2,
          },
          { id: "x", zoneId: "eu", name: "", priceCents: 0, minDeliveryDays: 0.5 },
        ],
        zones,
      ),
    ).toEqual([
      { field: "methods[0].zoneId", message: "no zone mars" },
      { field: "methods[0].priceCents", message: "whole cents, 0 to 100000000" },
      { field: "methods[0].freeAboveCents", message: "whole cents, 0 to 100000000" },
      { field: "methods[0].maxDeliveryDays", message: "at least minDeliveryDays" },
      { field: "methods[1].id", message: "x is used twice" },
      { field: "methods[1].name", message: "1 to 80 characters, no control characters" },
      { field: "methods[1].minDeliveryDays", message: "whole days, 0 to 365" },
    ]);
  });
});

describe("assertShippingConfiguration", () => {
  it("refuses a configuration with a shared country as VALIDATION_FAILED", () => {
    const overlapping = [...zones, { id: "world", name: "World", countries: ["US"] }];
    expect(thrown(() => assertShippingConfiguration(overlapping, methods))).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [{ field: "zones[3].countries[0]", message: "US is already in zone domestic" }],
    });
    expect(() => assertShippingConfiguration(zones, methods)).not.toThrow();
  });
});
