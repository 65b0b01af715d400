import { AppError, defaultDisplayName, normalizeEmail, type User } from "../domain/index.js";
import type { Store } from "../store/index.js";
import type { Clock, IdGenerator, IssuedToken, PasswordHasher, TokenIssuer } from "./ports.js";

export interface Credentials {
  email: string;
  password: string;
}

export interface SignupInput extends Credentials {
  name?: string | undefined;
}

export interface AuthService {
  /** Registers a user and signs them in. EMAIL_TAKEN when the email is registered already. */
  signup(input: SignupInput): Promise<IssuedToken>;
  /** The same UNAUTHENTICATED for an unknown email and a wrong password. */
  login(input: Credentials): Promise<IssuedToken>;
  jwks(): Promise<{ keys: object[] }>;
}

export const LOGIN_THROTTLE = { maxFailures: 5, windowSeconds: 15 * 60, maxTrackedEmails: 10_000 };

/**
 * Counts failed logins per email in this process's memory and refuses further attempts once
 * `maxFailures` is reached within the window. Per instance by design: it slows a password
 * guesser down without a store write on every failed login.
 */
class LoginThrottle {
  private readonly failures = new Map<string, { count: number; firstAtMs: number }>();

  constructor(private readonly clock: Clock) {}

  assertAllowed(email: string): void {
    const entry = this.current(email);
    if (entry !== undefined && entry.count >= LOGIN_THROTTLE.maxFailures) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((entry.firstAtMs + LOGIN_THROTTLE.windowSeconds * 1000 - this.nowMs()) / 1000),
      );
      throw new AppError("TOO_MANY_REQUESTS", "too many failed logins for this email; wait", {
        retryAfterSeconds,
      });
    }
  }

  recordFailure(email: string): void {
    const entry = this.current(email);
    if (entry !== undefined) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= LOGIN_THROTTLE.maxTrackedEmails) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(email, { count: 1, firstAtMs: this.nowMs() });
  }

  clear(email: string): void {
    this.failures.delete(email);
  }

  private current(email: string) {
    const entry = this.failures.get(email);
    if (entry === undefined) return undefined;
    if (this.nowMs() - entry.firstAtMs >= LOGIN_THROTTLE.windowSeconds * 1000) {
      this.failures.delete(email);
      return undefined;
    }
    return entry;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}

export function createAuthService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
}): AuthService {
  const { store, clock, ids, passwords, tokens } = deps;
  const throttle = new LoginThrottle(clock);
  // Verifying against a real hash when the email is unknown keeps both failures equally slow.
  const dummyHash = passwords.hash("not-a-password-of-anyone");

  return {
    async signup(input) {
      const email = normalizeEmail(input.email);
      const user: User = {
        id: ids.newId(),
        email,
        name: input.name?.trim() || defaultDisplayName(email),
        passwordHash: await passwords.hash(input.password),
        createdAt: clock.now().toISOString(),
      };
      return tokens.issue(await store.createUser(user));
    },

    async login(input) {
      const email = normalizeEmail(input.email);
      throttle.assertAllowed(email);
      const user = await store.findUserByEmail(email);
      const ok = await passwords.verify(input.password, user?.passwordHash ?? (await dummyHash));
      if (user === undefined || !ok) {
        throttle.recordFailure(email);
        throw new AppError("UNAUTHENTICATED", "the email or the password is wrong");
      }
      throttle.clear(email);
      return tokens.issue(user);
    },

    jwks: () => tokens.jwks(),
  };
}
