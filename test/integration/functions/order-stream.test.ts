import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../../src/domain/index.js";
import {
  createOrderStreamHandler,
  type MailDelivery,
  orderStreamHandler,
  outboxMessageIdOf,
  placedOrderOf,
} from "../../../src/functions/index.js";
import type { OrderProcessor } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { startPerTest, stubLambdaEnvironment, type TestApp } from "../../helpers/app.js";

import { countStatusChanges, recordingMail, recordingNotifier } from "../../helpers/processing.js";
import {
  orderRecord,
  outboxRecord,
  streamEvent,
  streamRecord,
} from "../../helpers/stream-event.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});
const quiet = () => {};

afterEach(() => {
  vi.unstubAllEnvs();
});

/** An app on a memory store whose status changes are counted, notifying a recorder. */
async function startCounted(env: Record<string, string> = {}) {
  const counted = countStatusChanges(new MemoryStore());
  const notifier = recordingNotifier();
  await start({ store: counted.store, notifier, env: { PAYMENT_DELAY_MS: "5", ...env } });
  return { changes: counted.changes, notifier };
}

/** Checks a one-product cart out over the API and answers the stored order, PLACED. */
async function placeOrder(productId = "lonely-bird", quantity = 1): Promise<Order> {
  const user = await t.signup();
  await t.saveCart(user.token, [[productId, quantity]]);
  const res = await t.checkout(user.token);
  expect(res.statusCode).toBe(202);
  const order = await t.app.store.getOrder(user.userId, res.json.id);
  if (order === undefined) throw new Error("the order was not stored");
  return order;
}

/** The outbox's sending over the test app's store. */
const mailOf = () => recordingMail(t.app.store);

/** The outbox message of `order` of `kind`, as the store holds it. */
async function outboxMessage(order: Order, kind: string) {
  const message = await t.app.store.getMail(`${order.id}.${kind}`);
  if (message === undefined) throw new Error(`no ${kind} message for ${order.id}`);
  return message;
}

const statusOf = async (order: Order) =>
  (await t.app.store.getOrder(order.userId, order.id))?.status;

