import { randomUUID } from "node:crypto";
import { mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { chromiumAvailable, launchChromium, newVisitorPage } from "../helpers/browser.js";
import {
  type DevServerProcess,
  type ShopWithPage,
  startShopWithPage,
} from "../helpers/dev-server-process.js";
import { CHECKOUT_ADDRESS } from "../helpers/fixtures.js";
import { type GuestOrder, placeGuestOrderOverHttp } from "../helpers/guest-orders.js";
import { readmePageAddresses } from "../helpers/page-table.js";
import { spaFallback } from "../helpers/site.js";
import {
  addFromCatalogue,
  continueToShipping,
  fillCheckoutAddress,
  STEP_MS,
  signInAt,
} from "../helpers/storefront-page.js";

// Every address of the README's page table, opened directly (a fresh navigation, then a reload)
// in Debian's chromium on the dev server as `npm start` runs it: each shows its page, never the
// API's JSON. And the same addresses through the deployed site's SPA fallback, the CloudFront
// Function's own code: each becomes /index.html, while the built site's files pass unchanged.

/**
 * Who opens each page of the table, and the heading that says it is that page; `{id}` is a
 * seeded product, or the order the customer placed. A page the table gains without an entry
 * here fails the test.
 */
const PAGES: Record<string, { who: Who; heading: (order: string) => string }> = {
  "/": { who: "anyone", heading: () => "Small things, made with care" },
  "/item/{id}": { who: "anyone", heading: () => "Lonely Bird" },
  "/basket": { who: "anyone", heading: () => "Your basket" },
  "/sign-up": { who: "anyone", heading: () => "Create an account" },
  "/sign-in": { who: "anyone", heading: () => "Sign in" },
  "/account/orders": { who: "customer", heading: () => "My orders" },
  "/account/orders/{id}": { who: "customer", heading: (order) => `Order ${order.slice(0, 8)}` },
  "/track/{id}": { who: "anyone", heading: (order) => `Order ${order.slice(0, 8)}` },
  "/manage": { who: "operator", heading: () => "Products" },
  "/manage/products/{id}": { who: "operator", heading: () => "Lonely Bird" },
  "/manage/promotions": { who: "operator", heading: () => "Promotions" },
  "/manage/orders": { who: "operator", heading: () => "Orders" },
  "/manage/orders/{id}/slip": { who: "operator", heading: () => "Packing slip" },
  "/manage/fulfilment": { who: "operator", heading: () => "Fulfilment" },
  "/manage/shipping": { who: "operator", heading: () => "Shipping" },
  "/manage/tax": { who: "operator", heading: () => "Tax" },
};
type Who = "anyone" | "customer" | "operator";

/** Where the operators' orders page, opened directly, is photographed at 1280 px, to look at. */
const SCREENSHOTS = join(tmpdir(), "store-page-addresses-screenshots");

/**
 * The table's address with `{id}` filled in: the customer's order on its page and its packing
 * slip, the guest's on the guest order page (with its key in the fragment), else a product.
 */
const addressOf = (pattern: string, orderId: string, guest?: GuestOrder) => {
  if (pattern.startsWith("/account/orders/") || pattern.startsWith("/manage/orders/")) {
    return pattern.replace("{id}", orderId);
  }
  if (pattern.startsWith("/track/")) {
    const id = guest?.id ?? randomUUID();
    return `${pattern.replace("{id}", id)}${guest === undefined ? "" : `#token=${guest.token}`}`;
  }
  return pattern.replace("{id}", "lonely-bird");
};

/** Every file of the built site, as the path a browser asks for. */
async function siteFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => `/${relative(root, join(entry.parentPath, entry.name)).split(sep).join("/")}`);
}

const browserHere = chromiumAvailable();

