import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PartitionSimulator,
  startPartitionSimulator,
} from "../../../bench/partition-simulator.js";
import type { Product } from "../../../src/domain/index.js";
import { type DynamoDbStore, openDynamoDbStore } from "../../../src/store/dynamodb/store.js";
import {
  createTestApp,
  expectProblem,
  type TestApp,
  type TestResponse,
} from "../../helpers/app.js";
import { localClient, uniqueTableName, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";

// DynamoDB's per-partition-key limit, scaled down to a few units a second by the partition
// simulator (bench/partition-simulator.ts) in front of DynamoDB Local: many checkouts of one
// product at once throttle its keys, and the API must answer what it could not do with 503 and
// Retry-After, lose nothing, sell no unit twice, and place every order once the shoppers retry.

const local = useDynamoDbLocal();
const tableName = uniqueTableName("partition-throttle");
const HOT: Product = {
  id: "hot-lamp",
  name: "Hot Lamp",
  description: "Everybody wants one at once.",
  imageUrl: "/images/hot-lamp.svg",
  priceCents: 2_500,
  stock: 30,
};
const SHOPPERS = 12;
/** Retry rounds a shopper gets before the test gives up on it. */
const MAX_ROUNDS = 12;

let direct: DynamoDbStore;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  direct = await openDynamoDbStore({
    tableName,
    client: localClient(local(), local().endpoint),
    createTable: true,
    seed: { products: [HOT], comments: [], promotions: [] },
  });
  opened.push(direct);
});

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.close();
});

/** The shop over the simulator in front of `direct`'s table, with the given per-key budget. */
async function shopBehind(
  budget: { writeUnitsPerSecond: number; readUnitsPerSecond: number },
  onRequest?: (operation: string) => void,
): Promise<{ t: TestApp; simulator: PartitionSimulator }> {
  const simulator = await startPartitionSimulator({ target: local(), burstSeconds: 1, ...budget });
  opened.push(simulator);
  const store = await openDynamoDbStore({
    tableName: tableName,
    client: localClient(local(), simulator.endpoint, onRequest === undefined ? {} : { onRequest }),
    log: () => {},
  });
  opened.push(store);
  const t = await createTestApp({ store });
  opened.push(t);
  return { t, simulator };
}

/** A registered user (written straight, not through the simulator) with a token of the app. */
async function shopper(
  t: TestApp,
  n: number,
  cart: boolean,
): Promise<{ id: string; token: string }> {
  const id = `${tableName}-shopper-${n}`;
  await direct.createUser({
    id,
    email: `${id}@example.com`,
    name: id,
    passwordHash: "not-a-password-hash",
    createdAt: new Date().toISOString(),
  });
  if (cart) {
    await direct.saveCart({
      userId: id,
      lines: [{ productId: HOT.id, quantity: 1 }],
      updatedAt: new Date().toISOString(),
    });
  }
  return { id, token: await t.mint({ subject: id }) };
}

const placedStatuses = [200, 202];

