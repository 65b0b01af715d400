import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, newVisitorPage } from "../helpers/browser.js";
import {
  type DevServerProcess,
  type ShopWithPage,
  startShopWithPage,
} from "../helpers/dev-server-process.js";
import { CHECKOUT_ADDRESS } from "../helpers/fixtures.js";
import {
  addFromCatalogue,
  brokenImages,
  continueToShipping,
  expectAccessible,
  fillCheckoutAddress,
  horizontalOverflow,
  STEP_MS,
  signUp,
} from "../helpers/storefront-page.js";

// The operators' pages in Debian's chromium against the dev server as `npm start` runs it, with
// ADMIN_EMAILS naming the operator: an operator adds a product with an image, a shopper buys it,
// the operator cancels the order, the stock comes back and the shopper sees CANCELLED live.
// Shoppers never download the admin pages' code.

/** A 1x1 PNG: what the upload endpoint checks is its type, size and signature bytes. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.skipIf(!chromiumAvailable())("the operators' pages in a real browser", () => {
  let running: ShopWithPage | undefined;
  let shop: DevServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const operator = { email: `olive-${randomUUID()}@example.com`, name: "Olive Operator" };

  const visitor = (): Promise<Page> => newVisitorPage(browser as Browser, contexts);

  beforeAll(async () => {
    running = await startShopWithPage("store-operators-", {
      // Long enough for the operator to cancel while the payment is still being taken.
      PAYMENT_DELAY_MS: "20000",
      ADMIN_EMAILS: operator.email,
    });
    expect(running.buildOutput).toMatch(/the catalogue page loads \d+(\.\d)? KB/);
    shop = running.shop;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  it("adds a product with an image, sells it, cancels the order: stock back, CANCELLED live", async () => {
    const server = shop as DevServerProcess;

    // The operator signs up (ADMIN_EMAILS puts the admin group in the tokens) and adds a product.
    const admin = await visitor();
    await admin.goto(`${server.url}/`);
    await signUp(admin, server, operator);
    await admin
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Admin" })
      .click();
    await admin.getByRole("heading", { level: 1, name: "Products" }).waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the admin products page");
    await admin.getByLabel("Name").fill("Glass Bird");
    await admin.getByLabel("Description").fill("Blown glass, the size of a sparrow.");
    await admin.getByLabel("Price (USD)").fill("42.50");
    await admin.getByLabel("Initial stock").fill("5");
    await admin
      .getByLabel("Image")
      .setInputFiles({ name: "bird.png", mimeType: "image/png", buffer: PNG });
    await admin.getByRole("button", { name: "Add product" }).click();
    await admin.getByText("Added Glass Bird.").waitFor({ timeout: STEP_MS });
    const stockCell = admin.locator('td[data-stock="glass-bird"]');
    await expect.poll(() => stockCell.textContent()).toBe("5");

    // A shopper finds it in the catalogue, image and all, and buys one; no admin code loads.
    const shopper = await visitor();
    const loaded: string[] = [];
    shopper.on("request", (request) => loaded.push(request.url()));
    const pushed: string[] = [];
    shopper.on("websocket", (socket) =>
      socket.on("framereceived", (frame) => pushed.push(String(frame.payload))),
    );
    await shopper.goto(`${server.url}/`);
    const card = shopper
      .getByRole("list", { name: "Products" })
      .getByRole("listitem")
      .filter({ has: shopper.getByRole("heading", { name: "Glass Bird" }) });
    await card.waitFor({ timeout: STEP_MS });
    expect(await card.textContent()).toContain("$42.50");
    expect(await card.locator("img").getAttribute("src")).toMatch(
      /^\/uploads\/[0-9a-f-]{36}\.png$/,
    );
    expect(await brokenImages(shopper)).toEqual([]);
    await addFromCatalogue(shopper, "Glass Bird");
    await signUp(shopper, server, {
      email: `sam-${randomUUID()}@example.com`,
      name: "Sam Shopper",
    });
    await shopper.goto(`${server.url}/basket`);
    await fillCheckoutAddress(shopper, CHECKOUT_ADDRESS);
    await continueToShipping(shopper);
    await shopper.getByRole("button", { name: "Place order" }).click();
    await expect
      .poll(() => /\/account\/orders\/([^/?#]+)$/.exec(shopper.url())?.[1] ?? "", {
        timeout: STEP_MS,
      })
      .not.toBe("");
    const orderId = /\/account\/orders\/([^/?#]+)$/.exec(shopper.url())?.[1] ?? "";
    await shopper.locator('[data-status="PROCESSING"]').waitFor({ timeout: STEP_MS });
    expect(loaded.filter((url) => /admin/.test(url))).toEqual([]);

    // The operator sees the stock taken, then cancels the order from the orders page.
    await admin.goto(`${server.url}/manage`);
    await expect.poll(() => stockCell.textContent(), { timeout: STEP_MS }).toBe("4");
    await admin
      .getByRole("navigation", { name: "Admin" })
      .getByRole("link", { name: "Orders" })
      .click();
    await admin.getByRole("heading", { level: 1, name: "Orders" }).waitFor();
    const row = admin.locator(`tr[data-order="${orderId}"]`);
    await row.waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the admin orders page");
    await row.getByRole("button", { name: /^Cancel/ }).click();
    await admin.getByText(/cancelled, its stock returned/).waitFor({ timeout: STEP_MS });
    await row.getByText("Cancelled").waitFor({ timeout: STEP_MS });

    // The shopper's page shows CANCELLED, pushed over the WebSocket.
    await shopper.locator('[data-status="CANCELLED"]').waitFor({ timeout: STEP_MS });
    const updates = pushed.map((payload) => JSON.parse(payload) as Record<string, unknown>);
    expect(updates).toContainEqual({ type: "order.updated", orderId, status: "CANCELLED" });
    await expectAccessible(shopper, "a cancelled order");

    // The stock is back, and a restock goes into the product's history.
    await admin.goto(`${server.url}/manage`);
    await expect.poll(() => stockCell.textContent(), { timeout: STEP_MS }).toBe("5");
    await admin.getByRole("link", { name: "Glass Bird" }).click();
    await admin.getByRole("heading", { level: 1, name: "Glass Bird" }).waitFor();
    await admin.getByLabel(/^Units/).fill("3");
    await admin.getByLabel("Reason").selectOption("restock");
    await admin.getByLabel("Note (optional)").fill("second kiln batch");
    await admin.getByRole("button", { name: "Record adjustment" }).click();
    await admin.getByText("Stock is now 8.").waitFor({ timeout: STEP_MS });
    await admin
      .getByRole("cell", { name: /restock — second kiln batch/ })
      .waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the admin product page");

    // Promotions: a code with limits, listed with its uses.
    await admin
      .getByRole("navigation", { name: "Admin" })
      .getByRole("link", { name: "Promotions" })
      .click();
    await admin.getByRole("heading", { level: 1, name: "Promotions" }).waitFor();
    await admin.getByLabel("Code", { exact: true }).fill("FLASH15");
    await admin.getByLabel("Percent off").fill("15");
    await admin.getByLabel("Uses in all (optional)").fill("100");
    await admin.getByLabel("Uses per customer (optional)").fill("1");
    await admin.getByRole("button", { name: "Create code" }).click();
    await admin.getByRole("rowheader", { name: "FLASH15" }).waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the admin promotions page");

    // At a phone's width the wide tables scroll inside their own focusable region: the pages
    // themselves never scroll sideways, and axe still finds nothing serious.
    await admin.setViewportSize({ width: 360, height: 740 });
    for (const name of ["Products", "Promotions", "Orders"]) {
      await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name }).click();
      await admin.getByRole("heading", { level: 1, name }).waitFor();
      await admin.getByRole("table").first().waitFor();
      expect(await horizontalOverflow(admin), `${name} at 360 px`).toBeLessThanOrEqual(0);
      await expectAccessible(admin, `the admin ${name.toLowerCase()} page at 360 px`);
    }
    await admin.setViewportSize({ width: 1280, height: 900 });

    // A shopper is not an operator: no Admin link, and the page says so.
    expect(
      await shopper
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Admin" })
        .count(),
    ).toBe(0);
    await shopper.goto(`${server.url}/manage`);
    await shopper.getByRole("heading", { name: "Operators only" }).waitFor({ timeout: STEP_MS });
  }, 180_000);
});
