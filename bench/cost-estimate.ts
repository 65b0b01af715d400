import type { Capacity } from "./capacity-proxy.js";

/**
 * us-east-1 list prices in USD, free tiers left out, each with the date of the public page it was
 * read from (BENCHMARKS.md, "Cost per operation", gives them).
 */
export const PRICES = {
  /** Lambda on arm64 (serverless.yml's `architecture`), as of the pricing page read 2024-2025. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** DynamoDB on-demand, Standard table class, since the 2024-11-01 price cut (page of 2025-07-21). */
  perWriteRequestUnit: 0.625 / 1e6,
  perReadRequestUnit: 0.125 / 1e6,
  /** API Gateway REST API, first 333 million a month, and WebSocket API (page of 2025-05-19). */
  restPerRequest: 3.5 / 1e6,
  websocketPerMessage: 1.0 / 1e6,
  websocketPerConnectionMinute: 0.25 / 1e6,
} as const;

/** The demo payment's wait (PAYMENT_DELAY_MS, 1000 ms by default; the deployment sets none). */
const DEPLOYED_PAYMENT_DELAY_MS = 1000;
/** Minutes a shopper's page keeps its WebSocket open during one order: an assumption. */
const CONNECTION_MINUTES_PER_ORDER = 5;
const ORDERS = 1000;

/** One order's journey, as rows of the cost table (their `operation` names). */
const JOURNEY = {
  rest: [
    "list products, first page of 20 (1,000)",
    "get product (2 comments)",
    "save cart (1 line)",
    "read cart",
    "checkout (1 line)",
  ],
  websocket: ["WebSocket $connect", "WebSocket $disconnect"],
  processingPrefix: "processing (1 line): ",
  posted: "processing (1 line): messages posted",
} as const;

export interface JourneyInputs {
  rows: Map<string, { byOperation: Map<string, Capacity> }>;
  /** Median milliseconds per invocation, by the names `timeJourney` gives them. */
  durations: Record<string, number>;
  memoryMb: { api: number; processOrders: number; notifications: number };
}

export interface JourneyEstimate {
  lines: { item: string; quantity: string; usd: number }[];
  totalUsd: number;
}

/**
 * Request units as AWS bills them from what DynamoDB Local reports: Local reports a transactional
 * write at twice the 2 WRU per KB AWS documents (checked by hand: a 1-item TransactWriteItems of a
 * small item reports 4), so TransactWriteItems counts half; reads report RRUs as they are.
 */
export function billedUnits(byOperation: Map<string, Capacity>): { rru: number; wru: number } {
  let rru = 0;
  let wru = 0;
  for (const [operation, capacity] of byOperation) {
    rru += capacity.readUnits;
    wru += operation === "TransactWriteItems" ? capacity.writeUnits / 2 : capacity.writeUnits;
  }
  return { rru, wru };
}

export function estimateJourney(inputs: JourneyInputs): JourneyEstimate {
  const row = (name: string) => {
    const found = inputs.rows.get(name);
    if (found === undefined) throw new Error(`no measurement named "${name}"`);
    return found.byOperation;
  };
  const processing = [...inputs.rows]
    .filter(([name]) => name.startsWith(JOURNEY.processingPrefix) && name !== JOURNEY.posted)
    .map(([, measured]) => measured.byOperation);
  let rru = 0;
  let wru = 0;
  for (const byOperation of [
    ...JOURNEY.rest.map(row),
    ...JOURNEY.websocket.map(row),
    ...processing,
  ]) {
    const units = billedUnits(byOperation);
    rru += units.rru;
    wru += units.wru;
  }
  const posted = row(JOURNEY.posted).get("PostToConnection")?.requests ?? 0;
  const ms = (name: string) => inputs.durations[name] ?? Number.NaN;
  const restMs = ["list products", "get product", "save cart", "read cart", "checkout"]
    .map(ms)
    .reduce((a, b) => a + b, 0);
  const websocketMs = ms("$connect") + ms("$disconnect");
  const processingMs = ms("process order") + DEPLOYED_PAYMENT_DELAY_MS;
  const gbSeconds =
    (inputs.memoryMb.api / 1024) * (restMs / 1000) +
    (inputs.memoryMb.notifications / 1024) * (websocketMs / 1000) +
    (inputs.memoryMb.processOrders / 1024) * (processingMs / 1000);
  const invocations = JOURNEY.rest.length + JOURNEY.websocket.length + 1;
  const websocketMessages = posted + JOURNEY.websocket.length;
  const lines = [
    {
      item: `Lambda requests (${invocations} per order)`,
      quantity: `${invocations * ORDERS}`,
      usd: invocations * ORDERS * PRICES.lambdaPerRequest,
    },
    {
      item: `Lambda GB-seconds (REST ${restMs.toFixed(0)} ms at ${inputs.memoryMb.api} MB, WebSocket ${websocketMs.toFixed(0)} ms at ${inputs.memoryMb.notifications} MB, processing ${processingMs.toFixed(0)} ms at ${inputs.memoryMb.processOrders} MB, per order)`,
      quantity: (gbSeconds * ORDERS).toFixed(1),
      usd: gbSeconds * ORDERS * PRICES.lambdaPerGbSecond,
    },
    {
      item: `DynamoDB read request units (${rru.toFixed(1)} per order)`,
      quantity: (rru * ORDERS).toFixed(0),
      usd: rru * ORDERS * PRICES.perReadRequestUnit,
    },
    {
      item: `DynamoDB write request units (${wru.toFixed(1)} per order)`,
      quantity: (wru * ORDERS).toFixed(0),
      usd: wru * ORDERS * PRICES.perWriteRequestUnit,
    },
    {
      item: `API Gateway REST requests (${JOURNEY.rest.length} per order)`,
      quantity: `${JOURNEY.rest.length * ORDERS}`,
      usd: JOURNEY.rest.length * ORDERS * PRICES.restPerRequest,
    },
    {
      item: `API Gateway WebSocket messages (${websocketMessages} per order: ${posted} updates, $connect, $disconnect)`,
      quantity: `${websocketMessages * ORDERS}`,
      usd: websocketMessages * ORDERS * PRICES.websocketPerMessage,
    },
    {
      item: `API Gateway WebSocket connection minutes (${CONNECTION_MINUTES_PER_ORDER} per order, assumed)`,
      quantity: `${CONNECTION_MINUTES_PER_ORDER * ORDERS}`,
      usd: CONNECTION_MINUTES_PER_ORDER * ORDERS * PRICES.websocketPerConnectionMinute,
    },
  ];
  return { lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}

export function printJourney(estimate: JourneyEstimate): void {
  console.log(
    `\nestimated cost of ${ORDERS.toLocaleString("en-US")} orders (browse 1 page and 1 product, save and read the cart, checkout of 1 line, processing with a ${DEPLOYED_PAYMENT_DELAY_MS} ms demo payment, 2 notifications to 1 connection), us-east-1 list prices, free tiers left out:`,
  );
  for (const line of estimate.lines) {
    console.log(`  ${line.item}: ${line.quantity} -> $${line.usd.toFixed(4)}`);
  }
  console.log(`  total: $${estimate.totalUsd.toFixed(4)}`);
}
