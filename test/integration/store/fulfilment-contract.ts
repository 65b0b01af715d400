import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Order,
  type OrderStatus,
  outboxMessageOf,
  type Shipment,
} from "../../../src/domain/index.js";
import type { OutboxKey, ShippingQueueKey, Store } from "../../../src/services/index.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart, placeOneBirdAt } from "../../helpers/orders.js";

// The fulfilment part of the Store contract, for every adapter: the outbox message each step
// writes in its own transaction (and none for a step refused), the shipment and the delivery
// stored on the order, the due messages and their conditional writes, and the shipping queue.

const T = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 6, 1, 10, minute, second)).toISOString();

const shipment = (shippedAt: string): Shipment => ({
  carrier: "DHL",
  trackingNumber: "JJD000390007",
  trackingUrl: "https://www.dhl.com/track?id=JJD000390007",
  shippedAt,
});

export function describeFulfilmentContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, fulfilment and the e-mail outbox`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const place = (userId: string, createdAt: string, orderId: string) =>
      placeOneBirdAt(store, userId, createdAt, orderId);

    /** One step of `order` from `from` to `to` at `at`, with what the step needs. */
    const step = (order: Order, from: OrderStatus, to: OrderStatus, at: string) =>
      store.changeOrderStatus({
        userId: order.userId,
        orderId: order.id,
        from,
        to,
        at,
        ...(to === "FAILED" ? { failureReason: "declined" } : {}),
        ...(to === "SHIPPED" ? { shipment: shipment(at) } : {}),
        ...(to === "DELIVERED" ? { deliveredAt: at } : {}),
      });

    /** `order` taken through PROCESSING to paid (COMPLETED) at `at`. */
    const pay = async (order: Order, at: string) => {
      await step(order, "PLACED", "PROCESSING", at);
      return step(order, "PROCESSING", "COMPLETED", at);
    };

    const everyDue = async (dueBy: string, limit: number) => {
      const ids: string[] = [];
      let after: OutboxKey | undefined;
      for (let pages = 0; pages < 30; pages++) {
        const page = await store.listDueMail({ dueBy, limit, after });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((message) => message.id));
        after = page.next;
        if (after === undefined) break;
      }
      expect(after).toBeUndefined();
      return ids;
    };

    const everyToShip = async (limit: number) => {
      const orders: Order[] = [];
      let after: ShippingQueueKey | undefined;
      for (let pages = 0; pages < 30; pages++) {
        const page = await store.listOrdersToShip({ limit, after });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        orders.push(...page.items);
        after = page.next;
        if (after === undefined) break;
      }
      expect(after).toBeUndefined();
      return orders;
    };

    it("puts the order's placed message in the outbox with it, and nothing for a refused checkout", async () => {
      const order = await place("user-a", T(0), "order-placed");
      const placed = outboxMessageOf(order, order.createdAt);
      expect(placed).toStrictEqual({
        id: "order-placed.placed",
        orderId: "order-placed",
        userId: "user-a",
        kind: "placed",
        createdAt: T(0),
        attempts: 0,
        nextAttemptAt: T(0),
      });
      expect(await store.listOrderMail(order.id)).toStrictEqual([placed]);
      expect(await store.getMail("order-placed.placed")).toStrictEqual(placed);

      // Refused for want of stock, then for a cart that changed since it was priced.
      await store.saveCart({
        userId: "user-b",
        lines: [{ productId: "lonely-bird", quantity: 10_000 }],
        updatedAt: T(1),
      });
      const greedy = await orderFromCart(store, "user-b", "k-greedy", new Date(T(1)), {
        orderId: "order-greedy",
      });
      expect((await appErrorOf(store.placeOrder(greedy))).code).toBe("OUT_OF_STOCK");
      await store.saveCart({
        userId: "user-b",
        lines: [{ productId: "lonely-bird", quantity: 1 }],
        updatedAt: T(2),
      });
      const stale = await orderFromCart(store, "user-b", "k-stale", new Date(T(2)), {
        orderId: "order-stale",
      });
      await store.saveCart({ userId: "user-b", lines: [], updatedAt: T(3) });
      expect((await appErrorOf(store.placeOrder(stale))).code).toBe("CART_CHANGED");

      for (const refused of ["order-greedy", "order-stale"]) {
        expect(await store.listOrderMail(refused)).toEqual([]);
        expect(await store.getMail(`${refused}.placed`)).toBeUndefined();
      }
      expect(await everyDue(T(59), 10)).toEqual(["order-placed.placed"]);
      // A retried checkout replays the order and writes nothing more.
      const again = await orderFromCart(store, "user-a", "order-placed", new Date(T(4)), {
        orderId: "order-placed-again",
      });
      expect((await store.placeOrder(again)).placed).toBe(false);
      expect(await everyDue(T(59), 10)).toEqual(["order-placed.placed"]);
    });

    it("writes each step's message with the step, due at its time, and nothing when the status condition fails", async () => {
      const order = await place("user-a", T(0), "order-life");
      const mailOf = async () => (await store.listOrderMail(order.id)).map((m) => m.kind);

      await step(order, "PLACED", "PROCESSING", T(1));
      expect(await mailOf()).toEqual(["placed"]);
      // Another delivery moved it first: the cancel finds PROCESSING and writes nothing.
      expect(await step(order, "PLACED", "CANCELLED", T(2))).toBeUndefined();
      expect(await mailOf()).toEqual(["placed"]);

      const paid = await step(order, "PROCESSING", "COMPLETED", T(3));
      expect(paid?.status).toBe("COMPLETED");
      expect(await store.getMail("order-life.paid")).toStrictEqual({
        id: "order-life.paid",
        orderId: "order-life",
        userId: "user-a",
        kind: "paid",
        createdAt: T(3),
        attempts: 0,
        nextAttemptAt: T(3),
      });
      expect(await step(order, "PROCESSING", "COMPLETED", T(4))).toBeUndefined();
      expect((await store.getMail("order-life.paid"))?.createdAt).toBe(T(3));

      const shipped = await step(order, "COMPLETED", "SHIPPED", T(5));
      expect(shipped).toMatchObject({ status: "SHIPPED", shipment: shipment(T(5)) });
      expect(await store.markMailSent("order-life.shipped", T(6), 1)).toBe(true);
      // A second ship finds SHIPPED: the shipment and its message stay as they were.
      expect(
        await store.changeOrderStatus({
          userId: order.userId,
          orderId: order.id,
          from: "COMPLETED",
          to: "SHIPPED",
          shipment: { ...shipment(T(7)), carrier: "UPS" },
          at: T(7),
        }),
      ).toBeUndefined();
      expect(await store.getMail("order-life.shipped")).toMatchObject({
        createdAt: T(5),
        sentAt: T(6),
      });
      expect((await store.getOrder(order.userId, order.id))?.shipment).toStrictEqual(
        shipment(T(5)),
      );

      const delivered = await step(order, "SHIPPED", "DELIVERED", T(8));
      expect(delivered).toMatchObject({
        status: "DELIVERED",
        shipment: shipment(T(5)),
        deliveredAt: T(8),
      });
      // DELIVERED tells nobody: no message of its own.
      expect(await mailOf()).toEqual(["paid", "placed", "shipped"]);

      const declined = await place("user-b", T(10), "order-declined");
      await step(declined, "PLACED", "PROCESSING", T(11));
      await step(declined, "PROCESSING", "FAILED", T(12));
      const cancelled = await place("user-c", T(13), "order-cancelled");
      await step(cancelled, "PLACED", "CANCELLED", T(14));
      const refunded = await place("user-c", T(15), "order-refunded");
      await pay(refunded, T(16));
      await step(refunded, "COMPLETED", "CANCELLED", T(17));

      expect(await store.listOrderMail("order-declined")).toStrictEqual([
        outboxMessageOf({ ...declined, status: "FAILED" }, T(12)),
        outboxMessageOf(declined, T(10)),
      ]);
      expect((await store.listOrderMail("order-cancelled")).map((m) => m.kind)).toEqual([
        "cancelled",
        "placed",
      ]);
      expect((await store.listOrderMail("order-refunded")).map((m) => m.kind)).toEqual([
        "cancelled",
        "paid",
        "placed",
      ]);
      expect(await store.getMail("order-refunded.cancelled")).toMatchObject({
        createdAt: T(17),
        nextAttemptAt: T(17),
      });
    });

    it("stores the shipment and the delivery, read back by every read of orders and filtered by status", async () => {
      const shippedOne = await place("user-a", T(0), "order-shipped");
      const deliveredOne = await place("user-b", T(1), "order-delivered");
      const paidOne = await place("user-a", T(2), "order-paid");
      for (const order of [shippedOne, deliveredOne, paidOne]) await pay(order, T(3));
      const shipped = await step(shippedOne, "COMPLETED", "SHIPPED", T(4));
      await step(deliveredOne, "COMPLETED", "SHIPPED", T(5));
      const delivered = await step(deliveredOne, "SHIPPED", "DELIVERED", T(6));
      if (shipped === undefined || delivered === undefined) throw new Error("both stepped");
      expect(shipped.shipment).toStrictEqual(shipment(T(4)));
      expect(delivered).toMatchObject({ shipment: shipment(T(5)), deliveredAt: T(6) });

      for (const order of [shipped, delivered]) {
        expect(await store.getOrder(order.userId, order.id)).toStrictEqual(order);
        expect(await store.findOrder(order.id)).toStrictEqual(order);
      }
      expect((await store.listOrders("user-a")).find((o) => o.id === shipped.id)).toStrictEqual(
        shipped,
      );
      expect(await store.listAllOrders({ limit: 10, status: "SHIPPED" })).toStrictEqual({
        items: [shipped],
        next: undefined,
      });
      expect(await store.listAllOrders({ limit: 10, status: "DELIVERED" })).toStrictEqual({
        items: [delivered],
        next: undefined,
      });
      const all = await store.listAllOrders({ limit: 10 });
      expect(all.items.map((o) => o.id)).toEqual([
        "order-paid",
        "order-delivered",
        "order-shipped",
      ]);
      expect(all.items[1]).toStrictEqual(delivered);
      // A tracking URL is optional.
      const untracked = await place("user-c", T(7), "order-untracked");
      await pay(untracked, T(8));
      const { trackingUrl: _none, ...bare } = shipment(T(9));
      const shippedBare = await store.changeOrderStatus({
        userId: "user-c",
        orderId: untracked.id,
        from: "COMPLETED",
        to: "SHIPPED",
        shipment: bare,
        at: T(9),
      });
      expect(shippedBare?.shipment).toStrictEqual(bare);
      expect(await store.findOrder(untracked.id)).toStrictEqual(shippedBare);
    });

    it("lists the due messages soonest first (ties by id), up to `dueBy`, by pages", async () => {
      // Two orders share their time: their messages are ordered by id.
      const b = await place("user-a", T(0), "order-b");
      await place("user-b", T(0), "order-a");
      await place("user-c", T(2), "order-c");
      await pay(b, T(1));
      await place("user-a", T(4), "order-d");
      const expected = ["order-a.placed", "order-b.placed", "order-b.paid", "order-c.placed"];

      for (const limit of [1, 2, 3, 10]) {
        expect(await everyDue(T(3), limit)).toEqual(expected);
      }
      expect(await everyDue(T(4), 10)).toEqual([...expected, "order-d.placed"]);
      // Due at `dueBy` itself counts; one second earlier does not.
      expect(await everyDue(T(0), 10)).toEqual(["order-a.placed", "order-b.placed"]);
      expect(await everyDue("2026-07-01T09:59:59.000Z", 10)).toEqual([]);

      const first = await store.listDueMail({ dueBy: T(3), limit: 2 });
      expect(first.next).toEqual({ nextAttemptAt: T(0), id: "order-b.placed" });
      expect(first.items[0]).toStrictEqual(await store.getMail("order-a.placed"));
      const rest = await store.listDueMail({ dueBy: T(3), limit: 5, after: first.next });
      expect(rest).toStrictEqual({
        items: [await store.getMail("order-b.paid"), await store.getMail("order-c.placed")],
        next: undefined,
      });
    });

    it("marks a message sent once: a second marker gets false, and it leaves the due ones", async () => {
      await place("user-a", T(0), "order-a");
      await place("user-b", T(1), "order-b");

      const markers = await Promise.all([
        store.markMailSent("order-a.placed", T(2), 1),
        store.markMailSent("order-a.placed", T(3), 1),
      ]);
      expect(markers.filter(Boolean)).toHaveLength(1);
      expect(await store.markMailSent("order-a.placed", T(4), 2)).toBe(false);
      expect(await store.markMailSent("order-none.placed", T(4), 1)).toBe(false);
      const sent = await store.getMail("order-a.placed");
      expect(sent).toMatchObject({ attempts: 1, createdAt: T(0) });
      expect([T(2), T(3)]).toContain(sent?.sentAt);
      expect(sent).not.toHaveProperty("nextAttemptAt");
      expect(await everyDue(T(59), 10)).toEqual(["order-b.placed"]);
      // A sent message takes no failed try either.
      expect(
        await store.recordMailAttempt({
          id: "order-a.placed",
          attemptsBefore: 1,
          error: "late",
          nextAttemptAt: T(9),
        }),
      ).toBe(false);
      expect(await store.getMail("order-a.placed")).toStrictEqual(sent);
    });

    it("records a failed try only on the attempts read; a message given up leaves the due ones", async () => {
      await place("user-a", T(0), "order-a");
      await place("user-b", T(1), "order-b");
      const id = "order-a.placed";

      expect(
        await store.recordMailAttempt({
          id,
          attemptsBefore: 1,
          error: "the mail service could not be reached",
          nextAttemptAt: T(5),
        }),
      ).toBe(false);
      expect((await store.getMail(id))?.attempts).toBe(0);

      const racing = await Promise.all(
        [T(5), T(6)].map((nextAttemptAt) =>
          store.recordMailAttempt({
            id,
            attemptsBefore: 0,
            error: "the mail service could not be reached",
            nextAttemptAt,
          }),
        ),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      const retried = await store.getMail(id);
      expect(retried).toMatchObject({
        attempts: 1,
        lastError: "the mail service could not be reached",
        createdAt: T(0),
      });
      expect([T(5), T(6)]).toContain(retried?.nextAttemptAt);
      const retryAt = retried?.nextAttemptAt ?? "";
      // Due again only from its next try on.
      expect(await everyDue(T(4), 10)).toEqual(["order-b.placed"]);
      expect(await everyDue(retryAt, 10)).toEqual(["order-b.placed", id]);

      expect(
        await store.recordMailAttempt({
          id,
          attemptsBefore: 1,
          error: "the address was refused",
          failedAt: T(7),
        }),
      ).toBe(true);
      const given = await store.getMail(id);
      expect(given).toMatchObject({
        attempts: 2,
        lastError: "the address was refused",
        failedAt: T(7),
      });
      expect(given).not.toHaveProperty("nextAttemptAt");
      expect(given).not.toHaveProperty("sentAt");
      expect(await everyDue(T(59), 10)).toEqual(["order-b.placed"]);
      expect(await store.markMailSent(id, T(8), 3)).toBe(false);
      expect(
        await store.recordMailAttempt({
          id,
          attemptsBefore: 2,
          error: "again",
          nextAttemptAt: T(9),
        }),
      ).toBe(false);
      expect(await store.getMail(id)).toStrictEqual(given);
    });

    it("lists the paid orders waiting to ship, oldest first, by pages; a shipped or cancelled one leaves", async () => {
      const orders: Order[] = [];
      // Two pairs share their time: ordered by id within each.
      for (const [n, minute] of [3, 0, 1, 1, 5, 0, 2].entries()) {
        orders.push(await place(`user-${n % 3}`, T(minute), `order-${n}`));
      }
      const waiting = orders.filter((order) => order.id !== "order-6");
      for (const order of waiting) await pay(order, T(10));
      const expected = ["order-1", "order-5", "order-2", "order-3", "order-0", "order-4"];

      for (const limit of [1, 2, 4, 10]) {
        expect((await everyToShip(limit)).map((order) => order.id)).toEqual(expected);
      }
      const [oldest] = await everyToShip(10);
      expect(oldest).toStrictEqual(await store.findOrder("order-1"));
      expect(oldest?.status).toBe("COMPLETED");
      const first = await store.listOrdersToShip({ limit: 2 });
      expect(first.next).toEqual({ createdAt: T(0), id: "order-5" });

      const byId = (id: string) => waiting.find((order) => order.id === id) as Order;
      await step(byId("order-5"), "COMPLETED", "SHIPPED", T(11));
      await step(byId("order-3"), "COMPLETED", "CANCELLED", T(12));
      expect((await everyToShip(2)).map((order) => order.id)).toEqual([
        "order-1",
        "order-2",
        "order-0",
        "order-4",
      ]);
      // Delivered or not, a shipped order never comes back.
      await step(byId("order-5"), "SHIPPED", "DELIVERED", T(13));
      expect((await everyToShip(10)).map((order) => order.id)).toEqual([
        "order-1",
        "order-2",
        "order-0",
        "order-4",
      ]);
    });

    it("answers an empty queue and no due messages on a shop without orders", async () => {
      expect(await store.listOrdersToShip({ limit: 5 })).toEqual({ items: [], next: undefined });
      expect(await store.listDueMail({ dueBy: T(59), limit: 5 })).toEqual({
        items: [],
        next: undefined,
      });
      expect(await store.listOrderMail("order-none")).toEqual([]);
      expect(await store.getMail("order-none.placed")).toBeUndefined();
    });
  });
}
