import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install -y chromium`), or the one CHROMIUM_PATH names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether the browser tests can run here. Without chromium they fail under CI=true (CI installs
 * it, so its absence is a broken machine) and are skipped elsewhere, saying so loudly.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message =
    `chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium ` +
    "(apt-get install -y chromium) or CHROMIUM_PATH naming another build";
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`\n!!! SKIPPING THE BROWSER TESTS: ${message}\n`);
  return false;
}

// Without the background-networking flags chromium keeps dialling Google's hosts, which this
// sandbox's closed network refuses; --no-sandbox because tests run as root in a container.
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts chromium. `launch` gives it a fresh, empty profile of its own (a new temporary
 * user-data dir, deleted on close); each test's `newContext()` is a fresh visitor on top.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * A fresh visitor: a new context of `browser` at `width` x `height`, kept in `contexts` for the
 * test's afterAll to close, with its page's uncaught errors printed.
 */
export async function newVisitorPage(
  browser: Browser,
  contexts: BrowserContext[],
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  return page;
}
