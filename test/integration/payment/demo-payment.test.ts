import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDemoPaymentProvider } from "../../../src/payment/index.js";
import type { Logger, PaymentRequest } from "../../../src/services/index.js";
import { openSqliteStore } from "../../../src/store/sqlite/store.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const request: PaymentRequest = {
  orderId: "order-restarted",
  userId: "user-a",
  amountCents: 2999,
  currency: "USD",
};

/** A "process": the store reopened on `file`, and a provider over it that logs into `lines`. */
async function processOn(file: string, lines: Parameters<Logger>[0][]) {
  const store = await openSqliteStore({ file });
  const payment = createDemoPaymentProvider(
    { mode: "approve", delayMs: 5 },
    { ledger: store, log: (entry) => lines.push(entry) },
  );
  return { store, payment };
}

// The demo payment's record lives in the store: a process that starts after another took the
// payment (a restart, or the sweeper in another function) answers that payment, takes none.
describe("the demo payment across processes on one store", () => {
  it("charges an order once, however many processes charge it, concurrently or after a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-payment-"));
    dirs.push(dir);
    const file = join(dir, "store.sqlite");
    const lines: Parameters<Logger>[0][] = [];

    const first = await processOn(file, lines);
    const second = await processOn(file, lines);
    const answers = await Promise.all([
      first.payment.charge(request),
      first.payment.charge(request),
      second.payment.charge(request),
    ]);
    await first.store.close();
    await second.store.close();

    const restarted = await processOn(file, lines);
    answers.push(await restarted.payment.charge(request));
    expect(answers).toEqual(Array(4).fill({ approved: true }));
    expect(lines.filter((line) => line.message === "payment taken")).toHaveLength(1);

    // Refunded once, whoever asks and however often.
    const refunds = [
      await restarted.payment.refund(request),
      await restarted.payment.refund(request),
    ];
    expect(refunds).toEqual(Array(2).fill({ refunded: true, amountCents: 2999 }));
    expect(lines.filter((line) => line.message === "payment refunded")).toHaveLength(1);
    expect(await restarted.store.findPayment(request.orderId)).toMatchObject({
      approved: true,
      amountCents: 2999,
      refundedAt: expect.any(String),
    });
    await restarted.store.close();
  });

  it("answers a never-charged order's refund with nothing to give back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-payment-"));
    dirs.push(dir);
    const { store, payment } = await processOn(join(dir, "store.sqlite"), []);
    expect(await payment.refund(request)).toEqual({
      refunded: false,
      reason: "nothing was charged for this order",
    });
    await store.close();
  });
});
