// Cold start of every Lambda function of every architecture, as a ratio to a bare Node.js start
// measured in the same run:
//   npx tsx bench/cold-start.ts [--rounds 20] [--no-build] [nano|micro|monolith|graph ...]
// One measurement is a fresh `node` process that imports the function's bundle (module load and
// composition: config, store client, router) and invokes its handler once with the event of its
// first route (a $connect, a stream batch) against DynamoDB Local: from spawn to the answer.
// The baseline is `node -e 0`, from spawn to exit.
// Rounds interleave function and baseline so drift on the machine falls on both.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { APIGatewayProxyEvent } from "aws-lambda";
import {
  architecturesNamed,
  bundleDir,
  type FunctionSpec,
  functionsOf,
} from "../src/deploy/index.js";
import type { Order } from "../src/domain/index.js";
import type { Route } from "../src/http/index.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import { newConnectionId, toWebSocketEvent } from "../src/local/websocket-event.js";
import { openDynamoDbStore } from "../src/store/dynamodb/store.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { orderRecord, streamEvent } from "../test/helpers/stream-event.js";
import { createSigningKey, mintToken } from "../test/helpers/tokens.js";
import { median } from "./measure.js";

/** The issue's goal: every function within 1.5x of a bare Node.js start. */
const GOAL_RATIO = 1.5;
const ISSUER = "https://auth.bench.test";
const CLIENT_ID = "bench";
const TABLE = "cold-start-bench";

const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const rounds = roundsAt === -1 ? 20 : Number(args[roundsAt + 1]);
const architectures = architecturesNamed(
  args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--rounds"),
);

if (!args.includes("--no-build")) {
  const built = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/build.ts", ...architectures],
    {
      stdio: "inherit",
    },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const dynamodb = await startDynamoDbLocal();
const workDir = await mkdtemp(join(tmpdir(), "serverless-store-cold-"));
process.once("exit", () => {
  void dynamodb.stop();
});
try {
  process.env.AWS_ACCESS_KEY_ID = dynamodb.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = dynamodb.credentials.secretAccessKey;
  const seeded = await openDynamoDbStore({
    tableName: TABLE,
    endpoint: dynamodb.endpoint,
    region: dynamodb.region,
    createTable: true,
    seed: true,
  });
  await seeded.close();

  const key = await createSigningKey();
  const keyFile = join(workDir, "key.json");
  await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
  const token = await mintToken(key, {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    subject: "bench-user",
  });

  // What Lambda's environment would hold, with DynamoDB Local instead of the region's endpoint.
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
    // The SDK's Node 20 end-of-support notice is one write to stderr, not a cost worth counting.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };

  console.log(`node ${process.version}; ${rounds} interleaved rounds per function`);
  const rows: string[][] = [];
  let worst = 0;
  for (const architecture of architectures) {
    for (const spec of functionsOf(architecture)) {
      const first = firstEvent(spec, token);
      if (first === undefined) continue;
      const { what, event } = first;
      const bundle = resolve(bundleDir(spec.name), "index.mjs");
      const probe = await invokeOnce(bundle, event, env);
      const functionMs: number[] = [];
      const bareMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) {
          functionMs.push((await invokeOnce(bundle, event, env)).ms);
          bareMs.push(await bareStart());
        } else {
          bareMs.push(await bareStart());
          functionMs.push((await invokeOnce(bundle, event, env)).ms);
        }
      }
      const ratio = median(functionMs) / median(bareMs);
      worst = Math.max(worst, ratio);
      rows.push([
        architecture,
        spec.name,
        `${what} -> ${probe.outcome}`,
        `${Math.round((await bytesOf(bundleDir(spec.name), false)) / 1024)} KiB`,
        `${Math.round((await bytesOf(bundleDir(spec.name), true)) / 1024)} KiB`,
        `${median(functionMs).toFixed(0)} ms`,
        `${median(bareMs).toFixed(0)} ms`,
        `${ratio.toFixed(2)}x`,
        ratio <= GOAL_RATIO ? "yes" : "no",
      ]);
    }
  }
  printTable(
    [
      "architecture",
      "function",
      "first invoke",
      "entry",
      "all chunks",
      "cold (median)",
      "node -e 0",
      "ratio",
      `<= ${GOAL_RATIO}x`,
    ],
    rows,
  );
  console.log(`\nworst ratio ${worst.toFixed(2)}x (goal <= ${GOAL_RATIO}x)`);
} finally {
  await dynamodb.stop();
  await rm(workDir, { recursive: true, force: true });
}

