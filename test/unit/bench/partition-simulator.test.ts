import { describe, expect, it } from "vitest";
import { PartitionBudget } from "../../../bench/scale-budget.js";
import {
  type Charge,
  chargesOfConditionCheck,
  chargesOfGet,
  chargesOfQuery,
  chargesOfRefusedWrite,
  chargesOfTransactGet,
  chargesOfWrite,
  indexKeysAfterUpdate,
  itemSizeBytes,
  numberSizeBytes,
  partitionsOf,
  type WireItem,
} from "../../../bench/scale-metering.js";
import { estimateOf } from "../../../bench/scale-simulator-context.js";
import { throughputExceeded, transactionThrottled } from "../../../bench/scale-throttle-answers.js";

// The partition simulator's metering, against unit counts worked out by hand from AWS's rules,
// and its per-key buckets. Sizes: a string is its UTF-8 bytes, a number one byte per two
// significant digits plus one, every attribute adds its name's bytes.

const S = (text: string) => ({ S: text });

/** `item` with a `pad` attribute (3 bytes of name) that brings it to exactly `bytes`. */
function sized(item: WireItem, bytes: number): WireItem {
  const missing = bytes - itemSizeBytes(item) - 3;
  if (missing < 0) throw new Error("the item is already larger");
  return { ...item, pad: S("x".repeat(missing)) };
}

const KEY = { PK: S("PRODUCT#p"), SK: S("META") };
const PRODUCT = { ...KEY, GSI1PK: S("CATALOGUE"), GSI1SK: S("PRODUCT#p") };

const total = (charges: readonly Charge[]) =>
  Object.fromEntries(
    Object.entries(
      charges.reduce<Record<string, number>>((sums, { partition, kind, units }) => {
        const name = `${kind} ${partition}`;
        sums[name] = (sums[name] ?? 0) + units;
        return sums;
      }, {}),
    ),
  );

describe("item size", () => {
  it("adds up names and values as AWS documents", () => {
    const item: WireItem = {
      PK: S("USER#1"), // 2 + 6
      SK: S("CART"), // 2 + 4
      n: { N: "123" }, // 1 + (2 + 1)
      ok: { BOOL: true }, // 2 + 1
      no: { NULL: true }, // 2 + 1
      l: { L: [S("ab"), { N: "1" }] }, // 1 + 3 + (1 + 2) + (1 + 2)
      m: { M: { a: S("x") } }, // 1 + 3 + (1 + 1 + 1)
      é: S("é"), // 2 + 2
    };
    expect(itemSizeBytes(item)).toBe(8 + 6 + 4 + 3 + 3 + 10 + 7 + 4);
    expect(itemSizeBytes(undefined)).toBe(0);
  });

  it("counts a number's significant digits only", () => {
    expect(numberSizeBytes("0")).toBe(1);
    expect(numberSizeBytes("7")).toBe(2);
    expect(numberSizeBytes("-0012.3400")).toBe(3);
    expect(numberSizeBytes("1000000")).toBe(2);
    expect(numberSizeBytes("12345")).toBe(4);
    expect(numberSizeBytes("1.5e10")).toBe(2);
  });
});

