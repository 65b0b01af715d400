import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTypesOf } from "../../scripts/api-types.js";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

const DIR = join(import.meta.dirname, "generated-client");

/** What generated-client/journey.ts exports; its own strict type-check is the test below. */
interface JourneyModule {
  runJourney(
    baseUrl: string,
    email: string,
  ): Promise<{
    productsSeen: number;
    reviewsRead: number;
    reviewCount: number;
    replayed: boolean;
    ordersListed: string[];
    orderId: string;
    orderTotalCents: number;
  }>;
  runGuestJourney(baseUrl: string): Promise<{
    quotedTotalCents: number;
    orderTotalCents: number;
    openedStatus: string;
    wrongTokenStatus: number;
    replayedSameToken: boolean;
  }>;
}

// What issue 12 found: a client generated from the document typed every answer `unknown`, so
// a strict program needed casts. Now types are generated from the served document and a strict
// program with no casts and no `any` (generated-client/journey.ts) type-checks and runs.
describe("a client generated from /openapi.json (openapi-typescript + openapi-fetch)", () => {
  let app: App;
  let server: DevServer;

  beforeAll(async () => {
    ({ app, server } = await startLoopbackServer(
      { STORE: "memory" },
      { compose: { orderEvents: "in-process" } },
    ));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  it("type-checks the journey under strict tsc with no casts and no any", async () => {
    const types = await apiTypesOf(new URL(`${server.url}/openapi.json`));
    await writeFile(join(DIR, "api.d.ts"), types);
    const source = (await readFile(join(DIR, "journey.ts"), "utf8")).replace(/^\s*\/\/.*$/gm, "");
    expect(source).not.toMatch(/\bas\s+(?!const\b)[A-Za-z{[]|\bany\b|[=(,]\s*<[A-Za-z]+>|@ts-/);
    const tsc = promisify(execFile)("npx", [
      "--no-install",
      "tsc",
      "-p",
      join(DIR, "tsconfig.json"),
    ]);
    await expect(tsc).resolves.toBeDefined();
  }, 120_000);

  it("runs the journey: sign-up, products, a guest cart merged, checkout replayed, orders", async () => {
    // Loaded by URL: a literal import would put journey.ts, and so the generated api.d.ts, into
    // the project's own type-check, which runs before this test has generated it.
    const { runJourney } = (await import(
      pathToFileURL(join(DIR, "journey.ts")).href
    )) as JourneyModule;
    const result = await runJourney(server.url, `${randomUUID()}@example.com`);
    expect(result.productsSeen).toBe(10);
    expect(result.reviewsRead).toBe(result.reviewCount);
    expect(result.reviewCount).toBeGreaterThan(0);
    expect(result.replayed).toBe(true);
    expect(result.ordersListed).toEqual([result.orderId]);
    expect(result.orderTotalCents).toBeGreaterThan(0);
  });

  it("runs a guest's checkout: quote, order, its retry, opened by its token only", async () => {
    const { runGuestJourney } = (await import(
      pathToFileURL(join(DIR, "journey.ts")).href
    )) as JourneyModule;
    const result = await runGuestJourney(server.url);
    // 1999 + 690 Standard + 19 % of 1999 (379.81 -> 380) added on top.
    expect(result.quotedTotalCents).toBe(3069);
    expect(result.orderTotalCents).toBe(result.quotedTotalCents);
    expect(["PLACED", "PROCESSING", "COMPLETED"]).toContain(result.openedStatus);
    expect(result.wrongTokenStatus).toBe(404);
    expect(result.replayedSameToken).toBe(true);
  });
});
