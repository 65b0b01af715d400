import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  MAIL_MAX_ATTEMPTS,
  mailRejected,
  mailUnavailable,
  storeUnavailable,
} from "../../../src/domain/index.js";
import { createFileMailer } from "../../../src/mail/file-mailer.js";
import { accessTokenHash } from "../../../src/services/checkout.js";
import {
  type Logger,
  MAIL_GIVEN_UP,
  type Mailer,
  type MailSender,
  type Recipients,
  type Store,
} from "../../../src/services/index.js";
import { createMailSender } from "../../../src/services/mail-outbox.js";
import { createOrderLinks } from "../../../src/services/order-links.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/store.js";
import { orderFromCart, placeOneBirdAt } from "../../helpers/orders.js";

// The outbox's sender over the memory and SQLite stores, writing real `.eml` files: a message is
// sent once and marked, a failure that may pass is tried again after a backoff, a refusal or the
// last failed try gives the message up with one error line, and nothing of a message's own
// failure throws.

const work = await mkdtemp(join(tmpdir(), "mail-outbox-"));
afterAll(() => rm(work, { recursive: true, force: true }));

const SHOP_URL = "https://shop.example.com";
const START = new Date("2026-05-01T12:00:00.000Z");
const links = createOrderLinks(async () => Buffer.alloc(32, 7));

interface Setup {
  store: Store;
  dir: string;
  logged: Parameters<Logger>[0][];
  clock: { now: () => Date; at: Date };
  senderWith(overrides?: { mailer?: Mailer; recipients?: Recipients; store?: Store }): MailSender;
  /** The `.eml` files written so far, parsed. */
  written(): Promise<ParsedMail[]>;
}