describe("every page address opens its page", () => {
  let running: ShopWithPage | undefined;
  let webDir: string;
  let patterns: string[];
  let shop: DevServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const operator = `olive-${randomUUID()}@example.com`;
  const customer = `carl-${randomUUID()}@example.com`;

  beforeAll(async () => {
    running = await startShopWithPage("store-page-addresses-", {
      PAYMENT_DELAY_MS: "200",
      ADMIN_EMAILS: operator,
    });
    webDir = running.webDir;
    shop = running.shop;
    patterns = await readmePageAddresses();
    await signUpAndSignIn(shop.url, operator);
    await signUpAndSignIn(shop.url, customer);
    if (browserHere) browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await running?.remove();
  });

  it("knows what each address of the README's page table shows", () => {
    expect(patterns.length).toBeGreaterThan(0);
    expect(new Set(patterns)).toEqual(new Set(Object.keys(PAGES)));
  });

  it("at the edge: the CloudFront Function answers each with index.html, and leaves files alone", async () => {
    const files = await siteFiles(webDir);
    expect(files).toContain("/index.html");
    expect(files.some((file) => file.startsWith("/assets/"))).toBe(true);
    const uriFor = (uri: string) => spaFallback({ request: { uri, method: "GET" } }).uri;
    const orderId = randomUUID();
    for (const pattern of patterns) {
      const address = addressOf(pattern, orderId);
      expect(uriFor(address), address).toBe("/index.html");
      if (address !== "/") expect(uriFor(`${address}/`), `${address}/`).toBe("/index.html");
    }
    for (const file of files) expect(uriFor(file), file).toBe(file);
  });

  const visitor = (): Promise<Page> => newVisitorPage(browser as Browser, contexts);

  /** The answer is the page (HTML), and the page drew the heading of `address`. */
  async function expectPage(page: Page, answer: Response | null, address: string, heading: string) {
    expect(answer?.status(), address).toBe(200);
    expect(answer?.headers()["content-type"], address).toMatch(/^text\/html/);
    await page
      .getByRole("heading", { level: 1, name: heading, exact: true })
      .waitFor({ timeout: STEP_MS });
  }

  it.skipIf(!browserHere)(
    "shows each page at its address, opened directly and reloaded, signed in where needed",
    async () => {
      const server = shop as DevServerProcess;
      const pages: Record<Who, Page> = {
        anyone: await visitor(),
        customer: await visitor(),
        operator: await visitor(),
      };

      // The customer places an order, for its page; both accounts sign in through the page that
      // needs them, which sends them back there.
      await signInAt(pages.customer, server, "/account/orders", customer);
      await pages.customer.goto(`${server.url}/`);
      await addFromCatalogue(pages.customer, "Lonely Bird");
      await pages.customer.goto(`${server.url}/basket`);
      await fillCheckoutAddress(pages.customer, CHECKOUT_ADDRESS);
      await continueToShipping(pages.customer);
      await pages.customer.getByRole("button", { name: "Place order" }).click();
      const orderPath = /\/account\/orders\/([^/?#]+)$/;
      await expect
        .poll(() => orderPath.exec(pages.customer.url())?.[1] ?? "", { timeout: STEP_MS })
        .not.toBe("");
      const orderId = orderPath.exec(pages.customer.url())?.[1] ?? "";
      const guest = await placeGuestOrderOverHttp(server.url, "gus@example.com");
      await signInAt(pages.operator, server, "/manage/orders", operator);

      for (const pattern of patterns) {
        const entry = PAGES[pattern];
        if (entry === undefined) throw new Error(`no expectation for the page at ${pattern}`);
        const page = pages[entry.who];
        const address = addressOf(pattern, orderId, guest);
        const heading = entry.heading(pattern.startsWith("/track/") ? guest.id : orderId);
        // A page of its own first, so nothing of the last page's state is on screen.
        await page.goto("about:blank");
        // (The server never sees a fragment: it answers the guest order page's address alone.)
        await expectPage(page, await page.goto(`${server.url}${address}`), address, heading);
        await expectPage(page, await page.reload(), `${address} reloaded`, heading);
        if (address === "/manage/orders") {
          await page.locator(`tr[data-order="${orderId}"]`).waitFor({ timeout: STEP_MS });
          await page.screenshot({ path: join(SCREENSHOTS, "manage-orders-1280.png") });
        }
      }
    },
    180_000,
  );

  it("leaves the API its addresses: JSON clients get the API's answers, pages or not", async () => {
    const server = shop as DevServerProcess;
    const get = (path: string, accept: string) =>
      fetch(`${server.url}${path}`, { headers: { Accept: accept } });

    // An operators' API address stays the API's, even for a browser asking for HTML.
    const api = await get("/admin/orders", "text/html,*/*;q=0.8");
    expect(api.status).toBe(401);
    expect(api.headers.get("content-type")).toBe("application/problem+json");

    // An API client at a page address is told there is no such resource.
    const page = await get("/manage/orders", "application/json");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toBe("application/problem+json");
    expect(((await page.json()) as { code: string }).code).toBe("NOT_FOUND");
  });
});