describe("writes", () => {
  it("bills a Put of a new 1,500-byte product on the table and on the catalogue index", () => {
    const after = sized(PRODUCT, 1_500);
    expect(
      total(chargesOfWrite({ key: KEY, before: undefined, after, transactional: false })),
    ).toEqual({
      "write table PRODUCT#p": 2,
      "write GSI1 CATALOGUE": 2,
    });
  });

  it("bills an Update on the larger of the item before and after, index entry included", () => {
    const before = sized(PRODUCT, 900);
    const after = sized({ ...PRODUCT, stock: { N: "4" } }, 1_100);
    expect(total(chargesOfWrite({ key: KEY, before, after, transactional: false }))).toEqual({
      "write table PRODUCT#p": 2,
      "write GSI1 CATALOGUE": 2,
    });
  });

  it("writes no index entry when the item did not change", () => {
    const item = sized(PRODUCT, 500);
    expect(
      total(chargesOfWrite({ key: KEY, before: item, after: item, transactional: false })),
    ).toEqual({
      "write table PRODUCT#p": 1,
    });
  });

  it("bills a changed index key as a delete of the old entry and a put of the new", () => {
    const before = sized({ ...PRODUCT, GSI1PK: S("G") }, 2_000);
    const after = sized({ ...PRODUCT, GSI1PK: S("H") }, 500);
    expect(total(chargesOfWrite({ key: KEY, before, after, transactional: false }))).toEqual({
      "write table PRODUCT#p": 2,
      "write GSI1 G": 2,
      "write GSI1 H": 1,
    });
  });

  it("bills an index entry removed by an Update as its delete", () => {
    const cartKey = { PK: S("USER#1"), SK: S("CART") };
    const before = sized({ ...cartKey, GSI2PK: S("CARTS"), GSI2SK: S("USER#1") }, 300);
    const after = sized(cartKey, 200);
    expect(total(chargesOfWrite({ key: cartKey, before, after, transactional: false }))).toEqual({
      "write table USER#1": 1,
      "write GSI2 CARTS": 1,
    });
  });

  it("bills an order's local index on the user's own partition key", () => {
    const orderKey = { PK: S("USER#1"), SK: S("ORDER#o") };
    const order = sized(
      {
        ...orderKey,
        LSI1SK: S("ORDER#2026#o"),
        GSI2PK: S("ORDERS"),
        GSI2SK: S("2026#o"),
        GSI1PK: S("IN_FLIGHT"),
        GSI1SK: S("2026#o"),
      },
      800,
    );
    expect(partitionsOf(order)).toEqual(["table USER#1", "GSI1 IN_FLIGHT", "GSI2 ORDERS"]);
    expect(
      total(
        chargesOfWrite({ key: orderKey, before: undefined, after: order, transactional: false }),
      ),
    ).toEqual({
      // The table's unit and the local index's.
      "write table USER#1": 2,
      "write GSI1 IN_FLIGHT": 1,
      "write GSI2 ORDERS": 1,
    });
  });

  it("bills a Delete on the item deleted, and a missing item's delete one unit", () => {
    const before = sized(PRODUCT, 3_000);
    expect(
      total(chargesOfWrite({ key: KEY, before, after: undefined, transactional: false })),
    ).toEqual({
      "write table PRODUCT#p": 3,
      "write GSI1 CATALOGUE": 3,
    });
    expect(
      total(
        chargesOfWrite({ key: KEY, before: undefined, after: undefined, transactional: false }),
      ),
    ).toEqual({
      "write table PRODUCT#p": 1,
    });
  });

  it("bills everything in a transaction twice", () => {
    const before = sized(PRODUCT, 900);
    const after = sized({ ...PRODUCT, stock: { N: "3" } }, 901);
    expect(total(chargesOfWrite({ key: KEY, before, after, transactional: true }))).toEqual({
      "write table PRODUCT#p": 2,
      "write GSI1 CATALOGUE": 2,
    });
  });

  it("bills a ConditionCheck as a transactional write: 2 units up to 1 KB", () => {
    const promotionKey = { PK: S("PROMOTION#WELCOME10"), SK: S("META") };
    expect(total(chargesOfConditionCheck(promotionKey, sized(promotionKey, 200)))).toEqual({
      "write table PROMOTION#WELCOME10": 2,
    });
    expect(total(chargesOfConditionCheck(promotionKey, sized(promotionKey, 1_500)))).toEqual({
      "write table PROMOTION#WELCOME10": 4,
    });
  });

  it("still bills a write whose condition failed, on the table only, at least one unit", () => {
    expect(total(chargesOfRefusedWrite(KEY, sized(PRODUCT, 300), undefined, false))).toEqual({
      "write table PRODUCT#p": 1,
    });
    expect(total(chargesOfRefusedWrite(KEY, undefined, undefined, false))).toEqual({
      "write table PRODUCT#p": 1,
    });
    // A Put refused over a small item: the larger, the item it would have written.
    expect(total(chargesOfRefusedWrite(KEY, sized(KEY, 100), sized(PRODUCT, 2_500), true))).toEqual(
      {
        "write table PRODUCT#p": 6,
      },
    );
  });
});

