import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Order } from "../../../src/domain/index.js";
import { accessTokenHash } from "../../../src/services/checkout.js";
import {
  createOrderLinks,
  opensGuestOrder,
  orderPageUrl,
} from "../../../src/services/order-links.js";
import { guestOrderHref } from "../../../web/src/cart/guest-order-link.js";
import { pagePath } from "../../../web/src/page-paths.js";

// Guests' e-mails link to the order with a token of the shop's key: HMAC-SHA256 of
// `order-link\n<orderId>`, 43 characters of base64url, opening that order and no other.

const KEY = randomBytes(32);
const links = createOrderLinks(async () => KEY);

describe("order link tokens", () => {
  it("are HMAC-SHA256 of the order id under the shop's key, in base64url", async () => {
    const token = await links.tokenFor("order-1");
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(token).toBe(createHmac("sha256", KEY).update("order-link\norder-1").digest("base64url"));
    expect(await links.tokenFor("order-1")).toBe(token);
  });

  it("open their own order only, and only with the same key", async () => {
    const token = await links.tokenFor("order-1");
    expect(await links.opens("order-1", token)).toBe(true);
    expect(await links.opens("order-2", token)).toBe(false);
    const otherShop = createOrderLinks(async () => randomBytes(32));
    expect(await otherShop.opens("order-1", token)).toBe(false);
  });

  it("refuse a token changed in any way: a character, its length, another spelling", async () => {
    const token = await links.tokenFor("order-1");
    const last = token.at(-1) === "A" ? "B" : "A";
    for (const wrong of [
      `${token.slice(0, -1)}${last}`,
      token.slice(0, -1),
      `${token}A`,
      `${token}=`,
      "",
      Buffer.from(token, "base64url").toString("base64"),
    ]) {
      expect(await links.opens("order-1", wrong), wrong).toBe(false);
    }
  });

  it("read the key once, and again after a failed read", async () => {
    let reads = 0;
    const flaky = createOrderLinks(async () => {
      reads += 1;
      if (reads === 1) throw new Error("SSM is down");
      return KEY;
    });
    await expect(flaky.tokenFor("order-1")).rejects.toThrow("SSM is down");
    const token = await flaky.tokenFor("order-1");
    await flaky.opens("order-1", token);
    expect(reads).toBe(2);
    expect(token).toBe(await links.tokenFor("order-1"));
  });

  it("open a guest order beside the checkout's access token", async () => {
    const accessToken = "checkout-access-token";
    const order = {
      id: "order-1",
      guest: { email: "guest@example.com", accessTokenHash: accessTokenHash(accessToken) },
    } as Order;
    expect(await opensGuestOrder(links, order, accessToken)).toBe(true);
    expect(await opensGuestOrder(links, order, await links.tokenFor("order-1"))).toBe(true);
    expect(await opensGuestOrder(links, order, await links.tokenFor("order-2"))).toBe(false);
    expect(await opensGuestOrder(links, order, "something else")).toBe(false);
    const customers = { id: "order-1" } as Order;
    expect(await opensGuestOrder(links, customers, await links.tokenFor("order-1"))).toBe(false);
  });
});

describe("the order page an e-mail links to", () => {
  const guestOrder = { id: "order 1/x", guest: { email: "g@example.com" } } as Order;
  const customerOrder = { id: "order 1/x" } as Order;

  it("is the storefront's guest page with the token in the fragment, as the page reads it", () => {
    const url = orderPageUrl("https://shop.example.com/", guestOrder, "tok-en_1");
    expect(url).toBe(
      `https://shop.example.com${guestOrderHref({ id: "order 1/x", token: "tok-en_1" })}`,
    );
    expect(new URL(url).search).toBe("");
    expect(new URL(url).hash).toBe("#token=tok-en_1");
  });

  it("is the customer's own order page for a customer's order", () => {
    expect(orderPageUrl("http://127.0.0.1:3000", customerOrder)).toBe(
      `http://127.0.0.1:3000${pagePath("order", "order 1/x")}`,
    );
  });
});
