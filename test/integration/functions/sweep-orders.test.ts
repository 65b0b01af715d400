import type { ScheduledEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { type DueMailSender, SWEEP, sweepHandler } from "../../../src/functions/index.js";
import { createDemoPaymentProvider } from "../../../src/payment/index.js";
import type { Logger } from "../../../src/services/index.js";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { localTables, uniqueTableName, useDynamoDbLocal } from "../../helpers/dynamodb-local.js";
import { orderFromCart } from "../../helpers/orders.js";
import { recordingNotifier } from "../../helpers/processing.js";

const tables = localTables(useDynamoDbLocal());
const NOW = new Date("2026-08-01T12:00:00.000Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const scheduled = { "detail-type": "Scheduled Event" } as ScheduledEvent;
const NOTHING_SENT = { sent: 0, retried: 0, failed: 0, more: false };
/** The orders' part only: the e-mails' is sweep-mail.test.ts's. */
const nothingDue: DueMailSender = { sendDue: async () => NOTHING_SENT };

// The sweeper, invoked as EventBridge invokes it, on DynamoDB Local: orders stuck in flight
// past the deadline (their stream record went to the DLQ, or the run died) are finished through
// the same processing; a fresh order is left to the stream; a paid one is not charged again.
describe("the sweeper function on DynamoDB Local", () => {
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
    await tables.drop();
  });

  it("re-drives the orders stuck past the deadline, once each, and leaves the fresh ones", async () => {
    const store = await tables.open({ tableName: uniqueTableName("sweep") });
    const logged: Parameters<Logger>[0][] = [];
    const log: Logger = (entry) => logged.push(entry);
    const payment = createDemoPaymentProvider(
      { mode: "approve", delayMs: 5 },
      { ledger: store, log },
    );
    const notifier = recordingNotifier();
    t = await createTestApp({ store, payment, notifier, clock: { now: () => NOW } });

    const place = async (user: string, placedAt: Date) => {
      await store.saveCart({
        userId: user,
        lines: [{ productId: "lonely-bird", quantity: 2 }],
        updatedAt: placedAt.toISOString(),
      });
      return (await store.placeOrder(await orderFromCart(store, user, `k-${user}`, placedAt)))
        .order;
    };
    const stuckPlaced = await place("user-placed", minutesAgo(45));
    const stuckPaid = await place("user-paid", minutesAgo(30));
    const fresh = await place("user-fresh", minutesAgo(2));
    // The run that had taken stuckPaid's payment died before marking it COMPLETED.
    await store.changeOrderStatus({
      userId: stuckPaid.userId,
      orderId: stuckPaid.id,
      from: "PLACED",
      to: "PROCESSING",
    });
    await payment.charge({
      orderId: stuckPaid.id,
      userId: stuckPaid.userId,
      amountCents: stuckPaid.totalCents,
      currency: "USD",
    });
    const stockBefore = (await store.getProduct("lonely-bird"))?.stock;

    const sweep = sweepHandler({ recovery: t.app.services.recovery, mail: nothingDue }, log);
    const summary = await sweep(scheduled);

    expect(summary).toEqual({
      found: 2,
      statuses: { COMPLETED: 2 },
      failed: 0,
      more: false,
      mail: NOTHING_SENT,
    });
    const statusOf = async (order: typeof fresh) =>
      (await store.getOrder(order.userId, order.id))?.status;
    expect(await statusOf(stuckPlaced)).toBe("COMPLETED");
    expect(await statusOf(stuckPaid)).toBe("COMPLETED");
    expect(await statusOf(fresh)).toBe("PLACED");
    const taken = logged.filter((entry) => entry.message === "payment taken");
    expect(taken.map((entry) => entry.orderId).sort()).toEqual(
      [stuckPaid.id, stuckPlaced.id].sort(),
    );
    expect(await store.findPayment(stuckPaid.id)).toMatchObject({ approved: true });
    expect((await store.getProduct("lonely-bird"))?.stock).toBe(stockBefore);
    expect(notifier.statusesOf(stuckPlaced.id)).toEqual(["PROCESSING", "COMPLETED"]);

    // Nothing left in flight past the deadline: the next sweep finds nothing.
    expect(await sweep(scheduled)).toEqual({
      found: 0,
      statuses: {},
      failed: 0,
      more: false,
      mail: NOTHING_SENT,
    });
    expect(SWEEP.stuckAfterMs).toBeGreaterThanOrEqual(5 * 60_000);
  });
});
