import { setTimeout as sleep } from "node:timers/promises";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { Address } from "../../src/domain/index.js";
import { TEST_PASSWORD } from "./accounts.js";
import type { DevServerProcess } from "./dev-server-process.js";

// What the browser tests do on the storefront's pages: sign up with the code from the server's
// log, add to the basket, read the page's session, run axe.

export const PASSWORD = "Correct-horse-battery-9";
export const STEP_MS = 15_000;

type Server = DevServerProcess;

/** Every serious or critical axe finding on the page as it is now, as readable lines. */
export async function accessibilityFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
}

export async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await accessibilityFindings(page), `axe on ${what}`).toEqual([]);
}

export async function confirmationCode(server: Server, email: string): Promise<string> {
  const pattern = new RegExp(`confirmation code for ${email.replace(/[.+]/g, "\\$&")}: (\\d{6})`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const code = pattern.exec(server.output())?.[1];
    if (code !== undefined) return code;
    if (Date.now() > deadline) throw new Error(`no confirmation code for ${email} in the log`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs up through the page's link `via`: the form, then the code the server printed. */
export async function signUp(
  page: Page,
  server: Server,
  user: { email: string; name: string },
  options: { via?: string; axe?: boolean } = {},
) {
  const { email, name } = user;
  const axe = options.axe === true;
  await page.getByRole("link", { name: options.via ?? "Sign up", exact: true }).click();
  await expect.poll(() => page.url()).toContain("/sign-up");
  await page.getByRole("heading", { name: "Create an account" }).waitFor();
  if (axe) await expectAccessible(page, "the sign-up page");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
  if (axe) await expectAccessible(page, "the confirmation-code step");
  await page.getByLabel("Confirmation code").fill(await confirmationCode(server, email));
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await page.getByRole("button", { name: /^Sign out/ }).waitFor({ timeout: STEP_MS });
}

/**
 * Opens `address`, a page that needs an account, signed out: it asks to sign in, signs in as
 * `email` (an account `signUpAndSignIn` made) and comes back to `address`.
 */
export async function signInAt(
  page: Page,
  server: Server,
  address: string,
  email: string,
): Promise<void> {
  const answer = await page.goto(`${server.url}${address}`);
  expect(answer?.headers()["content-type"], address).toMatch(/^text\/html/);
  await page
    .getByRole("heading", { level: 1, name: /^Sign in to see/ })
    .waitFor({ timeout: STEP_MS });
  await page.getByRole("main").getByRole("link", { name: "Sign in", exact: true }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: /^Sign out/ }).waitFor({ timeout: STEP_MS });
  await expect.poll(() => new URL(page.url()).pathname).toBe(address);
}

export async function addFromCatalogue(page: Page, productName: string): Promise<void> {
  await page.getByRole("button", { name: `Add to basket: ${productName}` }).click();
  await page
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name: productName }) })
    .getByText(/in your basket/)
    .waitFor({ timeout: STEP_MS });
}

export async function accessToken(page: Page): Promise<string> {
  const raw = await storedSession(page);
  const token = (JSON.parse(raw ?? "{}") as { accessToken?: string }).accessToken;
  if (token === undefined) throw new Error("the page holds no session");
  return token;
}

// Code run in the page is given as text: this project's type-check has no DOM library.
export const horizontalOverflow = (page: Page) =>
  page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
export const storedSession = (page: Page) =>
  page.evaluate<string | null>('sessionStorage.getItem("store.session")');
export const storedGuestToken = (page: Page) =>
  page.evaluate<string | null>('localStorage.getItem("store.guestCartToken")');
/** The page's images that have not loaded, by address, once they had time to: none, or why. */
export async function brokenImages(page: Page): Promise<string[]> {
  // Polled from here: on a busy machine the page can be shown before its images have arrived.
  // (Not page.waitForFunction: it evaluates its text inside the page, which the page's CSP
  // forbids.)
  const broken = () =>
    page.evaluate<string[]>(
      "[...document.images].filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src)",
    );
  const deadline = Date.now() + STEP_MS;
  let left = await broken();
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = await broken();
  }
  return left;
}

/** An address as the checkout form takes it: the country as its code, the rest as typed. */
export type FormAddress = Address;

/** Types `address` into the basket's shipping address form (the guest's e-mail first, if given). */
export async function fillCheckoutAddress(
  page: Page,
  address: FormAddress,
  email?: string,
): Promise<void> {
  if (email !== undefined) await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill(address.name);
  await page.getByLabel("Address line 1").fill(address.line1);
  await page.getByLabel("Address line 2 (optional)").fill(address.line2 ?? "");
  await page.getByLabel("City").fill(address.city);
  await page.getByLabel("Postal code").fill(address.postalCode ?? "");
  await page.getByLabel("State, province or region").fill(address.region ?? "");
  await page.getByLabel("Country").selectOption(address.country);
  await page.getByLabel("Phone (optional)").fill(address.phone ?? "");
}

/** "Continue to shipping", then waits for the shipping methods the API quoted. */
export async function continueToShipping(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Continue to shipping" }).click();
  await page.getByRole("group", { name: "Shipping method" }).waitFor({ timeout: STEP_MS });
}

/** The checkout's or the order page's summary lines as shown: label → amount text. */
export async function shownTotals(page: Page): Promise<Record<string, string>> {
  const rows = page.locator(".checkout-review .totals-row, article.order .totals-row");
  const shown: Record<string, string> = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const label = (await rows.nth(i).locator("dt").textContent()) ?? "";
    shown[label.trim()] = ((await rows.nth(i).locator("dd").textContent()) ?? "").trim();
  }
  return shown;
}