describe("the order-stream function", () => {
  it("processes the inserted PLACED order and ignores every other record", async () => {
    const { notifier } = await startCounted();
    const order = await placeOrder();
    expect(await statusOf(order)).toBe("PLACED");
    const handler = orderStreamHandler(t.app.services.processing, quiet, mailOf());

    const result = await handler(
      streamEvent(
        streamRecord({
          eventName: "MODIFY",
          keys: { PK: "PRODUCT#lonely-bird", SK: "META" },
          newImage: { PK: "PRODUCT#lonely-bird", SK: "META", type: "PRODUCT", stock: 24 },
        }),
        orderRecord(order),
        streamRecord({
          eventName: "INSERT",
          keys: { PK: "CONN#abc=", SK: "META" },
          newImage: { PK: "CONN#abc=", SK: "META", type: "CONNECTION", userId: order.userId },
        }),
        streamRecord({ eventName: "REMOVE", keys: { PK: `USER#${order.userId}`, SK: "CART" } }),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await statusOf(order)).toBe("COMPLETED");
    expect(notifier.sent).toStrictEqual([
      {
        userId: order.userId,
        message: { type: "order.updated", orderId: order.id, status: "PROCESSING" },
      },
      {
        userId: order.userId,
        message: { type: "order.updated", orderId: order.id, status: "COMPLETED" },
      },
    ]);
  });

  it("a duplicated record, delivered at once and again later: one change and one notification per state", async () => {
    const { changes, notifier } = await startCounted();
    const order = await placeOrder();
    const handler = orderStreamHandler(t.app.services.processing, quiet, mailOf());
    const insert = orderRecord(order);

    const results = await Promise.all([
      handler(streamEvent(insert, insert)),
      handler(streamEvent(insert)),
    ]);
    const later = await handler(streamEvent(insert));

    for (const result of [...results, later]) expect(result).toEqual({ batchItemFailures: [] });
    expect(changes).toEqual(["PLACED->PROCESSING", "PROCESSING->COMPLETED"]);
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "COMPLETED"]);
  });

  it("the order's own MODIFY records (its status changes) start nothing", async () => {
    const { changes } = await startCounted();
    const order = await placeOrder();
    const handler = orderStreamHandler(t.app.services.processing, quiet, mailOf());

    await handler(streamEvent(orderRecord(order, "MODIFY")));

    expect(changes).toEqual([]);
    expect(await statusOf(order)).toBe("PLACED");
  });

  it("a declined payment fails the order and puts the stock back", async () => {
    const { notifier } = await startCounted({ PAYMENT_MODE: "decline" });
    const order = await placeOrder("brass-desk-lamp", 5);
    const stock = async () =>
      (
        await t.invoke({
          method: "GET",
          resource: "/products/{id}",
          pathParameters: { id: "brass-desk-lamp" },
        })
      ).json.stock;
    expect(await stock()).toBe(0);

    await orderStreamHandler(
      t.app.services.processing,
      quiet,
      mailOf(),
    )(streamEvent(orderRecord(order)));

    expect(await statusOf(order)).toBe("FAILED");
    expect(await stock()).toBe(5);
    expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "FAILED"]);
  });

  it("reports only the records whose processing threw, by sequence number", async () => {
    await startCounted();
    const good = await placeOrder();
    const bad = await placeOrder();
    const processor: OrderProcessor = {
      processOrder: async (ref) => {
        if (ref.orderId === bad.id) throw new Error("the store is down");
        return "COMPLETED";
      },
    };
    const log = vi.fn();
    const goodRecord = orderRecord(good);
    const badRecord = orderRecord(bad);

    const result = await orderStreamHandler(
      processor,
      log,
      mailOf(),
    )(streamEvent(goodRecord, badRecord));

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: badRecord.dynamodb?.SequenceNumber }],
    });
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ level: "error", orderId: bad.id }));
  });

  it("reads the order a record announces, and nothing from other records", async () => {
    await startCounted();
    const order = await placeOrder();

    expect(placedOrderOf(orderRecord(order))).toEqual({ userId: order.userId, orderId: order.id });
    expect(placedOrderOf(orderRecord({ ...order, status: "PROCESSING" }))).toBeUndefined();
    expect(placedOrderOf(orderRecord(order, "MODIFY"))).toBeUndefined();
    expect(
      placedOrderOf(
        streamRecord({
          eventName: "INSERT",
          keys: { PK: "X", SK: "Y" },
          newImage: { type: "ORDER", status: "PLACED", id: 42 },
        }),
      ),
    ).toBeUndefined();
  });

  it("sends the outbox message an inserted MAIL item announces, once, beside the orders", async () => {
    await startCounted();
    const order = await placeOrder();
    const placed = await outboxMessage(order, "placed");
    const mail = mailOf();
    const handler = orderStreamHandler(t.app.services.processing, quiet, mail);

    const result = await handler(streamEvent(outboxRecord(placed), orderRecord(order)));
    // The stream delivers a record again after a failed batch: the message was sent already.
    const again = await handler(streamEvent(outboxRecord(placed)));

    for (const answer of [result, again]) expect(answer).toEqual({ batchItemFailures: [] });
    expect(mail.sent).toEqual([placed.id]);
    expect((await t.app.store.getMail(placed.id))?.sentAt).toBeDefined();
    expect(await statusOf(order)).toBe("COMPLETED");
  });

  it("reports a record whose sending threw, and only it, for the stream to retry", async () => {
    await startCounted();
    const order = await placeOrder();
    const placed = await outboxMessage(order, "placed");
    const log = vi.fn();
    const failing: MailDelivery = {
      deliver: async () => {
        throw new Error("the store is down");
      },
    };
    const mailRecord = outboxRecord(placed);

    const result = await orderStreamHandler(
      t.app.services.processing,
      log,
      failing,
    )(streamEvent(orderRecord(order), mailRecord));

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: mailRecord.dynamodb?.SequenceNumber }],
    });
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ level: "error", mailId: placed.id, error: "the store is down" }),
    );
    expect(await statusOf(order)).toBe("COMPLETED");
  });

  it("reads the message id of an inserted MAIL item, and nothing from other records", async () => {
    await startCounted();
    const order = await placeOrder();
    const placed = await outboxMessage(order, "placed");
    const record = outboxRecord(placed);
    expect(outboxMessageIdOf(record)).toBe(`${order.id}.placed`);
    expect(outboxMessageIdOf({ ...record, eventName: "MODIFY" })).toBeUndefined();
    expect(outboxMessageIdOf(orderRecord(order))).toBeUndefined();
    expect(placedOrderOf(record)).toBeUndefined();
  });

  it("createOrderStreamHandler composes from the environment, as the Lambda function does", async () => {
    stubLambdaEnvironment();
    const handler = await createOrderStreamHandler();

    const unknown = streamRecord({
      eventName: "INSERT",
      keys: { PK: "USER#nobody", SK: "ORDER#none" },
      newImage: { type: "ORDER", status: "PLACED", id: "none", userId: "nobody" },
    });
    expect(await handler(streamEvent(unknown))).toEqual({ batchItemFailures: [] });
  });
});
