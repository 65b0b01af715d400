import { describe, expect, it } from "vitest";
import { summarizeRatings } from "../../../src/domain/index.js";

const ratings = (...values: number[]) => values.map((rating) => ({ rating }));

describe("summarizeRatings", () => {
  it("has no average when nobody rated the product", () => {
    expect(summarizeRatings([])).toEqual({ average: null, count: 0 });
  });

  it("is the single rating when there is one", () => {
    expect(summarizeRatings(ratings(3))).toEqual({ average: 3, count: 1 });
  });

  it("averages the ratings, rounded to one decimal", () => {
    expect(summarizeRatings(ratings(5, 4))).toEqual({ average: 4.5, count: 2 });
    expect(summarizeRatings(ratings(5, 4, 4))).toEqual({ average: 4.3, count: 3 });
    expect(summarizeRatings(ratings(5, 5, 4))).toEqual({ average: 4.7, count: 3 });
    expect(summarizeRatings(ratings(4, 5, 5, 5))).toEqual({ average: 4.8, count: 4 });
    expect(summarizeRatings(ratings(1, 2, 2))).toEqual({ average: 1.7, count: 3 });
  });

  it("keeps the extremes exact", () => {
    expect(summarizeRatings(ratings(1, 1, 1))).toEqual({ average: 1, count: 3 });
    expect(summarizeRatings(ratings(5, 5, 5, 5, 5))).toEqual({ average: 5, count: 5 });
  });
});
