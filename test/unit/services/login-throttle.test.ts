// The throttle's counts are bounded, but a flood of failures on other keys cannot push out
// the count that holds a guesser back.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import { LOGIN_THROTTLE, LoginThrottle } from "../../../src/services/login-throttle.js";
import { manualClock } from "../../helpers/app.js";

const refusal = (run: () => void): AppError | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
};

describe("LoginThrottle", () => {
  it("keeps a victim's count through 10,000 failed attempts on other emails from other clients", () => {
    const clock = manualClock("2026-05-01T12:00:00.000Z");
    const throttle = new LoginThrottle(clock);
    const victim = { email: "victim@example.com", clientAddress: "198.51.100.1" };
    for (let i = 0; i < 5; i++) refusal(() => throttle.admit(victim));
    expect(refusal(() => throttle.assertAllowed(victim))?.code).toBe("TOO_MANY_REQUESTS");

    for (let i = 0; i < LOGIN_THROTTLE.maxTrackedKeys; i++) {
      refusal(() =>
        throttle.admit({ email: `other-${i}@example.com`, clientAddress: `10.0.${i}` }),
      );
    }

    const stillHeld = refusal(() => throttle.assertAllowed({ email: victim.email }));
    expect(stillHeld?.code).toBe("TOO_MANY_REQUESTS");
    expect(stillHeld?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("forgets a count once its last failure is old, and a success clears the email's", () => {
    const clock = manualClock("2026-05-01T12:00:00.000Z");
    const throttle = new LoginThrottle(clock);
    const attempt = { email: "a@example.com", clientAddress: "192.0.2.1" };
    for (let i = 0; i < 6; i++) refusal(() => throttle.admit(attempt));
    expect(refusal(() => throttle.assertAllowed(attempt))).toBeDefined();
    clock.advanceSeconds(LOGIN_THROTTLE.forgetAfterSeconds);
    expect(refusal(() => throttle.assertAllowed(attempt))).toBeUndefined();

    for (let i = 0; i < 6; i++) refusal(() => throttle.admit({ email: attempt.email }));
    throttle.recordSuccess({ email: attempt.email });
    expect(refusal(() => throttle.assertAllowed({ email: attempt.email }))).toBeUndefined();
  });
});
