import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { OrderView, PageOf, ProductView } from "../../src/services/index.js";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";
import { CHECKOUT_BODY } from "../helpers/fixtures.js";
import { freePort } from "../helpers/free-port.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** The quick start exactly as README tells a newcomer to run it, with the default store. */
const startQuickStart = (port: number, dataDir: string, extraEnv: Record<string, string> = {}) =>
  startDevServerProcess({ PORT: String(port), DATA_DIR: dataDir, ...extraEnv });

/** Stops the quick start the way Ctrl-C does and says how it ended. */
const stop = (running: DevServerProcess | undefined) => running?.stop();

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

function post(body: unknown, token?: string): RequestInit {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return { method: "POST", headers, body: JSON.stringify(body) };
}

describe("the quick start (node --import tsx src/local/main.ts)", () => {
  let dataDir: string;
  let port: number;
  let running: DevServerProcess | undefined;
  const email = `first-run-${randomUUID()}@example.com`;
  const password = "correct horse battery";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "store-quick-start-"));
    port = await freePort();
  });

  let firstRunDone = false;

  // A failed test still leaves no process behind.
  afterEach(async () => {
    await stop(running);
    running = undefined;
  });

  afterAll(async () => {
    await stop(running);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("starts on the given port, serves the seeded catalogue and prints a curl line", async () => {
    running = await startQuickStart(port, dataDir);
    expect(running.url).toBe(`http://127.0.0.1:${port}`);
    expect(running.output()).toContain(`(store: SQLite at ${dataDir}/store.sqlite)`);

    const catalogue = await json<PageOf<ProductView>>(`${running.url}/products`);
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.items).toHaveLength(10);
    const bird = catalogue.body.items.find((p) => p.name === "Lonely Bird");
    expect(bird?.priceCents).toBe(2999);
    // The latest reviews, newest first.
    expect(bird?.comments.map((c) => c.author)).toEqual(["Mei Lin", "John Doe"]);

    // The curl line must work when pasted: same server, a path that answers.
    const curl = /curl -s (http:\/\/\S+)/.exec(running.output());
    expect(curl?.[1]).toBe(`${running.url}/products/lonely-bird`);
    const pasted = await json<ProductView>(curl?.[1] ?? "");
    expect(pasted.status).toBe(200);
    expect(pasted.body.name).toBe("Lonely Bird");

    const signup = await json(
      `${running.url}/auth/signup`,
      post({ email, password, name: "First Run" }),
    );
    expect(signup.status).toBe(202);
    const signedIn = await json<{ accessToken: string }>(
      `${running.url}/auth/login`,
      post({ email, password }),
    );
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.accessToken;
    const cart = await json(
      `${running.url}/cart`,
      post({ products: [{ id: "copper-kettle", quantity: 2 }] }, token),
    );
    expect(cart.status).toBe(200);
    const checkout = await json<OrderView>(`${running.url}/checkout`, {
      ...post(CHECKOUT_BODY, token),
      method: "PUT",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "first-run",
      },
    });
    expect(checkout.status).toBe(202);
    expect(checkout.body.totalCents).toBe(17800);

    // The request log is written in batches, at most 100 ms after its line.
    const server = running;
    await vi.waitFor(() => expect(server.output()).toMatch(/^GET \/products 200 \d+(\.\d+)?ms$/m));
    expect(await stop(running)).toEqual({ code: 0, signal: null });
    firstRunDone = true;
  });

  it("keeps users, orders and stock across a restart on the same DATA_DIR, seeding once", async () => {
    expect(firstRunDone, "the first run signed a user up and placed an order").toBe(true);
    running = await startQuickStart(port, dataDir);

    const login = await json<{ accessToken: string }>(
      `${running.url}/auth/login`,
      post({ email, password }),
    );
    expect(login.status).toBe(200);
    const token = login.body.accessToken;

    const orders = await json<PageOf<OrderView>>(`${running.url}/orders`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(orders.status).toBe(200);
    expect(orders.body.items.map((o) => o.totalCents)).toEqual([17800]);

    const catalogue = await json<PageOf<ProductView>>(`${running.url}/products`);
    expect(catalogue.body.items).toHaveLength(10);
    expect(new Set(catalogue.body.items.map((p) => p.id)).size).toBe(10);
    const bird = catalogue.body.items.find((p) => p.id === "lonely-bird");
    expect(bird?.comments).toHaveLength(2);
    expect(catalogue.body.items.find((p) => p.id === "copper-kettle")?.stock).toBe(5);
    expect(await stop(running)).toEqual({ code: 0, signal: null });
  });
});

describe("STORE=dynamodb npm start", () => {
  let running: DevServerProcess | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await stop(running);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("starts DynamoDB Local itself, serves the seeded catalogue, checks out, and stops it", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "store-quick-start-ddb-"));
    running = await startQuickStart(await freePort(), dataDir, { STORE: "dynamodb" });
    const endpoint = /DynamoDB table serverless-store at (http:\/\/127\.0\.0\.1:\d+)\)/.exec(
      running.output(),
    )?.[1];
    expect(endpoint).toBeDefined();

    const catalogue = await json<PageOf<ProductView>>(`${running.url}/products`);
    expect(catalogue.body.items.map((p) => p.id)).toContain("solid-friendship");
    expect(catalogue.body.items).toHaveLength(10);
    const credentials = { email: "dynamo@example.com", password: "correct horse battery" };
    await json(`${running.url}/auth/signup`, post(credentials));
    const signedIn = await json<{ accessToken: string }>(
      `${running.url}/auth/login`,
      post(credentials),
    );
    const token = signedIn.body.accessToken;
    await json(
      `${running.url}/cart`,
      post({ products: [{ id: "wool-throw", quantity: 3 }] }, token),
    );
    const checkout = await json<OrderView>(`${running.url}/checkout`, {
      ...post(CHECKOUT_BODY, token),
      method: "PUT",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "ddb-first",
      },
    });
    expect(checkout.status).toBe(202);
    expect(checkout.body.totalCents).toBe(20700);
    const product = await json<ProductView>(`${running.url}/products/wool-throw`);
    expect(product.body.stock).toBe(7);

    expect(await stop(running)).toEqual({ code: 0, signal: null });
    // The emulator went with the server: nothing answers on its port any more.
    await expect(fetch(endpoint ?? "")).rejects.toThrow();
  });
});

describe("a start that cannot succeed", () => {
  /** `src/local/main.ts` with no AWS variable and `env`: how it ended and what it printed. */
  function startFailing(env: Record<string, string>) {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")),
    );
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
      cwd: ROOT,
      env: { ...clean, LOG_REQUESTS: "false", ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it.each([
    [{ PORT: "eighty" }, /^serverless-store: invalid configuration: PORT: /],
    [
      { STORE: "dynamodb", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000", AWS_ACCESS_KEY_ID: "AKIA" },
      /^serverless-store: invalid configuration: AWS_SECRET_ACCESS_KEY: missing/,
    ],
  ])("stops with exit code 1 and one line naming the setting: %j", (env, line) => {
    const { status, stdout, stderr } = startFailing(env);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(line);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("names the DynamoDB endpoint that does not answer, in one line", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { status, stderr } = startFailing({ STORE: "dynamodb", DYNAMODB_ENDPOINT: endpoint });
    expect(status).toBe(1);
    expect(stderr.trimEnd()).toMatch(
      new RegExp(`^serverless-store: DynamoDB did not answer at DYNAMODB_ENDPOINT=${endpoint} `),
    );
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
