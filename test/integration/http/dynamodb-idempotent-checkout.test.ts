import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { localTables, uniqueTableName, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";

const tables = localTables(useDynamoDbLocal());
const ROUNDS = 20;
const CONCURRENT = 50;

// Retries of one checkout racing each other on DynamoDB: the one that places the order empties
// the cart, so a retry that read the key before the order existed and the cart after it was
// emptied must still answer the first order, never 422 CART_EMPTY.
describe("concurrent checkouts with one Idempotency-Key on DynamoDB Local", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ store: await tables.open({ tableName: uniqueTableName("idem") }) });
  });

  afterAll(async () => {
    await t?.close();
    await tables.drop();
  });

  it("answers every retry with the one order the key placed", async () => {
    const { token } = await t.signup("racing-retries@example.com");
    const unexpected: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await t.saveCart(token, [["lonely-bird", 1]]);
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, () => t.checkout(token, `round-${round}`)),
      );
      const answered = answers.filter((a) => a.statusCode === 200 || a.statusCode === 202);
      for (const answer of answers) {
        if (!answered.includes(answer))
          unexpected.push(`${answer.statusCode} ${answer.json?.code}`);
      }
      const orderIds = new Set(answered.map((answer) => answer.json.id));
      expect(orderIds.size, `round ${round}: one order`).toBe(1);
      expect(answers.filter((answer) => answer.statusCode === 202)).toHaveLength(1);
    }
    expect(unexpected).toEqual([]);
  }, 120_000);
});
