import { describe, expect, it } from "vitest";
import { defaultDisplayName, normalizeEmail } from "../../../src/domain/index.js";

describe("normalizeEmail", () => {
  it("trims and lower-cases, so one mailbox is one user", () => {
    expect(normalizeEmail("  Ada.Lovelace@Example.COM ")).toBe("ada.lovelace@example.com");
  });
});

describe("defaultDisplayName", () => {
  it("is the part of the email before the @", () => {
    expect(defaultDisplayName("ada.lovelace@example.com")).toBe("ada.lovelace");
  });
});
