import { describe, expect, it } from "vitest";
import { createOrder, type PricedCart } from "../../../src/domain/index.js";

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
