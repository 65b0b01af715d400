import { describe, expect, it } from "vitest";
import { capsOf } from "../../../src/store/dynamodb/promotions.js";

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe("capsOf: a promotion's maxUses split over its use shards", () => {
  it("shares a new code's limit evenly, the first shards taking the remainder", () => {
    expect(capsOf(10, [0, 0, 0, 0, 0, 0, 0, 0])).toEqual([2, 2, 1, 1, 1, 1, 1, 1]);
    expect(capsOf(3, [0, 0, 0, 0, 0, 0, 0, 0])).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(capsOf(0, [0, 0, 0, 0])).toEqual([0, 0, 0, 0]);
  });

  it("puts what is left on top of each shard's uses: the caps add up to the limit", () => {
    const uses = [4, 0, 2, 1];
    const caps = capsOf(12, uses);
    expect(caps).toEqual([6, 1, 3, 2]);
    expect(sum(caps)).toBe(12);
    expect(caps.every((cap, shard) => cap >= (uses[shard] ?? 0))).toBe(true);
  });

  it("leaves no room anywhere when the uses reach or pass a lowered limit", () => {
    expect(capsOf(7, [4, 0, 2, 1])).toEqual([4, 0, 2, 1]);
    expect(capsOf(2, [4, 0, 2, 1])).toEqual([4, 0, 2, 1]);
  });
});
