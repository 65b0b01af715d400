import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
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
import { CHECKOUT_ADDRESS } from "../helpers/fixtures.js";
import { placeGuestOrderOverHttp } from "../helpers/guest-orders.js";
import { waitForMail } from "../helpers/mail-files.js";
import {
  continueToShipping,
  expectAccessible,
  fillCheckoutAddress,
  horizontalOverflow,
  STEP_MS,
  signInAt,
} from "../helpers/storefront-page.js";

// After payment, in Debian's chromium against the dev server as `npm start` runs it: a customer
// buys, and the confirmation e-mail lands in the local outbox (DATA_DIR/mail, parsed with
// mailparser) with both parts, the totals and a link that opens the order; an operator ships
// the paid order from the shipping queue with a tracking number, the customer's open order page
// shows SHIPPED live with the tracking link, and the shipped e-mail carries it; then DELIVERED.
// A guest's page, opened from its e-mail's link, follows the same way. The packing slip of a
// 5-line order prints on one A4 page (Chromium's own PDF output, its pages counted). A product
// named like an HTML tag and an address with markup stay text on every page and in every
// e-mail's HTML, and no script of theirs runs.

const SCREENSHOTS = join(tmpdir(), "store-fulfilment-screenshots");

/** A product name that is markup: shown as text it is harmless; parsed as HTML it runs. */
const MARKUP_NAME = "<img src=x onerror=alert(1)>";
const MARKUP_LINE = '<b>Flat 3</b> <script>alert("line")</script>';
const ADDRESS = { ...CHECKOUT_ADDRESS, line1: "1 Main Street", line2: MARKUP_LINE };
const TRACKING_URL = "https://tracking.example.com/parcels/1Z999AA10123456784";
const GUEST_EMAIL = "gus@example.com";

/** Every http(s) address in a text part. */
const linksOf = (text: string) => text.match(/https?:\/\/\S+/g) ?? [];
/** Every link target of an HTML part, its entities (`&amp;`) read back. */
const hrefsOf = (html: string) =>
  [...html.matchAll(/href="([^"]*)"/g)].map((match) => (match[1] ?? "").replaceAll("&amp;", "&"));
/** The two markup values as HTML text: what the e-mails' HTML part must hold. */
const ESCAPED_NAME = "&lt;img src=x onerror=alert(1)&gt;";
const ESCAPED_LINE =
  "&lt;b&gt;Flat 3&lt;/b&gt; &lt;script&gt;alert(&quot;line&quot;)&lt;/script&gt;";

/** The products of the 5-line order: four of the seed catalogue and the one named in markup. */
const LINES = [
  { id: "lonely-bird", quantity: 2 },
  { id: "linen-notebook", quantity: 1 },
  { id: "wool-throw", quantity: 1 },
  { id: "copper-kettle", quantity: 3 },
  { id: "markup-name", quantity: 1 },
];

/**
 * The pages of a PDF: its page objects (`/Type /Page`, not the `/Pages` tree above them). Chromium
 * writes them uncompressed, outside any object stream.
 */
const pdfPages = (pdf: Buffer) =>
  pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;

/** Markup that was parsed instead of shown: an image at "x", a bold or script of the address. */
const parsedMarkup = (page: Page) => page.locator('img[src="x"], main b, main script').count();