describe("reads", () => {
  const item = (id: string, bytes: number) =>
    sized({ PK: S(`PRODUCT#${id}`), SK: S("META"), GSI1PK: S("CATALOGUE"), GSI1SK: S(id) }, bytes);

  it("rounds a Query's items up to 4 KB together, halved when eventually consistent", () => {
    const items = [item("a", 1_500), item("b", 1_500), item("c", 1_500)];
    expect(chargesOfQuery("GSI1 CATALOGUE", items, false)).toEqual([
      { partition: "GSI1 CATALOGUE", kind: "read", units: 1 },
    ]);
    expect(chargesOfQuery("table PRODUCT#a", items, true)).toEqual([
      { partition: "table PRODUCT#a", kind: "read", units: 2 },
    ]);
    expect(chargesOfQuery("GSI1 CATALOGUE", [], false)).toEqual([
      { partition: "GSI1 CATALOGUE", kind: "read", units: 0.5 },
    ]);
  });

  it("rounds each item of a GetItem or BatchGetItem on its own, a missing one too", () => {
    const keyA = { PK: S("PRODUCT#a"), SK: S("META") };
    expect(chargesOfGet(keyA, item("a", 100), true)).toEqual([
      { partition: "table PRODUCT#a", kind: "read", units: 1 },
    ]);
    expect(chargesOfGet(keyA, item("a", 4_097), false)).toEqual([
      { partition: "table PRODUCT#a", kind: "read", units: 1 },
    ]);
    expect(chargesOfGet(keyA, undefined, false)).toEqual([
      { partition: "table PRODUCT#a", kind: "read", units: 0.5 },
    ]);
  });

  it("bills a TransactGetItems item as two strongly consistent reads", () => {
    const keyA = { PK: S("PRODUCT#a"), SK: S("META") };
    expect(chargesOfTransactGet(keyA, item("a", 5_000))).toEqual([
      { partition: "table PRODUCT#a", kind: "read", units: 4 },
    ]);
  });
});

describe("index keys an Update will write", () => {
  const cartKey = { PK: S("USER#1"), SK: S("CART") };

  it("follows a SET of an index key to a plain value, among other assignments", () => {
    const after = indexKeysAfterUpdate(cartKey, undefined, {
      UpdateExpression:
        "SET #lines = :lines, #version = if_not_exists(#version, :zero) + :one, " +
        "GSI2PK = :carts, GSI2SK = :cartKey",
      ExpressionAttributeNames: { "#lines": "lines", "#version": "version" },
      ExpressionAttributeValues: { ":carts": S("CARTS#3"), ":cartKey": S("USER#1") },
    });
    expect(partitionsOf(after)).toEqual(["table USER#1", "GSI2 CARTS#3"]);
  });

  it("follows a REMOVE of index keys", () => {
    const before = { ...cartKey, GSI2PK: S("CARTS"), GSI2SK: S("USER#1") };
    const after = indexKeysAfterUpdate(cartKey, before, {
      UpdateExpression: "SET #lines = :empty REMOVE #promotionCode, GSI2PK, GSI2SK",
      ExpressionAttributeNames: { "#lines": "lines", "#promotionCode": "promotionCode" },
      ExpressionAttributeValues: { ":empty": { L: [] } },
    });
    expect(partitionsOf(after)).toEqual(["table USER#1"]);
  });
});

