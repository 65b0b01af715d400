import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { chromiumAvailable, launchChromium, newVisitorPage } from "../helpers/browser.js";
import {
  type DevServerProcess,
  type ShopWithPage,
  startShopWithPage,
} from "../helpers/dev-server-process.js";
import { BERLIN_ADDRESS } from "../helpers/fixtures.js";
import { accessToken, STEP_MS, signInAt } from "../helpers/storefront-page.js";

// A shopper who bought as a guest signs in, through the page, to an account whose e-mail address
// the pool confirmed: the page sends the sign-in's ID token, and the guest order is then among
// the account's orders. Another account's sign-in takes nothing.

describe.skipIf(!chromiumAvailable())("guest orders, attached on signing in", () => {
  let running: ShopWithPage | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const server = () => (running as ShopWithPage).shop as DevServerProcess;

  beforeAll(async () => {
    running = await startShopWithPage("store-guest-attach-", {});
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  /** A finished guest order placed with `email`: its id. */
  async function finishedGuestOrder(email: string): Promise<string> {
    const call = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${server().url}${path}`, init);
      // biome-ignore lint/suspicious/noExplicitAny: the test reads answers freely
      return { status: response.status, body: (await response.json()) as any };
    };
    const cart = await call("/guest-carts", { method: "POST" });
    const headers = { "Guest-Cart-Token": cart.body.token, "Content-Type": "application/json" };
    await call("/cart", {
      method: "POST",
      headers,
      body: JSON.stringify({ products: [{ id: "solid-friendship", quantity: 1 }] }),
    });
    const placed = await call("/checkout", {
      method: "PUT",
      headers,
      body: JSON.stringify({
        shippingAddress: BERLIN_ADDRESS,
        shippingMethodId: "eu-standard",
        email,
      }),
    });
    expect(placed.status).toBe(202);
    const { id, orderAccessToken } = placed.body;
    // The demo payment completes it: attaching takes finished orders only.
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const order = await call(`/guest-orders/${id}`, {
        headers: { "Order-Access-Token": orderAccessToken },
      });
      if (order.body.status === "COMPLETED") return id;
      if (Date.now() > deadline) throw new Error(`the guest order is ${order.body.status}`);
      await sleep(100);
    }
  }

  const ordersOf = async (token: string): Promise<string[]> => {
    const response = await fetch(`${server().url}/orders`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { items: { id: string }[] }).items.map((o) => o.id);
  };

  it("lists the guest order among the account's orders once its owner signs in", async () => {
    const email = `gus-${randomUUID()}@example.com`;
    const other = `olga-${randomUUID()}@example.com`;
    await signUpAndSignIn(server().url, email);
    await signUpAndSignIn(server().url, other);
    const orderId = await finishedGuestOrder(email.toUpperCase());

    // Someone else signing in takes nothing.
    const stranger = await newVisitorPage(browser as Browser, contexts);
    await signInAt(stranger, server(), "/account/orders", other);
    await sleep(500);
    expect(await ordersOf(await accessToken(stranger))).toEqual([]);

    const page = await newVisitorPage(browser as Browser, contexts);
    await signInAt(page, server(), "/account/orders", email);
    const token = await accessToken(page);
    await expect.poll(() => ordersOf(token), { timeout: STEP_MS }).toEqual([orderId]);
    await page.reload();
    await page.getByText(orderId.slice(0, 8)).waitFor({ timeout: STEP_MS });
  });
});
