// Partitions under a scaled limit: `npm run bench -- scale`. The shop runs in this process over
// DynamoDB Local behind the partition simulator (partition-simulator.ts), which serves each
// partition key value a scaled-down share of DynamoDB's per-key throughput and refuses the rest
// as DynamoDB does. Two scenarios, each on the table layout before the keys were spread
// (UNSPREAD_LAYOUT) and after (DEFAULT_LAYOUT): a flash sale on one product (scale-flash-sale.ts)
// and steady mixed traffic (scale-mixed-traffic.ts). Ratios are against a baseline of the same
// run. BENCHMARKS.md, "Partitions under a scaled limit", has the figures and what they mean.
import os from "node:os";
import { parseArgs } from "node:util";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import { DEFAULT_LAYOUT, type TableLayout, UNSPREAD_LAYOUT } from "../src/store/dynamodb/table.js";
import {
  AWS_READ_UNITS_PER_KEY,
  AWS_WRITE_UNITS_PER_KEY,
  type BudgetOptions,
} from "./scale-budget.js";
import { type FlashSaleResult, runFlashSale } from "./scale-flash-sale.js";
import {
  ACTIONS,
  checkMixedStock,
  type MixedShop,
  offerTraffic,
  openMixedShop,
  type TrafficResult,
} from "./scale-mixed-traffic.js";
import { formatNumber, hotKeys, printPartitions, printTable } from "./scale-report.js";
import type { StockCheck } from "./scale-stock-check.js";

const { values: flags } = parseArgs({
  args: process.argv.slice(3),
  options: {
    only: { type: "string" },
    // 1/100 of AWS's per-key budget for the flash sale: with 8 stock shards its checkouts stay
    // under what DynamoDB Local and the shop can take on two cores, so the limit measured is
    // the keys', not the machine's.
    scale: { type: "string", default: "0.01" },
    "mixed-scale": { type: "string", default: "0.005" },
    burst: { type: "string", default: "2" },
    "transaction-throttle": { type: "string", default: "cancellation" },
    shoppers: { type: "string", default: "200" },
    stock: { type: "string", default: "2000" },
    tries: { type: "string", default: "5" },
    "think-ms": { type: "string", default: "1000" },
    "flash-seconds": { type: "string", default: "15" },
    products: { type: "string", default: "1000" },
    users: { type: "string", default: "5000" },
    rates: { type: "string", default: "2,4,8,16,32,64" },
    "step-seconds": { type: "string", default: "8" },
    multiplier: { type: "string", default: "10" },
    "mixed-seconds": { type: "string", default: "10" },
    "max-in-flight": { type: "string", default: "400" },
    "warmup-seconds": { type: "string", default: "6" },
  },
  strict: true,
});

