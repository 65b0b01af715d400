import { describe, expect, it } from "vitest";
import { commentWindows, summarizeRatings } from "../../../src/domain/index.js";

/** The summary of these ratings, from their count and total as the stores keep them. */
const ratings = (...values: number[]): [number, number] => [
  values.length,
  values.reduce((total, value) => total + value, 0),
];

describe("summarizeRatings", () => {
  it("has no average when nobody rated the product", () => {
    expect(summarizeRatings(0, 0)).toEqual({ average: null, count: 0 });
  });

  it("is the single rating when there is one", () => {
    expect(summarizeRatings(...ratings(3))).toEqual({ average: 3, count: 1 });
  });

  it("averages the ratings, rounded to one decimal", () => {
    expect(summarizeRatings(...ratings(5, 4))).toEqual({ average: 4.5, count: 2 });
    expect(summarizeRatings(...ratings(5, 4, 4))).toEqual({ average: 4.3, count: 3 });
    expect(summarizeRatings(...ratings(5, 5, 4))).toEqual({ average: 4.7, count: 3 });
    expect(summarizeRatings(...ratings(4, 5, 5, 5))).toEqual({ average: 4.8, count: 4 });
    expect(summarizeRatings(...ratings(1, 2, 2))).toEqual({ average: 1.7, count: 3 });
  });

  it("keeps the extremes exact", () => {
    expect(summarizeRatings(...ratings(1, 1, 1))).toEqual({ average: 1, count: 3 });
    expect(summarizeRatings(...ratings(5, 5, 5, 5, 5))).toEqual({ average: 5, count: 5 });
  });
});

describe("commentWindows", () => {
  it("places a comment in its calendar minute and day (UTC), with the seconds left in each", () => {
    expect(commentWindows("2026-05-01T12:34:50.250Z")).toEqual({
      minute: {
        start: "2026-05-01T12:34:00.000Z",
        end: "2026-05-01T12:35:00.000Z",
        retryAfterSeconds: 10,
      },
      day: {
        start: "2026-05-01T00:00:00.000Z",
        end: "2026-05-02T00:00:00.000Z",
        retryAfterSeconds: 41_110,
      },
    });
  });

  it("never asks to wait less than a second", () => {
    expect(commentWindows("2026-05-01T23:59:59.999Z").minute.retryAfterSeconds).toBe(1);
  });
});
