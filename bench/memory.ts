// Memory size: the peak resident memory of every function of every architecture after 1,000
// warm invocations in one process, against DynamoDB Local, beside the size the deployment gives
// it (src/deploy/memory-sizes.ts) and the size the measurement calls for.
//   npm run bench -- memory [--no-build] [--invocations 1000] [nano|micro|monolith|graph ...]
// One measurement is a fresh `node` process that imports the function's bundle (as Lambda's
// runtime does) and invokes its handler `invocations` times, one after the other, cycling
// through an event for each of its routes (a $connect and $disconnect; for the processing
// function, a batch of one placed order, a different one each time, taken to COMPLETED); its
// peak RSS is the kernel's high-water mark of the process.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  architecturesNamed,
  bundleDir,
  type FunctionSpec,
  functionsOf,
} from "../src/deploy/index.js";
import { MEMORY_SIZES_MB, memorySizeFor } from "../src/deploy/memory-sizes.js";
import type { Order } from "../src/domain/index.js";
import type { Route } from "../src/http/index.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import { toWebSocketEvent } from "../src/local/websocket-event.js";
import type { Store } from "../src/services/index.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { CHECKOUT_BODY } from "../test/helpers/fixtures.js";
import { orderFromCart } from "../test/helpers/orders.js";
import { orderRecord, streamEvent } from "../test/helpers/stream-event.js";
import { createSigningKey, mintToken } from "../test/helpers/tokens.js";
import { buildFunctionsUnlessTold, seededTable } from "./functions-under-test.js";

