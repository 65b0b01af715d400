import { randomInt } from "node:crypto";
import { AppError, defaultDisplayName, normalizeEmail, type User } from "../domain/index.js";
import { LoginThrottle, type SignInAttempt } from "./login-throttle.js";
import type {
  Clock,
  IdGenerator,
  IssuedToken,
  PasswordHasher,
  SessionTokens,
  Store,
  TokenIssuer,
} from "./ports.js";

export interface Credentials {
  email: string;
  password: string;
  /** The client's address (API Gateway's `sourceIp`): failed sign-ins slow down per address too. */
  clientAddress?: string | undefined;
}

export interface SignupInput extends Credentials {
  name?: string | undefined;
}

/** What a sign-up answers, for a new and a registered email alike. */
export interface SignupAccepted {
  email: string;
  message: string;
}

const SIGNUP_ACCEPTED =
  "if this email had no account, it has one now: sign in with POST /auth/login";

/** A sign-up waiting for its code; the caller delivers `code` (the dev server prints it). */
export interface PendingSignup {
  /** The id the user will have once confirmed (Cognito's `UserSub`). */
  userSub: string;
  email: string;
  code: string;
}

export interface UserProfile {
  sub: string;
  email: string;
  name: string;
}

export interface AuthService {
  /**
   * Registers a user unless the email is registered already, and answers the same either way
   * (the same work, the same answer): sign-up tells nobody whether an email has an account.
   * The new user signs in with `login`.
   */
  signup(input: SignupInput): Promise<SignupAccepted>;
  /** The same UNAUTHENTICATED for an unknown email and a wrong password. */
  login(input: Credentials): Promise<IssuedToken>;
  jwks(): Promise<{ keys: object[] }>;

  // The local user pool: Cognito's sign-up with a confirmation code, for the dev server.

  /**
   * Keeps a sign-up in memory until its code confirms it; the user is created only then. A new
   * sign-up of the same unconfirmed email replaces the old one (and its code). INVALID_PASSWORD
   * below the pool's policy, EMAIL_TAKEN when the email is registered.
   */
  registerPending(input: SignupInput): Promise<PendingSignup>;
  /**
   * Creates the user of a pending sign-up. CODE_MISMATCH for a wrong code (or no sign-up to
   * confirm), CODE_EXPIRED after 24 h or once too many wrong codes were tried, ALREADY_CONFIRMED
   * when the email is registered.
   */
  confirm(input: { email: string; code: string }): Promise<void>;
  /**
   * Access, ID and refresh tokens for an email and password, under the login throttle.
   * UNAUTHENTICATED for an unknown email or a wrong password, USER_NOT_CONFIRMED for the right
   * password of a sign-up not yet confirmed.
   */
  passwordSignIn(input: Credentials): Promise<SessionTokens>;
  /** New access and ID tokens; UNAUTHENTICATED when the token is not valid or its user is gone. */
  refresh(refreshToken: string): Promise<SessionTokens>;
  /** NOT_FOUND when the user no longer exists. */
  getUser(userId: string): Promise<UserProfile>;
}

/** Why the local user pool refused, beyond the store's codes; the Cognito endpoint names each. */
export type UserPoolRefusal =
  | "INVALID_PASSWORD"
  | "CODE_MISMATCH"
  | "CODE_EXPIRED"
  | "ALREADY_CONFIRMED"
  | "USER_NOT_CONFIRMED";

/**
 * A refusal of the local user pool that the API's error codes have no word for; only the local
 * Cognito endpoint sees it. The message is Cognito's own, so a page shows the same text locally.
 */
