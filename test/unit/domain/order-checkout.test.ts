import { describe, expect, it } from "vitest";
import {
  billingAddressOf,
  createOrder,
  methodsFor,
  type Order,
  orderTotals,
  type PricedCart,
  priceCheckout,
  requireAddress,
  type ShippingMethod,
  type ShippingZone,
  snapshotCheckout,
  type TaxConfig,
  type TaxRate,
  transitionOrder,
} from "../../../src/domain/index.js";

const cart: PricedCart = {
  lines: [
    {
      productId: "lonely-bird",
      name: "Lonely Bird",
      quantity: 1,
      unitPriceCents: 2999,
      lineTotalCents: 2999,
    },
  ],
  discountPercentage: 0,
  subtotalCents: 2999,
  discountCents: 0,
  totalCents: 2999,
};

const placement = {
  id: "order-1",
  userId: "user-1",
  createdAt: "2026-05-01T12:00:00.000Z",
  idempotencyKey: "key-1",
};

const zones: ShippingZone[] = [{ id: "eu", name: "EU", countries: ["DE"] }];
const methods: ShippingMethod[] = [
  { id: "dhl", zoneId: "eu", name: "DHL Paket", priceCents: 690, maxDeliveryDays: 3 },
];
const rates: TaxRate[] = [{ country: "DE", label: "VAT", ratePpm: 190_000 }];
const config: TaxConfig = { mode: "exclusive", taxShipping: true };

const address = requireAddress(
  {
    name: "Erika Mustermann",
    line1: "Heidestraße 17",
    city: "Berlin",
    postalCode: "10115",
    country: "de",
  },
  "shippingAddress",
);

/** Checkout as the service will run it, from the rules of the moment. */
function checkoutWith(currentRates: readonly TaxRate[], currentMethods: readonly ShippingMethod[]) {
  const [option] = methodsFor(zones, currentMethods, address.country, cart.totalCents);
  if (option === undefined) throw new Error("DE is shipped to");
  const totals = priceCheckout({
    pricedCart: cart,
    shippingCents: option.priceCents,
    address,
    rates: currentRates,
    config,
  });
  return snapshotCheckout({ shippingAddress: address, option, config, totals });
}

describe("an order placed with a checkout", () => {
  it("keeps the address, the method, the tax lines with their rate and the totals", () => {
    const order = createOrder(cart, placement, checkoutWith(rates, methods));
    expect(order.checkout).toEqual({
      shippingAddress: address,
      shipping: {
        methodId: "dhl",
        zoneId: "eu",
        name: "DHL Paket",
        priceCents: 690,
        maxDeliveryDays: 3,
      },
      taxShipping: true,
      totals: {
        subtotalCents: 2999,
        discountCents: 0,
        shippingCents: 690,
        taxCents: 701, // 19 % of 3689 = 700.91
        totalCents: 4390,
        taxMode: "exclusive",
        taxLines: [
          { label: "VAT", country: "DE", ratePpm: 190_000, taxableCents: 3689, taxCents: 701 },
        ],
      },
    });
  });

  it("charges what the shopper pays: its totalCents include shipping and tax", () => {
    const order = createOrder(cart, placement, checkoutWith(rates, methods));
    expect(order.totalCents).toBe(4390);
    expect(order.subtotalCents - order.discountCents).toBe(2999);
    expect(orderTotals(order)).toBe(order.checkout?.totals);
  });

  it("never changes when a rate or a method changes afterwards", () => {
    const currentRates = rates.map((rate) => ({ ...rate }));
    const currentMethods = methods.map((method) => ({ ...method }));
    const snapshot = checkoutWith(currentRates, currentMethods);
    const order = createOrder(cart, placement, snapshot);
    const before = structuredClone(order);

    (currentRates[0] as TaxRate).ratePpm = 70_000;
    (currentMethods[0] as ShippingMethod).priceCents = 1;
    (currentMethods[0] as ShippingMethod).name = "Renamed";
    const line = snapshot.totals.taxLines[0];
    if (line !== undefined) line.ratePpm = 1;
    snapshot.shippingAddress.city = "Hamburg";

    expect(order).toEqual(before);
    expect(transitionOrder(order, "PROCESSING").checkout).toEqual(before.checkout);
    // A checkout priced now would differ: it is the order that does not.
    expect(checkoutWith(currentRates, currentMethods).totals.totalCents).not.toBe(order.totalCents);
  });

  it("refuses totals priced from another cart or another method's price", () => {
    const snapshot = checkoutWith(rates, methods);
    expect(() =>
      createOrder({ ...cart, subtotalCents: 1, totalCents: 1 }, placement, snapshot),
    ).toThrow(RangeError);
    expect(() =>
      createOrder(cart, placement, {
        ...snapshot,
        shipping: { ...snapshot.shipping, priceCents: 0 },
      }),
    ).toThrow(RangeError);
  });

  it("bills the shipping address unless another was given", () => {
    const order = createOrder(cart, placement, checkoutWith(rates, methods));
    expect(billingAddressOf(order)).toEqual(address);
    const billing = { ...address, name: "Acme GmbH" };
    const [option] = methodsFor(zones, methods, "DE", 2999);
    if (option === undefined) throw new Error("DE is shipped to");
    const totals = priceCheckout({ pricedCart: cart, shippingCents: 690, address, rates, config });
    const same = snapshotCheckout({
      shippingAddress: address,
      billingAddress: { ...address },
      option,
      config,
      totals,
    });
    expect(same).not.toHaveProperty("billingAddress");
    const other = snapshotCheckout({
      shippingAddress: address,
      billingAddress: billing,
      option,
      config,
      totals,
    });
    expect(billingAddressOf(createOrder(cart, placement, other))).toEqual(billing);
  });
});

describe("an order placed before checkout had addresses", () => {
  const old: Order = createOrder(cart, placement);

  it("has no checkout, and totals with no shipping, no tax and no tax mode", () => {
    expect(old).not.toHaveProperty("checkout");
    expect(orderTotals(old)).toEqual({
      subtotalCents: 2999,
      discountCents: 0,
      shippingCents: 0,
      taxCents: 0,
      totalCents: 2999,
      taxLines: [],
    });
    expect(billingAddressOf(old)).toBeUndefined();
  });

  it("goes through its lifecycle as before, without gaining a checkout", () => {
    const processing = transitionOrder(old, "PROCESSING");
    const failed = transitionOrder(processing, "FAILED", "card declined");
    expect(failed).not.toHaveProperty("checkout");
    expect(orderTotals(failed).totalCents).toBe(2999);
  });

  it("reads as stored from JSON, where the field is simply missing", () => {
    const stored = JSON.parse(JSON.stringify(old)) as Order;
    expect(orderTotals(stored)).toEqual(orderTotals(old));
  });
});
