import { describe, expect, it } from "vitest";
import {
  AppError,
  assertTransition,
  cancellableBy,
  canTransition,
  createOrder,
  holdsStock,
  isFinalStatus,
  mayHoldPayment,
  ORDER_STATUSES,
  type OrderStatus,
  type PricedCart,
  transitionOrder,
} from "../../../src/domain/index.js";

function pricedCart(): PricedCart {
  return {
    lines: [
      {
        productId: "lonely-bird",
        name: "Lonely Bird",
        quantity: 2,
        unitPriceCents: 2999,
        lineTotalCents: 5998,
      },
      {
        productId: "solid-friendship",
        name: "Solid Friendship",
        quantity: 1,
        unitPriceCents: 1999,
        lineTotalCents: 1999,
      },
    ],
    promotionCode: "WELCOME10",
    discountPercentage: 10,
    subtotalCents: 7997,
    discountCents: 800,
    totalCents: 7197,
  };
}

const placement = {
  id: "order-1",
  userId: "user-1",
  createdAt: "2026-05-01T12:00:00.000Z",
  idempotencyKey: "key-1",
};

describe("createOrder", () => {
  it("snapshots the priced cart into a PLACED order", () => {
    expect(createOrder(pricedCart(), placement)).toEqual({
      ...pricedCart(),
      ...placement,
      status: "PLACED",
    });
  });

  it("is not changed by anything done to the cart afterwards", () => {
    const cart = pricedCart();
    const order = createOrder(cart, placement);
    const line = cart.lines[0];
    if (line === undefined) throw new Error("the fixture has lines");
    line.quantity = 99;
    line.unitPriceCents = 1;
    line.lineTotalCents = 99;
    cart.lines.push({ ...line, productId: "copper-kettle" });
    cart.subtotalCents = 0;
    cart.totalCents = 0;
    cart.promotionCode = "OTHER";

    expect(order).toEqual({ ...pricedCart(), ...placement, status: "PLACED" });
    expect(order.lines).not.toBe(cart.lines);
    expect(order.lines[0]).not.toBe(cart.lines[0]);
  });

  it("does not let a change to the order reach the cart", () => {
    const cart = pricedCart();
    const order = createOrder(cart, placement);
    const line = order.lines[1];
    if (line === undefined) throw new Error("the order has two lines");
    line.quantity = 5;
    order.lines.pop();
    expect(cart).toEqual(pricedCart());
  });
});