const OPERATOR_ID = "bench-operator";
const ISSUER = "https://auth.bench.test";
const CLIENT_ID = "bench";
const TABLE = "memory-bench";
const MB = 1024 * 1024;
const PRODUCT = "lonely-bird";
const ORDER = "00000000-0000-4000-8000-000000000000";
const SAMPLES: Record<string, { path?: string; body?: object; query?: Record<string, string> }> = {
  "/products/{id}": { path: `/products/${PRODUCT}` },
  // A product that does not exist: 1,000 comments on a real one would grow every later read.
  "/products/{id}/comments": {
    path: "/products/no-such-product/comments",
    body: { rating: 5, text: "Warm." },
  },
  "/cart": { body: { products: [{ id: PRODUCT, quantity: 1 }] } },
  "/checkout": { body: CHECKOUT_BODY },
  "/checkout/quote": { body: CHECKOUT_BODY },
  "/orders/{id}": { path: `/orders/${ORDER}` },
  "/orders/{id}/cancel": { path: `/orders/${ORDER}/cancel` },
  // Past the book's 20 addresses a POST answers 409; an id not the caller's answers 404.
  "/addresses": {
    body: { name: "Bench", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" },
  },
  "/addresses/{id}": {
    path: "/addresses/no-such-address",
    body: { name: "Bench", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" },
  },
  "/admin/products": {
    body: { name: "Bench Lamp", priceCents: 1000, imageUrl: "/images/lamp.svg", stock: 5 },
  },
  "/admin/products/{id}": { path: `/admin/products/${PRODUCT}`, body: { description: "Warm." } },
  "/admin/products/{id}/archive": { path: "/admin/products/no-such-product/archive" },
  "/admin/products/{id}/stock-adjustments": {
    path: `/admin/products/${PRODUCT}/stock-adjustments`,
    body: { delta: 1, reason: "restock" },
  },
  "/admin/uploads": { body: { contentType: "image/png", bytes: 1000 } },
  "/admin/promotions": { body: { code: "BENCH10", percentOff: 10 } },
  "/admin/promotions/{code}": { path: "/admin/promotions/WELCOME10", body: { percentOff: 10 } },
  "/admin/promotions/{code}/deactivate": { path: "/admin/promotions/NO-SUCH-CODE/deactivate" },
  "/admin/orders/{id}": { path: `/admin/orders/${ORDER}` },
  "/admin/orders/{id}/cancel": { path: `/admin/orders/${ORDER}/cancel` },
  "/query": { body: { query: "{ products { items { id priceCents } } }" } },
  "/graphql": {
    body: { query: "{ products { items { id priceCents latestComments { text } } } }" },
  },
};

const args = process.argv.slice(2).filter((arg) => arg !== "memory");
const countAt = args.indexOf("--invocations");
const invocations = countAt === -1 ? 1000 : Number(args[countAt + 1]);
const architectures = architecturesNamed(
  args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--invocations"),
);

buildFunctionsUnlessTold(args, architectures);

const cpus = os.cpus();
console.log(
  `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${os.platform()} ${os.release()}; ${invocations} warm invocations per function`,
);
const dynamodb = await startDynamoDbLocal();
const workDir = await mkdtemp(join(tmpdir(), "serverless-store-memory-"));
try {
  const seeded = await seededTable(dynamodb, TABLE);
  // Placed orders for the processing function: each invocation takes one through its steps.
  const placedOrders = await placeOrders(seeded, invocations);
  // The token's user must exist: a local token naming no user may not write.
  await seeded.createUser({
    id: OPERATOR_ID,
    email: "bench-operator@example.com",
    name: "Bench Operator",
    passwordHash: "not used: the bench signs its own token",
    createdAt: new Date().toISOString(),
  });
  await seeded.close();
  const key = await createSigningKey();
  const keyFile = join(workDir, "key.json");
  await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
  // An operator: every route answers it, the admin ones included.
  const token = await mintToken(key, {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    subject: OPERATOR_ID,
    groups: ["admin"],
    expiresInSeconds: 3600,
  });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    STORE: "dynamodb",
    DYNAMODB_TABLE: TABLE,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    DYNAMODB_CREATE_TABLE: "false",
    AWS_REGION: dynamodb.region,
    AWS_ACCESS_KEY_ID: dynamodb.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dynamodb.credentials.secretAccessKey,
    AUTH_MODE: "local",
    AUTH_ISSUER: ISSUER,
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_KEY_FILE: keyFile,
    LOG_REQUESTS: "false",
    PAYMENT_DELAY_MS: "0",
    // The operators' functions sign uploads to the site bucket in AWS (signing needs no network).
    UPLOADS_BUCKET: "memory-bench-uploads",
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };

  const bare = await runChild(
    ["-e", "process.stdout.write(JSON.stringify({ peakKb: process.resourceUsage().maxRSS }))"],
    env,
  );
  console.log(
    `baseline: node -e with nothing loaded peaks at ${(bare.peakKb / 1024).toFixed(1)} MB`,
  );
  const rows: string[][] = [];
  const outgrown: string[] = [];
  const seen = new Set<string>();
  for (const architecture of architectures) {
    for (const spec of functionsOf(architecture)) {
      // The WebSocket and processing functions are the same bundle in every architecture.
      if (seen.has(spec.name)) continue;
      seen.add(spec.name);
      const eventsFile = join(workDir, `${spec.name}.json`);
      await writeFile(eventsFile, JSON.stringify(eventsOf(spec, token, placedOrders)));
      const bundle = resolve(bundleDir(spec.name), "index.mjs");
      const result = await runChild(
        ["--input-type=module", "-e", invokeLoop(bundle, eventsFile, invocations)],
        env,
      );
      const peakMb = result.peakKb / 1024;
      const wanted = memorySizeFor(peakMb);
      const given = MEMORY_SIZES_MB[spec.name];
      if (given === undefined || wanted > given) outgrown.push(spec.name);
      rows.push([
        architecture,
        spec.name,
        String(result.outcomes),
        `${peakMb.toFixed(1)} MB`,
        `${(result.rssAfter / MB).toFixed(1)} MB`,
        `${(result.heapAfter / MB).toFixed(1)} MB`,
        `${result.medianMs.toFixed(2)} ms`,
        `${wanted} MB`,
        given === undefined ? "none" : `${given} MB`,
      ]);
    }
  }
  printTable(
    [
      "architecture",
      "function",
      "answers",
      "peak RSS",
      "RSS after",
      "heap after",
      "warm (median)",
      "calls for",
      "deployed",
    ],
    rows,
  );
  for (const name of outgrown) {
    console.log(
      `warning: ${name} needs more than src/deploy/memory-sizes.ts gives it (or is not there); update the table`,
    );
  }
} finally {
  await dynamodb.stop();
  await rm(workDir, { recursive: true, force: true });
}

interface ChildResult {
  peakKb: number;
  rssAfter: number;
  heapAfter: number;
  medianMs: number;
  outcomes: string;
}

/** The module a child runs: import the bundle, invoke it `count` times, report its memory. */
function invokeLoop(bundle: string, eventsFile: string, count: number): string {
  return `
import { readFileSync } from "node:fs";
const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const events = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, "utf8"));
const durations = [];
const outcomes = new Map();
for (let i = 0; i < ${count}; i++) {
  const event = structuredClone(events[i % events.length]);
  const started = performance.now();
  const result = await handler(event, { awsRequestId: "bench-" + i });
  durations.push(performance.now() - started);
  // An HTTP answer's status, a stream batch's failures, or the sweeper's summary.
  const outcome = result.statusCode !== undefined
    ? String(result.statusCode)
    : result.batchItemFailures !== undefined
      ? result.batchItemFailures.length + " failed"
      : "swept " + String(result.found);
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}
durations.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  peakKb: process.resourceUsage().maxRSS,
  rssAfter: process.memoryUsage().rss,
  heapAfter: process.memoryUsage().heapUsed,
  medianMs: durations[Math.floor(durations.length / 2)],
  outcomes: [...outcomes].map(([status, n]) => n + "x" + status).join(" "),
}));
process.exit(0);
`;
}

function runChild(args: string[], env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.once("error", reject);
    child.once("close", (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolvePromise(JSON.parse(stdout) as ChildResult);
      } catch (error) {
        reject(new Error(`a measured function failed (${String(error)}):\n${stderr}`));
      }
    });
  });
}

