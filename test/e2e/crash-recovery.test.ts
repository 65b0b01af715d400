import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/index.js";
import type { OrderKey } from "../../src/services/index.js";
import { openDynamoDbStore } from "../../src/store/dynamodb/store.js";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";
import { uniqueTableName, useDynamoDbLocal } from "../helpers/dynamodb-local.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { recordFigure } from "../reliability/figures.js";

const USERS = 12;
/** Checkouts answered before the kill: the rest are in the air, placed or not. */
const ANSWERED_BEFORE_KILL = 5;
const CART = [
  { id: "lonely-bird", quantity: 2 },
  { id: "copper-kettle", quantity: 1 },
  { id: "linen-notebook", quantity: 3 },
];
const IN_FLIGHT = ["PLACED", "PROCESSING"];

/** What the store holds, read beside the dev server (never through it). */
interface Snapshot {
  orders: Pick<Order, "id" | "status" | "totalCents" | "lines">[];
  stock: Map<string, number>;
  payments: Map<string, { approved: boolean; amountCents: number }>;
}

interface Backend {
  /** The dev server's settings over the shared ones. */
  env(): Record<string, string>;
  snapshot(): Promise<Snapshot>;
}

// kill -9 in the middle of a burst of checkouts, while payments run: once the dev server is
// started again on the same store, no order may stay PLACED or PROCESSING, the stock an order
// holds plus what is left must add up to what there was, and no order is charged twice.
async function crashAndRestart(backend: Backend, dataDir: string, servers: DevServerProcess[]) {
  const env = {
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    PAYMENT_DELAY_MS: "800",
    LOG_REQUESTS: "false",
    ...backend.env(),
  };
  const first = await startDevServerProcess(env);
  servers.push(first);
  const call = (
    path: string,
    init: { method?: string; token?: string; body?: unknown; key?: string } = {},
  ) =>
    fetch(`${first.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        "Content-Type": "application/json",
        ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
        ...(init.key === undefined ? {} : { "Idempotency-Key": init.key }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const initial = (await backend.snapshot()).stock;

  const tokens = await Promise.all(
    Array.from({ length: USERS }, async (_, n) => {
      const accessToken = await signUpAndSignIn(first.url, `crash-${n}@example.com`);
      const saved = await call("/cart", {
        method: "POST",
        token: accessToken,
        body: { products: CART },
      });
      expect(saved.status).toBe(200);
      return accessToken;
    }),
  );

  // Every checkout at once; the process dies once a few have answered.
  let answered = 0;
  let enough!: () => void;
  const enoughAnswered = new Promise<void>((resolve) => {
    enough = resolve;
  });
  const checkouts = tokens.map((token, n) =>
    call("/checkout", { method: "PUT", token, key: `crash-${n}`, body: CHECKOUT_BODY })
      .then((res) => res.status)
      .catch(() => "cut off")
      .finally(() => {
        answered += 1;
        if (answered === ANSWERED_BEFORE_KILL) enough();
      }),
  );
  await enoughAnswered;
  first.child.kill("SIGKILL");
  const statuses = await Promise.all(checkouts);
  await first.stop();
  expect(first.child.signalCode).toBe("SIGKILL");

  const afterCrash = await backend.snapshot();
  // The kill must have caught orders in flight, or the test proves nothing.
  const inFlightAtKill = afterCrash.orders.filter((order) => IN_FLIGHT.includes(order.status));
  expect(inFlightAtKill.length).toBeGreaterThan(0);

  const second = await startDevServerProcess(env);
  servers.push(second);
  await expect
    .poll(
      async () =>
        (await backend.snapshot()).orders.filter((order) => IN_FLIGHT.includes(order.status)),
      { timeout: 30_000, interval: 500 },
    )
    .toEqual([]);
  await second.stop();

  const { orders, stock, payments } = await backend.snapshot();
  expect(orders.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 202).length);
  const held = new Map<string, number>();
  for (const order of orders) {
    if (order.status === "FAILED" || order.status === "CANCELLED") continue;
    for (const line of order.lines) {
      held.set(line.productId, (held.get(line.productId) ?? 0) + line.quantity);
    }
  }
  for (const [id, before] of initial) {
    expect(`${id}: ${(stock.get(id) ?? 0) + (held.get(id) ?? 0)}`).toBe(`${id}: ${before}`);
  }
  for (const order of orders) {
    if (order.status === "COMPLETED") {
      expect(payments.get(order.id)).toEqual({ approved: true, amountCents: order.totalCents });
    }
  }
  // Charged at most once, by whichever process took the payment: before or after the crash.
  const taken = [first, second]
    .flatMap((server) => server.output().split("\n"))
    .filter((line) => line.includes('"payment taken"'))
    .map((line) => (JSON.parse(line) as { orderId: string }).orderId);
  expect(new Set(taken).size).toBe(taken.length);
  const completed = orders.filter((order) => order.status === "COMPLETED").length;
  expect(taken.length).toBe(completed);
  const store = String(backend.env().STORE);
  recordFigure(`crash_${store}_in_flight_at_kill`, inFlightAtKill.length);
  recordFigure(`crash_${store}_orders`, `${orders.length} (${completed} COMPLETED)`);
  recordFigure(`crash_${store}_charges`, taken.length);
}

describe("the dev server on SQLite killed mid-load and started again", () => {
  const dataDir = mkdtemp(join(tmpdir(), "crash-recovery-"));
  const servers: DevServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await rm(await dataDir, { recursive: true, force: true });
  });

  it("finishes every order in flight, keeps the stock invariant and charges each order once", async () => {
    const file = join(await dataDir, "store.sqlite");
    await crashAndRestart(
      { env: () => ({ STORE: "sqlite" }), snapshot: async () => sqliteSnapshot(file) },
      await dataDir,
      servers,
    );
  }, 120_000);
});

describe("the dev server on DynamoDB Local killed mid-load and started again", () => {
  const local = useDynamoDbLocal();
  const dataDir = mkdtemp(join(tmpdir(), "crash-recovery-dynamodb-"));
  const servers: DevServerProcess[] = [];
  const tableName = uniqueTableName("crash");
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await rm(await dataDir, { recursive: true, force: true });
  });

  it("finishes every order in flight, keeps the stock invariant and charges each order once", async () => {
    const { endpoint, region, credentials } = local();
    await crashAndRestart(
      {
        env: () => ({
          STORE: "dynamodb",
          DYNAMODB_ENDPOINT: endpoint,
          DYNAMODB_TABLE: tableName,
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        }),
        snapshot: async () => {
          const store = await openDynamoDbStore({ tableName, endpoint, region, credentials });
          try {
            const orders: Order[] = [];
            let after: OrderKey | undefined;
            do {
              const page = await store.listAllOrders({ limit: 100, after });
              orders.push(...page.items);
              after = page.next;
            } while (after !== undefined);
            const stock = new Map(
              (await store.listAllProducts()).map((product) => [product.id, product.stock]),
            );
            const payments = new Map<string, { approved: boolean; amountCents: number }>();
            for (const order of orders) {
              const payment = await store.findPayment(order.id);
              if (payment !== undefined) {
                payments.set(order.id, {
                  approved: payment.approved,
                  amountCents: payment.amountCents,
                });
              }
            }
            return { orders, stock, payments };
          } finally {
            await store.close();
          }
        },
      },
      await dataDir,
      servers,
    );
  }, 180_000);
});

function sqliteSnapshot(file: string): Snapshot {
  const db = new Database(file, { readonly: true });
  try {
    const orders = db
      .prepare<[], { id: string; status: Order["status"]; totalCents: number; lines: string }>(
        "SELECT id, status, total_cents AS totalCents, lines FROM orders ORDER BY id",
      )
      .all()
      .map((row) => ({ ...row, lines: JSON.parse(row.lines) as Order["lines"] }));
    const stock = new Map(
      db
        .prepare<[], { id: string; stock: number }>("SELECT id, stock FROM products")
        .all()
        .map((row) => [row.id, row.stock]),
    );
    const payments = new Map(
      db
        .prepare<[], { orderId: string; approved: number; amountCents: number }>(
          "SELECT order_id AS orderId, approved, amount_cents AS amountCents FROM payments",
        )
        .all()
        .map((row) => [
          row.orderId,
          { approved: row.approved === 1, amountCents: row.amountCents },
        ]),
    );
    return { orders, stock, payments };
  } finally {
    db.close();
  }
}