describe.skipIf(!chromiumAvailable())("shipping an order from the operators' pages", () => {
  let running: ShopWithPage | undefined;
  let shop: DevServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const operator = `olive-${randomUUID()}@example.com`;
  const customer = `carl-${randomUUID()}@example.com`;
  let operatorToken = "";
  let customerToken = "";
  /** Where the dev server's file mailer writes the order e-mails (DATA_DIR/mail). */
  let mailDir = "";
  /** Every dialog any page opened: an alert() would be markup that ran. */
  const dialogs: string[] = [];

  const visitor = async (viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await newVisitorPage(browser as Browser, contexts, viewport);
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return page;
  };

  const api = async (path: string, init: { method?: string; token?: string; body?: unknown }) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
    const response = await fetch(`${(shop as DevServerProcess).url}${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    running = await startShopWithPage("store-fulfilment-", {
      PAYMENT_DELAY_MS: "200",
      ADMIN_EMAILS: operator,
    });
    shop = running.shop;
    mailDir = join(running.work, "shop", "mail");
    operatorToken = await signUpAndSignIn(shop.url, operator);
    customerToken = await signUpAndSignIn(shop.url, customer);
    const made = await api("/admin/products", {
      method: "POST",
      token: operatorToken,
      body: {
        id: "markup-name",
        name: MARKUP_NAME,
        priceCents: 1250,
        imageUrl: "/images/lonely-bird.svg",
        stock: 10,
      },
    });
    expect(made.status).toBe(201);
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  it("ships from the queue: the customer's open page shows SHIPPED live with the tracking link, the slip prints on one A4 page", async () => {
    const server = shop as DevServerProcess;

    // The customer's basket holds the five lines; they check out on the page, to an address
    // with markup in it, and stay on the order's page.
    const saved = await api("/cart", {
      method: "POST",
      token: customerToken,
      body: { products: LINES },
    });
    expect(saved.status).toBe(200);
    const shopper = await visitor();
    const pushed: string[] = [];
    shopper.on("websocket", (socket) =>
      socket.on("framereceived", (frame) => pushed.push(String(frame.payload))),
    );
    await signInAt(shopper, server, "/account/orders", customer);
    await shopper.goto(`${server.url}/basket`);
    await shopper.getByRole("heading", { name: "Your basket" }).waitFor({ timeout: STEP_MS });
    await fillCheckoutAddress(shopper, ADDRESS);
    await continueToShipping(shopper);
    await shopper.getByRole("button", { name: "Place order" }).click();
    const orderPath = /\/account\/orders\/([^/?#]+)$/;
    await expect
      .poll(() => orderPath.exec(shopper.url())?.[1] ?? "", { timeout: STEP_MS })
      .not.toBe("");
    const orderId = orderPath.exec(shopper.url())?.[1] ?? "";
    await shopper.locator('[data-status="COMPLETED"]').waitFor({ timeout: STEP_MS });
    await shopper.getByText(MARKUP_NAME, { exact: true }).waitFor();
    await shopper.getByText(MARKUP_LINE, { exact: true }).waitFor();
    expect(await parsedMarkup(shopper), "markup parsed on the order page").toBe(0);

    // The confirmation e-mail is in the local outbox: both parts, to the customer, the totals,
    // every typed value escaped in the HTML, and a link that opens the order.
    const placedMail = await waitForMail(mailDir, customer, /we have your order/);
    const placedText = placedMail.text ?? "";
    const placedHtml = typeof placedMail.html === "string" ? placedMail.html : "";
    expect(placedText).toMatch(/Total\s+\$422\.98/);
    expect(placedText).toContain(MARKUP_NAME);
    expect(placedHtml).toContain("$422.98");
    expect(placedHtml).toContain(ESCAPED_NAME);
    expect(placedHtml).toContain(ESCAPED_LINE);
    expect(placedHtml).not.toMatch(/<img|<b>|<script/i);
    const orderLink = `${server.url}/account/orders/${orderId}`;
    expect(linksOf(placedText)).toContain(orderLink);
    expect(hrefsOf(placedHtml)).toContain(orderLink);
    const fromMail = await visitor();
    await signInAt(fromMail, server, new URL(orderLink).pathname, customer);
    await fromMail
      .getByRole("heading", { level: 1, name: `Order ${orderId.slice(0, 8)}` })
      .waitFor({ timeout: STEP_MS });

    // A guest's paid order, placed later, its page opened by the link of its e-mail (the
    // e-mail's own key in the fragment, not the checkout's).
    const guest = await placeGuestOrderOverHttp(server.url, GUEST_EMAIL);
    const guestMail = await waitForMail(mailDir, GUEST_EMAIL, /we have your order/);
    const guestLink = linksOf(guestMail.text ?? "").find((link) => link.includes("/track/"));
    expect(guestLink).toMatch(new RegExp(`^${escapeRegExp(server.url)}/track/${guest.id}#token=`));
    expect(guestLink).not.toContain(guest.token);
    const guestPage = await visitor();
    await guestPage.goto(guestLink ?? "");
    await guestPage.locator('[data-status="COMPLETED"]').waitFor({ timeout: STEP_MS });

    // The operator opens the queue: both orders, the customer's (older) first.
    const admin = await visitor();
    await signInAt(admin, server, "/manage/fulfilment", operator);
    await admin.getByRole("heading", { level: 1, name: "Fulfilment" }).waitFor();
    const entry = admin.locator(`li[data-order="${orderId}"]`);
    await entry.waitFor({ timeout: STEP_MS });
    await admin.locator(`li[data-order="${guest.id}"]`).waitFor();
    const queued = await admin
      .getByRole("list", { name: "Orders to ship" })
      .locator(":scope > li")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-order")));
    expect(queued.indexOf(orderId)).toBeLessThan(queued.indexOf(guest.id));
    expect(await entry.textContent()).toContain("5 lines, 8 items");
    await entry.getByText(`1 × ${MARKUP_NAME}`, { exact: true }).waitFor();
    expect(await parsedMarkup(admin), "markup parsed on the queue page").toBe(0);
    expect(await admin.locator(`li[data-order="${guest.id}"]`).textContent()).toContain(
      `guest ${GUEST_EMAIL}`,
    );
    await expectAccessible(admin, "the shipping queue");
    await admin.screenshot({ path: join(SCREENSHOTS, "queue-1280.png"), fullPage: true });
    await admin.setViewportSize({ width: 360, height: 740 });
    await admin.screenshot({ path: join(SCREENSHOTS, "queue-360.png"), fullPage: true });
    expect(await horizontalOverflow(admin), "the queue at 360 px").toBeLessThanOrEqual(0);
    await expectAccessible(admin, "the shipping queue at 360 px");
    await admin.setViewportSize({ width: 1280, height: 900 });

    // The packing slip: the address and the lines as text, no prices until asked for.
    await entry.getByRole("link", { name: /^Packing slip/ }).click();
    await admin
      .getByRole("heading", { level: 1, name: "Packing slip" })
      .waitFor({ timeout: STEP_MS });
    const slip = admin.locator("article.slip");
    await slip.getByText(orderId, { exact: true }).waitFor({ timeout: STEP_MS });
    await slip.getByText(MARKUP_LINE, { exact: true }).waitFor();
    expect(await slip.locator("tbody tr").count()).toBe(5);
    await slip
      .getByRole("rowheader", { name: new RegExp(`^${escapeRegExp(MARKUP_NAME)}`) })
      .waitFor();
    expect(await parsedMarkup(admin), "markup parsed on the packing slip").toBe(0);
    expect(await slip.textContent()).not.toContain("$");
    await admin.getByLabel("Show prices").check();
    await slip.getByRole("columnheader", { name: "Unit price" }).waitFor();
    expect(await slip.textContent()).toContain("$");
    await admin.getByLabel("Show prices").uncheck();
    await expectAccessible(admin, "the packing slip");
    await admin.screenshot({ path: join(SCREENSHOTS, "slip-1280.png"), fullPage: true });

    // On paper: the slip alone, on one A4 page; the same slip on A6 takes more, so the count
    // counts.
    await admin.emulateMedia({ media: "print" });
    for (const chrome of [".site-header", ".admin-nav", ".slip-tools", ".site-footer"]) {
      expect(await admin.locator(chrome).isVisible(), `${chrome} printed`).toBe(false);
    }
    await admin.setViewportSize({ width: 794, height: 1123 });
    await admin.screenshot({ path: join(SCREENSHOTS, "slip-print.png"), fullPage: true });
    await admin.setViewportSize({ width: 1280, height: 900 });
    await admin.emulateMedia({ media: "screen" });
    const a4 = await admin.pdf({ format: "A4", printBackground: true });
    await writeFile(join(SCREENSHOTS, "slip-a4.pdf"), a4);
    expect(pdfPages(a4), "A4 pages of the packing slip").toBe(1);
    expect(pdfPages(await admin.pdf({ format: "A6" })), "A6 pages").toBeGreaterThan(1);

    // Mark shipped: an http tracking URL is refused, next to its field; then it ships.
    await admin.goBack();
    await entry.waitFor({ timeout: STEP_MS });
    await entry.getByLabel("Carrier").fill("UPS");
    await entry.getByLabel("Tracking number").fill("1Z999AA10123456784");
    await entry.getByLabel("Tracking URL (optional)").fill("http://tracking.example.com/1Z");
    await entry.getByRole("button", { name: /^Mark shipped/ }).click();
    const urlField = entry.getByLabel("Tracking URL (optional)");
    await expect
      .poll(() => urlField.getAttribute("aria-invalid"), { timeout: STEP_MS })
      .toBe("true");
    const urlError = entry.locator(`[id="ship-${orderId}-trackingUrl-error"]`);
    expect(await urlError.textContent()).toMatch(/https/);
    expect(await urlField.getAttribute("aria-describedby")).toContain(
      `ship-${orderId}-trackingUrl-error`,
    );
    await expectAccessible(admin, "the ship form with a refused field");
    await entry.screenshot({ path: join(SCREENSHOTS, "ship-form-refused-1280.png") });
    await urlField.fill(TRACKING_URL);
    await entry.getByRole("button", { name: /^Mark shipped/ }).click();
    await entry.getByText(/shipped with UPS, tracking number 1Z999AA10123456784/).waitFor({
      timeout: STEP_MS,
    });

    // The customer's open page shows it, pushed over the WebSocket, announced with the status.
    await shopper.locator('[data-status="SHIPPED"]').waitFor({ timeout: STEP_MS });
    const status = shopper.getByRole("status").filter({ hasText: "Status:" });
    expect(await status.textContent()).toContain(
      "Shipped — with UPS, tracking number 1Z999AA10123456784",
    );
    const track = shopper.getByRole("link", { name: /^Track the parcel/ });
    expect(await track.getAttribute("href")).toBe(TRACKING_URL);
    expect(await track.getAttribute("target")).toBe("_blank");
    expect(await track.getAttribute("rel")).toBe("noopener noreferrer");
    const updates = pushed.map((payload) => JSON.parse(payload) as Record<string, unknown>);
    expect(updates).toContainEqual(
      expect.objectContaining({
        type: "order.updated",
        orderId,
        status: "SHIPPED",
        shipment: expect.objectContaining({ trackingNumber: "1Z999AA10123456784" }),
      }),
    );
    await expectAccessible(shopper, "a shipped order");
    const shippedMail = await waitForMail(mailDir, customer, /on its way/);
    expect(shippedMail.text).toContain(`Track the parcel: ${TRACKING_URL}`);
    expect(hrefsOf(typeof shippedMail.html === "string" ? shippedMail.html : "")).toContain(
      TRACKING_URL,
    );
    await shopper.screenshot({ path: join(SCREENSHOTS, "order-shipped-1280.png"), fullPage: true });

    // The guest's order ships too (over the API): the guest's open page shows it.
    const guestShipped = await api(`/admin/orders/${guest.id}/ship`, {
      method: "POST",
      token: operatorToken,
      body: { carrier: "DHL", trackingNumber: "JD014600006281230704", trackingUrl: TRACKING_URL },
    });
    expect(guestShipped.status).toBe(200);
    await guestPage.locator('[data-status="SHIPPED"]').waitFor({ timeout: STEP_MS });
    expect(
      await guestPage.getByRole("link", { name: /^Track the parcel/ }).getAttribute("href"),
    ).toBe(TRACKING_URL);
    await expectAccessible(guestPage, "a guest's shipped order");

    // The orders page filters by SHIPPED; "Mark delivered" reaches the customer's page.
    await admin
      .getByRole("navigation", { name: "Admin" })
      .getByRole("link", { name: "Orders", exact: true })
      .click();
    await admin.getByRole("heading", { level: 1, name: "Orders" }).waitFor();
    await admin.getByLabel("Status").selectOption("SHIPPED");
    const row = admin.locator(`tr[data-order="${orderId}"]`);
    await row.waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the orders page filtered by SHIPPED");
    await admin.screenshot({ path: join(SCREENSHOTS, "orders-shipped-1280.png"), fullPage: true });
    await row.getByRole("button", { name: /^Mark delivered/ }).click();
    await admin
      .getByText(`Order ${orderId.slice(0, 8)} marked delivered.`)
      .waitFor({ timeout: STEP_MS });
    await shopper.locator('[data-status="DELIVERED"]').waitFor({ timeout: STEP_MS });
    await shopper.getByText("Delivered", { exact: true }).first().waitFor();
    await expectAccessible(shopper, "a delivered order");
    await admin.getByLabel("Status").selectOption("DELIVERED");
    await row.waitFor({ timeout: STEP_MS });

    // At a phone's width nothing scrolls sideways and axe finds nothing serious.
    for (const page of [admin, shopper]) await page.setViewportSize({ width: 360, height: 740 });
    await shopper.screenshot({
      path: join(SCREENSHOTS, "order-delivered-360.png"),
      fullPage: true,
    });
    expect(await horizontalOverflow(shopper), "the order page at 360 px").toBeLessThanOrEqual(0);
    await admin.goto(`${server.url}/manage/orders/${orderId}/slip`);
    await admin
      .getByRole("heading", { level: 1, name: "Packing slip" })
      .waitFor({ timeout: STEP_MS });
    await admin.locator("article.slip tbody tr").first().waitFor({ timeout: STEP_MS });
    await admin.screenshot({ path: join(SCREENSHOTS, "slip-360.png"), fullPage: true });
    expect(await horizontalOverflow(admin), "the slip at 360 px").toBeLessThanOrEqual(0);
    await expectAccessible(admin, "the packing slip at 360 px");

    expect(dialogs, "dialogs opened by markup").toEqual([]);
  }, 180_000);
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
