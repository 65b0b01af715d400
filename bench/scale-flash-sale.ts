// The flash sale of `npm run bench -- scale`: many shoppers at once on one product with little
// stock, half of them with one promotion code. Each shopper saves a cart of one unit and checks
// out with an Idempotency-Key, all of them at the same moment, then again after a pause, until
// the time is up or the stock is gone; a 503 is retried with the same key after its
// Retry-After, as a real client would, a bounded number of times. Afterwards, what the table
// holds must add up: no unit sold twice, none lost.
import { setTimeout as sleep } from "node:timers/promises";
import type { Product, Promotion } from "../src/domain/index.js";
import type { DynamoDbLocal } from "../src/local/dynamodb-local.js";
import type { TableLayout } from "../src/store/dynamodb/table.js";
import { CHECKOUT_BODY } from "../test/helpers/fixtures.js";
import type { BudgetOptions, PartitionUsage } from "./scale-budget.js";
import { RequestLog, type RequestSummary } from "./scale-report.js";
import { type Answered, openShopRun } from "./scale-shop.js";
import { checkStock, type StockCheck } from "./scale-stock-check.js";

export const FLASH_PRODUCT: Product = {
  id: "flash-sale-lamp",
  name: "Flash Sale Lamp",
  description: "The one product everybody wants at noon.",
  imageUrl: "/images/flash-sale-lamp.svg",
  priceCents: 4_999,
  stock: 500,
};
export const FLASH_PROMOTION: Promotion = { code: "FLASH20", percentOff: 20 };

export interface FlashSaleOptions {
  local: DynamoDbLocal;
  tableName: string;
  layout: TableLayout;
  budget: BudgetOptions;
  shoppers: number;
  stock: number;
  durationSeconds: number;
  /** Tries of one checkout (its first included) while the API answers 503. */
  maxTries: number;
  /** A shopper's pause between two purchases, on average (half to one and a half of it). */
  thinkMs: number;
}

export interface FlashSaleResult {
  seconds: number;
  /** Every request (cart saves and checkouts). */
  all: RequestSummary;
  checkouts: RequestSummary;
  checkoutStatuses: string;
  /** Distinct orders placed, per second of the run. */
  ordersPerSecond: number;
  /** Shoppers who gave up on a checkout after `maxTries` 503s. */
  gaveUp: number;
  soldOut: boolean;
  stock: StockCheck;
  partitions: PartitionUsage[];
  throttledRequests: number;
}

/** Runs one flash sale on a table of its own. */
export async function runFlashSale(options: FlashSaleOptions): Promise<FlashSaleResult> {
  const shopperIds = Array.from(
    { length: options.shoppers },
    (_, i) => `flash-shopper-${String(i).padStart(4, "0")}`,
  );
  const product = { ...FLASH_PRODUCT, stock: options.stock };
  const run = await openShopRun({
    local: options.local,
    tableName: options.tableName,
    layout: options.layout,
    products: [product],
    promotions: [FLASH_PROMOTION],
    userIds: shopperIds,
    budget: options.budget,
  });
  try {
    const tokens = await Promise.all(shopperIds.map((id) => run.tokenOf(id)));
    const log = new RequestLog();
    const placed = new Set<string>();
    let gaveUp = 0;
    let soldOut = false;
    const started = performance.now();
    const deadline = started + options.durationSeconds * 1000;
    const running = () => !soldOut && performance.now() < deadline;
    // No pause outlasts the sale: the run ends with its last answer, not its last nap.
    const pause = (ms: number) => sleep(Math.max(0, Math.min(ms, deadline - performance.now())));

    const shop = async (index: number) => {
      const token = tokens[index] ?? "";
      const promotionCode = index % 2 === 0 ? FLASH_PROMOTION.code : undefined;
      for (let purchase = 0; running(); purchase++) {
        // Everyone is there at noon; after a purchase, a shopper looks around for a while.
        if (purchase > 0) await pause(options.thinkMs * (0.5 + Math.random()));
        if (!running()) return;
        const saved = await untilAvailable(options.maxTries, running, pause, async () => {
          const answer = await run.call({
            method: "POST",
            resource: "/cart",
            token,
            body: {
              products: [{ id: product.id, quantity: 1 }],
              ...(promotionCode === undefined ? {} : { promotionCode }),
            },
          });
          log.record("save cart", answer);
          return answer;
        });
        if (saved === undefined) continue;
        if (saved.status === 503) gaveUp += 1;
        // Anything else is a refusal that saving again would only repeat.
        if (saved.status !== 200) return;
        const key = `${shopperIds[index]}-${purchase}`;
        const answer = await untilAvailable(options.maxTries, running, pause, async () => {
          const checkout = await run.call({
            method: "PUT",
            resource: "/checkout",
            token,
            headers: { "Idempotency-Key": key },
            body: CHECKOUT_BODY,
          });
          log.record("checkout", checkout);
          return checkout;
        });
        if (answer === undefined) continue;
        if (answer.status === 202 || answer.status === 200) placed.add(answer.json.id);
        else if (answer.json?.code === "OUT_OF_STOCK") soldOut = true;
        else if (answer.status === 503) gaveUp += 1;
      }
    };
    await Promise.all(shopperIds.map((_, i) => shop(i)));
    const seconds = (performance.now() - started) / 1000;

    const report = run.simulator.report();
    return {
      seconds,
      all: log.summary(),
      checkouts: log.summary("checkout"),
      checkoutStatuses: log.statuses("checkout"),
      ordersPerSecond: placed.size / seconds,
      gaveUp,
      soldOut,
      stock: await checkStock(run, [product], shopperIds, placed),
      partitions: report.partitions,
      throttledRequests: [...report.requests.values()].reduce((n, c) => n + c.throttled, 0),
    };
  } finally {
    await run.close();
  }
}

/**
 * Sends a request until it answers anything but 503, waiting its Retry-After (plus up to half
 * again, so the shoppers refused together do not all come back together), at most `maxTries`
 * times and while `going` says so. Undefined when it never went.
 */
export async function untilAvailable(
  maxTries: number,
  going: () => boolean,
  pause: (ms: number) => Promise<unknown>,
  send: () => Promise<Answered>,
): Promise<Answered | undefined> {
  let answer: Answered | undefined;
  for (let tries = 0; tries < maxTries && going(); tries++) {
    answer = await send();
    if (answer.status !== 503) return answer;
    const retryAfterSeconds = Number(answer.headers["retry-after"] ?? 1);
    await pause(retryAfterSeconds * 1000 * (1 + Math.random() / 2));
  }
  return answer;
}