describe("a partition key's bucket", () => {
  it("admits while the bucket is not below zero, refuses until the refill pays the debt", () => {
    let now = 0;
    const budget = new PartitionBudget({
      writeUnitsPerSecond: 20,
      readUnitsPerSecond: 60,
      burstSeconds: 2,
      nowMs: () => now,
    });
    const hot = { partition: "table PRODUCT#p", kind: "write" as const };
    // A full bucket holds 2 s: 40 units. Two requests go before either is debited.
    expect(budget.refusedOf([hot])).toEqual([]);
    expect(budget.refusedOf([hot])).toEqual([]);
    budget.debit([{ ...hot, units: 30 }]);
    budget.debit([{ ...hot, units: 15 }]);
    // 40 - 45 = -5: refused, and the other kind and other keys are not.
    expect(budget.refusedOf([hot])).toEqual([hot]);
    expect(budget.refusedOf([{ partition: "table PRODUCT#p", kind: "read" }])).toEqual([]);
    expect(budget.refusedOf([{ partition: "table PRODUCT#q", kind: "write" }])).toEqual([]);
    // 200 ms refill 4 units: still -1. 250 ms: 0, admitted again.
    now = 200;
    expect(budget.refusedOf([hot, hot])).toEqual([hot]);
    now = 250;
    expect(budget.refusedOf([hot])).toEqual([]);
    // A bucket never holds more than its burst: after a long pause, 40 units again.
    now = 60_000;
    budget.debit([{ ...hot, units: 40 }]);
    expect(budget.refusedOf([hot])).toEqual([]);
    budget.debit([{ ...hot, units: 1 }]);
    expect(budget.refusedOf([hot])).toEqual([hot]);

    const usage = budget.usages().find((u) => u.partition === hot.partition && u.kind === "write");
    expect(usage).toMatchObject({ units: 86, throttles: 3, peakUnitsPerSecond: 45 });
    expect(usage?.peakPercentOfBudget).toBe(225);
  });
});

describe("a request's estimate, reserved as it goes", () => {
  it("counts a stock update on the catalogue index before the update is known", () => {
    const before = sized({ ...PRODUCT, stock: { N: "5" } }, 700);
    const estimate = estimateOf(
      {
        kind: "Update",
        tableName: "shop",
        key: KEY,
        update: { UpdateExpression: "SET #stock = #stock - :quantity" },
      },
      before,
      true,
    );
    expect(total(estimate)).toEqual({ "write table PRODUCT#p": 2, "write GSI1 CATALOGUE": 2 });
  });

  it("lets only as many simultaneous requests go as the bucket can pay for", () => {
    const budget = new PartitionBudget({ writeUnitsPerSecond: 2, burstSeconds: 1, nowMs: () => 0 });
    const estimate = [{ partition: "table PRODUCT#p", kind: "write" as const, units: 2 }];
    const went = Array.from({ length: 5 }, () => {
      if (budget.refusedOf(estimate).length > 0) return false;
      budget.reserve(estimate);
      return true;
    });
    // 2 tokens: the first leaves 0, the second goes at 0 (not below) and leaves -2.
    expect(went).toEqual([true, true, false, false, false]);
    // Settled for less than estimated: the difference is given back, the usage is what it was.
    budget.settle(estimate, [{ ...estimate[0], units: 1 } as (typeof estimate)[number]]);
    budget.settle(estimate, []);
    expect(budget.refusedOf(estimate)).toEqual([]);
    expect(budget.usages()).toMatchObject([{ units: 1, throttles: 3 }]);
  });
});

describe("throttle answers", () => {
  it("answers a single-item operation as DynamoDB does", () => {
    const answer = throughputExceeded(
      [{ partition: "GSI1 CATALOGUE", kind: "write" }],
      "shop",
      "us-east-1",
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
      ThrottlingReasons: [
        {
          reason: "IndexWriteKeyRangeThroughputExceeded",
          resource: "arn:aws:dynamodb:us-east-1:000000000000:table/shop/index/GSI1",
        },
      ],
    });
  });

  it("cancels a transaction with a ThrottlingError reason on each throttled item", () => {
    const answer = transactionThrottled([false, true], "cancellation");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
      Message:
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError]",
      CancellationReasons: [{ Code: "None" }, { Code: "ThrottlingError" }],
    });
  });
});
