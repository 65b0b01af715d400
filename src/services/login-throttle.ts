import { AppError } from "../domain/index.js";
import type { Clock } from "./ports.js";

/**
 * How failed sign-ins slow down. Each email and each client address has a count of failures;
 * past its free failures, every further one makes the next attempt wait twice as long, up to a
 * ceiling. The email's ceiling is a few seconds, so a guesser who knows someone's email can
 * delay them that long at most, never lock them out; the client's is longer, so one address
 * spraying guesses over many emails slows to one guess a minute. A count is forgotten
 * `forgetAfterSeconds` after its last failure and cleared by a success.
 */
export const LOGIN_THROTTLE = {
  perEmail: { freeFailures: 3, maxDelaySeconds: 4 },
  perClient: { freeFailures: 10, maxDelaySeconds: 60 },
  forgetAfterSeconds: 15 * 60,
  /** Counts kept per kind (emails, clients); the coldest one goes when a new one needs room. */
  maxTrackedKeys: 10_000,
};

interface Policy {
  freeFailures: number;
  maxDelaySeconds: number;
}

interface Failures {
  count: number;
  lastAtMs: number;
}

/** How many of the oldest counts are looked at to choose the one to drop. */
const EVICTION_SAMPLE = 64;

/** The wait after `count` failures: none while free, then 1 s, 2 s, 4 s... up to the ceiling. */
export const delaySecondsAfter = (count: number, policy: Policy): number =>
  count <= policy.freeFailures
    ? 0
    : Math.min(2 ** (count - policy.freeFailures - 1), policy.maxDelaySeconds);

/**
 * Failure counts of one kind, in this process's memory and bounded. Kept in order of last
 * failure (a Map iterates in insertion order; a failure re-inserts its key), so expired counts
 * are at the front. When a new key needs room, the lowest count among the oldest few goes: a
 * flood of single failures on fresh keys evicts other single failures, never a count that is
 * holding someone back.
 */
class FailureCounts {
  private readonly byKey = new Map<string, Failures>();

  constructor(
    private readonly policy: Policy,
    private readonly nowMs: () => number,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitMs(key: string): number {
    const entry = this.current(key);
    if (entry === undefined) return 0;
    const delayMs = delaySecondsAfter(entry.count, this.policy) * 1000;
    return Math.max(0, entry.lastAtMs + delayMs - this.nowMs());
  }

  recordFailure(key: string): void {
    const count = (this.current(key)?.count ?? 0) + 1;
    this.byKey.delete(key);
    if (this.byKey.size >= LOGIN_THROTTLE.maxTrackedKeys) this.makeRoom();
    this.byKey.set(key, { count, lastAtMs: this.nowMs() });
  }

  clear(key: string): void {
    this.byKey.delete(key);
  }

  /** Takes back one failure counted ahead of its outcome (the attempt succeeded). */
  forgetOne(key: string): void {
    const entry = this.current(key);
    if (entry === undefined) return;
    if (entry.count <= 1) this.byKey.delete(key);
    else entry.count -= 1;
  }

  private current(key: string): Failures | undefined {
    const entry = this.byKey.get(key);
    if (entry !== undefined && this.expired(entry)) {
      this.byKey.delete(key);
      return undefined;
    }
    return entry;
  }

  private expired(entry: Failures): boolean {
    return this.nowMs() - entry.lastAtMs >= LOGIN_THROTTLE.forgetAfterSeconds * 1000;
  }

  private makeRoom(): void {
    let coldest: [string, Failures] | undefined;
    let looked = 0;
    for (const [key, entry] of this.byKey) {
      if (this.expired(entry)) {
        this.byKey.delete(key);
        return;
      }
      if (coldest === undefined || entry.count < coldest[1].count) coldest = [key, entry];
      looked += 1;
      if (looked >= EVICTION_SAMPLE || entry.count === 1) break;
    }
    if (coldest !== undefined) this.byKey.delete(coldest[0]);
  }
}

/** Who is signing in: the normalized email, and the client's address when the edge knows it. */
export interface SignInAttempt {
  email: string;
  clientAddress?: string | undefined;
}

/**
 * The login throttle of the local user pool (`/auth/login` and the local Cognito endpoint
 * share it): per email and per client address, in this process's memory. Per instance by
 * design: it slows a guesser down without a store write on every failed login.
 */
export class LoginThrottle {
  private readonly emails: FailureCounts;
  private readonly clients: FailureCounts;

  constructor(clock: Clock) {
    const nowMs = () => clock.now().getTime();
    this.emails = new FailureCounts(LOGIN_THROTTLE.perEmail, nowMs);
    this.clients = new FailureCounts(LOGIN_THROTTLE.perClient, nowMs);
  }

  /** TOO_MANY_REQUESTS, with the seconds to wait, while the email or the client must wait. */
  assertAllowed(attempt: SignInAttempt): void {
    const waitMs = Math.max(
      this.emails.waitMs(attempt.email),
      attempt.clientAddress === undefined ? 0 : this.clients.waitMs(attempt.clientAddress),
    );
    if (waitMs > 0) {
      throw new AppError("TOO_MANY_REQUESTS", "too many failed sign-ins; wait and try again", {
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
    }
  }

  /**
   * Lets the attempt through or refuses it (`assertAllowed`), and counts it as a failure at once,
   * before its password is checked: attempts sent together are then throttled as they arrive,
   * not after the first of them has failed. `recordSuccess` takes the count back.
   */
  admit(attempt: SignInAttempt): void {
    this.assertAllowed(attempt);
    this.emails.recordFailure(attempt.email);
    if (attempt.clientAddress !== undefined) this.clients.recordFailure(attempt.clientAddress);
  }

  /**
   * A success clears the email's count and takes back the client's count of this attempt; the
   * client's earlier failures stay (they decay with time), so signing in to an account of one's
   * own does not reset a spray.
   */
  recordSuccess(attempt: SignInAttempt): void {
    this.emails.clear(attempt.email);
    if (attempt.clientAddress !== undefined) this.clients.forgetOne(attempt.clientAddress);
  }
}
