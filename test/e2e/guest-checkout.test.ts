import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { chromiumAvailable, launchChromium, newVisitorPage } from "../helpers/browser.js";
import {
  type DevServerProcess,
  type ShopWithPage,
  startShopWithPage,
} from "../helpers/dev-server-process.js";
import {
  addFromCatalogue,
  continueToShipping,
  expectAccessible,
  type FormAddress,
  fillCheckoutAddress,
  horizontalOverflow,
  STEP_MS,
  shownTotals,
} from "../helpers/storefront-page.js";

// A guest's checkout in Debian's chromium against the dev server as `npm start` runs it: an
// address with its autofill names, the shipping methods and totals the API quoted (tax inside
// the prices in a tax-inclusive shop, added on top in the seed's exclusive one), the order placed
// without an account, its page at /track/{id} opened by the key in the link's fragment (reloaded,
// and on another device), followed live; and a country the shop does not ship to, refused at
// the address, before any order. Screenshots at 360 and 1280 px, to look at.

const SCREENSHOTS = join(tmpdir(), "store-guest-checkout-screenshots");

const BERLIN: FormAddress = {
  name: "Karl Weber",
  line1: "Unter den Linden 5",
  line2: "3. OG",
  city: "Berlin",
  postalCode: "10117",
  country: "DE",
  phone: "+49 30 1234567",
};

const MOUNTAIN_VIEW: FormAddress = {
  name: "Maya Chen",
  line1: "500 Castro St",
  city: "Mountain View",
  region: "CA",
  postalCode: "94041",
  country: "US",
};

const SAO_PAULO: FormAddress = {
  name: "Ana Souza",
  line1: "Av. Paulista 1000",
  city: "São Paulo",
  region: "SP",
  postalCode: "01310-100",
  country: "BR",
};

interface ApiOrder {
  id: string;
  status: string;
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  taxMode: string | null;
  taxLines: { label: string; ratePpm: number; taxCents: number }[];
  shipping: { name: string } | null;
  shippingAddress: { city: string; country: string } | null;
}

// The browser's locale is en-US: the amounts as the page writes them.
const usd = (cents: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);

/** `/track/{id}#token=…`: the order's id and key, read off the page's address. */
function trackLink(page: Page): { id: string; token: string; url: URL } {
  const url = new URL(page.url());
  const id = /^\/track\/([^/]+)$/.exec(url.pathname)?.[1] ?? "";
  const token = new URLSearchParams(url.hash.slice(1)).get("token") ?? "";
  return { id, token, url };
}

