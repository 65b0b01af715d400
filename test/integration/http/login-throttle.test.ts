// Throttling without lockout: someone who knows an email can slow its owner by seconds at
// most, never shut them out; one client spraying guesses over many emails is slowed down.
import { beforeEach, describe, expect, it } from "vitest";
import { LOGIN_THROTTLE } from "../../../src/services/index.js";
import {
  createTestApp,
  DEFAULT_PASSWORD,
  expectProblem,
  manualClock,
  type TestApp,
} from "../../helpers/app.js";

const ATTACKER = "198.51.100.66";
const OWNER = "192.0.2.10";

let t: TestApp;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock("2026-05-01T12:00:00.000Z");
  t = await createTestApp({ clock });
  return () => t.close();
});

const login = (email: string, password: string, sourceIp: string) =>
  t.invoke({ method: "POST", resource: "/auth/login", body: { email, password }, sourceIp });

describe("the login throttle", () => {
  it("throttles guesses sent all at once as if they came one after the other", async () => {
    await t.signup("owner@example.com");
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, guess) =>
        login("owner@example.com", `guess ${guess}`, ATTACKER),
      ),
    );
    const checked = burst.filter((res) => res.statusCode === 401).length;
    // Only the email's free failures get their password checked; the rest wait their turn.
    expect(checked).toBeLessThanOrEqual(LOGIN_THROTTLE.perEmail.freeFailures + 1);
    expect(burst.filter((res) => res.statusCode === 429)).toHaveLength(20 - checked);
  });

  it("lets the owner in within seconds after a stranger's five wrong passwords", async () => {
    await t.signup("owner@example.com");
    for (let guess = 1; guess <= 5; guess++) {
      const res = await login("owner@example.com", `guess ${guess}`, ATTACKER);
      expect([401, 429]).toContain(res.statusCode);
    }
    const early = await login("owner@example.com", DEFAULT_PASSWORD, OWNER);
    if (early.statusCode === 429) {
      const wait = Number(early.headers["retry-after"]);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
      clock.advanceSeconds(wait);
    }
    expect((await login("owner@example.com", DEFAULT_PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it("never makes the owner wait longer than the email's ceiling, however many guesses", async () => {
    await t.signup("owner@example.com");
    let longest = 0;
    for (let guess = 1; guess <= 30; guess++) {
      // Each guess from its own address: only the email's count holds them back.
      const res = await login("owner@example.com", `guess ${guess}`, `198.51.100.${guess}`);
      if (res.statusCode === 429) {
        const wait = Number(res.headers["retry-after"]);
        longest = Math.max(longest, wait);
        clock.advanceSeconds(wait);
      }
    }
    expect(longest).toBe(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
    const owner = await login("owner@example.com", DEFAULT_PASSWORD, OWNER);
    const wait = owner.statusCode === 429 ? Number(owner.headers["retry-after"]) : 0;
    expect(wait).toBeLessThanOrEqual(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
    clock.advanceSeconds(wait);
    expect((await login("owner@example.com", DEFAULT_PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it("slows one client spraying one guess over many emails, and only that client", async () => {
    await t.signup("someone@example.com");
    const statuses: number[] = [];
    for (let n = 1; n <= LOGIN_THROTTLE.perClient.freeFailures + 5; n++) {
      const res = await login(`person-${n}@example.com`, "Summer2026!", ATTACKER);
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, LOGIN_THROTTLE.perClient.freeFailures)).toEqual(
      Array(LOGIN_THROTTLE.perClient.freeFailures).fill(401),
    );
    const refused = await login("person-99@example.com", "Summer2026!", ATTACKER);
    expectProblem(refused, 429, "TOO_MANY_REQUESTS");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // Another client is not held back by the spray.
    expect((await login("someone@example.com", DEFAULT_PASSWORD, OWNER)).statusCode).toBe(200);
  });
});
