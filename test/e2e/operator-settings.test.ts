import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ShippingMethodsView,
  ShippingSettings,
  TaxSettings,
} from "../../src/services/index.js";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { chromiumAvailable, launchChromium, newVisitorPage } from "../helpers/browser.js";
import {
  type DevServerProcess,
  type ShopWithPage,
  startShopWithPage,
} from "../helpers/dev-server-process.js";
import {
  expectAccessible,
  horizontalOverflow,
  STEP_MS,
  signInAt,
} from "../helpers/storefront-page.js";

// The operators' shipping and tax pages in Debian's chromium against the dev server as
// `npm start` runs it (its demo settings seeded): an operator changes a shipping method's price
// and a tax rate with the keyboard, and the API answers them; a refused field is told at the
// field, a save from a stale version is told and the page reloads; axe finds nothing serious and
// nothing scrolls sideways at 360 px.

/** Where the pages are photographed at 360 and 1280 px, to look at. */
const SCREENSHOTS = join(tmpdir(), "store-operator-settings-screenshots");

describe.skipIf(!chromiumAvailable())("the operators' shipping and tax pages", () => {
  let running: ShopWithPage | undefined;
  let browser: Browser | undefined;
  let token = "";
  let admin: Page;
  const contexts: BrowserContext[] = [];
  const operator = `olive-${randomUUID()}@example.com`;

  const server = () => (running as ShopWithPage).shop as DevServerProcess;
  async function api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
    const response = await fetch(`${server().url}${path}`, {
      method: init.method ?? "GET",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    expect(response.status, `${init.method ?? "GET"} ${path}`).toBe(200);
    return (await response.json()) as T;
  }
  /** The id of the element that has the focus. */
  const focused = () => admin.evaluate<string>("document.activeElement?.id ?? ''");

  /** The page at 360 px: no sideways scrolling, axe clean; and a photograph at each width. */
  async function checkWidths(name: string): Promise<void> {
    await admin.screenshot({ path: join(SCREENSHOTS, `${name}-1280.png`), fullPage: true });
    await admin.setViewportSize({ width: 360, height: 740 });
    expect(await horizontalOverflow(admin), `${name} at 360 px`).toBeLessThanOrEqual(0);
    await expectAccessible(admin, `the ${name} page at 360 px`);
    await admin.screenshot({ path: join(SCREENSHOTS, `${name}-360.png`), fullPage: true });
    await admin.setViewportSize({ width: 1280, height: 900 });
  }

  beforeAll(async () => {
    running = await startShopWithPage("store-operator-settings-", { ADMIN_EMAILS: operator });
    token = await signUpAndSignIn(server().url, operator);
    browser = await launchChromium();
    admin = await newVisitorPage(browser, contexts);
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  it("changes a shipping method's price, which the API and the shoppers' methods then answer", async () => {
    await signInAt(admin, server(), "/manage/shipping", operator);
    await admin.getByRole("heading", { level: 1, name: "Shipping" }).waitFor({ timeout: STEP_MS });
    await admin.getByRole("rowheader", { name: "European Union" }).waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the shipping page");

    // With the keyboard: Edit takes the focus to the form, Enter in a field saves.
    await admin.getByRole("button", { name: "Edit the method Ground of United States" }).focus();
    await admin.keyboard.press("Enter");
    await admin.getByRole("heading", { name: "Edit the method Ground" }).waitFor();
    await expect.poll(focused).toBe("method-zone");
    const price = admin.getByLabel("Price (USD)");
    expect(await price.inputValue()).toBe("5.99");
    await price.fill("7.25");
    await price.press("Enter");
    await admin.getByText("Saved the method Ground.").waitFor({ timeout: STEP_MS });
    await expect
      .poll(() => admin.locator('td[data-price="us-ground"]').textContent())
      .toBe("$7.25");

    const saved = await api<ShippingSettings>("/admin/shipping");
    expect(saved.version).toBe(2);
    expect(saved.methods.find((method) => method.id === "us-ground")).toMatchObject({
      priceCents: 725,
      freeAboveCents: 5000,
      minDeliveryDays: 3,
      maxDeliveryDays: 5,
    });
    const offered = await api<ShippingMethodsView>("/shipping-methods?country=US");
    expect(offered.methods.find((method) => method.methodId === "us-ground")?.priceCents).toBe(725);

    // A price that is not an amount is refused at its field, which takes the focus.
    await price.fill("seven");
    await price.press("Enter");
    await admin.getByText("an amount such as 5.99").waitFor();
    expect(await price.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(focused).toBe("method-price");
    await admin.getByRole("button", { name: "Stop editing" }).click();

    // The API's refusal naming a field (zones[3].name: blank once trimmed) shows at its input.
    await admin.getByLabel("Zone name").fill("   ");
    await admin.getByLabel("Countries").fill("br, ar");
    await admin.getByRole("button", { name: "Add zone" }).click();
    await admin
      .getByText("1 to 80 characters, no control characters")
      .waitFor({ timeout: STEP_MS });
    expect(await admin.getByLabel("Zone name").getAttribute("aria-invalid")).toBe("true");
    await expect.poll(focused).toBe("zone-name");
    await admin.getByLabel("Zone name").fill("South America");
    await admin.getByRole("button", { name: "Add zone" }).click();
    await admin.getByText("Added the zone South America").waitFor({ timeout: STEP_MS });
    await admin.getByRole("cell", { name: "BR, AR" }).waitFor();

    // Someone else saves meanwhile: the page's save is refused, told, and the page reloads.
    const theirs = await api<ShippingSettings>("/admin/shipping");
    await api<ShippingSettings>("/admin/shipping", {
      method: "PUT",
      body: {
        zones: theirs.zones,
        methods: theirs.methods.map((method) =>
          method.id === "eu-standard" ? { ...method, priceCents: 750 } : method,
        ),
        version: theirs.version,
      },
    });
    await admin.getByRole("button", { name: "Edit the method Express of United States" }).click();
    await admin.getByLabel("Price (USD)").fill("16.00");
    await admin.getByRole("button", { name: "Save method" }).click();
    await admin
      .getByText(/^Someone else saved the shipping settings/)
      .waitFor({ timeout: STEP_MS });
    await expect
      .poll(() => admin.locator('td[data-price="eu-standard"]').textContent(), { timeout: STEP_MS })
      .toBe("$7.50");
    await admin.getByRole("button", { name: "Save method" }).click();
    await admin.getByText("Saved the method Express.").waitFor({ timeout: STEP_MS });
    const both = await api<ShippingSettings>("/admin/shipping");
    const priceOf = (id: string) => both.methods.find((method) => method.id === id)?.priceCents;
    expect([priceOf("eu-standard"), priceOf("us-express")]).toEqual([750, 1600]);

    await checkWidths("shipping");
  }, 120_000);

  it("changes a tax rate, the mode and taxed shipping, which the API then answers", async () => {
    await admin
      .getByRole("navigation", { name: "Admin" })
      .getByRole("link", { name: "Tax" })
      .click();
    await admin.getByRole("heading", { level: 1, name: "Tax" }).waitFor();
    await admin.getByRole("rowheader", { name: "DE" }).waitFor({ timeout: STEP_MS });
    await expectAccessible(admin, "the tax page");

    await admin.getByRole("button", { name: "Edit the rate for DE" }).focus();
    await admin.keyboard.press("Enter");
    await admin.getByRole("heading", { name: "Edit the rate for DE" }).waitFor();
    await expect.poll(focused).toBe("rate-country");
    const rate = admin.getByLabel("Rate (%)");
    expect(await rate.inputValue()).toBe("19");
    await rate.fill("16");
    await rate.press("Enter");
    await admin.getByText("Saved the rate for DE: 16%.").waitFor({ timeout: STEP_MS });
    await admin.getByRole("button", { name: "Stop editing" }).click();

    // A region the API knows no codes for is refused at the Region field.
    await admin.getByLabel("Country").fill("de");
    await admin.getByLabel("Region (optional)").fill("by");
    await admin.getByLabel("Label").fill("Bavarian tax");
    await admin.getByLabel("Rate (%)").fill("1.5");
    await admin.getByRole("button", { name: "Add rate" }).click();
    await admin
      .getByText("DE has no region codes: give a country rate")
      .waitFor({ timeout: STEP_MS });
    await expect.poll(focused).toBe("rate-region");
    await admin.getByText("Not saved: check the fields marked above.").waitFor();

    await admin.getByLabel("Include tax").check();
    await admin.getByLabel("Tax shipping").check();
    await admin.getByRole("button", { name: "Save tax settings" }).click();
    await admin.getByText("Saved the tax settings.").waitFor({ timeout: STEP_MS });

    const saved = await api<TaxSettings>("/admin/tax");
    expect(saved).toMatchObject({ mode: "inclusive", taxShipping: true, version: 3 });
    expect(saved.rates.find((r) => r.country === "DE" && r.region === undefined)).toEqual({
      country: "DE",
      label: "VAT",
      ratePpm: 160_000,
    });
    expect(saved.rates.filter((r) => r.country === "DE")).toHaveLength(1);
    await expectAccessible(admin, "the tax page with a refused field");

    await checkWidths("tax");
  }, 120_000);
});
