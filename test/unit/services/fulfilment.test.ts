// The operators' fulfilment use cases on the memory store: the shipping queue (paid orders,
// oldest first, checksummed cursors), SHIPPED with the shipment at the clock's time, DELIVERED,
// the owner told each step, and the refusals: 401, 403, 404 and ORDER_NOT_SHIPPABLE naming the
// state the order is in (also for the operator who lost a race).
import { describe, expect, it } from "vitest";
import { ADMIN_GROUP, AppError, type OrderStatus } from "../../../src/domain/index.js";
import { createFulfilmentService } from "../../../src/services/fulfilment.js";
import type { Caller } from "../../../src/services/index.js";
import { encodeCursor } from "../../../src/services/paging.js";
import { MemoryStore } from "../../../src/store/index.js";
import { manualClock } from "../../helpers/app.js";
import { placeOneBirdAt } from "../../helpers/orders.js";
import { recordingNotifier } from "../../helpers/processing.js";

const operator: Caller = { userId: "olive", username: "Olive", groups: [ADMIN_GROUP] };
const customer: Caller = { userId: "ada", username: "Ada", groups: [] };
const SHIPMENT = { carrier: "DHL", trackingNumber: "JJD 0001-2345" };

function setUp() {
  const store = new MemoryStore();
  const notifier = recordingNotifier();
  const clock = manualClock("2030-05-01T10:00:00.000Z");
  const fulfilment = createFulfilmentService({ store, notifier, clock, log: () => {} });

  /** Order `orderId` of user ada, placed at `createdAt` and moved along `path` by the store. */
  const orderIn = async (orderId: string, createdAt: string, path: OrderStatus[]) => {
    let order = await placeOneBirdAt(store, "ada", createdAt, orderId);
    for (const to of path) {
      const changed = await store.changeOrderStatus({
        userId: "ada",
        orderId,
        from: order.status,
        to,
        ...(to === "FAILED" ? { failureReason: "declined" } : {}),
      });
      if (changed === undefined) throw new Error(`${orderId} did not move to ${to}`);
      order = changed;
    }
    return order;
  };
  const paid = (orderId: string, createdAt = "2030-04-01T00:00:00.000Z") =>
    orderIn(orderId, createdAt, ["PROCESSING", "COMPLETED"]);
  return { store, notifier, clock, fulfilment, orderIn, paid };
}

