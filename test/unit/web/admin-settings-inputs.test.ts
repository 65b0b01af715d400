import { describe, expect, it } from "vitest";
import { freshId, placeIn } from "../../../web/src/admin/field-ids.js";
import { percentOf, ppmOf } from "../../../web/src/admin/percent-input.js";

// What the operators' shipping and tax pages send and where they show a refusal: percentages as
// the API's parts per million, ids made from names, an API field's input.

describe("a tax rate typed as a percentage", () => {
  it("is sent as parts per million, up to four decimals", () => {
    expect(ppmOf("19")).toBe(190_000);
    expect(ppmOf("9.975")).toBe(99_750);
    expect(ppmOf(" 6,625 ")).toBe(66_250);
    expect(ppmOf("8.1%")).toBe(81_000);
    expect(ppmOf("0")).toBe(0);
    expect(ppmOf("100")).toBe(1_000_000);
  });

  it("is refused past 100 %, past four decimals, negative or not a number", () => {
    for (const text of ["100.5", "101", "1.23456", "-5", "", "nineteen", "1e2"]) {
      expect(ppmOf(text), text).toBeNull();
    }
  });

  it("is shown as the percentage typed, without trailing zeros", () => {
    expect([190_000, 99_750, 81_000, 66_250, 0, 1_000_000, 5].map(percentOf)).toEqual([
      "19",
      "9.975",
      "8.1",
      "6.625",
      "0",
      "100",
      "0.0005",
    ]);
    for (const ppm of [1, 10_001, 123_456, 999_999]) expect(ppmOf(percentOf(ppm))).toBe(ppm);
  });
});

describe("an id made from a name", () => {
  it("is lower-case letters, digits and hyphens, and not one taken", () => {
    expect(freshId("South America", [], "zone")).toBe("south-america");
    expect(freshId("Übersee Express!", [], "zone")).toBe("ubersee-express");
    expect(freshId("eu Express", ["eu-express", "eu-express-2"], "method")).toBe("eu-express-3");
  });

  it("falls back when the name has no letter or digit of its own", () => {
    expect(freshId("   ", [], "zone")).toBe("zone");
    expect(freshId("日本", ["zone"], "zone")).toBe("zone-2");
  });
});

describe("an API field placed in a form", () => {
  const place = placeIn("zones", 2, { name: "zone-name", countries: "zone-countries" });

  it("is the input of the item's property, list elements included", () => {
    expect(place("zones[2].name")).toBe("zone-name");
    expect(place("zones[2].countries")).toBe("zone-countries");
    expect(place("zones[2].countries[4]")).toBe("zone-countries");
  });

  it("is no input for another item, a property the form lacks, or the document", () => {
    expect(place("zones[12].name")).toBeUndefined();
    expect(place("zones[1].name")).toBeUndefined();
    expect(place("zones[2].id")).toBeUndefined();
    expect(place("version")).toBeUndefined();
  });
});
