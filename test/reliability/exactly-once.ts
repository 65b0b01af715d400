import { expect } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { recordFigure } from "./figures.js";

// The two races of checkout, run against any store: many concurrent retries of one checkout
// (one Idempotency-Key), and many shoppers ordering the last units of a product.

export interface RetryRace {
  retries: number;
  statuses: Map<number, number>;
  orderIds: Set<string>;
  /** Orders the shopper has afterwards. */
  ordersAfter: number;
  stockTaken: number;
}

const countOf = (statuses: readonly number[]): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
};

async function stockOf(t: TestApp, id: string): Promise<number> {
  const res = await t.invoke({ method: "GET", resource: "/products/{id}", pathParameters: { id } });
  return res.json.stock;
}

/** `retries` concurrent `PUT /checkout` of one cart with one Idempotency-Key. */
export async function retryRace(t: TestApp, retries: number, label: string): Promise<RetryRace> {
  const shopper = await t.signup();
  const productId = "paper-crane-mobile";
  const before = await stockOf(t, productId);
  await t.saveCart(shopper.token, [[productId, 2]]);
  const answers = await Promise.all(
    Array.from({ length: retries }, () => t.checkout(shopper.token, `race-${label}`)),
  );
  for (const deferred of answers.filter((a) => a.statusCode === 503)) {
    expect(deferred.headers["retry-after"]).toBeDefined();
    expect(deferred.json.code).toBe("STORE_UNAVAILABLE");
  }
  const orders = await t.invoke({ method: "GET", resource: "/orders", token: shopper.token });
  const race: RetryRace = {
    retries,
    statuses: countOf(answers.map((a) => a.statusCode)),
    orderIds: new Set(answers.filter((a) => a.statusCode < 300).map((a) => a.json.id)),
    ordersAfter: orders.json.items.length,
    stockTaken: before - (await stockOf(t, productId)),
  };
  recordFigure(`${label}_idempotent_retries`, retries);
  recordFigure(`${label}_idempotent_orders`, race.ordersAfter);
  recordFigure(
    `${label}_idempotent_statuses`,
    [...race.statuses].map(([status, n]) => `${status}:${n}`).join(" "),
  );
  return race;
}

/** The invariant that must hold whatever the answers: one order, its stock taken once. */
export function expectOneOrder(race: RetryRace): void {
  expect(race.ordersAfter).toBe(1);
  expect(race.orderIds.size).toBe(1);
  expect(race.stockTaken).toBe(2);
}

/**
 * Every retry answered with the order: one 202, the rest 200 replays of it. With `deferrable`,
 * a retry may instead answer 503 STORE_UNAVAILABLE with `Retry-After` (`retryRace` checks both):
 * the store did not answer within the client's timeouts, and retrying later gets the replay.
 * Never a 422 (`CART_EMPTY`) or any other answer.
 */
export function expectEveryRetryReplayed(race: RetryRace, deferrable = false): void {
  const {
    202: placed,
    200: replayed = 0,
    503: deferred = 0,
    ...other
  } = Object.fromEntries(race.statuses);
  expect(other).toEqual({});
  expect(placed).toBe(1);
  if (!deferrable) expect(deferred).toBe(0);
  expect(replayed + deferred).toBe(race.retries - 1);
}

export interface StockRace {
  shoppers: number;
  units: number;
  placed: number;
  refused: number;
  stockAfter: number;
}

/**
 * `shoppers` shoppers, each with one unit in the cart, check out at once when only `units` are
 * left: `units` orders, the rest OUT_OF_STOCK, stock 0 and never below.
 */
export async function lastUnitsRace(
  t: TestApp,
  operatorToken: string,
  shoppers: number,
  units: number,
  label: string,
): Promise<StockRace> {
  const productId = "night-sky-puzzle";
  const stock = await stockOf(t, productId);
  const adjusted = await t.invoke({
    method: "POST",
    resource: "/admin/products/{id}/stock-adjustments",
    pathParameters: { id: productId },
    token: operatorToken,
    body: { delta: units - stock, reason: "correction" },
  });
  expect(adjusted.statusCode, adjusted.body).toBe(201);
  const buyers = [];
  for (let i = 0; i < shoppers; i += 1) buyers.push(await t.signup());
  await Promise.all(buyers.map((buyer) => t.saveCart(buyer.token, [[productId, 1]])));
  const answers = await Promise.all(buyers.map((buyer) => t.checkout(buyer.token, "last-units")));
  for (const answer of answers) {
    expect([202, 409], answer.body).toContain(answer.statusCode);
    if (answer.statusCode === 409) expect(answer.json.code).toBe("OUT_OF_STOCK");
  }
  const race: StockRace = {
    shoppers,
    units,
    placed: answers.filter((a) => a.statusCode === 202).length,
    refused: answers.filter((a) => a.statusCode === 409).length,
    stockAfter: await stockOf(t, productId),
  };
  recordFigure(`${label}_last_units_shoppers`, shoppers);
  recordFigure(`${label}_last_units_placed`, `${race.placed} of ${units}`);
  recordFigure(`${label}_last_units_stock_after`, race.stockAfter);
  return race;
}
