// The operators' fulfilment over GraphQL: shippingQueue pages as the other operators' lists,
// shipOrder and markOrderDelivered move the order (refused with CONFLICT / ORDER_NOT_SHIPPABLE
// when it is not ready, an invalid input naming its field), and Order and AdminOrder show the
// shipment and the delivery to the customer, the guest and the operators; the query limits hold.
import { describe, expect, it } from "vitest";
import { ORDER_ACCESS_TOKEN_HEADER } from "../../../src/services/index.js";
import { checkedOutOrder, startPerTest, type TestApp } from "../../helpers/app.js";
import { SAMPLE_SHIPMENT as INPUT } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

function gql(token: string | undefined, query: string, variables: object = {}, headers = {}) {
  return t.invoke({
    method: "POST",
    resource: "/graphql",
    body: { query, variables },
    headers,
    ...(token === undefined ? {} : { token }),
  });
}

const SHIPMENT_FIELDS = "shipment { carrier trackingNumber trackingUrl shippedAt } deliveredAt";
const SHIP = `mutation ($id: ID!, $input: ShipmentInput!) {
  shipOrder(id: $id, input: $input) { id userId status ${SHIPMENT_FIELDS} }
}`;
const DELIVER = `mutation ($id: ID!) { markOrderDelivered(id: $id) { id status ${SHIPMENT_FIELDS} } }`;
const QUEUE = `query ($first: Int, $after: String) {
  shippingQueue(first: $first, after: $after) { items { id status createdAt } nextCursor }
}`;

/** A paid order of `productId`: placed by `customer`, processed by the demo payment. */
const paidOrder = (customer: { token: string; userId: string }, productId: string) =>
  checkedOutOrder(t, customer, productId);

const startPaying = () => start({ env: { PAYMENT_DELAY_MS: "0" } });

