// Cost per operation: what each request of the shop costs in DynamoDB, as DynamoDB Local reports
// it (ReturnConsumedCapacity: TOTAL, asked by a recording proxy in front of it, so the store's
// code is unchanged), and an estimate of 1,000 orders in AWS. `npm run bench -- cost`.
// The REST operations run through the composed application's handler with API Gateway events;
// order processing and its notifications run the processing service the stream function runs,
// with the notifier's posts counted instead of sent.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import type { APIGatewayProxyResult } from "aws-lambda";
import { type App, compose, loadConfig } from "../src/compose/index.js";
import { memorySizeMb } from "../src/deploy/memory-sizes.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import { newConnectionId, toWebSocketEvent } from "../src/local/websocket-event.js";
import { createConnectionNotifier } from "../src/notify/connection-notifier.js";
import { createDemoPaymentProvider } from "../src/payment/index.js";
import type { PaymentLedger, PaymentProvider, Store } from "../src/services/index.js";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../src/store/dynamodb/documents.js";
import { seedShopSettings } from "../src/store/dynamodb/shop-config.js";
import { openDynamoDbStore } from "../src/store/dynamodb/store.js";
import { DEFAULT_LAYOUT } from "../src/store/dynamodb/table.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { generatedProduct, seedGeneratedCatalogue } from "../test/helpers/catalogue-seed.js";
import { CHECKOUT_BODY } from "../test/helpers/fixtures.js";
import { createSigningKey, mintToken, type SigningKey } from "../test/helpers/tokens.js";
import { type Capacity, type CapacityProxy, startCapacityProxy } from "./capacity-proxy.js";
import { estimateJourney, printJourney } from "./cost-estimate.js";
import { localShopEnv } from "./local-shop-env.js";
import { median } from "./measure.js";

const ISSUER = "https://auth.bench.test";
const CLIENT_ID = "bench";
const CATALOGUE_SIZES = [10, 1_000, 10_000] as const;
/** The catalogue the other operations run on. */
const SHOP_SIZE = 1_000;
/** Comments per generated product: 0, 1, 2, 0, 1, 2, ... (one on average). */
const commentsOf = (index: number) => index % 3;
const TIMED_JOURNEYS = 30;

/** One row of the table: what an operation sent to DynamoDB and what it consumed. */
interface Measured {
  operation: string;
  byOperation: Map<string, Capacity>;
}

// The services log each order step to stderr, as a function does to its log group: not the
// bench's output. Anything else still shows.
const printError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].startsWith('{"level"')) return;
  printError(...args);
};

