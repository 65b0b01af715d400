import { describe, expect, it } from "vitest";
import {
  MAIL_MAX_ATTEMPTS,
  mailKindOf,
  nextMailAttemptAt,
  ORDER_STATUSES,
  type Order,
  outboxMessageOf,
} from "../../../src/domain/index.js";

const order = (status: Order["status"]): Order => ({
  id: "order-1",
  userId: "user-1",
  status,
  createdAt: "2026-05-01T12:00:00.000Z",
  idempotencyKey: "key-1",
  lines: [],
  subtotalCents: 0,
  discountPercentage: 0,
  discountCents: 0,
  totalCents: 0,
});

describe("the outbox of order e-mails", () => {
  it("tells the customer of placing, paying, shipping, cancelling and a failed payment only", () => {
    expect(ORDER_STATUSES.map((s) => [s, mailKindOf(s)])).toEqual([
      ["PLACED", "placed"],
      ["PROCESSING", undefined],
      ["COMPLETED", "paid"],
      ["SHIPPED", "shipped"],
      ["DELIVERED", undefined],
      ["FAILED", "payment-failed"],
      ["CANCELLED", "cancelled"],
    ]);
  });

  it("writes one message per order and kind, due at once, untried", () => {
    expect(outboxMessageOf(order("SHIPPED"), "2026-05-02T00:00:00.000Z")).toEqual({
      id: "order-1.shipped",
      orderId: "order-1",
      userId: "user-1",
      kind: "shipped",
      createdAt: "2026-05-02T00:00:00.000Z",
      attempts: 0,
      nextAttemptAt: "2026-05-02T00:00:00.000Z",
    });
    expect(outboxMessageOf(order("PROCESSING"), "2026-05-02T00:00:00.000Z")).toBeUndefined();
  });

  it("backs off from 30 seconds, doubling up to an hour, and gives up after the last try", () => {
    const now = new Date("2026-05-02T00:00:00.000Z");
    const delays = Array.from({ length: MAIL_MAX_ATTEMPTS }, (_, i) => {
      const at = nextMailAttemptAt(i + 1, now);
      return at === undefined ? undefined : (Date.parse(at) - now.getTime()) / 1000;
    });
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, undefined]);
    expect(nextMailAttemptAt(20, now)).toBeUndefined();
  });
});
