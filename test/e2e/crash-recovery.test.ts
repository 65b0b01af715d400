import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";

const USERS = 12;
/** Checkouts answered before the kill: the rest are in the air, placed or not. */
const ANSWERED_BEFORE_KILL = 5;
const CART = [
  { id: "lonely-bird", quantity: 2 },
  { id: "copper-kettle", quantity: 1 },
  { id: "linen-notebook", quantity: 3 },
];

interface OrderRow {
  id: string;
  status: string;
  total_cents: number;
  lines: string;
}

// kill -9 in the middle of a burst of checkouts, while payments run: once the dev server is
// started again on the same SQLite file, no order may stay PLACED or PROCESSING, the stock an
// order holds plus what is left must add up to what there was, and no order is charged twice.
describe("the dev server killed mid-load and started again", () => {
  const dataDir = mkdtemp(join(tmpdir(), "crash-recovery-"));
  const servers: DevServerProcess[] = [];

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await rm(await dataDir, { recursive: true, force: true });
  });

  const env = async () => ({
    STORE: "sqlite",
    DATA_DIR: await dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    PAYMENT_DELAY_MS: "800",
    LOG_REQUESTS: "false",
  });

  it("finishes every order in flight, keeps the stock invariant and charges each order once", async () => {
    const first = await startDevServerProcess(await env());
    servers.push(first);
    const call = (path: string, init: RequestInit & { token?: string } = {}) =>
      fetch(`${first.url}${path}`, {
        ...init,
        headers: {
          "Content-Type": "application/json",
          ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
        },
      });
    const file = join(await dataDir, "store.sqlite");
    const initial = readStock(file);

    const tokens = await Promise.all(
      Array.from({ length: USERS }, async (_, n) => {
        const signup = await call("/auth/signup", {
          method: "POST",
          body: JSON.stringify({
            email: `crash-${n}@example.com`,
            password: "correct horse battery",
          }),
        });
        const { accessToken } = (await signup.json()) as { accessToken: string };
        const saved = await call("/cart", {
          method: "POST",
          token: accessToken,
          body: JSON.stringify({ products: CART }),
        });
        expect(saved.status).toBe(200);
        return accessToken;
      }),
    );

    // Every checkout at once; the process dies once a few have answered.
    let answered = 0;
    let killed!: () => void;
    const enoughAnswered = new Promise<void>((resolve) => {
      killed = resolve;
    });
    const checkouts = tokens.map((token, n) =>
      call("/checkout", {
        method: "PUT",
        token,
        headers: { "Idempotency-Key": `crash-${n}` },
      })
        .then((res) => res.status)
        .catch(() => "cut off")
        .finally(() => {
          answered += 1;
          if (answered === ANSWERED_BEFORE_KILL) killed();
        }),
    );
    await enoughAnswered;
    first.child.kill("SIGKILL");
    const statuses = await Promise.all(checkouts);
    await first.stop();
    expect(first.child.signalCode).toBe("SIGKILL");

    const inFlightAfterCrash = readOrders(file).filter((order) =>
      ["PLACED", "PROCESSING"].includes(order.status),
    );
    // The kill must have caught orders in flight, or the test proves nothing.
    expect(inFlightAfterCrash.length).toBeGreaterThan(0);

    const second = await startDevServerProcess(await env());
    servers.push(second);
    await expect
      .poll(() => readOrders(file).filter((o) => ["PLACED", "PROCESSING"].includes(o.status)), {
        timeout: 20_000,
        interval: 250,
      })
      .toEqual([]);
    await second.stop();

    const orders = readOrders(file);
    expect(orders.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 202).length);
    const db = new Database(file, { readonly: true });
    try {
      const stock = readStock(file);
      const held = new Map<string, number>();
      for (const order of orders) {
        if (order.status === "FAILED" || order.status === "CANCELLED") continue;
        for (const line of JSON.parse(order.lines) as { productId: string; quantity: number }[]) {
          held.set(line.productId, (held.get(line.productId) ?? 0) + line.quantity);
        }
      }
      for (const [id, before] of initial) {
        expect(`${id}: ${(stock.get(id) ?? 0) + (held.get(id) ?? 0)}`).toBe(`${id}: ${before}`);
      }
      const payments = db
        .prepare<[], { orderId: string; approved: number; amountCents: number }>(
          "SELECT order_id AS orderId, approved, amount_cents AS amountCents FROM payments",
        )
        .all();
      for (const order of orders) {
        const paid = payments.filter((payment) => payment.orderId === order.id);
        if (order.status === "COMPLETED") {
          expect(paid).toEqual([
            { orderId: order.id, approved: 1, amountCents: order.total_cents },
          ]);
        }
      }
    } finally {
      db.close();
    }

    // Charged at most once, by whichever process took the payment: before or after the crash.
    const taken = [first, second]
      .flatMap((server) => server.output().split("\n"))
      .filter((line) => line.includes('"payment taken"'))
      .map((line) => (JSON.parse(line) as { orderId: string }).orderId);
    expect(new Set(taken).size).toBe(taken.length);
    expect(taken.length).toBe(orders.filter((order) => order.status === "COMPLETED").length);
  }, 120_000);
});

function readOrders(file: string): OrderRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], OrderRow>("SELECT id, status, total_cents, lines FROM orders ORDER BY id")
      .all();
  } finally {
    db.close();
  }
}

function readStock(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare<[], { id: string; stock: number }>("SELECT id, stock FROM products");
    return new Map(rows.all().map((row) => [row.id, row.stock]));
  } finally {
    db.close();
  }
}
