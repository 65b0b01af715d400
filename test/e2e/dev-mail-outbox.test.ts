import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPathMatcher, ROUTES } from "../../src/http/index.js";
import { matchPage } from "../../web/src/page-paths.js";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";

// The dev server's local mailbox over real HTTP: an order's e-mail is written as a file under
// DATA_DIR/mail, `/dev/mail` lists it, `/dev/mail/<file>` shows it with its HTML part in a frame
// that can run nothing; no other file is reachable there, and a server that sends e-mail
// elsewhere (SES) has no such page.

const work = await mkdtemp(join(tmpdir(), "dev-mail-"));
const servers: DevServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  await rm(work, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<DevServerProcess> {
  const server = await startDevServerProcess({ PORT: "0", LOG_REQUESTS: "false", ...env });
  servers.push(server);
  return server;
}

/** Waits (up to 10 s) until the server printed `text`: its lines come in chunks of their own. */
async function printed(server: DevServerProcess, text: string): Promise<string> {
  for (let tries = 0; tries < 100 && !server.output().includes(text); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server.output();
}

/** The last line the dev server prints at start. */
const LAST_START_LINE = "Or sign up, then sign in for a token";

async function waitForFiles(dir: string, count: number): Promise<string[]> {
  for (let tries = 0; tries < 100; tries++) {
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".eml"));
    if (files.length >= count) return files;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`fewer than ${count} e-mails in ${dir}`);
}

describe("the dev server's outbox page", () => {
  it("is neither an API address nor a page of the storefront", () => {
    const matchApi = createPathMatcher(ROUTES.map((route) => route.resource));
    for (const path of [
      "/dev/mail",
      "/dev/mail/2026-05-01T12-00-00-000Z-x.placed@localhost-abcdef.eml",
    ]) {
      expect(matchApi(path), path).toBeUndefined();
      expect(matchPage(path), path).toBeUndefined();
    }
  });

  it("lists the e-mails written under DATA_DIR/mail and shows one, its HTML unable to run", async () => {
    const dataDir = join(work, "file");
    const server = await start({ STORE: "sqlite", DATA_DIR: dataDir });
    expect(await printed(server, LAST_START_LINE)).toContain(`E-mails:  ${server.url}/dev/mail`);

    const empty = await fetch(`${server.url}/dev/mail`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain("No e-mail yet");

    const token = await signUpAndSignIn(server.url, "mailbox@example.com");
    const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
    const cart = await fetch(`${server.url}/cart`, {
      method: "POST",
      headers,
      body: JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] }),
    });
    expect(cart.status).toBe(200);
    const placed = await fetch(`${server.url}/checkout`, {
      method: "PUT",
      headers,
      body: JSON.stringify(CHECKOUT_BODY),
    });
    expect(placed.status).toBe(202);
    const orderId = ((await placed.json()) as { id: string }).id;

    // Placed, then paid by the demo provider: two messages.
    const files = await waitForFiles(join(dataDir, "mail"), 2);
    expect(await printed(server, '"message":"order e-mail written"')).toContain(
      '"message":"order e-mail written"',
    );

    const list = await fetch(`${server.url}/dev/mail`);
    expect(list.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(list.headers.get("cache-control")).toBe("no-store");
    const listed = await list.text();
    expect(listed).toContain("mailbox@example.com");
    expect(listed).toContain("Serverless Store: we have your order");
    expect(listed).toContain("Serverless Store: your order is paid");
    // Newest first: the paid message above the placed one.
    expect(listed.indexOf("your order is paid")).toBeLessThan(listed.indexOf("we have your order"));

    const placedFile = files.find((file) => file.includes(".placed@")) ?? "";
    const shown = await fetch(`${server.url}/dev/mail/${encodeURIComponent(placedFile)}`);
    expect(shown.status).toBe(200);
    const csp = shown.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    const page = await shown.text();
    expect(page).toContain(`&lt;${orderId}.placed@localhost&gt;`);
    expect(page).toMatch(
      /<th>From<\/th><td>[^<]*Serverless Store[^<]*&lt;shop@localhost&gt;<\/td>/,
    );
    expect(page).toContain("<th>To</th><td>mailbox@example.com</td>");
    expect(page).toContain(`/account/orders/${orderId}`);
    // The HTML part is the frame's document alone, escaped into its attribute, and sandboxed.
    const frame = /<iframe title="HTML part" sandbox="" srcdoc="([^"]*)"><\/iframe>/.exec(page);
    expect(frame?.[1]).toContain("&lt;!doctype html&gt;");
    expect(page.match(/<body/g)).toHaveLength(1);
    expect(page).not.toContain("<script");
  }, 60_000);

  it("serves no other file, and no other method", async () => {
    const dataDir = join(work, "file");
    const server = servers[0] ?? (await start({ STORE: "sqlite", DATA_DIR: dataDir }));
    for (const path of [
      "/dev/mail/..%2Fstore.sqlite",
      "/dev/mail/order-link.key",
      "/dev/mail/%2e%2e%2forder-link.key",
      "/dev/mail/2026-05-01T12-00-00-000Z-none@localhost-abcdef.eml",
      "/dev/mail/%E0%A4%A",
    ]) {
      const answer = await fetch(`${server.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(await answer.text(), path).not.toMatch(/order-link|SQLite/);
    }
    const posted = await fetch(`${server.url}/dev/mail`, { method: "POST", body: "x" });
    expect(posted.status).toBe(405);
  });

  it("is not served when e-mail goes out through SES", async () => {
    const server = await start({
      STORE: "memory",
      DATA_DIR: join(work, "ses"),
      MAIL_PROVIDER: "ses",
      MAIL_FROM: "Shop <orders@shop.example.com>",
      AWS_REGION: "eu-west-1",
      SHOP_URL: "https://shop.example.com",
      ORDER_LINK_KEY: randomBytes(32).toString("base64url"),
    });
    const startOutput = await printed(server, LAST_START_LINE);
    expect(startOutput).toContain(LAST_START_LINE);
    expect(startOutput).not.toContain("/dev/mail");
    const answer = await fetch(`${server.url}/dev/mail`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).not.toContain("Outbox");
  }, 60_000);
});
