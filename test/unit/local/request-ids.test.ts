import { describe, expect, it } from "vitest";
import { createRequestIds } from "../../../src/local/request-ids.js";

// RFC 9562, version 4: the version nibble 4, the variant bits 10 (8, 9, a or b).
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("the dev server's request ids", () => {
  it("are random version 4 UUIDs, as API Gateway's are, across several batches", () => {
    const next = createRequestIds();
    const ids = Array.from({ length: 1000 }, () => next());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("differ between two sources (a restarted server does not repeat them)", () => {
    const a = createRequestIds();
    const b = createRequestIds();
    const fromA = new Set(Array.from({ length: 300 }, () => a()));
    const fromB = Array.from({ length: 300 }, () => b());
    expect(fromB.filter((id) => fromA.has(id))).toEqual([]);
  });

  it("use every hex digit in every free position (the formatting loses no bits)", () => {
    const next = createRequestIds();
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      for (const [at, char] of [...next()].entries()) seen[at]?.add(char);
    }
    const free = seen.filter((_, at) => ![8, 13, 14, 18, 19, 23].includes(at));
    for (const digits of free) expect(digits.size).toBe(16);
    expect([...(seen[14] ?? [])]).toEqual(["4"]);
    expect([...(seen[19] ?? [])].sort()).toEqual(["8", "9", "a", "b"]);
  });
});
