import { describe, expect, it } from "vitest";
import { ARCHITECTURES, describeArchitecture, functionsOf } from "../../../src/deploy/index.js";
import { MEMORY_SIZES_MB, memorySizeFor } from "../../../src/deploy/memory-sizes.js";

// Each function's memory comes from its own measurement (`npm run bench -- memory`), kept in one
// table; the descriptor serverless.yml reads gives every function its entry.
const allFunctions = [...new Set(ARCHITECTURES.flatMap((a) => functionsOf(a).map((f) => f.name)))];

describe("memory sizes", () => {
  it("has a measured size for every function of every architecture, and for nothing else", () => {
    // A new function: run `npm run bench -- memory` and add what it prints.
    expect(Object.keys(MEMORY_SIZES_MB).sort()).toEqual([...allFunctions].sort());
  });

  it.each(ARCHITECTURES)(
    "gives each function of %s its own size in the descriptor",
    (architecture) => {
      const { functions } = describeArchitecture(architecture);
      for (const spec of functionsOf(architecture)) {
        expect(functions[spec.name]?.memorySize).toBe(MEMORY_SIZES_MB[spec.name]);
      }
    },
  );

  it("holds sizes Lambda accepts: 128 MB at least, in steps of 64 MB", () => {
    for (const size of Object.values(MEMORY_SIZES_MB)) {
      expect(size).toBeGreaterThanOrEqual(128);
      expect(size).toBeLessThanOrEqual(10_240);
      expect(size % 64).toBe(0);
    }
  });

  it("sizes twice the peak, rounded up to 64 MB, never under 128 MB", () => {
    expect(memorySizeFor(30)).toBe(128);
    expect(memorySizeFor(64)).toBe(128);
    expect(memorySizeFor(64.1)).toBe(192);
    expect(memorySizeFor(96)).toBe(192);
    expect(memorySizeFor(100)).toBe(256);
  });
});