const numberFlag = (name: keyof typeof flags): number => {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name}: expected a positive number, got ${String(flags[name])}`);
  }
  return value;
};

const transactionThrottle = flags["transaction-throttle"];
if (transactionThrottle !== "cancellation" && transactionThrottle !== "exception") {
  throw new Error("--transaction-throttle: expected cancellation or exception");
}
const budgetAt = (
  scale: number,
): BudgetOptions & { transactionThrottle: typeof transactionThrottle } => ({
  writeUnitsPerSecond: AWS_WRITE_UNITS_PER_KEY * scale,
  readUnitsPerSecond: AWS_READ_UNITS_PER_KEY * scale,
  burstSeconds: numberFlag("burst"),
  transactionThrottle,
});
const flashScale = numberFlag("scale");
const mixedScale = numberFlag("mixed-scale");
const only = flags.only;
if (only !== undefined && only !== "flash" && only !== "mixed") {
  throw new Error("--only: expected flash or mixed");
}

interface Variant {
  name: string;
  layout: TableLayout;
}
const BEFORE: Variant = { name: "before (UNSPREAD_LAYOUT)", layout: UNSPREAD_LAYOUT };
const AFTER: Variant = { name: "after (DEFAULT_LAYOUT)", layout: DEFAULT_LAYOUT };
const AFTER_8_STOCK: Variant = {
  name: "after, stockShards 8",
  layout: { ...DEFAULT_LAYOUT, stockShards: 8 },
};

const cpus = os.cpus();
console.log(
  `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${os.platform()} ${os.release()}`,
);
// Another process on the cores slows DynamoDB Local and the shop alike: say how busy they were.
console.log(`load average before the run: ${os.loadavg()[0]?.toFixed(2)} (1 min)`);
const begun = performance.now();
const elapsed = () => `${Math.round((performance.now() - begun) / 1000)} s`;

const local = await startDynamoDbLocal();
try {
  await warmUp();
  if (only === undefined || only === "flash") await flashSales();
  if (only === undefined || only === "mixed") await mixedTraffic();
} finally {
  await local.stop();
}
console.log(`\nwhole run: ${elapsed()}`);

/**
 * DynamoDB Local (a JVM) answers several times slower in its first seconds: a little traffic on
 * a table of its own first, under no limit, so the first scenario does not pay for it.
 */
async function warmUp(): Promise<void> {
  const seconds = numberFlag("warmup-seconds");
  console.log(`warming DynamoDB Local up for ${seconds} s ...`);
  const shop = await openMixedShop({
    local,
    tableName: "scale-warm-up",
    layout: DEFAULT_LAYOUT,
    budget: { writeUnitsPerSecond: 1e9, readUnitsPerSecond: 1e9 },
    products: 50,
    users: 50,
  });
  try {
    await offerTraffic(shop, { ratePerSecond: 20, seconds, maxInFlight: 50 }, new Set(), new Set());
  } finally {
    await shop.run.close();
  }
}

async function flashSales(): Promise<void> {
  const shoppers = numberFlag("shoppers");
  const budget = budgetAt(flashScale);
  console.log(
    `\nflash sale: ${shoppers} shoppers, one product of ${flags.stock} units, half with a ` +
      `promotion code, ${flags["flash-seconds"]} s or until sold out; ` +
      `${describeBudget(budget)} ...`,
  );
  const results: [Variant, FlashSaleResult][] = [];
  for (const variant of [BEFORE, AFTER, AFTER_8_STOCK]) {
    const result = await runFlashSale({
      local,
      tableName: `scale-flash-${results.length}`,
      layout: variant.layout,
      budget,
      shoppers,
      stock: numberFlag("stock"),
      durationSeconds: numberFlag("flash-seconds"),
      maxTries: numberFlag("tries"),
      thinkMs: numberFlag("think-ms"),
    });
    results.push([variant, result]);
    console.log(`  ${variant.name}: done at ${elapsed()}`);
  }
  console.log();
  printTable(
    [
      "layout",
      "s",
      "offered req/s",
      "accepted req/s",
      "orders/s",
      "throttled requests",
      "503s",
      "checkout p50 / p99 ms",
      "checkout answers",
      "sold + left = stock",
      "invariant",
      "most throttled keys",
    ],
    results.map(([variant, r]) => [
      variant.name,
      r.seconds.toFixed(1),
      formatNumber(r.all.requests / r.seconds),
      formatNumber(r.all.accepted / r.seconds),
      formatNumber(r.ordersPerSecond, 2),
      String(r.throttledRequests),
      String(r.all.unavailable),
      `${Math.round(r.checkouts.p50Ms)} / ${Math.round(r.checkouts.p99Ms)}`,
      r.checkoutStatuses,
      `${r.stock.sold} + ${r.stock.left} = ${r.stock.initial}`,
      verdict(r.stock),
      hotKeys(r.partitions),
    ]),
  );
  const rate = (variant: Variant) =>
    results.find(([candidate]) => candidate === variant)?.[1].ordersPerSecond ?? Number.NaN;
  console.log(
    `\naccepted checkouts per second, stockShards 8 vs 1 (both after): ` +
      `${(rate(AFTER_8_STOCK) / rate(AFTER)).toFixed(2)}x; after vs before: ` +
      `${(rate(AFTER) / rate(BEFORE)).toFixed(2)}x`,
  );
  for (const [variant, result] of results) {
    console.log(`\nflash sale, ${variant.name}: partition keys by units, then by throttles`);
    printPartitions(result.partitions);
  }
}

async function mixedTraffic(): Promise<void> {
  const rates = String(flags.rates)
    .split(",")
    .map((rate) => Number(rate));
  const budget = budgetAt(mixedScale);
  console.log(
    `\nsteady mixed traffic over ${flags.products} products and ${flags.users} users ` +
      `(${ACTIONS.join(", ")}); ${describeBudget(budget)}; offered ${rates.join(", ")} ` +
      `req/s for ${flags["step-seconds"]} s each until throttles appear, then ` +
      `${flags.multiplier}x that rate for ${flags["mixed-seconds"]} s ...`,
  );
  const saturating: (number | undefined)[] = [];
  for (const [i, variant] of [BEFORE, AFTER].entries()) {
    // After: its own ladder, then the overload at the multiple of the rate that saturated the
    // layout before, the load the redesign must carry with every key under 80 % of its budget.
    const overloadBase = i === 1 ? saturating[0] : undefined;
    const shop = await openMixedShop({
      local,
      tableName: `scale-mixed-${i}`,
      layout: variant.layout,
      budget,
      products: numberFlag("products"),
      users: numberFlag("users"),
    });
    try {
      saturating.push(await mixedRuns(shop, variant, rates, overloadBase));
    } finally {
      await shop.run.close();
    }
  }
  const [before, after] = saturating;
  console.log(
    `\nmixed traffic, first throttles after vs before: ${after ?? "none"} vs ${before ?? "none"} ` +
      `req/s offered (${((after ?? Number.NaN) / (before ?? Number.NaN)).toFixed(2)}x; ` +
      "the rates double from step to step: the ratio is known within a factor of 2)",
  );
}

/** The ladder and the overload on one layout; the first rate with throttles, if any. */
async function mixedRuns(
  shop: MixedShop,
  variant: Variant,
  rates: readonly number[],
  overloadBase?: number,
): Promise<number | undefined> {
  const placed = new Set<string>();
  const buyers = new Set<string>();
  const steps: [string, TrafficResult][] = [];
  const offer = async (ratePerSecond: number, seconds: number) => {
    // The buckets fill up again between two steps, as they would after a quiet spell.
    await new Promise((resolve) => setTimeout(resolve, numberFlag("burst") * 1000));
    return offerTraffic(
      shop,
      { ratePerSecond, seconds, maxInFlight: numberFlag("max-in-flight") },
      placed,
      buyers,
    );
  };
  let saturating: number | undefined;
  for (const rate of rates) {
    const result = await offer(rate, numberFlag("step-seconds"));
    steps.push([`${rate} req/s`, result]);
    if (result.throttledRequests > 0) {
      saturating = rate;
      break;
    }
  }
  const base = overloadBase ?? saturating ?? rates.at(-1) ?? 1;
  const multiplier = numberFlag("multiplier");
  const overload = await offer(base * multiplier, numberFlag("mixed-seconds"));
  steps.push([`${multiplier}x ${base} req/s`, overload]);
  const stock = await checkMixedStock(shop, placed, buyers);
  console.log(
    `\nmixed traffic, ${variant.name}: ${
      saturating === undefined
        ? `no throttle up to ${base} req/s`
        : `first throttles at ${saturating} req/s offered`
    } (done at ${elapsed()})`,
  );
  printTable(
    [
      "offered",
      "as in AWS",
      "sent req/s",
      "accepted req/s",
      "throttled requests",
      "503s",
      "p50 / p99 ms",
      "dropped",
      "most throttled keys",
    ],
    steps.map(([name, r]) => [
      name,
      `${formatNumber(Math.round(r.offeredPerSecond / mixedScale))} req/s`,
      formatNumber(r.all.requests / r.seconds),
      formatNumber(r.all.accepted / r.seconds),
      String(r.throttledRequests),
      String(r.all.unavailable),
      `${Math.round(r.all.p50Ms)} / ${Math.round(r.all.p99Ms)}`,
      String(r.dropped),
      hotKeys(r.partitions),
    ]),
  );
  console.log(`\nat ${steps.at(-1)?.[0]}, by request:`);
  printTable(
    ["request", "sent", "accepted", "503s", "other", "p50 / p99 ms"],
    [...overload.byAction].map(([action, s]) => [
      action,
      String(s.requests),
      String(s.accepted),
      String(s.unavailable),
      String(s.other),
      `${Math.round(s.p50Ms)} / ${Math.round(s.p99Ms)}`,
    ]),
  );
  console.log(
    `stock of the ${shop.products.length} products: ${stock.sold} sold + ${stock.left} left = ` +
      `${stock.initial}; invariant ${verdict(stock)}`,
  );
  console.log(`\nat ${steps.at(-1)?.[0]}: partition keys by units, then by throttles`);
  printPartitions(overload.partitions);
  // A key's share of its budget over the overload's whole run, the measure of a key that all
  // shoppers share; the busiest second (above) also counts one shopper's own burst (a checkout
  // writes its user's partition several times at once), which the bucket's burst absorbs.
  const budget = budgetAt(mixedScale);
  const meanShare = (usage: (typeof overload.partitions)[number]) =>
    (100 * usage.units) /
    overload.seconds /
    ((usage.kind === "read" ? budget.readUnitsPerSecond : budget.writeUnitsPerSecond) ?? 1);
  const shared = overload.partitions.filter((usage) => !usage.partition.includes(" USER#"));
  const busiest = [...shared].sort((a, b) => meanShare(b) - meanShare(a))[0];
  if (busiest !== undefined) {
    console.log(
      `busiest shared key at ${steps.at(-1)?.[0]}: ${busiest.partition} (${busiest.kind}) at ` +
        `${Math.round(meanShare(busiest))}% of its budget over the run ` +
        `(${Math.round(busiest.peakPercentOfBudget)}% in its busiest second)`,
    );
  }
  return saturating;
}

function describeBudget(budget: BudgetOptions): string {
  return (
    `per partition key ${formatNumber(budget.writeUnitsPerSecond ?? 0)} WCU/s and ` +
    `${formatNumber(budget.readUnitsPerSecond ?? 0)} RCU/s ` +
    `(1/${Math.round(AWS_WRITE_UNITS_PER_KEY / (budget.writeUnitsPerSecond ?? 1))} of AWS's), ` +
    `${budget.burstSeconds} s of burst`
  );
}

function verdict(stock: StockCheck): string {
  if (stock.holds) return "holds";
  return `BROKEN (oversold ${stock.oversold}, lost ${stock.lost})`;
}
