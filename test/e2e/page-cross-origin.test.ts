import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";
import { buildSite, type SiteServer, serveSiteElsewhere } from "../helpers/site.js";

// The deployed shape, on loopback: the page on one origin (CloudFront's in AWS), the API on
// another (API Gateway's), CORS between them. A real browser enforces CORS, so this is where a
// missing header shows: as a page that cannot read its own API.

const MAX_BODY_BYTES = 2048;

describe.skipIf(!chromiumAvailable())("the storefront calling the API from another origin", () => {
  let work: string;
  let app: App;
  let api: DevServer;
  let allowedSite: SiteServer;
  let refusedSite: SiteServer;
  let browser: Browser;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "store-cross-origin-"));
    const webDir = join(work, "web");
    await buildSite(webDir);
    // The page's settings name the API's origin, never the page's own.
    const settings = () => ({
      apiUrl: api.url,
      websocketUrl: `${api.url.replace("http", "ws")}/notifications`,
      region: "local",
      userPoolClientId: "serverless-store-local",
      cognitoEndpoint: `${api.url}/cognito`,
    });
    allowedSite = await serveSiteElsewhere(webDir, settings);
    refusedSite = await serveSiteElsewhere(webDir, settings);
    ({ app, server: api } = await startLoopbackServer({
      STORE: "memory",
      LOG_REQUESTS: "false",
      CORS_ORIGINS: allowedSite.url,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    }));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await app?.close();
    await allowedSite?.close();
    await refusedSite?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  async function open(siteUrl: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${siteUrl}/`);
    return page;
  }

  it("shows the catalogue and keeps a guest's basket when the page's origin is allowed", async () => {
    const page = await open(allowedSite.url);
    await page.getByRole("list", { name: "Products" }).waitFor();
    expect(await page.getByRole("listitem").count()).toBeGreaterThanOrEqual(10);

    // A guest cart: POST /guest-carts, then POST /cart with the Guest-Cart-Token header, a
    // header the preflight must allow.
    await page.getByRole("button", { name: "Add to basket: Lonely Bird" }).click();
    await page
      .getByText(/in your basket/)
      .first()
      .waitFor();
    await page.context().close();
  });

  it("shows an error, not products, when the API refuses the page's origin", async () => {
    const page = await open(refusedSite.url);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("list", { name: "Products" }).count()).toBe(0);
    await page.context().close();
  });

  it("lets the allowed page read the API's early 413 and its problem", async () => {
    const page = await open(allowedSite.url);
    const answer = await page.evaluate(
      async ({ url, bytes }) => {
        const response = await fetch(`${url}/cart`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ products: [], padding: "x".repeat(bytes) }),
        });
        return { status: response.status, problem: (await response.json()) as { code: string } };
      },
      { url: api.url, bytes: MAX_BODY_BYTES * 2 },
    );
    expect(answer).toEqual({
      status: 413,
      problem: expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    });
    await page.context().close();
  });

  it("cannot read the same 413 from a refused origin: the browser blocks it", async () => {
    const page = await open(refusedSite.url);
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(`${url}/cart`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: "x".repeat(4096),
        });
        return "read";
      } catch {
        return "blocked";
      }
    }, api.url);
    expect(outcome).toBe("blocked");
    await page.context().close();
  });
});
