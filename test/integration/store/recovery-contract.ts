import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InFlightKey, PaymentRecord, Store } from "../../../src/services/index.js";
import { placeOneBirdAt } from "../../helpers/orders.js";

/**
 * The recovery part of the Store contract: the orders left in flight, found oldest first and a
 * page at a time (finished ones never listed), and the payment ledger's one record per order.
 * `makeStore` returns a fresh seeded store.
 */
export function describeRecoveryContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, recovery`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const placeOrderAt = (userId: string, createdAt: string, orderId: string) =>
      placeOneBirdAt(store, userId, createdAt, orderId);

    const everyPage = async (placedBefore: string, limit: number) => {
      const ids: string[] = [];
      let after: InFlightKey | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await store.listOrdersInFlight({ placedBefore, limit, after });
        expect(page.orders.length).toBeLessThanOrEqual(limit);
        ids.push(...page.orders.map((order) => order.id));
        after = page.next;
        if (after === undefined) break;
      }
      expect(after).toBeUndefined();
      return ids;
    };

    it("lists the PLACED and PROCESSING orders placed before an instant, oldest first, by pages", async () => {
      const orders = [];
      for (const [n, user] of ["user-a", "user-b", "user-a", "user-c", "user-b"].entries()) {
        orders.push(
          await placeOrderAt(user, `2026-07-01T10:00:0${n}.000Z`, `order-in-flight-${n}`),
        );
      }
      const [first, second, third, fourth, fifth] = orders;
      if (!first || !second || !third || !fourth || !fifth) throw new Error("five orders");
      const step = (order: typeof first, from: "PLACED" | "PROCESSING", to: string) =>
        store.changeOrderStatus({
          userId: order.userId,
          orderId: order.id,
          from,
          to: to as "PROCESSING",
        });
      await step(second, "PLACED", "PROCESSING");
      await step(third, "PLACED", "PROCESSING");
      await step(third, "PROCESSING", "COMPLETED");
      await step(fourth, "PLACED", "CANCELLED");

      for (const limit of [1, 2, 10]) {
        expect(await everyPage("2026-07-01T11:00:00.000Z", limit)).toEqual([
          first.id,
          second.id,
          fifth.id,
        ]);
      }
      // Placed at or after the instant: left alone.
      expect(await everyPage(fifth.createdAt, 10)).toEqual([first.id, second.id]);
      const page = await store.listOrdersInFlight({
        placedBefore: "2026-07-01T11:00:00.000Z",
        limit: 10,
      });
      expect(page.orders.map((order) => order.status)).toEqual(["PLACED", "PROCESSING", "PLACED"]);
      expect(page.orders[1]).toStrictEqual(await store.getOrder(second.userId, second.id));
    });

    it("keeps one payment per order: the first record stands, a refund is recorded once", async () => {
      const payment: PaymentRecord = {
        orderId: "order-paid",
        userId: "user-a",
        amountCents: 2999,
        approved: true,
        chargedAt: "2026-07-01T10:00:00.000Z",
      };
      expect(await store.findPayment("order-paid")).toBeUndefined();
      expect(await store.recordRefund("order-paid", "2026-07-01T10:00:01.000Z")).toBe(false);

      const results = await Promise.all([
        store.recordPayment(payment),
        store.recordPayment({ ...payment, chargedAt: "2026-07-01T10:00:00.500Z" }),
      ]);
      expect(results.filter((result) => result.recorded)).toHaveLength(1);
      const standing = results.find((result) => result.recorded)?.payment;
      for (const result of results) expect(result.payment).toStrictEqual(standing);
      expect(await store.findPayment("order-paid")).toStrictEqual(standing);

      const refunds = await Promise.all([
        store.recordRefund("order-paid", "2026-07-01T10:00:02.000Z"),
        store.recordRefund("order-paid", "2026-07-01T10:00:03.000Z"),
      ]);
      expect(refunds.filter(Boolean)).toHaveLength(1);
      expect((await store.findPayment("order-paid"))?.refundedAt).toMatch(
        /^2026-07-01T10:00:0[23]/,
      );

      await store.recordPayment({
        ...payment,
        orderId: "order-declined",
        approved: false,
        reason: "declined",
      });
      expect(await store.findPayment("order-declined")).toMatchObject({
        approved: false,
        reason: "declined",
      });
      expect(await store.recordRefund("order-declined", "2026-07-01T10:00:04.000Z")).toBe(false);
    });

    it("keeps one started payment per order: the first stands, whoever asks after", async () => {
      expect(await store.findPaymentSession("order-started")).toBeUndefined();
      const started = (reference: string) =>
        store.recordPaymentSession({
          orderId: "order-started",
          provider: "stripe",
          reference,
          createdAt: "2026-07-01T10:00:00.000Z",
        });
      const answers = await Promise.all([started("pi_first"), started("pi_second")]);
      const standing = await store.findPaymentSession("order-started");
      expect(["pi_first", "pi_second"]).toContain(standing?.reference);
      for (const answer of answers) expect(answer).toStrictEqual(standing);
      expect(await started("pi_third")).toStrictEqual(standing);
      // Beside the order's payment, not over it.
      expect(await store.findPayment("order-started")).toBeUndefined();
    });

    it("records a handled webhook event once, however many deliveries race", async () => {
      expect(await store.findPaymentEvent("evt_1")).toBeUndefined();
      const event = {
        eventId: "evt_1",
        type: "payment_intent.succeeded",
        orderId: "order-paid",
        outcome: "settled",
        receivedAt: "2026-07-01T10:00:00.000Z",
        expiresAt: 1_790_000_000,
      };
      const firsts = await Promise.all(
        Array.from({ length: 5 }, () => store.recordPaymentEvent(event)),
      );
      expect(firsts.filter(Boolean)).toHaveLength(1);
      expect(await store.findPaymentEvent("evt_1")).toStrictEqual(event);
      const { orderId: _none, ...ignored } = { ...event, eventId: "evt_2", outcome: "ignored" };
      expect(await store.recordPaymentEvent(ignored)).toBe(true);
      expect(await store.findPaymentEvent("evt_2")).toStrictEqual(ignored);
    });
  });
}