function describeSender(name: string, makeStore: () => Promise<Store>): void {
  describe(`the order e-mail sender on ${name}`, () => {
    let setup: Setup;

    beforeEach(async () => {
      const store = await makeStore();
      const dir = join(work, randomUUID());
      const logged: Parameters<Logger>[0][] = [];
      const clock = {
        at: START,
        now() {
          return this.at;
        },
      };
      const log: Logger = (entry) => logged.push(entry);
      const fileMailer = createFileMailer({ dir, log: () => {} });
      const users: Recipients = { emailOf: async (id) => (await store.getUser(id))?.email };
      setup = {
        store,
        dir,
        logged,
        clock,
        senderWith: (overrides = {}) =>
          createMailSender({
            store: overrides.store ?? store,
            mailer: overrides.mailer ?? fileMailer,
            recipients: overrides.recipients ?? users,
            links,
            clock,
            log,
            shopUrl: SHOP_URL,
            from: "Serverless Store <shop@shop.example.com>",
            mailDomain: "shop.example.com",
          }),
        async written() {
          const files = (await readdir(dir).catch(() => [])).sort();
          return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))));
        },
      };
    });

    afterEach(async () => {
      await setup.store.close();
    });

    const customerOrder = async (email = "ada@example.com") => {
      const userId = randomUUID();
      await setup.store.createUser({
        id: userId,
        email,
        name: "Ada",
        passwordHash: "x",
        createdAt: START.toISOString(),
      });
      return placeOneBirdAt(setup.store, userId, START.toISOString(), randomUUID());
    };

    const guestOrder = async () => {
      const userId = `guest-${randomUUID().replaceAll("-", "")}`;
      await setup.store.saveCart({
        userId,
        lines: [{ productId: "lonely-bird", quantity: 1 }],
        updatedAt: START.toISOString(),
      });
      const command = await orderFromCart(setup.store, userId, randomUUID(), START);
      command.order.guest = { email: "guest@example.com", accessTokenHash: accessTokenHash("x") };
      return (await setup.store.placeOrder(command)).order;
    };

    const failing = (error: () => unknown): Mailer & { tries: number } => {
      const mailer = {
        tries: 0,
        async send() {
          mailer.tries += 1;
          throw error();
        },
      };
      return mailer;
    };

    it("sends a customer's message once, to the account's address, and marks it sent", async () => {
      const order = await customerOrder();
      const id = `${order.id}.placed`;
      const sender = setup.senderWith();
      expect(await sender.deliver(id)).toBe("sent");
      expect(await sender.deliver(id)).toBe("skipped");

      const [mail, ...more] = await setup.written();
      expect(more).toEqual([]);
      expect(mail?.messageId).toBe(`<${id}@shop.example.com>`);
      expect(Array.isArray(mail?.to) ? undefined : mail?.to?.text).toBe("ada@example.com");
      expect(mail?.subject).toBe("Serverless Store: we have your order");
      expect(mail?.text).toContain(`${SHOP_URL}/account/orders/${order.id}`);
      expect(mail?.text).toMatch(/Total +\$/);
      expect(mail?.html).toContain("Lonely Bird");
      const stored = await setup.store.getMail(id);
      expect(stored).toMatchObject({ attempts: 1, sentAt: START.toISOString() });
      expect(stored?.nextAttemptAt).toBeUndefined();
    });

    it("sends a guest's message to the order's address, linking the guest page with its token", async () => {
      const order = await guestOrder();
      expect(await setup.senderWith().deliver(`${order.id}.placed`)).toBe("sent");
      const [mail] = await setup.written();
      expect(Array.isArray(mail?.to) ? undefined : mail?.to?.text).toBe("guest@example.com");
      const link = /https:\/\/shop\.example\.com\/track\/\S+/.exec(mail?.text ?? "")?.[0];
      const url = new URL(link ?? "");
      expect(url.pathname).toBe(`/track/${order.id}`);
      expect(url.search).toBe("");
      const token = new URLSearchParams(url.hash.slice(1)).get("token") ?? "";
      expect(await links.opens(order.id, token)).toBe(true);
    });

    it("tries a message again after a failure that may pass, with backoff, then sends it", async () => {
      const order = await customerOrder();
      const id = `${order.id}.placed`;
      const down = failing(() => mailUnavailable(new Error("connection refused")));
      expect(await setup.senderWith({ mailer: down }).sendDue({ limit: 10 })).toEqual({
        sent: 0,
        retried: 1,
        failed: 0,
        more: false,
      });
      expect(await setup.store.getMail(id)).toMatchObject({
        attempts: 1,
        nextAttemptAt: new Date(START.getTime() + 30_000).toISOString(),
        lastError: "the mail service is unavailable, retry later",
      });
      expect(setup.logged.map((entry) => entry.level)).toEqual(["warn"]);

      const sender = setup.senderWith();
      // Not due before its time.
      setup.clock.at = new Date(START.getTime() + 29_000);
      expect((await sender.sendDue({ limit: 10 })).sent).toBe(0);
      setup.clock.at = new Date(START.getTime() + 30_000);
      expect((await sender.sendDue({ limit: 10 })).sent).toBe(1);
      expect(await setup.store.getMail(id)).toMatchObject({ attempts: 2 });
      expect(await setup.written()).toHaveLength(1);
    });

    it(`gives a message up after ${MAIL_MAX_ATTEMPTS} failed tries, with one error line`, async () => {
      const order = await customerOrder();
      const id = `${order.id}.placed`;
      const down = failing(() => mailUnavailable(new Error("connection refused")));
      const sender = setup.senderWith({ mailer: down });
      const outcomes: string[] = [];
      for (let i = 0; i < MAIL_MAX_ATTEMPTS + 2; i++) {
        outcomes.push(await sender.deliver(id));
        setup.clock.at = new Date(setup.clock.at.getTime() + 2 * 60 * 60_000);
      }
      expect(outcomes).toEqual([
        ...Array(MAIL_MAX_ATTEMPTS - 1).fill("retry"),
        "failed",
        "skipped",
        "skipped",
      ]);
      expect(down.tries).toBe(MAIL_MAX_ATTEMPTS);
      const stored = await setup.store.getMail(id);
      expect(stored).toMatchObject({ attempts: MAIL_MAX_ATTEMPTS });
      expect(stored?.failedAt).toBeDefined();
      expect(stored?.nextAttemptAt).toBeUndefined();
      const errors = setup.logged.filter((entry) => entry.level === "error");
      expect(errors).toEqual([
        expect.objectContaining({
          message: MAIL_GIVEN_UP,
          messageId: id,
          orderId: order.id,
          attempts: MAIL_MAX_ATTEMPTS,
        }),
      ]);
      expect(MAIL_GIVEN_UP).toBe("order e-mail given up");
    });

    it("gives a message up at once when the mail service refuses it for good", async () => {
      const order = await customerOrder();
      const refused = failing(() => mailRejected("the address does not accept mail"));
      expect(await setup.senderWith({ mailer: refused }).deliver(`${order.id}.placed`)).toBe(
        "failed",
      );
      expect(await setup.store.getMail(`${order.id}.placed`)).toMatchObject({
        attempts: 1,
        lastError: "the address does not accept mail",
      });
      expect(setup.logged).toEqual([
        expect.objectContaining({ level: "error", message: MAIL_GIVEN_UP }),
      ]);
    });

    it("gives a message up when the customer has no address, never sending it", async () => {
      const userId = randomUUID();
      const order = await placeOneBirdAt(setup.store, userId, START.toISOString(), randomUUID());
      const mailer = failing(() => new Error("never called"));
      expect(await setup.senderWith({ mailer }).deliver(`${order.id}.placed`)).toBe("failed");
      expect(mailer.tries).toBe(0);
      expect((await setup.store.getMail(`${order.id}.placed`))?.lastError).toBe(
        "the customer has no confirmed e-mail address",
      );
    });

    it("tries again when looking up the address or reading the order fails", async () => {
      const order = await customerOrder();
      const id = `${order.id}.placed`;
      const lookupDown: Recipients = {
        emailOf: async () => {
          throw new Error("ECONNRESET from the user pool");
        },
      };
      expect(await setup.senderWith({ recipients: lookupDown }).deliver(id)).toBe("retry");
      expect((await setup.store.getMail(id))?.lastError).toBe(
        "looking up the customer's e-mail address failed",
      );

      const storeDown = new Proxy(setup.store, {
        get(target, property, receiver) {
          if (property === "findOrder") {
            return async () => {
              throw storeUnavailable(new Error("SQLITE_BUSY"));
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      setup.clock.at = new Date(START.getTime() + 60_000);
      expect(await setup.senderWith({ store: storeDown }).deliver(id)).toBe("retry");
      expect(await setup.store.getMail(id)).toMatchObject({
        attempts: 2,
        lastError: "the store is unavailable, retry shortly",
      });
      expect(setup.logged.some((entry) => entry.level === "error")).toBe(false);
    });

    it("never throws for a message's own failure, whatever the mailer throws", async () => {
      const order = await customerOrder();
      const broken = failing(() => new TypeError("secret internal detail"));
      expect(await setup.senderWith({ mailer: broken }).deliver(`${order.id}.placed`)).toBe(
        "retry",
      );
      expect((await setup.store.getMail(`${order.id}.placed`))?.lastError).toBe(
        "an unexpected error",
      );
      expect(await setup.senderWith().deliver("no-such-order.placed")).toBe("skipped");
    });

    it("sends the due messages a page at a time, up to the limit, saying when more are due", async () => {
      const orders = [];
      for (let i = 0; i < 6; i++) orders.push(await customerOrder(`buyer-${i}@example.com`));
      const sender = setup.senderWith();
      expect(await sender.sendDue({ limit: 5 })).toEqual({
        sent: 5,
        retried: 0,
        failed: 0,
        more: true,
      });
      expect(await sender.sendDue({ limit: 5 })).toEqual({
        sent: 1,
        retried: 0,
        failed: 0,
        more: false,
      });
      const ids = (await setup.written()).map((mail) => mail.messageId).sort();
      expect(ids).toEqual(orders.map((order) => `<${order.id}.placed@shop.example.com>`).sort());
    });

    it("tells a cancelled order's customer whether the payment was refunded", async () => {
      const order = await customerOrder();
      const at = START.toISOString();
      const change = { userId: order.userId, orderId: order.id, at };
      await setup.store.changeOrderStatus({ ...change, from: "PLACED", to: "PROCESSING" });
      await setup.store.recordPayment({
        orderId: order.id,
        userId: order.userId,
        amountCents: order.totalCents,
        approved: true,
        chargedAt: at,
      });
      await setup.store.changeOrderStatus({ ...change, from: "PROCESSING", to: "CANCELLED" });
      const id = `${order.id}.cancelled`;
      const sender = setup.senderWith({ mailer: failing(() => mailUnavailable("down")) });
      expect(await sender.deliver(id)).toBe("retry");
      await setup.store.recordRefund(order.id, at);
      setup.clock.at = new Date(START.getTime() + 60_000);
      expect(await setup.senderWith().deliver(id)).toBe("sent");
      const [mail] = await setup.written();
      expect(mail?.subject).toBe("Serverless Store: your order is cancelled");
      expect(mail?.text).toMatch(/Your payment of \$[\d.]+ was refunded\./);
    });
  });
}

describeSender("the memory store", async () => new MemoryStore());
describeSender("SQLite", async () =>
  openSqliteStore({ file: join(work, `${randomUUID()}.sqlite`) }),
);
