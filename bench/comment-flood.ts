// Issue 14's flood: one product given 2,000 comments of 2,000 characters (by 2,000 users, since
// one user may post only a few), on SQLite and on DynamoDB Local. The catalogue's answers (the
// first page of GET /products, GET /products/{id}) and the first page of the product's
// comments, in bytes and median time, before and after the flood, as ratios of the same run.
//   npx tsx bench/comment-flood.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compose, loadConfig } from "../src/compose/index.js";
import { COMMENT_LIMITS } from "../src/domain/index.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import type { Store } from "../src/services/index.js";
import { openDynamoDbStore } from "../src/store/dynamodb/store.js";
import { openSqliteStore } from "../src/store/sqlite/store.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { median } from "./measure.js";

const FLOOD = 2_000;
const ROUNDS = 25;
const PRODUCT = "lonely-bird";
const READS = {
  "GET /products": apiEvent({ method: "GET", resource: "/products" }),
  "GET /products/{id}": apiEvent({
    method: "GET",
    resource: "/products/{id}",
    pathParameters: { id: PRODUCT },
  }),
  "GET /products/{id}/comments": apiEvent({
    method: "GET",
    resource: "/products/{id}/comments",
    pathParameters: { id: PRODUCT },
  }),
};
type ReadName = keyof typeof READS;

interface Measured {
  bytes: number;
  ms: number;
}

async function measureReads(store: Store): Promise<Record<ReadName, Measured>> {
  const app = await compose(loadConfig({ STORE: "memory", PORT: "0" }), { store });
  const measured = {} as Record<ReadName, Measured>;
  for (const [name, event] of Object.entries(READS) as [ReadName, (typeof READS)[ReadName]][]) {
    const times: number[] = [];
    let bytes = 0;
    // Warm-up rounds (connections, statement caches) are not counted.
    for (let round = 0; round < 5; round++) await app.handler(event);
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const result = await app.handler(event);
      times.push(performance.now() - started);
      if (result.statusCode !== 200) throw new Error(`${name} answered ${result.statusCode}`);
      bytes = Buffer.byteLength(result.body);
    }
    measured[name] = { bytes, ms: median(times) };
  }
  return measured;
}

async function flood(store: Store): Promise<void> {
  const text = "x".repeat(COMMENT_LIMITS.maxTextLength);
  const start = Date.parse("2026-05-01T12:00:00.000Z");
  for (let i = 0; i < FLOOD; i++) {
    await store.addComment({
      comment: {
        id: `c-flood-${String(i).padStart(5, "0")}`,
        productId: PRODUCT,
        author: `Flooder ${i}`,
        rating: (i % 5) + 1,
        text,
        createdAt: new Date(start + i).toISOString(),
      },
      userId: `flooder-${i}`,
    });
  }
}

const rows: string[] = [];
async function run(name: string, store: Store): Promise<void> {
  const before = await measureReads(store);
  await flood(store);
  const after = await measureReads(store);
  for (const read of Object.keys(READS) as ReadName[]) {
    const [b, a] = [before[read], after[read]];
    rows.push(
      `| ${name} | ${read} | ${b.bytes.toLocaleString("en")} | ${a.bytes.toLocaleString("en")} | ` +
        `${(a.bytes / b.bytes).toFixed(2)} | ${b.ms.toFixed(2)} | ${a.ms.toFixed(2)} | ${(a.ms / b.ms).toFixed(2)} |`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), "comment-flood-"));
try {
  const sqlite = await openSqliteStore({ file: join(dir, "store.db") });
  await run("SQLite", sqlite);
  await sqlite.close();
  const local = await startDynamoDbLocal();
  try {
    const dynamo = await openDynamoDbStore({
      tableName: `flood-${Date.now()}`,
      endpoint: local.endpoint,
      region: local.region,
      credentials: local.credentials,
      createTable: true,
      seed: true,
    });
    await run("DynamoDB Local", dynamo);
    await dynamo.close();
  } finally {
    await local.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `${FLOOD.toLocaleString("en")} comments of ${COMMENT_LIMITS.maxTextLength} characters on one product:`,
);
console.log(
  "| store | read | bytes before | bytes after | ratio | median ms before | median ms after | ratio |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