describe("a hot key under a scaled partition limit", () => {
  it("answers the checkouts it cannot take with 503 and Retry-After, and loses nothing", async () => {
    // Each checkout writes 2 units on the product's key (and on the catalogue's, the orders'):
    // a bucket of 4 lets two or three of twelve simultaneous checkouts through.
    const { t, simulator } = await shopBehind({
      writeUnitsPerSecond: 4,
      readUnitsPerSecond: 10_000,
    });
    const shoppers = await Promise.all(
      Array.from({ length: SHOPPERS }, (_, n) => shopper(t, n, true)),
    );
    const keyOf = (n: number) => `hot-${n}`;
    const first = await Promise.all(shoppers.map((s, n) => t.checkout(s.token, keyOf(n))));

    const refused = first.filter((answer) => answer.statusCode === 503);
    expect(
      first.every((a) => [202, 503].includes(a.statusCode)),
      statuses(first),
    ).toBe(true);
    expect(refused.length, statuses(first)).toBeGreaterThan(0);
    expect(refused.length, statuses(first)).toBeLessThan(SHOPPERS);
    for (const answer of refused) {
      expectProblem(answer, 503, "STORE_UNAVAILABLE");
      expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    }
    const throttledKeys = simulator
      .report()
      .partitions.filter((usage) => usage.throttles > 0)
      .map((usage) => usage.partition);
    // The product's stock, on its stock item (src/store/dynamodb/stock.ts).
    expect(throttledKeys).toContain(`table PRODUCT#${HOT.id}#STOCK#0`);

    // What was answered is what the table holds: an order for each 202, none for each 503.
    await expectOrders(shoppers, first);
    await expectStockAddsUp();

    // The refused shoppers come back after Retry-After, with the same Idempotency-Key.
    const last = [...first];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const waiting = last.flatMap((answer, n) => (answer.statusCode === 503 ? [n] : []));
      if (waiting.length === 0) break;
      const wait = Math.max(...waiting.map((n) => Number(last[n]?.headers["retry-after"])));
      await sleep(wait * 1000);
      const again = await Promise.all(
        waiting.map((n) => t.checkout(shoppers[n]?.token ?? "", keyOf(n))),
      );
      waiting.forEach((n, i) => {
        last[n] = again[i] as TestResponse;
      });
    }
    expect(
      last.map((a) => a.statusCode).every((s) => placedStatuses.includes(s)),
      statuses(last),
    ).toBe(true);
    await expectOrders(shoppers, last);
    const stock = await expectStockAddsUp();
    expect(stock).toEqual({ left: HOT.stock - SHOPPERS, sold: SHOPPERS });
  }, 60_000);

  it("retries a read on a throttled key in the store's client, then answers 503", async () => {
    const attempts: string[] = [];
    // A bucket of a hundredth of a unit: one read puts it in debt for minutes.
    const { t } = await shopBehind(
      { writeUnitsPerSecond: 10_000, readUnitsPerSecond: 0.01 },
      (op) => attempts.push(op),
    );
    const get = () =>
      t.invoke({ method: "GET", resource: "/products/{id}", pathParameters: { id: HOT.id } });
    expect((await get()).statusCode).toBe(200);
    attempts.length = 0;
    const refused = await get();
    expectProblem(refused, 503, "STORE_UNAVAILABLE");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // The client's standard-mode retries: three attempts of a read, each refused by the
    // simulator. The product's page reads its item and its comment summary at once: the one
    // answered last may be cut short by the first one's 503, never tried more than three times.
    expect(attempts.every((op) => op === "GetItem")).toBe(true);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(6);
  });
});

function statuses(answers: readonly TestResponse[]): string {
  return answers.map((answer) => answer.statusCode).join(" ");
}

/** Every shopper answered 202/200 has exactly that order; every one answered 503 has none. */
async function expectOrders(
  shoppers: readonly { id: string }[],
  answers: readonly TestResponse[],
): Promise<void> {
  for (const [n, s] of shoppers.entries()) {
    const answer = answers[n];
    const orders = await direct.listOrders(s.id);
    if (answer !== undefined && placedStatuses.includes(answer.statusCode)) {
      expect(orders.map((order) => order.id)).toEqual([answer.json.id]);
    } else {
      expect(orders).toEqual([]);
    }
  }
}

/** Stock left and units in orders add up to the stock there was, and stock never went below 0. */
async function expectStockAddsUp(): Promise<{ left: number; sold: number }> {
  const left = (await direct.getProduct(HOT.id))?.stock ?? Number.NaN;
  let sold = 0;
  for (let n = 0; n < SHOPPERS; n++) {
    for (const order of await direct.listOrders(`${tableName}-shopper-${n}`)) {
      sold += order.lines.reduce((sum, line) => sum + line.quantity, 0);
    }
  }
  expect(left).toBeGreaterThanOrEqual(0);
  expect(left + sold).toBe(HOT.stock);
  return { left, sold };
}
