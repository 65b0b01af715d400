import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ADDRESS_LIMITS,
  type AddressInput,
  AppError,
  checkAddress,
  normalizeAddress,
  POSTAL_CODE_RULES,
  REGION_CODES,
  requireAddress,
} from "../../../src/domain/index.js";

const berlin: AddressInput = {
  name: "Erika Mustermann",
  line1: "Heidestraße 17",
  city: "Berlin",
  postalCode: "10115",
  country: "DE",
};

const at = (input: AddressInput) => checkAddress(input, "shippingAddress");
const fieldsOf = (input: AddressInput) => at(input).map((error) => error.field);

describe("checkAddress", () => {
  it("accepts a complete address and names no field", () => {
    expect(at(berlin)).toEqual([]);
    expect(
      at({
        name: "Jane Roe",
        line1: "1 Market St",
        line2: "Suite 300",
        city: "San Francisco",
        region: "CA",
        postalCode: "94105-1804",
        country: "US",
        phone: "+1 (415) 555-0100",
      }),
    ).toEqual([]);
  });

  it("names every missing required field under the prefix", () => {
    expect(checkAddress({}, "billingAddress")).toEqual([
      { field: "billingAddress.name", message: "required" },
      { field: "billingAddress.line1", message: "required" },
      { field: "billingAddress.city", message: "required" },
      { field: "billingAddress.country", message: "required" },
    ]);
    expect(fieldsOf({ ...berlin, name: "   " })).toEqual(["shippingAddress.name"]);
  });

  it("names the fields by themselves when the address is the whole body (no prefix)", () => {
    expect(checkAddress({ name: "Ada", line1: "1 Main St", city: "Berlin" }, "")).toEqual([
      { field: "country", message: "required" },
    ]);
  });

  it("limits the length of every text field, in characters rather than UTF-16 units", () => {
    for (const [field, limit] of Object.entries(ADDRESS_LIMITS)) {
      if (field === "postalCode" || field === "phone" || field === "region") continue;
      expect(fieldsOf({ ...berlin, [field]: "a".repeat(limit) })).toEqual([]);
      expect(at({ ...berlin, [field]: "a".repeat(limit + 1) })).toEqual([
        { field: `shippingAddress.${field}`, message: `at most ${limit} characters` },
      ]);
    }
    // 100 emoji are 200 UTF-16 units but 100 characters.
    expect(fieldsOf({ ...berlin, name: "🐦".repeat(100) })).toEqual([]);
    expect(fieldsOf({ ...berlin, country: "JP", region: "東京都".repeat(30) })).toEqual([
      "shippingAddress.region",
      "shippingAddress.postalCode",
    ]);
    expect(fieldsOf({ ...berlin, country: "IE", postalCode: "D02".repeat(6) })).toEqual([
      "shippingAddress.postalCode",
    ]);
    expect(fieldsOf({ ...berlin, phone: `+49${" 1".repeat(11)}` })).toEqual([
      "shippingAddress.phone",
    ]);
  });

  it.each([
    ["NUL", "\u0000"],
    ["a line feed", "\n"],
    ["a tab", "\t"],
    ["DEL", "\u007f"],
    ["a C1 control", "\u0085"],
    ["the line separator", "\u2028"],
    ["the paragraph separator", "\u2029"],
    ["a right-to-left override", "\u202e"],
    ["a first-strong isolate", "\u2068"],
    ["the right-to-left mark", "\u200f"],
    ["the Arabic letter mark", "\u061c"],
    ["a lone surrogate", "\ud800"],
  ])("refuses %s in any field", (_name, character) => {
    for (const field of ["name", "line1", "line2", "city", "region", "postalCode", "phone"]) {
      expect(at({ ...berlin, [field]: `Berlin${character}Mitte` })).toContainEqual({
        field: `shippingAddress.${field}`,
        message: "must not contain control, separator or bidirectional characters",
      });
    }
    expect(fieldsOf({ ...berlin, country: `D${character}E` })).toContain("shippingAddress.country");
  });

  it("accepts letters of every script, and emoji (they are not controls)", () => {
    expect(at({ ...berlin, name: "山田 太郎", line1: "شارع الملك فهد", city: "Zürich" })).toEqual(
      [],
    );
  });

  it("refuses a country that is not two letters, and upper-cases one that is", () => {
    expect(at({ ...berlin, country: "DEU" })).toEqual([
      {
        field: "shippingAddress.country",
        message: "an ISO 3166-1 alpha-2 code, such as DE or US",
      },
    ]);
    expect(fieldsOf({ ...berlin, country: "D1" })).toEqual(["shippingAddress.country"]);
    expect(fieldsOf({ ...berlin, country: " de " })).toEqual([]);
  });

  describe("postal codes", () => {
    const valid: Record<string, string[]> = {
      US: ["94105", "94105-1804", "941051804"],
      CA: ["K1A 0B1", "k1a0b1", "M5V 3L9"],
      GB: ["SW1A 1AA", "sw1a1aa", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "GIR 0AA"],
      DE: ["10115", "01067"],
      FR: ["75008", "97400"],
      NL: ["1012 AB", "1012ab"],
      JP: ["100-0001", "1000001"],
      AU: ["2000", "0800"],
    };
    const invalid: Record<string, string[]> = {
      US: ["9410", "941051", "94105-18", "ABCDE"],
      CA: ["D1A 0B1", "K1A 0BO", "W1A 0B1", "K1A0B", "123 456"],
      GB: ["SW1A", "1AA SW1A", "SW1A 1A", "SW1A-1AA!"],
      DE: ["1011", "101155", "D-10115"],
      FR: ["7500", "750081"],
      NL: ["0123 AB", "1012 A", "1012"],
      JP: ["100-001", "10000011"],
      AU: ["200", "20000"],
    };

    it.each(Object.keys(valid))("accepts the %s forms the post writes or a shopper types", (c) => {
      const region = REGION_CODES[c]?.[0];
      for (const postalCode of valid[c] ?? []) {
        expect(at({ ...berlin, country: c, postalCode, ...(region ? { region } : {}) })).toEqual(
          [],
        );
      }
    });

    it.each(Object.keys(invalid))("refuses what is not a %s postal code, with an example", (c) => {
      const region = REGION_CODES[c]?.[0];
      for (const postalCode of invalid[c] ?? []) {
        expect(at({ ...berlin, country: c, postalCode, ...(region ? { region } : {}) })).toEqual([
          {
            field: "shippingAddress.postalCode",
            message: `not a postal code of ${c} (such as ${POSTAL_CODE_RULES[c]?.example})`,
          },
        ]);
      }
    });

    it("is required where the country has a rule, optional elsewhere", () => {
      const { postalCode: _none, ...noPostalCode } = berlin;
      expect(at(noPostalCode)).toEqual([
        { field: "shippingAddress.postalCode", message: "required for DE" },
      ]);
      expect(at({ ...noPostalCode, country: "HK" })).toEqual([]);
      expect(at({ ...noPostalCode, country: "IE", postalCode: "D02 X285" })).toEqual([]);
      expect(fieldsOf({ ...noPostalCode, country: "IE", postalCode: "D02/X285" })).toEqual([
        "shippingAddress.postalCode",
      ]);
    });
  });

  describe("regions", () => {
    it("are required codes for the US, Canada and Australia", () => {
      for (const [country, postalCode] of [
        ["US", "94105"],
        ["CA", "K1A 0B1"],
        ["AU", "2000"],
      ] as const) {
        expect(at({ ...berlin, country, postalCode })).toEqual([
          { field: "shippingAddress.region", message: `required for ${country}` },
        ]);
        expect(at({ ...berlin, country, postalCode, region: "Nowhere" })).toEqual([
          { field: "shippingAddress.region", message: `not a region code of ${country}` },
        ]);
      }
      expect(at({ ...berlin, country: "US", postalCode: "94105", region: "ca" })).toEqual([]);
      expect(at({ ...berlin, country: "AU", postalCode: "2000", region: "nsw" })).toEqual([]);
      expect(fieldsOf({ ...berlin, country: "US", postalCode: "94105", region: "ON" })).toEqual([
        "shippingAddress.region",
      ]);
    });

    it("are optional free text elsewhere", () => {
      expect(at({ ...berlin, region: "Berlin" })).toEqual([]);
      expect(at(berlin)).toEqual([]);
    });
  });

  it("takes phone numbers in a loose E.164 shape", () => {
    for (const phone of ["+49 30 1234567", "+1 (415) 555-0100", "030 1234567", "+81.3.1234.5678"]) {
      expect(at({ ...berlin, phone })).toEqual([]);
    }
    for (const phone of [
      "12345",
      "+0 30 1234567",
      "+49 30 CALL-ME",
      "++49301234567",
      "1".repeat(16),
    ]) {
      expect(at({ ...berlin, phone })).toEqual([
        {
          field: "shippingAddress.phone",
          message: "7 to 15 digits, optionally after + and a country code",
        },
      ]);
    }
  });

  it("names each field once, with its first reason", () => {
    expect(at({ ...berlin, name: `${"a".repeat(200)}\n` })).toEqual([
      {
        field: "shippingAddress.name",
        message: "must not contain control, separator or bidirectional characters",
      },
    ]);
  });
});