const cpus = os.cpus();
console.log(
  `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${os.platform()} ${os.release()}`,
);
const local = await startDynamoDbLocal();
const proxy = await startCapacityProxy(local.endpoint);
const workDir = await mkdtemp(join(tmpdir(), "serverless-store-cost-"));
const apps: App[] = [];
try {
  const key = await createSigningKey();
  const keyFile = join(workDir, "key.json");
  await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
  const direct = new DynamoDbClient({
    endpoint: local.endpoint,
    region: local.region,
    credentials: local.credentials,
  });
  for (const size of CATALOGUE_SIZES) {
    const made = await openDynamoDbStore({
      tableName: tableOf(size),
      client: direct,
      createTable: true,
    });
    await made.close();
    // The demo's shipping zones and tax rates, as a deployment's operators would have saved them.
    await seedShopSettings({
      documents: new DynamoDbDocuments(direct),
      name: tableOf(size),
      layout: DEFAULT_LAYOUT,
    });
    await seedGeneratedCatalogue(direct, tableOf(size), { from: 0, to: size }, commentsOf);
  }
  console.log(`seeded ${CATALOGUE_SIZES.join(", ")} products (0 to 2 comments each)`);

  const rows: Measured[] = [];
  for (const size of CATALOGUE_SIZES) {
    const { app } = await shopApp(tableOf(size), proxy.endpoint, keyFile);
    rows.push(
      await measure(
        proxy,
        `list products, first page of 20 (${size.toLocaleString("en-US")})`,
        () => call(app, "GET", "/products"),
      ),
    );
  }

  const { app, steps, posted, mailed } = await shopApp(tableOf(SHOP_SIZE), proxy.endpoint, keyFile);
  const productWithComments = generatedProduct(2).id;
  rows.push(
    await measure(proxy, "get product (2 comments)", () =>
      call(app, "GET", "/products/{id}", { path: `/products/${productWithComments}` }),
    ),
  );
  const orders: { lines: number; orderId: string; userId: string; declined: boolean }[] = [];
  for (const [lines, declined] of [
    [1, false],
    [50, false],
    [50, true],
  ] as const) {
    const userId = `bench-${lines}-${declined ? "declined" : "paid"}`;
    const token = await tokenOf(app, key, userId);
    const cart = Array.from({ length: lines }, (_, i) => ({
      id: generatedProduct(100 + i).id,
      quantity: 1,
    }));
    const saved = await measure(proxy, `save cart (${lines} line${lines > 1 ? "s" : ""})`, () =>
      call(app, "POST", "/cart", { token, body: { products: cart } }),
    );
    if (!declined) rows.push(saved);
    if (lines === 1) {
      rows.push(await measure(proxy, "read cart", () => call(app, "GET", "/cart", { token })));
      rows.push(
        await measure(proxy, "checkout quote (1 line)", () =>
          call(app, "POST", "/checkout/quote", { token, body: CHECKOUT_BODY }),
        ),
      );
    }
    // Connections the notifications will look up: none, one, or three.
    const connections = lines === 1 ? 1 : declined ? 0 : 3;
    for (let i = 0; i < connections; i++) {
      const connected = await measure(proxy, "WebSocket $connect", () =>
        connect(app, newConnectionId(), token),
      );
      if (lines === 1) rows.push(connected);
    }
    let orderId = "";
    const checkout = await measure(
      proxy,
      `checkout (${lines} line${lines > 1 ? "s" : ""})`,
      async () => {
        const answer = await call(app, "PUT", "/checkout", {
          token,
          headers: { "Idempotency-Key": `bench-${userId}` },
          body: CHECKOUT_BODY,
        });
        orderId = (JSON.parse(answer.body) as { id: string }).id;
      },
    );
    if (!declined) rows.push(checkout);
    orders.push({ lines, orderId, userId, declined });
  }

  // A guest's checkout: the guest cart instead of the user's, and one more item (the index of
  // the guest's orders by e-mail address) in the same transaction.
  const guestToken = (
    JSON.parse((await call(app, "POST", "/guest-carts")).body) as { token: string }
  ).token;
  const guestHeaders = { "Guest-Cart-Token": guestToken };
  await call(app, "POST", "/cart", {
    headers: guestHeaders,
    body: { products: [{ id: generatedProduct(100).id, quantity: 1 }] },
  });
  rows.push(
    await measure(proxy, "guest checkout (1 line)", () =>
      call(app, "PUT", "/checkout", {
        headers: { ...guestHeaders, "Idempotency-Key": "bench-guest" },
        body: { ...CHECKOUT_BODY, email: "guest@example.com" },
      }),
    ),
  );

  const processingRows: Measured[] = [];
  for (const order of orders) {
    steps.length = 0;
    posted.count = 0;
    steps.recording = true;
    await app.services.processing.processOrder({ userId: order.userId, orderId: order.orderId });
    steps.recording = false;
    const what = `${order.lines} line${order.lines > 1 ? "s" : ""}${order.declined ? ", declined" : ""}`;
    for (const step of steps) {
      processingRows.push({
        operation: `processing (${what}): ${step.what}`,
        byOperation: step.byOperation,
      });
    }
    processingRows.push({
      operation: `processing (${what}): messages posted`,
      byOperation: new Map([
        ["PostToConnection", { requests: posted.count, refused: 0, readUnits: 0, writeUnits: 0 }],
      ]),
    });
  }
  // After payment, on the paid 1-line order: an operator ships it and marks it delivered (each
  // step writes its e-mail into the outbox in the same transaction), then the outbox's sender
  // sends one message, the rest that are due, and finds nothing due (one Query per list shard).
  const paid = orders.find((order) => order.lines === 1 && !order.declined);
  if (paid === undefined) throw new Error("the journeys include a paid 1-line order");
  const operator = { userId: "bench-operator", username: "operator", groups: ["admin"] };
  const afterPayment: Measured[] = [
    await measure(proxy, "ship (1 line)", () =>
      app.services.fulfilment.shipOrder(operator, paid.orderId, {
        carrier: "UPS",
        trackingNumber: "1Z999AA10123456784",
        trackingUrl: "https://track.example/1Z999AA10123456784",
      }),
    ),
    await measure(proxy, "deliver (1 line)", () =>
      app.services.fulfilment.markDelivered(operator, paid.orderId),
    ),
    await measure(proxy, "send one order e-mail (placed, 1 line)", () =>
      app.services.mail.deliver(`${paid.orderId}.placed`),
    ),
  ];
  const mailedBefore = mailed.count;
  const due = await measure(proxy, "send the due e-mails", () =>
    app.services.mail.sendDue({ limit: 100 }),
  );
  afterPayment.push({ ...due, operation: `send the due e-mails (${mailed.count - mailedBefore})` });
  afterPayment.push(
    await measure(proxy, "send the due e-mails (none due)", () =>
      app.services.mail.sendDue({ limit: 100 }),
    ),
  );

  const disconnectToken = await tokenOf(app, key, "bench-disconnect");
  const connectionId = newConnectionId();
  await connect(app, connectionId, disconnectToken);
  rows.push(
    await measure(proxy, "WebSocket $disconnect", () =>
      app.websocket(
        toWebSocketEvent({ routeKey: "$disconnect", connectionId, connectedAt: Date.now() }),
      ),
    ),
  );

  printTable([...rows, ...processingRows, ...afterPayment]);

  // Durations: the same operations straight to DynamoDB Local (no proxy), median of many runs.
  const timed = await shopApp(tableOf(SHOP_SIZE), local.endpoint, keyFile);
  const durations = await timeJourney(timed.app, key);
  console.log(
    `\nmedian in-process duration per invocation over ${TIMED_JOURNEYS} journeys (DynamoDB Local, no proxy):`,
  );
  for (const [what, ms] of Object.entries(durations)) console.log(`  ${what}: ${ms.toFixed(1)} ms`);
  const byName = new Map([...rows, ...processingRows].map((row) => [row.operation, row]));
  printJourney(
    estimateJourney({
      rows: byName,
      durations,
      memoryMb: {
        api: memorySizeMb("api"),
        processOrders: memorySizeMb("processOrders"),
        notifications: memorySizeMb("notifications"),
      },
    }),
  );
} finally {
  for (const app of apps) await app.close();
  await proxy.close();
  await local.stop();
  await rm(workDir, { recursive: true, force: true });
}

