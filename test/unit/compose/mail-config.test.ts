import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/compose/index.js";
import { createMailPorts } from "../../../src/compose/mail.js";
import { MemoryStore } from "../../../src/store/memory-store.js";

// The e-mail settings: files under the data directory by default, SES only with what it needs,
// each wrong or missing setting named; and the key of guests' order links, made once into the
// data directory locally and read from there by every later start.

const work = await mkdtemp(join(tmpdir(), "mail-config-"));
afterAll(() => rm(work, { recursive: true, force: true }));

const SES = {
  MAIL_PROVIDER: "ses",
  MAIL_FROM: "Shop <orders@shop.example.com>",
  AWS_REGION: "eu-west-1",
  SHOP_URL: "https://shop.example.com",
  ORDER_LINK_KEY_PARAMETER: "/shop/order-link-key",
};

describe("the e-mail settings", () => {
  it("write files under DATA_DIR/mail from the local sender by default", () => {
    const mail = loadConfig({ DATA_DIR: "/tmp/shop" }).mail;
    expect(mail).toEqual({
      provider: { kind: "file", dir: "/tmp/shop/mail" },
      from: "Serverless Store <shop@localhost>",
      domain: "localhost",
      linkKey: { from: "file", file: "/tmp/shop/order-link.key" },
    });
  });

  it("take the sender's domain for Message-IDs, and SHOP_URL without its trailing slash", () => {
    const mail = loadConfig({
      MAIL_FROM: "orders@shop.example.com",
      SHOP_URL: "https://x.test/",
    }).mail;
    expect(mail).toMatchObject({ domain: "shop.example.com", shopUrl: "https://x.test" });
  });

  it("use SES with its region, configuration set and the link key's parameter", () => {
    const mail = loadConfig({ ...SES, MAIL_CONFIGURATION_SET: "shop-mail" }).mail;
    expect(mail).toEqual({
      provider: { kind: "ses", region: "eu-west-1", configurationSet: "shop-mail" },
      from: "Shop <orders@shop.example.com>",
      domain: "shop.example.com",
      shopUrl: "https://shop.example.com",
      linkKey: { from: "ssm", parameter: "/shop/order-link-key" },
    });
  });

  it.each([
    ["MAIL_FROM", { MAIL_FROM: undefined }],
    ["AWS_REGION", { AWS_REGION: undefined }],
    ["SHOP_URL", { SHOP_URL: undefined }],
    ["ORDER_LINK_KEY_PARAMETER", { ORDER_LINK_KEY_PARAMETER: undefined }],
  ])("name %s when SES lacks it", (name, without) => {
    expect(() => loadConfig({ ...SES, ...without })).toThrow(ConfigError);
    expect(() => loadConfig({ ...SES, ...without })).toThrow(new RegExp(`${name}:`));
  });

  it.each([
    ["MAIL_PROVIDER", { MAIL_PROVIDER: "smtp" }],
    ["MAIL_FROM", { MAIL_FROM: "not an address" }],
    ["MAIL_FROM", { MAIL_FROM: "Shop <a@b.test>\r\nBcc: x@y.test" }],
    ["SHOP_URL", { SHOP_URL: "ftp://shop.example.com" }],
    ["ORDER_LINK_KEY", { ORDER_LINK_KEY: "short" }],
  ])("name %s when it is wrong", (name, env) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it("refuse both a link key and its parameter", () => {
    const key = randomBytes(32).toString("base64url");
    expect(loadConfig({ ORDER_LINK_KEY: key }).mail.linkKey).toEqual({ from: "env", key });
    expect(() =>
      loadConfig({ ORDER_LINK_KEY: key, ORDER_LINK_KEY_PARAMETER: "/shop/key" }),
    ).toThrow(/ORDER_LINK_KEY, ORDER_LINK_KEY_PARAMETER/);
  });

  it("keep a memory store's link key in the process alone", () => {
    expect(loadConfig({ STORE: "memory" }).mail.linkKey).toEqual({ from: "process" });
  });
});

describe("the local order-link key", () => {
  it("is made once into the data directory, private, and the same for every later start", async () => {
    const config = loadConfig({ DATA_DIR: join(work, "shop") });
    const store = new MemoryStore();
    const first = createMailPorts(config, { store, log: () => {} }).links;
    const second = createMailPorts(config, { store, log: () => {} }).links;
    const [a, b] = await Promise.all([first.tokenFor("order-1"), second.tokenFor("order-1")]);
    expect(a).toBe(b);
    const file = join(work, "shop", "order-link.key");
    expect((await readFile(file, "utf8")).trim()).toMatch(/^[\w-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const restarted = createMailPorts(config, { store, log: () => {} }).links;
    expect(await restarted.opens("order-1", a)).toBe(true);
  });

  it("is ORDER_LINK_KEY's when given", async () => {
    const key = randomBytes(32);
    const config = loadConfig({ ORDER_LINK_KEY: key.toString("base64url"), STORE: "memory" });
    const links = createMailPorts(config, { store: new MemoryStore(), log: () => {} }).links;
    const other = createMailPorts(
      loadConfig({ ORDER_LINK_KEY: randomBytes(32).toString("base64url"), STORE: "memory" }),
      { store: new MemoryStore(), log: () => {} },
    ).links;
    expect(await other.opens("order-1", await links.tokenFor("order-1"))).toBe(false);
  });
});