/** `count` orders in PLACED, one line each, of a product with stock enough for them all. */
async function placeOrders(store: Store, count: number): Promise<Order[]> {
  const product = {
    id: "memory-bench-product",
    name: "Memory Bench",
    description: "",
    imageUrl: "/images/bench.svg",
    priceCents: 1000,
    stock: count,
  };
  await store.createProduct({ product });
  const orders: Order[] = [];
  for (let i = 0; i < count; i++) {
    const userId = `bench-buyer-${i}`;
    await store.saveCart({
      userId,
      lines: [{ productId: product.id, quantity: 1 }],
      updatedAt: new Date().toISOString(),
    });
    const placed = await store.placeOrder(await orderFromCart(store, userId, "bench", new Date()));
    orders.push(placed.order);
  }
  return orders;
}

/** One event per route of the function (each a request it serves), or its WebSocket or stream events. */
function eventsOf(spec: FunctionSpec, token: string, orders: readonly Order[]): object[] {
  switch (spec.trigger) {
    case "websocket": {
      const connectionId = "bench-connection";
      return [
        toWebSocketEvent({
          routeKey: "$connect",
          connectionId,
          connectedAt: Date.now(),
          query: { token },
        }),
        toWebSocketEvent({ routeKey: "$disconnect", connectionId, connectedAt: Date.now() }),
      ];
    }
    case "stream":
      return orders.map((order) => streamEvent(orderRecord(order)));
    case "http":
      return spec.routes.map((route) => routeEvent(route, token));
    case "schedule":
      return [{ source: "aws.events", "detail-type": "Scheduled Event", detail: {} }];
  }
}

function routeEvent(route: Route, token: string) {
  const sample = SAMPLES[route.resource] ?? {};
  const writes = route.method !== "GET";
  return apiEvent({
    method: route.method,
    resource: route.resource,
    path: sample.path ?? route.resource,
    ...(writes ? { body: sample.body ?? {} } : {}),
    ...(route.resource === "/checkout" ? { headers: { "Idempotency-Key": "memory-bench" } } : {}),
    ...(route.auth === "none" ? {} : { token }),
  });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log();
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(row));
}
