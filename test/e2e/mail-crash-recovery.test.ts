import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { simpleParser } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { recordFigure } from "../reliability/figures.js";

// kill -9 while the order e-mails go out: once the dev server is started again on the same data
// directory, every message of the outbox is sent (an `.eml` file with its Message-ID) at least
// once and none more than twice; how many went twice is reported. A message is marked sent only
// after its file is written, so a kill between the two writes it again: that is the "twice".

const USERS = 10;
const CART = [{ id: "lonely-bird", quantity: 1 }];
const IN_FLIGHT = ["PLACED", "PROCESSING"];

interface OutboxRow {
  id: string;
  orderId: string;
  sentAt: string | null;
  failedAt: string | null;
}

/** The outbox and the orders' statuses, read beside the dev server (never through it). */
function snapshot(file: string): { mail: OutboxRow[]; statuses: string[]; orders: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const mail = db
      .prepare<[], OutboxRow>(
        "SELECT id, order_id AS orderId, sent_at AS sentAt, failed_at AS failedAt FROM order_mail ORDER BY id",
      )
      .all();
    const rows = db
      .prepare<[], { id: string; status: string }>("SELECT id, status FROM orders")
      .all();
    return { mail, statuses: rows.map((row) => row.status), orders: rows.map((row) => row.id) };
  } finally {
    db.close();
  }
}

/** How many times each Message-ID was written, from the `.eml` files in `dir`. */
async function writtenByMessageId(dir: string): Promise<Map<string, number>> {
  const files = (await readdir(dir).catch(() => [])).filter((file) => file.endsWith(".eml"));
  const counts = new Map<string, number>();
  for (const file of files) {
    const { messageId } = await simpleParser(await readFile(join(dir, file)));
    const id = messageId ?? `(none in ${file})`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const emlCount = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((file) => file.endsWith(".eml")).length;

describe("the dev server killed while it sends the order e-mails, and started again", () => {
  const dataDir = mkdtemp(join(tmpdir(), "mail-crash-"));
  const servers: DevServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await rm(await dataDir, { recursive: true, force: true });
  });

  it("sends every outbox message at least once and none more than twice", async () => {
    const dir = await dataDir;
    const file = join(dir, "store.sqlite");
    const mailDir = join(dir, "mail");
    const env = {
      STORE: "sqlite",
      DATA_DIR: dir,
      PORT: "0",
      HOST: "127.0.0.1",
      PAYMENT_DELAY_MS: "600",
      LOG_REQUESTS: "false",
    };
    const first = await startDevServerProcess(env);
    servers.push(first);
    const call = (path: string, token: string, method: string, body: unknown, key?: string) =>
      fetch(`${first.url}${path}`, {
        method,
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${token}`,
          ...(key === undefined ? {} : { "Idempotency-Key": key }),
        },
        body: JSON.stringify(body),
      });
    const tokens = await Promise.all(
      Array.from({ length: USERS }, async (_, n) => {
        const token = await signUpAndSignIn(first.url, `mail-crash-${n}@example.com`);
        expect((await call("/cart", token, "POST", { products: CART })).status).toBe(200);
        return token;
      }),
    );

    // Every checkout at once: each writes its `placed` message, and its payment a `paid` one a
    // moment later. The process dies once the first e-mails are out and others are still due.
    const checkouts = tokens.map((token, n) =>
      call("/checkout", token, "PUT", CHECKOUT_BODY, `mail-crash-${n}`)
        .then((res) => res.status)
        .catch(() => "cut off"),
    );
    for (let tries = 0; (await emlCount(mailDir)) === 0; tries++) {
      if (tries > 500) throw new Error(`no e-mail written:\n${first.output()}`);
      await sleep(10);
    }
    first.child.kill("SIGKILL");
    await Promise.all(checkouts);
    await first.stop();
    expect(first.child.signalCode).toBe("SIGKILL");

    const atKill = snapshot(file);
    const writtenAtKill = await emlCount(mailDir);
    const dueAtKill = atKill.mail.filter((m) => m.sentAt === null && m.failedAt === null);
    // The kill must have left messages unsent, or this proves nothing about a restart.
    expect(dueAtKill.length).toBeGreaterThan(0);
    expect(writtenAtKill).toBeGreaterThan(0);

    const second = await startDevServerProcess(env);
    servers.push(second);
    // Orders left in flight are finished (writing their `paid` message), and every message of
    // the outbox is marked sent.
    await expect
      .poll(
        () => {
          const now = snapshot(file);
          return {
            inFlight: now.statuses.filter((status) => IN_FLIGHT.includes(status)).length,
            unsent: now.mail.filter((m) => m.sentAt === null).map((m) => m.id),
          };
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual({ inFlight: 0, unsent: [] });
    await second.stop();

    const { mail, orders } = snapshot(file);
    // Every order told of its placing, and of its payment's end.
    expect(
      mail
        .filter((m) => m.id.endsWith(".placed"))
        .map((m) => m.orderId)
        .sort(),
    ).toEqual([...orders].sort());
    expect(mail.length).toBe(2 * orders.length);
    const written = await writtenByMessageId(mailDir);
    const expected = mail.map((m) => `<${m.id}@localhost>`).sort();
    expect([...written.keys()].sort()).toEqual(expected);
    const counts = [...written.values()];
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    const duplicates = counts.filter((count) => count === 2).length;
    recordFigure("mail_crash_messages", mail.length);
    recordFigure("mail_crash_due_at_kill", dueAtKill.length);
    recordFigure("mail_crash_duplicates", duplicates);
  }, 120_000);
});
