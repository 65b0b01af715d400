import { describe, expect, it } from "vitest";
import { epochSeconds } from "../../../src/domain/index.js";
import type { Mailer, MailMessage } from "../../../src/services/index.js";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";
import { BERLIN_ADDRESS } from "../../helpers/fixtures.js";

// A guest's e-mails link to the guest order page with a token of their own (the checkout's
// access token is the page's, derived from a cart token the shop never keeps): that link token
// opens the order over the REST edge and follows it over the WebSocket, as the access token
// does, and opens no other order.

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

/** A mailer that keeps what it was handed. */
function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return { sent, send: async (message) => void sent.push(message) };
}

async function placeGuestOrder(email: string): Promise<{ id: string; accessToken: string }> {
  const created = await t.invoke({ method: "POST", resource: "/guest-carts" });
  const cart: string = created.json.token;
  await t.invoke({
    method: "POST",
    resource: "/cart",
    headers: { "Guest-Cart-Token": cart },
    body: { products: [{ id: "lonely-bird", quantity: 1 }] },
  });
  const placed = await t.invoke({
    method: "PUT",
    resource: "/checkout",
    headers: { "Guest-Cart-Token": cart },
    body: { shippingAddress: BERLIN_ADDRESS, shippingMethodId: "eu-standard", email },
  });
  expect(placed.statusCode, placed.body).toBe(202);
  return { id: placed.json.id, accessToken: placed.json.orderAccessToken };
}

/** The token in the guest page link of the e-mail `message`. */
function linkTokenOf(message: MailMessage | undefined, orderId: string): string {
  const link = /http\S+\/track\/\S+/.exec(message?.text ?? "")?.[0] ?? "";
  const url = new URL(link);
  expect(url.pathname).toBe(`/track/${orderId}`);
  return new URLSearchParams(url.hash.slice(1)).get("token") ?? "";
}

const openGuestOrder = (orderId: string, token: string) =>
  t.invoke({
    method: "GET",
    resource: "/guest-orders/{id}",
    pathParameters: { id: orderId },
    headers: { "Order-Access-Token": token },
  });

describe("the link token of a guest's e-mail", () => {
  it("opens the guest's order and follows it over the WebSocket; another order it does not", async () => {
    const mailer = recordingMailer();
    await start({ mailer, env: { SHOP_URL: "https://shop.example.com" } });
    const first = await placeGuestOrder("grace@example.com");
    const second = await placeGuestOrder("linus@example.com");

    expect(await t.app.services.mail.sendDue({ limit: 10 })).toMatchObject({ sent: 2 });
    const mailOf = (orderId: string) =>
      mailer.sent.find((message) => message.messageId.startsWith(`${orderId}.placed@`));
    expect(mailOf(first.id)?.to).toBe("grace@example.com");
    const token = linkTokenOf(mailOf(first.id), first.id);
    expect(token).not.toBe(first.accessToken);
    expect(mailOf(first.id)?.text).toContain(`https://shop.example.com/track/${first.id}#token=`);
    expect(mailOf(first.id)?.messageId).toBe(`${first.id}.placed@localhost`);

    const opened = await openGuestOrder(first.id, token);
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json).toMatchObject({ id: first.id, guestEmail: "grace@example.com" });
    expect((await openGuestOrder(first.id, first.accessToken)).statusCode).toBe(200);
    expectProblem(await openGuestOrder(second.id, token), 404, "NOT_FOUND");
    const secondToken = linkTokenOf(mailOf(second.id), second.id);
    expectProblem(await openGuestOrder(first.id, secondToken), 404, "NOT_FOUND");

    await t.app.services.connections.connectGuest(first.id, token, "link-connection");
    const order = await t.app.store.findOrder(first.id);
    const connections = await t.app.store.listConnections(
      order?.userId ?? "",
      epochSeconds(new Date()),
    );
    expect(connections.map((connection) => connection.id)).toEqual(["link-connection"]);
    await expect(
      t.app.services.connections.connectGuest(second.id, token, "wrong-connection"),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });

    const cancelled = await t.invoke({
      method: "POST",
      resource: "/guest-orders/{id}/cancel",
      pathParameters: { id: first.id },
      headers: { "Order-Access-Token": token },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
  });
});
