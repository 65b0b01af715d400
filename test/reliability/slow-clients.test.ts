import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLOW_CLIENT_LIMITS } from "../../src/local/dev-server.js";
import { signUpAndSignIn } from "../helpers/accounts.js";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server.js";
import { recordFigure } from "./figures.js";
import { summary } from "./harness.js";
import { dripsBody, neverFinishesHeaders } from "./slow-clients.js";

// Slow clients against the dev server (on SQLite): one that never finishes its headers and one
// that sends its body a byte per 100 ms hold their sockets only until the server's limits, and
// everyone else is answered meanwhile. The limits are shortened here (1 s and 2 s) so the test
// is quick; `npm run soak` runs the same clients against `npm start`'s defaults.

const LIMITS = { headersMs: 1000, requestMs: 2000, checkEveryMs: 200 };
let dataDir: string;
let loop: LoopbackServer;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "slow-clients-"));
  loop = await startLoopbackServer(
    { STORE: "sqlite", DATA_DIR: dataDir, LOG_REQUESTS: "false" },
    { server: { slowClients: LIMITS } },
  );
  token = await signUpAndSignIn(loop.server.url, "slow@example.com");
});

afterAll(async () => {
  await loop?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe("slow clients against the dev server", () => {
  it("has limits on headers and whole requests by default, far below Node's 60 s and 5 min", async () => {
    const defaults = await startLoopbackServer({ STORE: "memory", LOG_REQUESTS: "false" });
    try {
      expect(defaults.server.server.headersTimeout).toBe(SLOW_CLIENT_LIMITS.headersMs);
      expect(defaults.server.server.requestTimeout).toBe(SLOW_CLIENT_LIMITS.requestMs);
      expect(SLOW_CLIENT_LIMITS.headersMs).toBeLessThan(60_000);
      expect(SLOW_CLIENT_LIMITS.requestMs).toBeLessThan(300_000);
    } finally {
      await defaults.close();
    }
  });

  it("closes both slow clients at its limits and keeps answering everyone else", async () => {
    const giveUpMs = 15_000;
    const slowHeaders = neverFinishesHeaders(loop.server.url, 100, giveUpMs);
    const slowBody = dripsBody(loop.server.url, token, 400, 100, giveUpMs);
    let slowDone = false;
    const both = Promise.all([slowHeaders, slowBody]).finally(() => {
      slowDone = true;
    });
    const latencies: number[] = [];
    const statuses = new Set<number>();
    while (!slowDone) {
      const started = performance.now();
      const res = await fetch(`${loop.server.url}/products?limit=5`);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses.add(res.status);
      await sleep(50);
    }
    const [headers, body] = await both;

    // Closed by the server at its limit (plus one check interval), long before the client was done.
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(LIMITS.headersMs - 50);
    expect(headers.closedAfterMs).toBeLessThan(giveUpMs);
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(LIMITS.requestMs - 50);
    expect(body.closedAfterMs).toBeLessThan(giveUpMs);
    expect(body.bytesSent).toBeLessThan(400);
    expect(headers.answer).toBe("HTTP/1.1 408 Request Timeout");
    expect(body.answer).toBe("HTTP/1.1 408 Request Timeout");
    // Everyone else was answered all along.
    expect([...statuses]).toEqual([200]);
    const { max, n } = summary(latencies);
    recordFigure(
      "slow_clients_header_closed_ms",
      headers.closedAfterMs.toFixed(0),
      `ms (limit ${LIMITS.headersMs})`,
    );
    recordFigure(
      "slow_clients_body_closed_ms",
      body.closedAfterMs.toFixed(0),
      `ms (limit ${LIMITS.requestMs})`,
    );
    recordFigure("slow_clients_others_answered", n);
    recordFigure("slow_clients_others_max_ms", max.toFixed(1), "ms");
    // Nothing of the half-sent body reached the store.
    const cart = await fetch(`${loop.server.url}/cart`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await cart.json()) as { version: number }).version).toBe(0);
  });
});