/** The event of a function's first invocation: its first route, a $connect, a stream batch. */
function firstEvent(
  spec: FunctionSpec,
  token: string,
): { what: string; event: object } | undefined {
  switch (spec.trigger) {
    case "websocket":
      return {
        what: "$connect",
        event: toWebSocketEvent({
          routeKey: "$connect",
          connectionId: newConnectionId(),
          connectedAt: Date.now(),
          query: { token },
        }),
      };
    case "stream":
      // An order the table does not hold: processing reads it, finds nothing, and stops.
      return {
        what: "1 order record",
        event: streamEvent(orderRecord(benchOrder())),
      };
    case "http": {
      const route = spec.routes[0];
      return route === undefined
        ? undefined
        : { what: `${route.method} ${route.resource}`, event: routeEvent(route, token) };
    }
  }
}

function benchOrder(): Order {
  return {
    id: randomUUID(),
    userId: "bench-user",
    status: "PLACED",
    createdAt: new Date().toISOString(),
    idempotencyKey: randomUUID(),
    lines: [],
    discountPercentage: 0,
    subtotalCents: 0,
    discountCents: 0,
    totalCents: 0,
  };
}

/** An API Gateway event for `route`, signed in when the route needs a user. */
function routeEvent(route: Route, token: string): APIGatewayProxyEvent {
  const samples: Record<string, { path: string; body?: object }> = {
    "/products/{id}": { path: "/products/lonely-bird" },
    "/products/{id}/comments": {
      path: "/products/lonely-bird/comments",
      body: { rating: 5, text: "Cold start, warm heart." },
    },
    "/cart": { path: "/cart", body: { products: [{ id: "lonely-bird", quantity: 1 }] } },
    "/orders/{id}": { path: "/orders/00000000-0000-4000-8000-000000000000" },
    "/query": { path: "/query", body: { query: "{ products { items { id priceCents } } }" } },
    "/graphql": { path: "/graphql", body: { query: "{ products { items { id priceCents } } }" } },
  };
  const sample = samples[route.resource] ?? { path: route.resource };
  return apiEvent({
    method: route.method,
    resource: route.resource,
    path: sample.path,
    ...(route.method === "GET" || sample.body === undefined ? {} : { body: sample.body }),
    ...(route.auth === "none" ? {} : { token }),
  });
}

interface Invocation {
  ms: number;
  /** The status code, or for a stream batch how many records failed. */
  outcome: string;
}

/** A fresh Node process: import the bundle, invoke the handler once, exit. */
function invokeOnce(
  bundle: string,
  event: object,
  env: Record<string, string>,
): Promise<Invocation> {
  const code = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
    "const result = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'bench' });",
    "process.stdout.write(String(result.statusCode ?? result.batchItemFailures.length + ' failed'));",
    // Lambda freezes the process after the answer; here, leave without waiting for idle sockets.
    "process.exit(0);",
  ].join("\n");
  return timeChild(["--input-type=module", "-e", code], {
    ...env,
    BENCH_EVENT: JSON.stringify(event),
  }).then(({ ms, stdout, stderr }) => {
    if (!/^[1-4]\d\d$|^0 failed$/.test(stdout)) {
      throw new Error(`${bundle} failed (${stdout}):\n${stderr}`);
    }
    return { ms, outcome: stdout };
  });
}

async function bareStart(): Promise<number> {
  return (await timeChild(["-e", "0"], { PATH: process.env.PATH ?? "" })).ms;
}

/**
 * Runs `node args` and times it from spawn to its first output (the handler's answer), or to
 * its exit when it prints nothing (the bare baseline). The function's own exit is left out: Lambda
 * freezes a process after the answer instead of ending it, and a process holding sockets and
 * timers takes tens of milliseconds longer to exit than a bare one.
 */
function timeChild(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let answeredAt: bigint | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      answeredAt ??= process.hrtime.bigint();
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.once("error", reject);
    child.once("close", () => {
      const ms = Number((answeredAt ?? process.hrtime.bigint()) - started) / 1e6;
      resolvePromise({ ms, stdout, stderr });
    });
  });
}

/** Bytes of the bundle's .mjs files: the entry file alone, or with every chunk it can load. */
async function bytesOf(dir: string, withChunks: boolean): Promise<number> {
  let total = (await stat(join(dir, "index.mjs"))).size;
  if (!withChunks) return total;
  for (const name of await readdir(join(dir, "chunks")).catch(() => [])) {
    if (name.endsWith(".mjs")) total += (await stat(join(dir, "chunks", name))).size;
  }
  return total;
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
