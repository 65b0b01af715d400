import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTableName, useDynamoDbLocal } from "../helpers/dynamodb-local.js";
import { runsOf } from "./figures.js";
import { type SqliteApp, startDynamoDbApp } from "./harness.js";
import {
  expectEveryRetryReplayed,
  expectOneOrder,
  lastUnitsRace,
  type RetryRace,
  retryRace,
} from "./exactly-once.js";

// Exactly-once on DynamoDB Local, where the concurrent checkouts are concurrent HTTP requests
// to the database and only its conditions and transactions keep them apart.

const dynamodb = useDynamoDbLocal();
let s: SqliteApp;
let race: RetryRace | undefined;

beforeAll(async () => {
  s = await startDynamoDbApp(dynamodb(), uniqueTableName("exactly-once"));
});

afterAll(async () => {
  await s?.close();
});

describe("exactly once on DynamoDB Local", () => {
  it("concurrent retries with one Idempotency-Key: one order, its stock taken once", async () => {
    race = await retryRace(s.t, runsOf(50, 0.1), "dynamodb");
    expectOneOrder(race);
  });

  // Issue 14, item 5 (fixed on its own branch): some retries answered 422 CART_EMPTY instead of
  // the replay, up to 59 of 1,000; rare in a sample of 50, so this may pass before the merge.
  it("(item 5) every one of those retries answered the replay, never CART_EMPTY", () => {
    if (race === undefined) throw new Error("the retry race did not run");
    expectEveryRetryReplayed(race);
  });

  it("concurrent orders on the last units: exactly that many placed, stock 0, never negative", async () => {
    const race = await lastUnitsRace(s.t, s.operator.token, 16, 4, "dynamodb");
    expect(race.placed).toBe(4);
    expect(race.refused).toBe(12);
    expect(race.stockAfter).toBe(0);
  });
});
