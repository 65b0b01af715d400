// The first page of GET /products at 10, 1,000 and 10,000 products (one comment each), on SQLite
// and on DynamoDB Local: store round trips, bytes of the answer, and the median time of a page,
// beside what reading the whole catalogue (GET /products before it was paged) costs.
//   npx tsx bench/products-page.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { compose, loadConfig } from "../src/compose/index.js";
import type { Comment, Product } from "../src/domain/index.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import type { Store } from "../src/services/index.js";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import { openDynamoDbStore } from "../src/store/dynamodb/store.js";
import { recountComments } from "../src/store/sqlite/comments.js";
import { openSqliteStore } from "../src/store/sqlite/store.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { median } from "./measure.js";

const SIZES = [10, 1_000, 10_000];
const ROUNDS = 15;

const products = (count: number): Product[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `product-${String(i).padStart(5, "0")}`,
    name: `Product ${i}`,
    description: "A generated product for the paging benchmark.",
    imageUrl: `/images/product-${i}.svg`,
    priceCents: 100 + i,
    stock: 50,
  }));

const commentsOf = (list: readonly Product[]): Comment[] =>
  list.map((product) => ({
    id: `c-${product.id}`,
    productId: product.id,
    author: "Bench",
    rating: 4,
    text: `A comment on ${product.name}.`,
    createdAt: "2026-05-01T12:00:00.000Z",
  }));

/** Counts the store calls the page makes (one per port method called). */
function counted(inner: Store, calls: string[]): Store {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return value.apply(target, args);
      };
    },
  });
}

interface Row {
  store: string;
  size: number;
  roundTrips: string;
  bytes: number;
  ms: number;
  wholeBytes: number;
  wholeRoundTrips: string;
}

async function measure(
  name: string,
  size: number,
  store: Store,
  requests: () => number,
): Promise<Row> {
  const calls: string[] = [];
  const app = await compose(loadConfig({ STORE: "memory", PORT: "0" }), {
    store: counted(store, calls),
  });
  const event = apiEvent({ method: "GET", resource: "/products" });
  let body = "";
  const times: number[] = [];
  const before = requests();
  for (let round = 0; round < ROUNDS; round++) {
    calls.length = 0;
    const started = performance.now();
    const result = await app.handler(event);
    times.push(performance.now() - started);
    body = result.body;
  }
  const perPage = (requests() - before) / ROUNDS;
  const pageCalls = calls.join(", ");
  const wholeBefore = requests();
  const whole = JSON.stringify(await store.listProducts());
  const wholeRequests = requests() - wholeBefore;
  return {
    store: name,
    size,
    roundTrips: name === "DynamoDB" ? `${perPage} HTTP (${pageCalls})` : pageCalls,
    bytes: Buffer.byteLength(body),
    ms: median(times),
    wholeBytes: Buffer.byteLength(whole),
    wholeRoundTrips: name === "DynamoDB" ? `${wholeRequests} HTTP` : "2 statements",
  };
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), "products-page-"));
try {
  for (const size of SIZES) {
    const file = join(dir, `store-${size}.db`);
    (await openSqliteStore({ file })).close();
    const db = new Database(file);
    const list = products(size);
    db.transaction(() => {
      db.exec("DELETE FROM comments; DELETE FROM products;");
      const product = db.prepare(
        "INSERT INTO products (id, name, description, image_url, price_cents, stock) " +
          "VALUES (@id, @name, @description, @imageUrl, @priceCents, @stock)",
      );
      const comment = db.prepare(
        "INSERT INTO comments (id, product_id, author, rating, text, created_at) " +
          "VALUES (@id, @productId, @author, @rating, @text, @createdAt)",
      );
      for (const p of list) product.run(p);
      for (const c of commentsOf(list)) comment.run(c);
      // Written around the store: its running counts are set from the rows, as a migration does.
      recountComments(db);
    })();
    db.close();
    const store = await openSqliteStore({ file });
    rows.push(await measure("SQLite", size, store, () => 0));
    await store.close();
  }

  const local = await startDynamoDbLocal();
  try {
    for (const size of SIZES) {
      let requests = 0;
      const client = new DynamoDbClient({
        endpoint: local.endpoint,
        region: local.region,
        credentials: local.credentials,
        onRequest: () => requests++,
      });
      const list = products(size);
      const store = await openDynamoDbStore({
        tableName: `bench-${size}-${Date.now()}`,
        client,
        createTable: true,
        seed: { products: list, comments: commentsOf(list), promotions: [] },
      });
      rows.push(await measure("DynamoDB", size, store, () => requests));
      await store.close();
      client.destroy();
    }
  } finally {
    await local.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  "| store | products | first page: store round trips | first page: bytes | first page: median ms | whole catalogue: round trips | whole catalogue: bytes |",
);
console.log("| --- | ---: | --- | ---: | ---: | --- | ---: |");
for (const row of rows) {
  console.log(
    `| ${row.store} | ${row.size.toLocaleString("en")} | ${row.roundTrips} | ${row.bytes.toLocaleString("en")} | ${row.ms.toFixed(1)} | ${row.wholeRoundTrips} | ${row.wholeBytes.toLocaleString("en")} |`,
  );
}