describe("the order lifecycle", () => {
  const LEGAL: [OrderStatus, OrderStatus][] = [
    ["PLACED", "PROCESSING"],
    ["PROCESSING", "COMPLETED"],
    ["PROCESSING", "FAILED"],
    ["PLACED", "CANCELLED"],
    ["PROCESSING", "CANCELLED"],
    ["COMPLETED", "CANCELLED"],
    ["COMPLETED", "SHIPPED"],
    ["SHIPPED", "DELIVERED"],
  ];
  const isLegal = (from: OrderStatus, to: OrderStatus) =>
    LEGAL.some(([a, b]) => a === from && b === to);
  const everyPair = ORDER_STATUSES.flatMap((from) =>
    ORDER_STATUSES.map((to): [OrderStatus, OrderStatus] => [from, to]),
  );
  const illegal = everyPair.filter(([from, to]) => !isLegal(from, to));
  const shipment = {
    carrier: "DHL",
    trackingNumber: "JD0002",
    trackingUrl: "https://track.example/JD0002",
    shippedAt: "2026-05-02T09:00:00.000Z",
  };
  const detailsFor = (to: OrderStatus) => ({
    ...(to === "FAILED" ? { failureReason: "declined" } : {}),
    ...(to === "SHIPPED" ? { shipment } : {}),
    ...(to === "DELIVERED" ? { deliveredAt: "2026-05-03T09:00:00.000Z" } : {}),
  });
  const orderIn = (status: OrderStatus) => ({ ...createOrder(pricedCart(), placement), status });

  it("has exactly eight steps: PLACED -> PROCESSING -> COMPLETED -> SHIPPED -> DELIVERED, PROCESSING -> FAILED, and CANCELLED from PLACED, PROCESSING or COMPLETED", () => {
    expect(everyPair.filter(([from, to]) => canTransition(from, to)).sort()).toEqual(
      [...LEGAL].sort(),
    );
    expect(illegal).toHaveLength(41);
  });

  it.each(illegal)("refuses %s -> %s with ILLEGAL_TRANSITION", (from, to) => {
    const transition = { from, to, ...detailsFor(to) };
    expect(() => assertTransition(transition)).toThrow(AppError);
    expect(() => assertTransition(transition)).toThrow(/cannot go from/);
    expect(() => transitionOrder(orderIn(from), to, detailsFor(to))).toThrow(/cannot go from/);
  });

  it.each(LEGAL)("takes %s -> %s, keeping everything else of the order", (from, to) => {
    const before = orderIn(from);
    const after = transitionOrder(before, to, detailsFor(to));
    expect(after).toEqual({ ...before, status: to, ...detailsFor(to) });
    expect(before.status).toBe(from);
    expect(after.lines).not.toBe(before.lines);
  });

  it("needs a reason to fail, and refuses one on any other step", () => {
    for (const reason of [undefined, "", "  "]) {
      expect(() =>
        assertTransition({
          from: "PROCESSING",
          to: "FAILED",
          ...(reason === undefined ? {} : { failureReason: reason }),
        }),
      ).toThrow(/needs a failure reason/);
    }
    expect(() =>
      assertTransition({ from: "PROCESSING", to: "COMPLETED", failureReason: "why" }),
    ).toThrow(/has no failure reason/);
    expect(() => transitionOrder(orderIn("PLACED"), "PROCESSING", "why")).toThrow(AppError);
  });

  it("records a shipment on SHIPPED and a time on DELIVERED, and refuses either anywhere else", () => {
    expect(() => assertTransition({ from: "COMPLETED", to: "SHIPPED" })).toThrow(/shipment/);
    expect(() => assertTransition({ from: "PLACED", to: "PROCESSING", shipment })).toThrow(
      /shipment/,
    );
    expect(() => assertTransition({ from: "SHIPPED", to: "DELIVERED" })).toThrow(/delivery time/);
    expect(() =>
      assertTransition({ from: "PROCESSING", to: "COMPLETED", deliveredAt: shipment.shippedAt }),
    ).toThrow(/delivery time/);
    const shipped = transitionOrder(orderIn("COMPLETED"), "SHIPPED", { shipment });
    const delivered = transitionOrder(shipped, "DELIVERED", { deliveredAt: "2026-05-03" });
    expect(delivered.shipment).toEqual(shipment);
    expect(delivered.shipment).not.toBe(shipment);
  });

  it("the error is ILLEGAL_TRANSITION", () => {
    try {
      assertTransition({ from: "COMPLETED", to: "PLACED" });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "ILLEGAL_TRANSITION" });
    }
  });

  it("leaves processing nothing to do from COMPLETED on, and on FAILED and CANCELLED", () => {
    expect(ORDER_STATUSES.filter(isFinalStatus)).toEqual([
      "COMPLETED",
      "SHIPPED",
      "DELIVERED",
      "FAILED",
      "CANCELLED",
    ]);
  });

  it("lets a customer cancel a PLACED order only, the shop a PLACED, PROCESSING or paid one (not a shipped one)", () => {
    expect(ORDER_STATUSES.filter((s) => cancellableBy(s, "customer"))).toEqual(["PLACED"]);
    expect(ORDER_STATUSES.filter((s) => cancellableBy(s, "operator"))).toEqual([
      "PLACED",
      "PROCESSING",
      "COMPLETED",
    ]);
    expect(ORDER_STATUSES.filter(mayHoldPayment)).toEqual(["PROCESSING", "COMPLETED"]);
    expect(ORDER_STATUSES.filter(holdsStock)).toEqual([
      "PLACED",
      "PROCESSING",
      "COMPLETED",
      "SHIPPED",
      "DELIVERED",
    ]);
  });
});