describe.skipIf(!chromiumAvailable())("a guest's checkout in a real browser", () => {
  let running: ShopWithPage | undefined;
  let shop: DevServerProcess | undefined;
  let browser: Browser | undefined;
  let operatorToken = "";
  const contexts: BrowserContext[] = [];
  const operator = `olive-${randomUUID()}@example.com`;

  const visitor = (width = 1280, height = 900): Promise<Page> =>
    newVisitorPage(browser as Browser, contexts, { width, height });

  /** The shop's tax settings, as an operator changes them: the whole document, versioned. */
  async function setTaxMode(mode: "inclusive" | "exclusive"): Promise<void> {
    const server = shop as DevServerProcess;
    const headers = { Authorization: `Bearer ${operatorToken}` };
    const current = await fetch(`${server.url}/admin/tax`, { headers });
    expect(current.status).toBe(200);
    const { updatedAt: _updatedAt, ...settings } = (await current.json()) as Record<
      string,
      unknown
    >;
    const saved = await fetch(`${server.url}/admin/tax`, {
      method: "PUT",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ ...settings, mode }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
  }

  async function guestOrder(id: string, token: string): Promise<ApiOrder> {
    const server = shop as DevServerProcess;
    const answer = await fetch(`${server.url}/guest-orders/${id}`, {
      headers: { "Order-Access-Token": token },
    });
    expect(answer.status).toBe(200);
    return (await answer.json()) as ApiOrder;
  }

  beforeAll(async () => {
    running = await startShopWithPage("store-guest-checkout-", {
      // Long enough to see the order before its payment completes, and again after a reload.
      PAYMENT_DELAY_MS: "6000",
      ADMIN_EMAILS: operator,
    });
    shop = running.shop;
    operatorToken = await signUpAndSignIn(shop.url, operator);
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  it("in a tax-inclusive shop: a German address, a shipping method, the order placed and followed by its link", async () => {
    const server = shop as DevServerProcess;
    await setTaxMode("inclusive");
    try {
      const page = await visitor();
      const seen: { url: string; referer: string }[] = [];
      page.on("request", (request) =>
        seen.push({ url: request.url(), referer: request.headers().referer ?? "" }),
      );
      const sockets: string[] = [];
      const pushed: string[] = [];
      page.on("websocket", (socket) => {
        sockets.push(socket.url());
        socket.on("framereceived", (frame) => pushed.push(String(frame.payload)));
      });
      await page.goto(`${server.url}/`);
      await addFromCatalogue(page, "Lonely Bird");
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: /^Basket/ })
        .click();
      await page.getByRole("heading", { name: "Checkout" }).waitFor();

      // The browser's autofill names, and a label on every input.
      const autofill: [string, string][] = [
        ["Email", "email"],
        ["Full name", "name"],
        ["Address line 1", "address-line1"],
        ["Address line 2 (optional)", "address-line2"],
        ["City", "address-level2"],
        ["State, province or region", "address-level1"],
        ["Postal code", "postal-code"],
        ["Country", "country"],
        ["Phone (optional)", "tel"],
      ];
      for (const [label, token] of autofill) {
        expect(await page.getByLabel(label).getAttribute("autocomplete"), label).toBe(token);
      }
      await expectAccessible(page, "the checkout's address step");

      // A postal code that is not German: the API's error stands under that field.
      await fillCheckoutAddress(page, { ...BERLIN, postalCode: "1011" }, "karl@example.com");
      await page.getByRole("button", { name: "Continue to shipping" }).click();
      const postalCode = page.getByLabel("Postal code");
      await expect.poll(() => postalCode.getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("#shipping-postalCode-error").textContent()).toMatch(
        /^Not a postal code of DE/,
      );
      expect(await postalCode.getAttribute("aria-describedby")).toBe("shipping-postalCode-error");
      // Focus moves to the first field the API refused.
      await expect
        .poll(() => page.evaluate<string>("document.activeElement?.id ?? ''"))
        .toBe("shipping-postalCode");
      await expectAccessible(page, "an address refused field by field");

      // A separate billing address, then the methods to Germany.
      await postalCode.fill(BERLIN.postalCode ?? "");
      await page.getByLabel("Billing address same as shipping").uncheck();
      const billing = page.getByRole("group", { name: "Billing address" });
      await billing.getByLabel("Full name").fill("Weber GmbH");
      expect(await billing.getByLabel("Full name").getAttribute("autocomplete")).toBe(
        "billing name",
      );
      await billing.getByLabel("Address line 1").fill("Friedrichstraße 10");
      await billing.getByLabel("City").fill("Berlin");
      await billing.getByLabel("Postal code").fill("10117");
      await billing.getByLabel("Country").selectOption("DE");
      await continueToShipping(page);
      const methods = page.getByRole("group", { name: "Shipping method" });
      expect(await methods.getByRole("radio").count()).toBe(2);
      await methods.getByText("free above $60.00").waitFor();
      await methods.getByRole("radio", { name: /^Express/ }).check();
      await expect.poll(() => shownTotals(page)).toMatchObject({ Shipping: "$19.90" });
      const shown = await shownTotals(page);
      expect(Object.keys(shown)).toEqual(["Subtotal", "Shipping", "Total", "incl. VAT 19%"]);
      await expectAccessible(page, "the checkout's shipping and total step");
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(SCREENSHOTS, "checkout-1280.png"), fullPage: true });

      const placed = page.waitForResponse(
        (response) => response.url().endsWith("/checkout") && response.request().method() === "PUT",
      );
      await page.getByRole("button", { name: "Place order" }).click();
      const answer = await placed;
      expect(answer.status()).toBe(202);
      expect(answer.request().headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{32,36}$/);
      const checkoutBody = answer.request().postDataJSON() as Record<string, unknown>;
      expect(checkoutBody).toMatchObject({
        email: "karl@example.com",
        shippingMethodId: "eu-express",
        shippingAddress: { country: "DE", postalCode: "10117", phone: "+49 30 1234567" },
        billingAddress: { name: "Weber GmbH" },
      });
      const order = (await answer.json()) as ApiOrder & { orderAccessToken: string };

      // The guest order page: the key only in the fragment, never in path or query.
      await expect.poll(() => trackLink(page).id, { timeout: STEP_MS }).toBe(order.id);
      const link = trackLink(page);
      expect(link.token).toBe(order.orderAccessToken);
      expect(link.url.search).toBe("");
      expect(link.url.pathname).not.toContain(link.token);
      await page
        .getByRole("heading", { level: 1, name: `Order ${order.id.slice(0, 8)}` })
        .waitFor();
      const api = await guestOrder(order.id, link.token);
      expect(api.taxMode).toBe("inclusive");
      expect(api.taxLines.map((line) => line.label)).toEqual(["VAT"]);
      expect(await shownTotals(page)).toEqual({
        Subtotal: usd(api.subtotalCents),
        Shipping: usd(api.shippingCents),
        Total: usd(api.totalCents),
        "incl. VAT 19%": usd(api.taxCents),
      });
      expect(api.totalCents).toBe(api.subtotalCents + api.shippingCents);
      await page.getByText("Unter den Linden 5").waitFor();
      await page.getByText("Weber GmbH").waitFor();
      await page
        .getByText(/^Express/)
        .first()
        .waitFor();
      expect(await page.locator("[data-status]").getAttribute("data-status")).not.toBe("COMPLETED");

      // Reloaded, the link opens the order again, and its status changes while it is watched.
      await page.reload();
      await page
        .getByRole("heading", { level: 1, name: `Order ${order.id.slice(0, 8)}` })
        .waitFor();
      expect(await page.locator("[data-status]").getAttribute("data-status")).not.toBe("COMPLETED");
      await expectAccessible(page, "the guest order page");
      await page.screenshot({ path: join(SCREENSHOTS, "guest-order-1280.png"), fullPage: true });
      await page.locator('[data-status="COMPLETED"]').waitFor({ timeout: 20_000 });
      // Followed on a socket of its own, its key offered as a subprotocol, not in the address.
      expect(sockets.some((url) => url.endsWith(`/notifications?guestOrder=${order.id}`))).toBe(
        true,
      );
      expect(pushed.some((frame) => frame.includes('"status":"COMPLETED"'))).toBe(true);

      // The header keeps the way back: "Your order", its key in the link's fragment.
      const yours = page.getByRole("navigation", { name: "Main" }).getByRole("link", {
        name: "Your order",
      });
      expect(await yours.getAttribute("href")).toBe(`/track/${order.id}#token=${link.token}`);

      // No request carried the key in its address or its Referer.
      for (const request of seen) {
        expect(request.url, "a request's address").not.toContain(link.token);
        for (const url of sockets) expect(url, "a socket's address").not.toContain(link.token);
        expect(request.referer, "a request's Referer").not.toContain(link.token);
      }

      // Another device: the link alone opens the order, and that browser keeps it too.
      const other = await visitor(360, 740);
      await other.goto(`${server.url}/track/${order.id}#token=${link.token}`);
      await other
        .getByRole("heading", { level: 1, name: `Order ${order.id.slice(0, 8)}` })
        .waitFor();
      await other.locator('[data-status="COMPLETED"]').waitFor({ timeout: STEP_MS });
      expect(
        await horizontalOverflow(other),
        "overflow on the guest order page",
      ).toBeLessThanOrEqual(0);
      await expectAccessible(other, "the guest order page at 360 px");
      await other.screenshot({ path: join(SCREENSHOTS, "guest-order-360.png"), fullPage: true });
      await other.getByRole("link", { name: "Your order" }).waitFor();

      // Without its key, or with another, the order is not shown.
      await other.goto(`${server.url}/track/${order.id}#token=${"A".repeat(43)}`);
      await other.getByRole("heading", { name: "This order was not found" }).waitFor();
    } finally {
      await setTaxMode("exclusive");
    }
  }, 120_000);

  it("refuses a country no zone covers at the address step, before any order", async () => {
    const server = shop as DevServerProcess;
    const page = await visitor(360, 740);
    const checkouts: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/checkout")) checkouts.push(request.method());
    });
    await page.goto(`${server.url}/`);
    await addFromCatalogue(page, "Copper Kettle");
    await page.goto(`${server.url}/basket`);
    await fillCheckoutAddress(page, SAO_PAULO, "ana@example.com");
    await page.getByRole("button", { name: "Continue to shipping" }).click();
    const country = page.getByLabel("Country");
    await expect.poll(() => country.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await country.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`#${describedBy}`).textContent()).toMatch(
      /^We do not ship to Brazil\./,
    );
    expect(await page.getByRole("group", { name: "Shipping method" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Place order" }).count()).toBe(0);
    expect(checkouts).toEqual([]);
    expect(await horizontalOverflow(page), "overflow on the refused address").toBeLessThanOrEqual(
      0,
    );
    await expectAccessible(page, "a country the shop does not ship to");
    await country.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, "not-shippable-360.png") });
  }, 60_000);

  it("in the seed's tax-exclusive shop: a Californian's tax added on top, the page's totals the API's, by keyboard", async () => {
    const server = shop as DevServerProcess;
    const page = await visitor(360, 740);
    await page.goto(`${server.url}/`);
    await addFromCatalogue(page, "Lonely Bird");
    await page.goto(`${server.url}/basket`);
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await fillCheckoutAddress(page, MOUNTAIN_VIEW, "maya@example.com");
    expect(await horizontalOverflow(page), "overflow on the address step").toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, "checkout-address-360.png"), fullPage: true });

    // From the keyboard alone: Enter sends the form, focus lands on the methods' heading, Tab
    // enters the radio group, an arrow picks Express, Tab reaches "Place order".
    await page.getByLabel("Phone (optional)").focus();
    const quoted = page.waitForResponse((response) => response.url().endsWith("/checkout/quote"));
    await page.keyboard.press("Enter");
    const quote = (await (await quoted).json()) as { totals: ApiOrder };
    await page.getByRole("group", { name: "Shipping method" }).waitFor();
    const focused = () =>
      page.evaluate<string>(
        "(document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || '').trim()",
      );
    await expect.poll(focused).toBe("Shipping and total");
    await page.keyboard.press("Tab");
    await expect
      .poll(() => page.evaluate<string>("document.activeElement?.id ?? ''"))
      .toBe("shipping-method-us-ground");
    expect(
      await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle"),
      "a visible focus",
    ).not.toBe("none");
    expect(quote.totals.taxLines.map((line) => line.label)).toEqual(["California sales tax"]);
    const express = page.waitForResponse((response) => response.url().endsWith("/checkout/quote"));
    await page.keyboard.press("ArrowDown");
    const expressQuote = (await (await express).json()) as { totals: ApiOrder };
    await expect
      .poll(() => shownTotals(page))
      .toMatchObject({
        Shipping: usd(expressQuote.totals.shippingCents),
      });
    expect(await shownTotals(page)).toEqual({
      Subtotal: usd(expressQuote.totals.subtotalCents),
      Shipping: usd(expressQuote.totals.shippingCents),
      "California sales tax 7.25%": usd(expressQuote.totals.taxCents),
      Total: usd(expressQuote.totals.totalCents),
    });
    expect(expressQuote.totals.totalCents).toBe(
      expressQuote.totals.subtotalCents +
        expressQuote.totals.shippingCents +
        expressQuote.totals.taxCents,
    );
    expect(await horizontalOverflow(page), "overflow on the shipping step").toBeLessThanOrEqual(0);
    await expectAccessible(page, "the shipping step at 360 px");
    await page.screenshot({ path: join(SCREENSHOTS, "checkout-360.png"), fullPage: true });

    let toPlace = "";
    for (let presses = 0; presses < 5 && toPlace !== "Place order"; presses += 1) {
      await page.keyboard.press("Tab");
      toPlace = await focused();
    }
    expect(toPlace, "Tab reaches Place order").toBe("Place order");
    const placed = page.waitForResponse(
      (response) => response.url().endsWith("/checkout") && response.request().method() === "PUT",
    );
    await page.keyboard.press("Enter");
    const order = (await (await placed).json()) as ApiOrder & { orderAccessToken: string };
    expect(order.taxMode).toBe("exclusive");
    expect(order.totalCents).toBe(expressQuote.totals.totalCents);
    await expect.poll(() => trackLink(page).id, { timeout: STEP_MS }).toBe(order.id);
    await page.getByRole("heading", { level: 1, name: `Order ${order.id.slice(0, 8)}` }).waitFor();
    const api = await guestOrder(order.id, order.orderAccessToken);
    expect(await shownTotals(page)).toEqual({
      Subtotal: usd(api.subtotalCents),
      Shipping: usd(api.shippingCents),
      "California sales tax 7.25%": usd(api.taxCents),
      Total: usd(api.totalCents),
    });
    expect(api.totalCents).toBe(order.totalCents);

    // "Cancel order" is offered while the order is PLACED; the demo payment moves it on within
    // moments, so the page is shown a PLACED order here, and the shop's own answer to the cancel.
    await page.route(`**/guest-orders/${order.id}`, async (route) => {
      const real = await route.fetch();
      const body = { ...((await real.json()) as object), status: "PLACED" };
      await route.fulfill({ response: real, json: body });
    });
    const cancel = page.getByRole("button", { name: "Cancel order" });
    await cancel.waitFor({ timeout: STEP_MS });
    const cancelled = page.waitForRequest((request) => request.url().endsWith("/cancel"));
    await cancel.click();
    const request = await cancelled;
    expect(request.url()).toBe(`${server.url}/guest-orders/${order.id}/cancel`);
    expect(request.headers()["order-access-token"]).toBe(order.orderAccessToken);
    // Too late by now (processing or completed): the shop says so beside the button.
    await page
      .getByRole("alert")
      .filter({ hasText: /cancel/i })
      .waitFor({ timeout: STEP_MS });
    await page.unroute(`**/guest-orders/${order.id}`);
  }, 90_000);
});
