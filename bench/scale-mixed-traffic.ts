// The steady mixed traffic of `npm run bench -- scale`: requests arrive at an offered rate,
// whatever the answers (an open loop, as many independent shoppers are), each one of: a page of
// the catalogue, a product, a cart saved, a checkout (a cart saved, then the order) or a comment,
// across a catalogue of products and a crowd of users picked at random.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Product } from "../src/domain/index.js";
import type { DynamoDbLocal } from "../src/local/dynamodb-local.js";
import type { TableLayout } from "../src/store/dynamodb/table.js";
import { generatedProduct } from "../test/helpers/catalogue-seed.js";
import { CHECKOUT_BODY } from "../test/helpers/fixtures.js";
import type { BudgetOptions, PartitionUsage } from "./scale-budget.js";
import { RequestLog, type RequestSummary } from "./scale-report.js";
import { openShopRun, type ShopRun } from "./scale-shop.js";
import { checkStock, type StockCheck } from "./scale-stock-check.js";

/** The share of arrivals of each kind, in percent. */
const MIX = [
  ["list products", 45],
  ["get product", 30],
  ["save cart", 12],
  ["checkout", 8],
  ["comment", 5],
] as const;
type Action = (typeof MIX)[number][0];

export const ACTIONS: readonly Action[] = MIX.map(([action]) => action);

export interface MixedShopOptions {
  local: DynamoDbLocal;
  tableName: string;
  layout: TableLayout;
  budget: BudgetOptions;
  products: number;
  users: number;
}

/** A shop seeded for mixed traffic, and what the traffic picks from. */
export interface MixedShop {
  run: ShopRun;
  products: readonly Product[];
  userIds: readonly string[];
}

export interface TrafficOptions {
  ratePerSecond: number;
  seconds: number;
  /** Arrivals beyond this many requests unanswered are dropped, not sent (and counted). */
  maxInFlight: number;
}

export interface TrafficResult {
  offeredPerSecond: number;
  seconds: number;
  all: RequestSummary;
  byAction: Map<Action, RequestSummary>;
  /** Arrivals not sent: `maxInFlight` requests were waiting already. */
  dropped: number;
  /** Requests the simulator refused whole, and requests whose client gave up waiting. */
  throttledRequests: number;
  abandonedRequests: number;
  partitions: PartitionUsage[];
}

export async function openMixedShop(options: MixedShopOptions): Promise<MixedShop> {
  const products = Array.from({ length: options.products }, (_, i) => generatedProduct(i));
  const userIds = Array.from(
    { length: options.users },
    (_, i) => `shopper-${String(i).padStart(5, "0")}`,
  );
  const run = await openShopRun({
    local: options.local,
    tableName: options.tableName,
    layout: options.layout,
    products,
    userIds,
    budget: options.budget,
  });
  return { run, products, userIds };
}

/**
 * Offers `ratePerSecond` arrivals, evenly spaced, for `seconds`, and waits for the last answer.
 * What the simulator recorded is forgotten first, so the result is this traffic's alone.
 */
export async function offerTraffic(
  shop: MixedShop,
  options: TrafficOptions,
  placed: Set<string>,
  buyers: Set<string>,
): Promise<TrafficResult> {
  const { run } = shop;
  run.simulator.resetUsage();
  const log = new RequestLog();
  const running = new Set<Promise<void>>();
  const intervalMs = 1000 / options.ratePerSecond;
  const arrivals = Math.round(options.ratePerSecond * options.seconds);
  let dropped = 0;
  const started = performance.now();
  for (let n = 0; n < arrivals; n++) {
    const due = started + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (running.size >= options.maxInFlight) {
      dropped += 1;
      continue;
    }
    const request = arrive(shop, pickAction(), log, placed, buyers).finally(() =>
      running.delete(request),
    );
    running.add(request);
  }
  await Promise.all(running);
  const seconds = (performance.now() - started) / 1000;
  const report = run.simulator.report();
  const requests = [...report.requests.values()];
  return {
    offeredPerSecond: arrivals / options.seconds,
    seconds,
    all: log.summary(),
    byAction: new Map(ACTIONS.map((action) => [action, log.summary(action)])),
    dropped,
    throttledRequests: requests.reduce((n, counts) => n + counts.throttled, 0),
    abandonedRequests: requests.reduce((n, counts) => n + counts.abandoned, 0),
    partitions: report.partitions,
  };
}

/** The invariant over every product the traffic's orders could have taken. */
export function checkMixedStock(
  shop: MixedShop,
  placed: ReadonlySet<string>,
  buyers: ReadonlySet<string>,
): Promise<StockCheck> {
  return checkStock(shop.run, shop.products, buyers, placed);
}

function pickAction(): Action {
  let roll = Math.random() * 100;
  for (const [action, share] of MIX) {
    roll -= share;
    if (roll < 0) return action;
  }
  return "list products";
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

/** One arrival: the requests of `action`, each recorded under its own name. */
async function arrive(
  shop: MixedShop,
  action: Action,
  log: RequestLog,
  placed: Set<string>,
  buyers: Set<string>,
): Promise<void> {
  const { run } = shop;
  const product = pick(shop.products);
  if (action === "list products") {
    log.record(action, await run.call({ method: "GET", resource: "/products" }));
    return;
  }
  if (action === "get product") {
    log.record(
      action,
      await run.call({
        method: "GET",
        resource: "/products/{id}",
        path: `/products/${product.id}`,
      }),
    );
    return;
  }
  const userId = pick(shop.userIds);
  const token = await run.tokenOf(userId);
  if (action === "comment") {
    log.record(
      action,
      await run.call({
        method: "POST",
        resource: "/products/{id}/comments",
        path: `/products/${product.id}/comments`,
        token,
        body: { rating: 1 + Math.floor(Math.random() * 5), text: "Arrived quickly, as shown." },
      }),
    );
    return;
  }
  const lines = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () =>
    pick(shop.products),
  );
  const saved = await run.call({
    method: "POST",
    resource: "/cart",
    token,
    body: { products: [...new Set(lines)].map((line) => ({ id: line.id, quantity: 1 })) },
  });
  log.record("save cart", saved);
  if (action !== "checkout" || saved.status !== 200) return;
  buyers.add(userId);
  const answer = await run.call({
    method: "PUT",
    resource: "/checkout",
    token,
    headers: { "Idempotency-Key": randomUUID() },
    body: CHECKOUT_BODY,
  });
  log.record("checkout", answer);
  if (answer.status === 202 || answer.status === 200) placed.add(answer.json.id);
}