function tableOf(size: number): string {
  return `cost-bench-${size}`;
}

/**
 * A token of `subject`, a user of the local pool (registered in `app`'s store first: the API
 * refuses a write by a token naming no user of the pool).
 */
async function tokenOf(app: App, key: SigningKey, subject: string): Promise<string> {
  if ((await app.store.getUser(subject)) === undefined) {
    await app.store.createUser({
      id: subject,
      email: `${subject}@bench.example.com`,
      name: subject,
      passwordHash: "not-a-password-hash",
      createdAt: new Date().toISOString(),
    });
  }
  return mintToken(key, { issuer: ISSUER, clientId: CLIENT_ID, subject });
}

interface Step {
  what: string;
  byOperation: Map<string, Capacity>;
}

/**
 * The shop composed over `endpoint` on `tableName`, its store wrapped so that each store call
 * made while `steps.recording` is set is one step (the calls of processing come one at a time),
 * and a notifier whose posts are counted, not sent.
 */
async function shopApp(tableName: string, endpoint: string, keyFile: string) {
  const config = loadConfig(
    localShopEnv(local, { tableName, endpoint }, { issuer: ISSUER, clientId: CLIENT_ID, keyFile }),
  );
  const store = await openDynamoDbStore({
    tableName,
    endpoint,
    region: local.region,
    credentials: local.credentials,
  });
  const steps: Step[] & { recording: boolean } = Object.assign([], { recording: false });
  const recorded = recordSteps(store, steps, endpoint === proxy.endpoint ? proxy : undefined);
  const posted = { count: 0 };
  const mailed = { count: 0 };
  const log = () => {};
  const app = await compose(config, {
    store: recorded,
    notifier: createConnectionNotifier({
      directory: recorded,
      clock: { now: () => new Date() },
      log,
      post: async () => {
        posted.count += 1;
        return "sent";
      },
    }),
    payment: declinesOrdersOf(recorded, "-declined"),
    // The mail service is counted, not called: what is measured is the store's part.
    mailer: {
      send: async () => {
        mailed.count += 1;
      },
    },
  });
  apps.push(app);
  return { app, steps, posted, mailed };
}

/** Approves every payment at once, except for users whose id ends with `suffix`. */
function declinesOrdersOf(ledger: PaymentLedger, suffix: string): PaymentProvider {
  const approve = createDemoPaymentProvider({ mode: "approve", delayMs: 0 }, { ledger });
  const decline = createDemoPaymentProvider({ mode: "decline", delayMs: 0 }, { ledger });
  const pick = (userId: string) => (userId.endsWith(suffix) ? decline : approve);
  return {
    name: "demo",
    charge: (request) => pick(request.userId).charge(request),
    refund: (request) => pick(request.userId).refund(request),
    session: (request) => pick(request.userId).session(request),
  };
}

