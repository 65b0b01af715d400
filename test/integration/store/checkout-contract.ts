import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CartLine, createOrder, priceCart } from "../../../src/domain/index.js";
import {
  type Buyer,
  type Caller,
  type CheckoutInput,
  createServices,
  type Services,
  type Store,
} from "../../../src/services/index.js";
import { createOrderLinks } from "../../../src/services/order-links.js";
import { appErrorOf } from "../../helpers/errors.js";
import { BERLIN_ADDRESS, CHECKOUT_ADDRESS, PRICED_CART } from "../../helpers/fixtures.js";
import { recordingNotifier } from "../../helpers/processing.js";

// Checkout's part of the Store contract, for every adapter: the services' checkout over the
// store, so that what the order keeps (address, method, tax lines, totals) is what each store
// writes and reads back. Fixed cases of the demo settings (src/store/seed-checkout.ts), the
// rounding rule at an exact half, an order unchanged by a later rate, guests, and old orders.

const NOW = new Date("2026-05-01T12:00:00.000Z");
const OPERATOR: Caller = { userId: "operator", username: "operator", groups: ["admin"] };
const ADA: Caller = { userId: "user-ada", username: "ada", groups: [] };

const BERLIN = BERLIN_ADDRESS;
/** PRICED_CART's lines as the store saves them: 7997 cents of goods. */
const PRICED_LINES: CartLine[] = PRICED_CART.lines.map(([productId, quantity]) => ({
  productId,
  quantity,
}));

/** Services over `store`, with a fixed clock; the ports checkout does not use are absent. */
function servicesOver(store: Store): Services {
  const unused = new Proxy(
    {},
    {
      get: () => {
        throw new Error("checkout used a port it should not");
      },
    },
  );
  return createServices({
    store,
    clock: { now: () => NOW },
    ids: { newId: () => randomUUID() },
    passwords: unused as never,
    tokens: unused as never,
    queue: { enqueue: async () => {} },
    payment: unused as never,
    notifier: recordingNotifier(),
    log: () => {},
    uploads: unused as never,
    // A wrong guest token is also checked as an e-mail's link token.
    links: createOrderLinks(async () => new Uint8Array(32)),
    mail: {
      mailer: unused as never,
      recipients: unused as never,
      shopUrl: "http://localhost:3000",
      from: "shop@localhost",
      mailDomain: "localhost",
    },
  });
}