export class UserPoolError extends Error {
  override readonly name = "UserPoolError";
  constructor(
    readonly code: UserPoolRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The deployed user pool's password policy (`PasswordPolicy` in deploy/serverless-descriptor.ts). */
export const PASSWORD_POLICY = { minLength: 12, maxLength: 256 };

export const PENDING_SIGNUPS = {
  codeTtlSeconds: 24 * 60 * 60,
  maxCodeAttempts: 5,
  maxPending: 10_000,
};

interface Pending {
  userSub: string;
  email: string;
  name: string;
  passwordHash: string;
  codeHash: string;
  expiresAtMs: number;
  /** Codes tried so far; past `maxCodeAttempts` the code is spent. */
  attempts: number;
}

/**
 * Sign-ups waiting for their code, in this process's memory: the user is created only when
 * confirmed, so the store needs no unconfirmed state; a restart forgets them (the dev server
 * says so). Bounded: past `maxPending` the oldest is dropped.
 */
class PendingSignups {
  private readonly byEmail = new Map<string, Pending>();

  get(email: string): Pending | undefined {
    return this.byEmail.get(email);
  }

  put(entry: Pending): void {
    this.byEmail.delete(entry.email);
    if (this.byEmail.size >= PENDING_SIGNUPS.maxPending) {
      const oldest = this.byEmail.keys().next().value;
      if (oldest !== undefined) this.byEmail.delete(oldest);
    }
    this.byEmail.set(entry.email, entry);
  }

  /** Removes `entry` unless a newer sign-up of its email replaced it meanwhile. */
  remove(entry: Pending): void {
    if (this.byEmail.get(entry.email) === entry) this.byEmail.delete(entry.email);
  }
}

const INCORRECT_CREDENTIALS = "Incorrect username or password.";

const attemptOf = (input: Credentials): SignInAttempt => ({
  email: normalizeEmail(input.email),
  clientAddress: input.clientAddress,
});
const INVALID_REFRESH_TOKEN = "Invalid Refresh Token";
const CODE_MISMATCH_MESSAGE = "Invalid verification code provided, please try again.";

export function createAuthService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
}): AuthService {
  const { store, clock, ids, passwords, tokens } = deps;
  const throttle = new LoginThrottle(clock);
  const pending = new PendingSignups();
  // Verifying against a real hash when the email is unknown keeps both failures equally slow.
  // Made on the first sign-in, not here: every function builds this service, none in AWS signs
  // anyone in, and an scrypt hash costs a cold start more than all the rest (BENCHMARKS.md).
  let dummy: Promise<string> | undefined;
  const dummyHash = (): Promise<string> => {
    dummy ??= passwords.hash("not-a-password-of-anyone");
    return dummy;
  };
  const nowMs = () => clock.now().getTime();

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
      try {
        await store.createUser(user);
      } catch (error) {
        // A registered email gets the answer a new one gets; its account is left as it is.
        if (!(error instanceof AppError && error.code === "EMAIL_TAKEN")) throw error;
      }
      return { email, message: SIGNUP_ACCEPTED };
    },

    async login(input) {
      const attempt = attemptOf(input);
      throttle.admit(attempt);
      // Waited for by every sign-in, known email or not, so the first is as slow for both.
      const fallback = await dummyHash();
      const user = await store.findUserByEmail(attempt.email);
      const ok = await passwords.verify(input.password, user?.passwordHash ?? fallback);
      if (user === undefined || !ok) {
        throw new AppError("UNAUTHENTICATED", "the email or the password is wrong");
      }
      throttle.recordSuccess(attempt);
      return tokens.issue(user);
    },

    jwks: () => tokens.jwks(),

    async registerPending(input) {
      const email = normalizeEmail(input.email);
      if (input.password.length < PASSWORD_POLICY.minLength) {
        throw new UserPoolError(
          "INVALID_PASSWORD",
          "Password did not conform with policy: Password not long enough",
        );
      }
      if (input.password.length > PASSWORD_POLICY.maxLength) {
        throw new UserPoolError(
          "INVALID_PASSWORD",
          "Password did not conform with policy: Password is too long",
        );
      }
      if ((await store.findUserByEmail(email)) !== undefined) {
        throw new AppError("EMAIL_TAKEN", "User already exists");
      }
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      const [passwordHash, codeHash] = await Promise.all([
        passwords.hash(input.password),
        // Hashed like a password: the code is a short secret, kept only as long as it is valid.
        passwords.hash(code),
      ]);
      const entry: Pending = {
        userSub: ids.newId(),
        email,
        name: input.name?.trim() || defaultDisplayName(email),
        passwordHash,
        codeHash,
        expiresAtMs: nowMs() + PENDING_SIGNUPS.codeTtlSeconds * 1000,
        attempts: 0,
      };
      pending.put(entry);
      return { userSub: entry.userSub, email, code };
    },

    async confirm(input) {
      const email = normalizeEmail(input.email);
      const entry = pending.get(email);
      if (entry === undefined) {
        if ((await store.findUserByEmail(email)) !== undefined) {
          throw new UserPoolError(
            "ALREADY_CONFIRMED",
            "User cannot be confirmed. Current status is CONFIRMED",
          );
        }
        // As Cognito with user existence errors prevented: no word on whether the email exists.
        throw new UserPoolError("CODE_MISMATCH", CODE_MISMATCH_MESSAGE);
      }
      if (nowMs() >= entry.expiresAtMs || entry.attempts >= PENDING_SIGNUPS.maxCodeAttempts) {
        throw new UserPoolError(
          "CODE_EXPIRED",
          "Invalid code provided, please request a code again.",
        );
      }
      // Counted before the (slow) check, so concurrent guesses cannot outrun the limit.
      entry.attempts += 1;
      if (!(await passwords.verify(input.code, entry.codeHash))) {
        throw new UserPoolError("CODE_MISMATCH", CODE_MISMATCH_MESSAGE);
      }
      // Out of the map before the write: a second confirmation racing this one finds nothing.
      pending.remove(entry);
      const user: User = {
        id: entry.userSub,
        email,
        name: entry.name,
        passwordHash: entry.passwordHash,
        createdAt: clock.now().toISOString(),
      };
      try {
        await store.createUser(user);
      } catch (error) {
        // The store failed, not the code: keep the sign-up so the same code can be tried again.
        if (
          !(error instanceof AppError && error.code === "EMAIL_TAKEN") &&
          pending.get(email) === undefined
        ) {
          pending.put(entry);
        }
        throw error;
      }
    },

    async passwordSignIn(input) {
      const attempt = attemptOf(input);
      throttle.admit(attempt);
      const fallback = await dummyHash();
      const user = await store.findUserByEmail(attempt.email);
      const waiting = user === undefined ? pending.get(attempt.email) : undefined;
      const hash = user?.passwordHash ?? waiting?.passwordHash ?? fallback;
      const ok = await passwords.verify(input.password, hash);
      if (!ok || (user === undefined && waiting === undefined)) {
        throw new AppError("UNAUTHENTICATED", INCORRECT_CREDENTIALS);
      }
      throttle.recordSuccess(attempt);
      if (user === undefined) {
        throw new UserPoolError("USER_NOT_CONFIRMED", "User is not confirmed.");
      }
      return tokens.issueSession(user, { withRefreshToken: true });
    },

    async refresh(refreshToken) {
      const userId = await tokens.verifyRefreshToken(refreshToken);
      const user = userId === undefined ? undefined : await store.getUser(userId);
      if (user === undefined) throw new AppError("UNAUTHENTICATED", INVALID_REFRESH_TOKEN);
      return tokens.issueSession(user, { withRefreshToken: false });
    },

    async getUser(userId) {
      const user = await store.getUser(userId);
      if (user === undefined) throw new AppError("NOT_FOUND", "User does not exist.");
      return { sub: user.id, email: user.email, name: user.name };
    },
  };
}
