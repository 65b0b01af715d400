import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectEveryRetryReplayed,
  expectOneOrder,
  lastUnitsRace,
  retryRace,
} from "./exactly-once.js";
import { runsOf } from "./figures.js";
import { type SqliteApp, startSqliteApp } from "./harness.js";

// Exactly-once under concurrency on SQLite, in-process: the retries interleave at every await
// of the checkout, as concurrent Lambda invocations would around the store's calls.

let s: SqliteApp;

beforeAll(async () => {
  s = await startSqliteApp();
});

afterAll(async () => {
  await s?.close();
});

describe("exactly once on SQLite", () => {
  it("concurrent retries with one Idempotency-Key: one order, stock taken once, every answer the replay", async () => {
    const race = await retryRace(s.t, runsOf(200, 0.1), "sqlite");
    expectOneOrder(race);
    expectEveryRetryReplayed(race);
  });

  it("concurrent orders on the last units: exactly that many placed, stock 0, never negative", async () => {
    const race = await lastUnitsRace(s.t, s.operator.token, 24, 5, "sqlite");
    expect(race.placed).toBe(5);
    expect(race.refused).toBe(19);
    expect(race.stockAfter).toBe(0);
  });
});