function recordSteps(store: Store, steps: Step[] & { recording: boolean }, meter?: CapacityProxy) {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || meter === undefined) return value;
      return async (...args: unknown[]) => {
        if (!steps.recording) return value.apply(target, args);
        meter.reset();
        const result = await value.apply(target, args);
        steps.push({
          what: describeCall(String(property), args, result),
          byOperation: meter.byOperation(),
        });
        return result;
      };
    },
  });
}

function describeCall(method: string, args: unknown[], result: unknown): string {
  if (method === "changeOrderStatus") {
    const change = args[0] as { from: string; to: string };
    return `${change.from} -> ${change.to}`;
  }
  if (method === "getOrder") return "read the order";
  if (method === "listConnections") {
    const found = Array.isArray(result) ? result.length : 0;
    return `notification: look up connections (${found} found)`;
  }
  return method;
}

async function measure(meter: CapacityProxy, operation: string, work: () => Promise<unknown>) {
  meter.reset();
  await work();
  return { operation, byOperation: meter.byOperation() };
}

async function call(
  app: App,
  method: string,
  resource: string,
  options: { path?: string; token?: string; body?: object; headers?: Record<string, string> } = {},
): Promise<APIGatewayProxyResult> {
  const answer = await app.handler(
    apiEvent({ method, resource, ...options }),
    // The router reads the request id from the context only.
    { awsRequestId: "bench" } as Parameters<App["handler"]>[1],
  );
  if (answer.statusCode >= 300) {
    throw new Error(`${method} ${resource} answered ${answer.statusCode}: ${answer.body}`);
  }
  return answer;
}

async function connect(app: App, connectionId: string, token: string): Promise<void> {
  const answer = await app.websocket(
    toWebSocketEvent({
      routeKey: "$connect",
      connectionId,
      connectedAt: Date.now(),
      query: { token },
    }),
  );
  if (answer.statusCode !== 200) throw new Error(`$connect answered ${answer.statusCode}`);
}

/** Median milliseconds of each invocation of the journey, run `TIMED_JOURNEYS` times. */
async function timeJourney(app: App, key: SigningKey): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  const time = async (what: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    const result = await work();
    const list = samples[what] ?? [];
    list.push(performance.now() - started);
    samples[what] = list;
    return result;
  };
  for (let run = 0; run < TIMED_JOURNEYS; run++) {
    const userId = `timed-${run}`;
    const token = await tokenOf(app, key, userId);
    const product = generatedProduct(200 + run).id;
    await time("list products", () => call(app, "GET", "/products"));
    await time("get product", () =>
      call(app, "GET", "/products/{id}", { path: `/products/${product}` }),
    );
    await time("save cart", () =>
      call(app, "POST", "/cart", { token, body: { products: [{ id: product, quantity: 1 }] } }),
    );
    await time("read cart", () => call(app, "GET", "/cart", { token }));
    const connectionId = newConnectionId();
    await time("$connect", () => connect(app, connectionId, token));
    const answer = (await time("checkout", () =>
      call(app, "PUT", "/checkout", {
        token,
        headers: { "Idempotency-Key": `timed-${run}` },
        body: CHECKOUT_BODY,
      }),
    )) as APIGatewayProxyResult;
    const orderId = (JSON.parse(answer.body) as { id: string }).id;
    await time("process order", () => app.services.processing.processOrder({ userId, orderId }));
    await time("$disconnect", () =>
      app.websocket(
        toWebSocketEvent({ routeKey: "$disconnect", connectionId, connectedAt: Date.now() }),
      ),
    );
  }
  return Object.fromEntries(Object.entries(samples).map(([what, ms]) => [what, median(ms)]));
}

function printTable(rows: readonly Measured[]): void {
  const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  const table = rows.map(({ operation, byOperation }) => {
    const operations = [...byOperation].filter(([, c]) => c.requests > 0);
    const sum = (pick: (c: Capacity) => number) =>
      operations.reduce((total, [, c]) => total + pick(c), 0);
    return [
      operation,
      operations.length === 0
        ? "none"
        : operations.map(([name, c]) => `${c.requests} ${name}`).join(" + "),
      units(sum((c) => c.readUnits)),
      units(sum((c) => c.writeUnits)),
    ];
  });
  const header = ["operation", "requests", "RCU", "WCU"];
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...table.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log("\nconsumed capacity as DynamoDB Local reports it (ReturnConsumedCapacity: TOTAL):");
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of table) console.log(line(row));
}