/** The AppError `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("the shipping queue", () => {
  it("pages the paid orders alone, oldest first, and an order leaves it once shipped", async () => {
    const { fulfilment, orderIn, paid } = setUp();
    await paid("paid-3", "2030-04-03T00:00:00.000Z");
    await paid("paid-1", "2030-04-01T00:00:00.000Z");
    await orderIn("placed", "2030-03-01T00:00:00.000Z", []);
    await orderIn("failed", "2030-03-02T00:00:00.000Z", ["PROCESSING", "FAILED"]);
    await orderIn("cancelled", "2030-03-03T00:00:00.000Z", ["CANCELLED"]);
    await paid("paid-2", "2030-04-02T00:00:00.000Z");
    await paid("paid-4", "2030-04-04T00:00:00.000Z");
    await paid("shipped", "2030-03-04T00:00:00.000Z");
    await fulfilment.shipOrder(operator, "shipped", SHIPMENT);

    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await fulfilment.listShippingQueue(operator, {
        limit: 3,
        ...(cursor === undefined ? {} : { cursor }),
      });
      ids.push(...page.items.map((order) => order.id));
      expect(page.items.every((order) => order.status === "COMPLETED")).toBe(true);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined && pages < 10);

    expect(ids).toEqual(["paid-1", "paid-2", "paid-3", "paid-4"]);
    expect(pages).toBe(2);

    await fulfilment.shipOrder(operator, "paid-1", SHIPMENT);
    const after = await fulfilment.listShippingQueue(operator, {});
    expect(after.items.map((order) => order.id)).toEqual(["paid-2", "paid-3", "paid-4"]);
    expect(after.nextCursor).toBeNull();
  });

  it("refuses an edited cursor, and another list's, as a 400 naming cursor", async () => {
    const { fulfilment, paid } = setUp();
    for (const id of ["a", "b", "c"]) await paid(id);
    const first = await fulfilment.listShippingQueue(operator, { limit: 1 });
    const cursor = first.nextCursor ?? "";
    expect(cursor).not.toBe("");
    const edited = `${cursor.slice(0, 3)}${cursor[3] === "A" ? "B" : "A"}${cursor.slice(4)}`;
    // The same position, as the every-orders list answers it: well made, another list's.
    const position = { createdAt: first.items[0]?.createdAt ?? "", id: first.items[0]?.id ?? "" };
    for (const bad of [edited, encodeCursor("allOrders", position)]) {
      const error = await refusal(fulfilment.listShippingQueue(operator, { cursor: bad }));
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.fields).toEqual([{ field: "cursor", message: expect.any(String) }]);
    }
  });
});

describe("shipping and delivering an order", () => {
  it("ships a paid order now, records the e-mail, and tells its owner with the shipment", async () => {
    const { store, notifier, clock, fulfilment, paid } = setUp();
    await paid("o-1");
    clock.advanceSeconds(90);

    const shipped = await fulfilment.shipOrder(operator, "o-1", {
      ...SHIPMENT,
      trackingUrl: "https://tracking.example.com/JJD00012345",
    });

    const shipment = {
      carrier: "DHL",
      trackingNumber: "JJD 0001-2345",
      trackingUrl: "https://tracking.example.com/JJD00012345",
      shippedAt: "2030-05-01T10:01:30.000Z",
    };
    expect(shipped).toMatchObject({ id: "o-1", userId: "ada", status: "SHIPPED", shipment });
    expect(shipped.deliveredAt).toBeNull();
    expect((await store.findOrder("o-1"))?.shipment).toEqual(shipment);
    expect(notifier.sent).toEqual([
      {
        userId: "ada",
        message: { type: "order.updated", orderId: "o-1", status: "SHIPPED", shipment },
      },
    ]);
    const mail = await store.listOrderMail("o-1");
    expect(mail.map((message) => message.id)).toContain("o-1.shipped");
  });

  it("ships without a tracking URL (null in the view), then delivers it now", async () => {
    const { store, notifier, clock, fulfilment, paid } = setUp();
    await paid("o-2");

    const shipped = await fulfilment.shipOrder(operator, "o-2", SHIPMENT);
    expect(shipped.shipment).toEqual({
      ...SHIPMENT,
      trackingUrl: null,
      shippedAt: "2030-05-01T10:00:00.000Z",
    });
    clock.advanceSeconds(2 * 24 * 3600);
    const delivered = await fulfilment.markDelivered(operator, "o-2");

    expect(delivered).toMatchObject({
      status: "DELIVERED",
      deliveredAt: "2030-05-03T10:00:00.000Z",
      shipment: shipped.shipment,
    });
    expect((await store.findOrder("o-2"))?.deliveredAt).toBe("2030-05-03T10:00:00.000Z");
    expect(notifier.statusesOf("o-2")).toEqual(["SHIPPED", "DELIVERED"]);
    // The delivered update still says how the parcel went.
    expect(notifier.sent[1]?.message.shipment).toEqual(shipped.shipment);
  });

  it("answers ORDER_NOT_SHIPPABLE naming the order's state for a step it is not ready for", async () => {
    const { store, notifier, fulfilment, orderIn, paid } = setUp();
    await orderIn("placed", "2030-04-01T00:00:00.000Z", []);
    await orderIn("cancelled", "2030-04-01T00:00:00.000Z", ["PROCESSING", "CANCELLED"]);
    await paid("paid");

    const cases: [() => Promise<unknown>, string][] = [
      [() => fulfilment.shipOrder(operator, "placed", SHIPMENT), "PLACED"],
      [() => fulfilment.shipOrder(operator, "cancelled", SHIPMENT), "CANCELLED"],
      [() => fulfilment.markDelivered(operator, "paid"), "COMPLETED"],
      [() => fulfilment.markDelivered(operator, "placed"), "PLACED"],
    ];
    for (const [attempt, state] of cases) {
      const error = await refusal(attempt());
      expect(error.code).toBe("ORDER_NOT_SHIPPABLE");
      expect(error.message).toContain(`it is ${state}`);
    }
    await fulfilment.shipOrder(operator, "paid", SHIPMENT);
    const again = await refusal(fulfilment.shipOrder(operator, "paid", SHIPMENT));
    expect(again.message).toMatch(/cannot be marked shipped: it is SHIPPED/);
    expect((await store.findOrder("placed"))?.status).toBe("PLACED");
    expect(notifier.statusesOf("paid")).toEqual(["SHIPPED"]);
  });

  it("lets one of two operators shipping at once win; the other is told it is SHIPPED", async () => {
    const { store, notifier, fulfilment, paid } = setUp();
    await paid("raced");

    const results = await Promise.allSettled([
      fulfilment.shipOrder(operator, "raced", { carrier: "DHL", trackingNumber: "A1" }),
      fulfilment.shipOrder(operator, "raced", { carrier: "UPS", trackingNumber: "B2" }),
    ]);

    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(AppError);
    expect((lost[0] as AppError).code).toBe("ORDER_NOT_SHIPPABLE");
    expect((lost[0] as AppError).message).toContain("it is SHIPPED");
    const stored = await store.findOrder("raced");
    expect(won[0]?.status === "fulfilled" && won[0].value.shipment).toEqual({
      ...stored?.shipment,
      trackingUrl: null,
    });
    expect(notifier.statusesOf("raced")).toEqual(["SHIPPED"]);
  });

  it("refuses anyone but an operator, and an unknown order with NOT_FOUND", async () => {
    const { store, notifier, fulfilment, paid } = setUp();
    await paid("o-3");
    for (const caller of [undefined, customer]) {
      const expected = caller === undefined ? "UNAUTHENTICATED" : "FORBIDDEN";
      for (const attempt of [
        () => fulfilment.listShippingQueue(caller, {}),
        () => fulfilment.shipOrder(caller, "o-3", SHIPMENT),
        () => fulfilment.markDelivered(caller, "o-3"),
      ]) {
        expect((await refusal(attempt())).code).toBe(expected);
      }
    }
    expect((await store.findOrder("o-3"))?.status).toBe("COMPLETED");
    expect(notifier.sent).toEqual([]);

    for (const attempt of [
      () => fulfilment.shipOrder(operator, "no-such-order", SHIPMENT),
      () => fulfilment.markDelivered(operator, "no-such-order"),
    ]) {
      const error = await refusal(attempt());
      expect(error.code).toBe("NOT_FOUND");
      expect(error.message).toBe("order no-such-order does not exist");
    }
  });
});