export function describeCheckoutContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: checkout with shipping and tax`, () => {
    let store: Store;
    let services: Services;

    beforeEach(async () => {
      store = await makeStore();
      services = servicesOver(store);
    });

    afterEach(async () => {
      await store.close();
    });

    const customer = (caller: Caller): Buyer => ({ kind: "customer", caller });

    /** A new guest cart holding one of `productId`: its token. */
    const guestCartHolding = async (productId: string): Promise<string> => {
      const { token } = await services.guestCarts.createGuestCart();
      await services.guestCarts.saveGuestCart(token, {
        products: [{ id: productId, quantity: 1 }],
      });
      return token;
    };

    const cartOf = async (caller: Caller, lines: CartLine[]) =>
      store.saveCart({ userId: caller.userId, lines, updatedAt: NOW.toISOString() });

    const placeFor = async (caller: Caller, lines: CartLine[], input: CheckoutInput) => {
      await cartOf(caller, lines);
      return services.orders.checkout(customer(caller), input, randomUUID());
    };

    /** Replaces the tax document, from the version stored now. */
    const setTax = async (change: {
      mode?: "inclusive" | "exclusive";
      taxShipping?: boolean;
      rates?: { country: string; region?: string; label: string; ratePpm: number }[];
    }) => {
      const current = await services.shopSettings.taxSettings(OPERATOR);
      await services.shopSettings.saveTaxSettings(OPERATOR, {
        rates: change.rates ?? current.rates,
        mode: change.mode ?? current.mode,
        taxShipping: change.taxShipping ?? current.taxShipping,
        version: current.version,
      });
    };

    it("adds German VAT on top in the demo's tax-exclusive shop, shipping free above 60.00", async () => {
      const { order } = await placeFor(ADA, PRICED_LINES, {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      // 7997 of goods; 19 % of it is 1519.43, so 1519; Standard is free above 6000.
      expect(order).toMatchObject({
        subtotalCents: 7997,
        discountCents: 0,
        shippingCents: 0,
        taxCents: 1519,
        totalCents: 9516,
        taxMode: "exclusive",
        taxLines: [
          {
            label: "VAT",
            country: "DE",
            region: null,
            ratePpm: 190_000,
            taxableCents: 7997,
            taxCents: 1519,
          },
        ],
        shipping: { methodId: "eu-standard", name: "Standard", priceCents: 0 },
        shippingAddress: { ...BERLIN, line2: null, region: null, phone: null },
        billingAddress: { ...BERLIN, line2: null, region: null, phone: null },
        guestEmail: null,
      });
      const stored = await services.orders.getOrder(ADA, order.id);
      expect(stored).toEqual(order);
    });

    it("prices shipping below its free threshold, and taxes it only when the shop says so", async () => {
      const lines = [{ productId: "solid-friendship", quantity: 1 }];
      const untaxed = await placeFor(ADA, lines, {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      // 1999 + 690 shipping + round(1999 × 19 %) = 379.81 -> 380.
      expect(untaxed.order).toMatchObject({ shippingCents: 690, taxCents: 380, totalCents: 3069 });

      await setTax({ taxShipping: true });
      const taxed = await placeFor(ADA, lines, {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      // round(2689 × 19 %) = 510.91 -> 511.
      expect(taxed.order).toMatchObject({ shippingCents: 690, taxCents: 511, totalCents: 3200 });
      expect(taxed.order.taxLines[0]?.taxableCents).toBe(2689);
    });

    it("shows the VAT inside the prices in a tax-inclusive shop", async () => {
      await setTax({ mode: "inclusive" });
      const { order } = await placeFor(ADA, PRICED_LINES, {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-express",
      });
      // 7997 + 1990 express = 9987 paid; shipping untaxed, so the VAT is 7997 × 19/119 =
      // 1276.83 -> 1277 inside the goods; the net is 6720.
      expect(order).toMatchObject({
        subtotalCents: 7997,
        shippingCents: 1990,
        taxCents: 1277,
        totalCents: 9987,
        taxMode: "inclusive",
      });
      expect(order.taxLines).toEqual([
        {
          label: "VAT",
          country: "DE",
          region: null,
          ratePpm: 190_000,
          taxableCents: 6720,
          taxCents: 1277,
        },
      ]);
    });

    it("rounds each tax line once per order, half up, at an exact half cent", async () => {
      await setTax({ rates: [{ country: "DE", label: "VAT", ratePpm: 50_000 }] });
      // 1450 × 5 % = 72.5: half up gives 73 (half even would give 72).
      const exclusive = await placeFor(ADA, [{ productId: "linen-notebook", quantity: 1 }], {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      expect(exclusive.order).toMatchObject({ subtotalCents: 1450, taxCents: 73 });
      expect(exclusive.order.totalCents).toBe(1450 + 690 + 73);

      await setTax({
        mode: "inclusive",
        rates: [{ country: "DE", label: "VAT", ratePpm: 1_000_000 }],
      });
      // 3749 inside a 100 % rate is 1874.5 of tax: half up, 1875.
      const inclusive = await placeFor(
        ADA,
        [
          { productId: "linen-notebook", quantity: 1 },
          { productId: "night-sky-puzzle", quantity: 1 },
        ],
        { shippingAddress: BERLIN, shippingMethodId: "eu-standard" },
      );
      expect(inclusive.order).toMatchObject({ subtotalCents: 3749, taxCents: 1875 });
      expect(inclusive.order.taxLines[0]?.taxableCents).toBe(3749 - 1875);
    });

    it("never changes an order when a rate or a method changes later", async () => {
      const { order } = await placeFor(ADA, [{ productId: "solid-friendship", quantity: 1 }], {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      await setTax({
        mode: "inclusive",
        rates: [{ country: "DE", label: "VAT", ratePpm: 70_000 }],
      });
      const shipping = await services.shopSettings.shippingSettings(OPERATOR);
      await services.shopSettings.saveShippingSettings(OPERATOR, {
        zones: shipping.zones,
        methods: shipping.methods.map((method) =>
          method.id === "eu-standard" ? { ...method, name: "Slow", priceCents: 1 } : method,
        ),
        version: shipping.version,
      });

      expect(await services.orders.getOrder(ADA, order.id)).toEqual(order);
      await cartOf(ADA, [{ productId: "solid-friendship", quantity: 1 }]);
      const quote = await services.checkout.quote(customer(ADA), {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      // 1999 + 1 shipping, 7 % inside the goods: 1999 × 7/107 = 130.78 -> 131.
      expect(quote.totals).toMatchObject({ shippingCents: 1, taxCents: 131, totalCents: 2000 });
    });

    it("places exactly one order for concurrent guest checkouts with one key", async () => {
      const token = await guestCartHolding("lonely-bird");
      const before = (await store.getProduct("lonely-bird"))?.stock ?? 0;
      const guest: Buyer = { kind: "guest", cartToken: token, clientAddress: "203.0.113.9" };
      const input = {
        shippingAddress: CHECKOUT_ADDRESS,
        shippingMethodId: "us-ground",
        email: "Guest@Example.com",
      };
      const placed = await Promise.all(
        Array.from({ length: 6 }, () => services.orders.checkout(guest, input, "guest-key-1")),
      );
      expect(new Set(placed.map((result) => result.order.id)).size).toBe(1);
      expect(placed.filter((result) => !result.replayed)).toHaveLength(1);
      expect(new Set(placed.map((result) => result.orderAccessToken)).size).toBe(1);
      expect((await store.getProduct("lonely-bird"))?.stock).toBe(before - 1);

      const [first] = placed;
      if (first?.orderAccessToken === undefined) throw new Error("no access token");
      expect(first.order.guestEmail).toBe("guest@example.com");
      // A retry after all of them answers the same order and token.
      const retry = await services.orders.checkout(guest, input, "guest-key-1");
      expect(retry).toMatchObject({ replayed: true, orderAccessToken: first.orderAccessToken });
      expect(retry.order.id).toBe(first.order.id);
      // The cart it came from is empty now.
      expect((await services.guestCarts.getGuestCart(token)).products).toEqual([]);
    });

    it("opens a guest order with its token only, and lets the guest cancel it", async () => {
      const token = await guestCartHolding("solid-friendship");
      const placed = await services.orders.checkout(
        { kind: "guest", cartToken: token },
        { shippingAddress: BERLIN, shippingMethodId: "eu-standard", email: "g@example.com" },
        undefined,
      );
      const accessToken = placed.orderAccessToken ?? "";
      expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await services.orders.getGuestOrder(placed.order.id, accessToken)).toEqual(
        placed.order,
      );

      const other = await placeFor(ADA, [{ productId: "lonely-bird", quantity: 1 }], {
        shippingAddress: BERLIN,
        shippingMethodId: "eu-standard",
      });
      const wrong = `${accessToken.slice(0, 42)}${accessToken.endsWith("A") ? "B" : "A"}`;
      for (const [orderId, tokenTried] of [
        [placed.order.id, wrong],
        [other.order.id, accessToken],
        ["no-such-order", accessToken],
      ] as const) {
        const refusal = await appErrorOf(services.orders.getGuestOrder(orderId, tokenTried));
        expect(refusal.code).toBe("NOT_FOUND");
      }

      const cancelled = await services.orders.cancelGuestOrder(placed.order.id, accessToken);
      expect(cancelled.status).toBe("CANCELLED");
      expect(cancelled.totalCents).toBe(placed.order.totalCents);
    });

    it("lists guest orders by e-mail address and moves a finished one into an account", async () => {
      const placeAsGuest = async (email: string) => {
        const token = await guestCartHolding("solid-friendship");
        const input = { shippingAddress: BERLIN, shippingMethodId: "eu-standard", email };
        const key = `attach-${email}`;
        const placed = await services.orders.checkout(
          { kind: "guest", cartToken: token },
          input,
          key,
        );
        // The same checkout again, from the same guest cart with the same key.
        const retry = () =>
          services.orders.checkout({ kind: "guest", cartToken: token }, input, key);
        return { ...placed, accessToken: placed.orderAccessToken ?? "", token, retry };
      };
      const first = await placeAsGuest("grace@example.com");
      const second = await placeAsGuest("GRACE@example.com");
      await placeAsGuest("someone@example.com");

      const listed = await store.listGuestOrders("grace@example.com");
      expect(listed.map((order) => order.id).sort()).toEqual(
        [first.order.id, second.order.id].sort(),
      );
      const guestOwner = listed.find((order) => order.id === first.order.id)?.userId ?? "";
      expect(guestOwner).toMatch(/^guest-/);

      // In flight (PLACED), it stays where processing looks for it.
      const early = { orderId: first.order.id, fromUserId: guestOwner, toUserId: ADA.userId };
      expect(await store.attachGuestOrder(early)).toBeUndefined();
      await services.orders.cancelGuestOrder(first.order.id, first.accessToken);
      const moved = await store.attachGuestOrder(early);
      expect(moved).toMatchObject({ id: first.order.id, userId: ADA.userId, status: "CANCELLED" });
      // Once: the guest no longer has it.
      expect(await store.attachGuestOrder(early)).toBeUndefined();

      expect((await store.listGuestOrders("grace@example.com")).map((order) => order.id)).toEqual([
        second.order.id,
      ]);
      expect((await store.listOrders(ADA.userId)).map((order) => order.id)).toEqual([
        first.order.id,
      ]);
      expect(await store.getOrder(guestOwner, first.order.id)).toBeUndefined();
      // Its key is still the guest's: a retry from the guest cart, filled again, is a replay.
      await services.guestCarts.saveGuestCart(first.token, {
        products: [{ id: "lonely-bird", quantity: 1 }],
      });
      const retried = await first.retry();
      expect(retried).toMatchObject({ replayed: true, orderAccessToken: first.accessToken });
      expect(retried.order.id).toBe(first.order.id);
      expect((await store.listOrders(ADA.userId)).map((order) => order.id)).toEqual([
        first.order.id,
      ]);
      expect((await store.findOrder(first.order.id))?.userId).toBe(ADA.userId);
      // Its link still opens it, with everything checkout fixed on it.
      const opened = await services.orders.getGuestOrder(first.order.id, first.accessToken);
      expect(opened).toMatchObject({
        status: "CANCELLED",
        totalCents: first.order.totalCents,
        shippingAddress: first.order.shippingAddress,
        guestEmail: "grace@example.com",
      });
    });

    it("refuses an address the shop does not ship to, and a method not offered there", async () => {
      await cartOf(ADA, [{ productId: "lonely-bird", quantity: 1 }]);
      const notShippable = await appErrorOf(
        services.orders.checkout(
          customer(ADA),
          {
            shippingAddress: { ...BERLIN, country: "BR", postalCode: "01310-100" },
            shippingMethodId: "eu-standard",
          },
          undefined,
        ),
      );
      expect(notShippable).toMatchObject({
        code: "NOT_SHIPPABLE",
        fields: [{ field: "shippingAddress.country", message: "not shipped to BR" }],
      });
      const wrongMethod = await appErrorOf(
        services.orders.checkout(
          customer(ADA),
          { shippingAddress: BERLIN, shippingMethodId: "us-ground" },
          "k",
        ),
      );
      expect(wrongMethod).toMatchObject({
        code: "VALIDATION_FAILED",
        fields: [{ field: "shippingMethodId" }],
      });
      // Nothing was placed: the cart is still there.
      expect((await store.getCart(ADA.userId))?.lines).toHaveLength(1);
    });

    it("reads an order placed before checkout took an address", async () => {
      await cartOf(ADA, [{ productId: "lonely-bird", quantity: 1 }]);
      const cart = await store.getCart(ADA.userId);
      const product = await store.getProduct("lonely-bird");
      if (cart === undefined || product === undefined) throw new Error("no cart");
      const priced = priceCart(cart.lines, new Map([[product.id, product]]), undefined);
      const old = createOrder(priced, {
        id: "order-before-addresses",
        userId: ADA.userId,
        createdAt: NOW.toISOString(),
        idempotencyKey: "old",
      });
      await store.placeOrder({ order: old, cartVersion: cart.version });

      expect(await services.orders.getOrder(ADA, old.id)).toMatchObject({
        subtotalCents: 2999,
        shippingCents: 0,
        taxCents: 0,
        totalCents: 2999,
        taxMode: null,
        taxLines: [],
        shippingAddress: null,
        billingAddress: null,
        shipping: null,
        guestEmail: null,
      });
    });
  });
}