describe("normalizeAddress", () => {
  it("trims, makes runs of spaces one and leaves empty optional fields out", () => {
    expect(
      normalizeAddress({
        name: "  Erika   Mustermann ",
        line1: " Heidestraße 17",
        line2: "   ",
        city: "Berlin ",
        region: "",
        postalCode: " 10115 ",
        country: " de",
        phone: " ",
      }),
    ).toEqual({
      name: "Erika Mustermann",
      line1: "Heidestraße 17",
      city: "Berlin",
      postalCode: "10115",
      country: "DE",
    });
  });

  it("writes postal codes, regions and phones the standard way", () => {
    const of = (country: string, postalCode: string) =>
      normalizeAddress({ ...berlin, country, postalCode }).postalCode;
    expect(of("CA", "k1a0b1")).toBe("K1A 0B1");
    expect(of("CA", "k1a   0b1")).toBe("K1A 0B1");
    expect(of("GB", "sw1a1aa")).toBe("SW1A 1AA");
    expect(of("GB", "m11ae")).toBe("M1 1AE");
    expect(of("NL", "1012ab")).toBe("1012 AB");
    expect(of("JP", "1000001")).toBe("100-0001");
    expect(of("US", "94105-1804")).toBe("94105-1804");
    expect(of("US", "941051804")).toBe("94105-1804");
    expect(of("IE", "d02 x285")).toBe("d02 x285");
    expect(normalizeAddress({ ...berlin, country: "US", region: "ny" }).region).toBe("NY");
    expect(normalizeAddress({ ...berlin, region: "bayern" }).region).toBe("bayern");
    expect(normalizeAddress({ ...berlin, phone: "+1 (415) 555-0100" }).phone).toBe("+14155550100");
  });

  it("composes what was typed decomposed (NFC), so equal addresses are equal strings", () => {
    expect(normalizeAddress({ ...berlin, city: "Zu\u0308rich" }).city).toBe("Z\u00fcrich");
    // Upper-casing U+1FD7 gives three code points; composed again they are two, every time.
    const once = normalizeAddress({ ...berlin, country: "\u1fd7" });
    expect(normalizeAddress(once)).toEqual(once);
  });

  it("is idempotent, and a valid address stays valid once normalised", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 30 });
    const input = fc.record(
      {
        name: text,
        line1: text,
        line2: text,
        city: text,
        region: fc.oneof(text, fc.constantFrom("ca", "NSW", "on")),
        postalCode: fc.oneof(text, fc.constantFrom("k1a0b1", "sw1a1aa", "1012ab", "94105")),
        country: fc.oneof(text, fc.constantFrom("us", "CA", "gb", "NL", "AU", "HK")),
        phone: fc.oneof(text, fc.constant("+1 (415) 555-0100")),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (raw) => {
        const once = normalizeAddress(raw);
        expect(normalizeAddress(once)).toEqual(once);
        if (at(raw).length === 0) expect(at(once)).toEqual([]);
      }),
    );
  });
});

describe("requireAddress", () => {
  it("answers the canonical address", () => {
    expect(requireAddress({ ...berlin, country: "nl", postalCode: "1012ab" }, "x")).toEqual({
      ...berlin,
      country: "NL",
      postalCode: "1012 AB",
    });
  });

  it("refuses with VALIDATION_FAILED naming every field", () => {
    const error = (() => {
      try {
        requireAddress({ ...berlin, postalCode: "1", phone: "x" }, "billingAddress");
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [{ field: "billingAddress.postalCode" }, { field: "billingAddress.phone" }],
    });
  });
});