describe("fulfilment over GraphQL", () => {
  it("ships and delivers an order; the customer's order and the operators' follow", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await paidOrder(ada, "wool-throw");
    const mine = async () =>
      (
        await gql(ada.token, `query ($id: ID!) { order(id: $id) { status ${SHIPMENT_FIELDS} } }`, {
          id: orderId,
        })
      ).json.data.order;
    expect(await mine()).toEqual({ status: "COMPLETED", shipment: null, deliveredAt: null });

    const shipped = await gql(operator, SHIP, { id: orderId, input: INPUT });
    expect(shipped.json.errors).toBeUndefined();
    const shipment = { ...INPUT, shippedAt: expect.any(String) };
    expect(shipped.json.data.shipOrder).toEqual({
      id: orderId,
      userId: ada.userId,
      status: "SHIPPED",
      shipment,
      deliveredAt: null,
    });
    expect(await mine()).toEqual({ status: "SHIPPED", shipment, deliveredAt: null });
    const byStatus = await gql(
      operator,
      `{ adminOrders(status: "SHIPPED") { items { id ${SHIPMENT_FIELDS} } } }`,
    );
    expect(byStatus.json.data.adminOrders.items).toEqual([
      { id: orderId, shipment, deliveredAt: null },
    ]);

    const delivered = await gql(operator, DELIVER, { id: orderId });
    expect(delivered.json.errors).toBeUndefined();
    expect(delivered.json.data.markOrderDelivered).toMatchObject({
      status: "DELIVERED",
      shipment,
      deliveredAt: expect.any(String),
    });
    expect(await mine()).toEqual({
      status: "DELIVERED",
      shipment,
      deliveredAt: delivered.json.data.markOrderDelivered.deliveredAt,
    });
  });

  it("answers CONFLICT / ORDER_NOT_SHIPPABLE, NOT_FOUND, and names an invalid input's field", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await paidOrder(ada, "wool-throw");

    const early = await gql(operator, DELIVER, { id: orderId });
    expect(early.json.data).toBeNull();
    expect(early.json.errors[0]).toMatchObject({
      message: expect.stringContaining("it is COMPLETED"),
      extensions: { code: "CONFLICT", reason: "ORDER_NOT_SHIPPABLE" },
    });
    const unknown = await gql(operator, SHIP, { id: "no-such-order", input: INPUT });
    expect(unknown.json.errors[0].extensions).toMatchObject({ code: "NOT_FOUND" });

    for (const [input, field] of [
      [{ ...INPUT, trackingUrl: "http://tracking.example.com/1" }, "trackingUrl"],
      [{ ...INPUT, trackingNumber: "JJD/1" }, "trackingNumber"],
      [{ ...INPUT, carrier: "" }, "carrier"],
    ] as const) {
      const res = await gql(operator, SHIP, { id: orderId, input });
      expect(res.json.errors[0].extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        fields: [{ field, message: expect.any(String) }],
      });
    }
    // A null trackingUrl is no tracking URL.
    const shipped = await gql(operator, SHIP, {
      id: orderId,
      input: { carrier: "UPS", trackingNumber: "1Z999AA1", trackingUrl: null },
    });
    expect(shipped.json.data.shipOrder.shipment).toMatchObject({ trackingUrl: null });
    const twice = await gql(operator, SHIP, { id: orderId, input: INPUT });
    expect(twice.json.errors[0]).toMatchObject({
      message: expect.stringContaining("it is SHIPPED"),
      extensions: { reason: "ORDER_NOT_SHIPPABLE" },
    });
    const cancel = await gql(
      operator,
      "mutation ($id: ID!) { cancelOrder(id: $id) { order { status } } }",
      { id: orderId },
    );
    expect(cancel.json.errors[0].extensions).toMatchObject({
      code: "CONFLICT",
      reason: "ORDER_NOT_CANCELLABLE",
    });
  });

  it("pages the shipping queue, oldest first; another list's cursor is refused naming after", async () => {
    await startPaying();
    const ada = await t.signup();
    const operator = await t.mintAdmin();
    const paid: string[] = [];
    for (const product of ["wool-throw", "lonely-bird", "linen-notebook"]) {
      paid.push(await paidOrder(ada, product));
    }

    const first = await gql(operator, QUEUE, { first: 2 });
    expect(first.json.errors).toBeUndefined();
    const after: string = first.json.data.shippingQueue.nextCursor;
    const rest = await gql(operator, QUEUE, { first: 2, after });
    expect(rest.json.data.shippingQueue.nextCursor).toBeNull();
    const ids = [...first.json.data.shippingQueue.items, ...rest.json.data.shippingQueue.items].map(
      (order: { id: string }) => order.id,
    );
    expect(ids).toEqual(paid);

    const orders = await gql(operator, "{ adminOrders(first: 1) { nextCursor } }");
    const foreign = await gql(operator, QUEUE, {
      after: orders.json.data.adminOrders.nextCursor,
    });
    expect(foreign.json.errors[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ field: "after" }],
    });
    // A page of 100 orders with their lines and shipments costs more than the limit allows.
    const costly = await gql(
      operator,
      `{ shippingQueue(first: 100) { items { id products { name quantity } ${SHIPMENT_FIELDS} } } }`,
    );
    expect(costly.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/costs \d+; the limit is 1000/),
      extensions: { code: "QUERY_TOO_COMPLEX" },
    });
  });

  it("shows a guest's order shipped through the guest's order token", async () => {
    await startPaying();
    const operator = await t.mintAdmin();
    const guest = await t.guestCheckout([["linen-notebook", 1]]);
    const order = await t.app.store.findOrder(guest.orderId);
    const ref = { userId: order?.userId ?? "", orderId: guest.orderId };
    expect(await t.app.services.processing.processOrder(ref)).toBe("COMPLETED");
    await gql(operator, SHIP, { id: guest.orderId, input: INPUT });

    const seen = await gql(
      undefined,
      `query ($id: ID!) { guestOrder(id: $id) { status ${SHIPMENT_FIELDS} } }`,
      { id: guest.orderId },
      { [ORDER_ACCESS_TOKEN_HEADER]: guest.orderAccessToken },
    );
    expect(seen.json.errors).toBeUndefined();
    expect(seen.json.data.guestOrder).toEqual({
      status: "SHIPPED",
      shipment: { ...INPUT, shippedAt: expect.any(String) },
      deliveredAt: null,
    });
  });
});
