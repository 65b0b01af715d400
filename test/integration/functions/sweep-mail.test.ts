import type { ScheduledEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type DueMailSender, MAIL_SWEEP, sweepHandler } from "../../../src/functions/index.js";
import type { Logger, OrderRecovery } from "../../../src/services/index.js";
import { startPerTest, type TestApp } from "../../helpers/app.js";
import { recordingMail } from "../../helpers/processing.js";

const scheduled = { "detail-type": "Scheduled Event" } as ScheduledEvent;

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

/** Checks a cart out over the API: the order's id (its `placed` message is in the outbox). */
async function placeOrder(): Promise<string> {
  const user = await t.signup();
  await t.saveCart(user.token, [["lonely-bird", 1]]);
  const res = await t.checkout(user.token);
  expect(res.statusCode).toBe(202);
  return res.json.id;
}

function logRecorder() {
  const logged: Parameters<Logger>[0][] = [];
  const log: Logger = (entry) => logged.push(entry);
  return { logged, log };
}

// The sweeper's second job: the order e-mails that are due (a failed send's retry, or a message
// whose stream record was lost), on the memory store's outbox.
describe("the sweeper function's e-mails", () => {
  it("sends the messages due in each run, and none twice", async () => {
    await start();
    const orders = [await placeOrder(), await placeOrder()];
    const mail = recordingMail(t.app.store);
    const { log } = logRecorder();
    const sweep = sweepHandler({ recovery: t.app.services.recovery, mail }, log);

    const first = await sweep(scheduled);
    expect(first.mail).toEqual({ sent: 2, retried: 0, failed: 0, more: false });
    expect([...mail.sent].sort()).toEqual(orders.map((id) => `${id}.placed`).sort());
    // The fresh orders are the stream's to process, not the sweeper's.
    expect(first.found).toBe(0);

    expect((await sweep(scheduled)).mail.sent).toBe(0);
    expect(mail.sent).toHaveLength(2);
  });

  it("still sends the due e-mails when the order sweep fails, then fails the run with its error", async () => {
    await start();
    const order = await placeOrder();
    const mail = recordingMail(t.app.store);
    const { logged, log } = logRecorder();
    const broken: OrderRecovery = {
      sweep: async () => {
        throw new Error("the in-flight index is unreachable");
      },
    };

    await expect(sweepHandler({ recovery: broken, mail }, log)(scheduled)).rejects.toThrow(
      "the in-flight index is unreachable",
    );
    expect(mail.sent).toEqual([`${order}.placed`]);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "error", error: "the in-flight index is unreachable" }),
    );
  });

  it("asks for a bounded number of messages a run, and says when more were due", async () => {
    await start();
    const asked: number[] = [];
    const busy: DueMailSender = {
      sendDue: async ({ limit }) => {
        asked.push(limit);
        return { sent: limit, retried: 0, failed: 0, more: true };
      },
    };
    const { logged, log } = logRecorder();

    const summary = await sweepHandler(
      { recovery: t.app.services.recovery, mail: busy },
      log,
    )(scheduled);

    expect(asked).toEqual([MAIL_SWEEP.limit]);
    expect(summary.mail.more).toBe(true);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "warn", sent: MAIL_SWEEP.limit }),
    );
  });
});
