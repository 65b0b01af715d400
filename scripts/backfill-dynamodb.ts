// Brings an existing DynamoDB table up to the layout this version writes (src/store/dynamodb/
// backfill.ts has the steps), after every function runs this version:
//   npm run backfill:dynamodb -- --table NAME [--endpoint URL] [--region R]
//                                [--checkpoint FILE] [--segments N] [--page-size N]
// or, to split one product's stock over more (or fewer) stock items before a rush:
//   npm run backfill:dynamodb -- --table NAME --reshard PRODUCT_ID=SHARDS
// The shard counts are the functions' own settings, read from the same variables
// (DYNAMODB_LIST_SHARDS, DYNAMODB_STOCK_SHARDS, DYNAMODB_PROMOTION_SHARDS; the defaults where
// unset); --list-shards overrides the first. Ctrl-C stops after the pages being read: run the
// same command again and it goes on from the checkpoint (backfill-<table>.json by default).
// Credentials are the AWS SDK's usual chain; with --endpoint and none set, DynamoDB Local's.
import { parseArgs } from "node:util";
import { LOCAL_AWS } from "../src/compose/index.js";
import { type BackfillReport, runBackfill } from "../src/store/dynamodb/backfill.js";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../src/store/dynamodb/documents.js";
import { reshardStock } from "../src/store/dynamodb/operator.js";
import { layoutOf } from "../src/store/dynamodb/store.js";
import type { TableLayout } from "../src/store/dynamodb/table.js";

const USAGE =
  "usage: npm run backfill:dynamodb -- --table NAME [--endpoint URL] [--region R] " +
  "[--checkpoint FILE] [--segments N] [--page-size N] [--list-shards N] " +
  "| --reshard PRODUCT_ID=SHARDS";
/** Throttling is likely on a table being scanned while it serves: retry longer than a request. */
const MAX_ATTEMPTS = 8;
const PROGRESS_EVERY_MS = 10_000;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) fail(`${name}: not an integer: ${value}`);
  return parsed;
}

const args = (() => {
  try {
    return parseArgs({
      options: {
        table: { type: "string" },
        endpoint: { type: "string" },
        region: { type: "string" },
        checkpoint: { type: "string" },
        segments: { type: "string" },
        "page-size": { type: "string" },
        "list-shards": { type: "string" },
        reshard: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
const tableName = args.table ?? fail("--table is required");

const asked: Partial<Record<keyof TableLayout, number | undefined>> = {
  listShards:
    count("--list-shards", args["list-shards"]) ??
    count("DYNAMODB_LIST_SHARDS", process.env.DYNAMODB_LIST_SHARDS),
  stockShards: count("DYNAMODB_STOCK_SHARDS", process.env.DYNAMODB_STOCK_SHARDS),
  promotionShards: count("DYNAMODB_PROMOTION_SHARDS", process.env.DYNAMODB_PROMOTION_SHARDS),
};
const layout = (() => {
  try {
    return layoutOf(
      Object.fromEntries(Object.entries(asked).filter(([, value]) => value !== undefined)),
    );
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
const segments = count("--segments", args.segments);
const pageSize = count("--page-size", args["page-size"]);

const endpoint = args.endpoint;
const region =
  args.region ||
  process.env.AWS_REGION ||
  process.env.AWS_DEFAULT_REGION ||
  (endpoint === undefined ? undefined : LOCAL_AWS.region);
const local = endpoint !== undefined && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE;
const client = new DynamoDbClient({
  ...(endpoint === undefined ? {} : { endpoint }),
  ...(region === undefined ? {} : { region }),
  ...(local ? { credentials: { ...LOCAL_AWS.credentials } } : {}),
  maxAttempts: MAX_ATTEMPTS,
});
if (args.reshard !== undefined) {
  const [productId, shards] = args.reshard.split("=");
  const count = Number(shards);
  if (productId === undefined || productId === "" || !Number.isInteger(count)) {
    fail(`--reshard: expected PRODUCT_ID=SHARDS, got ${args.reshard}`);
  }
  try {
    const moved = await reshardStock(
      { documents: new DynamoDbDocuments(client), name: tableName, layout },
      productId,
      count,
    );
    console.log(
      moved
        ? `${productId}: stock split over ${count} items`
        : `${productId}: already on ${count} items`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  } finally {
    client.destroy();
  }
  process.exit();
}
const checkpointFile = args.checkpoint ?? `backfill-${tableName}.json`;
const stop = new AbortController();
process.once("SIGINT", () => {
  console.error("stopping after the pages being read (Ctrl-C again to kill)");
  stop.abort();
});

const summary = (report: BackfillReport) =>
  [
    `${report.scanned} items read`,
    ...Object.entries(report.changed).map(([step, changed]) => `${step}: ${changed} rewritten`),
  ].join("; ");

let latest: BackfillReport | undefined;
const progress = setInterval(() => {
  if (latest !== undefined) console.log(`... ${summary(latest)}`);
}, PROGRESS_EVERY_MS);
console.log(
  `backfilling ${tableName} (list shards ${layout.listShards}), checkpoint ${checkpointFile}`,
);
try {
  const report = await runBackfill(
    { documents: new DynamoDbDocuments(client), name: tableName, layout },
    {
      checkpointFile,
      signal: stop.signal,
      onPage: (report) => {
        latest = report;
      },
      ...(segments === undefined ? {} : { segments }),
      ...(pageSize === undefined ? {} : { pageSize }),
    },
  );
  for (const [step, changed] of Object.entries(report.changed)) {
    console.log(`${step}: ${changed} rewritten`);
  }
  console.log(`${report.scanned} items read`);
  if (!report.complete) {
    console.log(`stopped before the end: run the same command again to go on (${checkpointFile})`);
    process.exitCode = 130;
  } else {
    console.log("done: every item is in this version's layout");
  }
} catch (error) {
  console.error(error);
  console.error(`run the same command again to go on from ${checkpointFile}`);
  process.exitCode = 1;
} finally {
  clearInterval(progress);
  client.destroy();
}
