import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { describeArchitecture, USER_POOL_ID } from "../../../src/deploy/index.js";
import type { AppError } from "../../../src/domain/index.js";
import { createLocalTokenIssuer } from "../../../src/identity/local-token-issuer.js";
import { scryptPasswords } from "../../../src/identity/scrypt-passwords.js";
import { createLocalTokenVerifier } from "../../../src/identity/token-verifier.js";
import { createAuthService } from "../../../src/services/auth.js";
import {
  type AuthService,
  LOGIN_THROTTLE,
  PASSWORD_POLICY,
  PENDING_SIGNUPS,
  type TokenIssuer,
  type TokenVerifier,
  UserPoolError,
  type UserPoolRefusal,
} from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { DEFAULT_PASSWORD, manualClock, TEST_CLIENT_ID, TEST_ISSUER } from "../../helpers/app.js";
import { appErrorOf } from "../../helpers/errors.js";
import { createSigningKey, mintToken, type SigningKey, withKeyFile } from "../../helpers/tokens.js";

const key: Promise<SigningKey> = createSigningKey();

let auth: AuthService;
let store: MemoryStore;
let tokens: TokenIssuer;
let verifier: TokenVerifier;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  store = new MemoryStore();
  clock = manualClock("2026-03-01T10:00:00Z");
  tokens = await withKeyFile(await key, (keyFile) =>
    createLocalTokenIssuer({
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      ttlSeconds: 3600,
      keyFile,
    }),
  );
  verifier = createLocalTokenVerifier({
    issuer: TEST_ISSUER,
    clientId: TEST_CLIENT_ID,
    jwks: () => tokens.jwks(),
  });
  auth = createAuthService({
    store,
    clock,
    ids: { newId: () => randomUUID() },
    passwords: scryptPasswords,
    tokens,
  });
});

const newEmail = () => `shopper-${randomUUID().slice(0, 8)}@example.com`;

async function refusalOf(promise: Promise<unknown>): Promise<UserPoolRefusal> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UserPoolError);
  return (error as UserPoolError).code;
}

async function signUpAndConfirm(email = newEmail(), name?: string) {
  const pending = await auth.registerPending({ email, password: DEFAULT_PASSWORD, name });
  await auth.confirm({ email, code: pending.code });
  return pending;
}

describe("registerPending and confirm", () => {
  it("keeps the sign-up out of the store until its code confirms it, then creates the user", async () => {
    const pending = await auth.registerPending({
      email: "Ada@Example.com",
      password: DEFAULT_PASSWORD,
      name: " Ada ",
    });

    expect(pending.email).toBe("ada@example.com");
    expect(pending.code).toMatch(/^\d{6}$/);
    expect(await store.findUserByEmail("ada@example.com")).toBeUndefined();

    await auth.confirm({ email: "ADA@example.com", code: pending.code });

    const user = await store.findUserByEmail("ada@example.com");
    expect(user).toMatchObject({ id: pending.userSub, email: "ada@example.com", name: "Ada" });
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(user?.createdAt).toBe("2026-03-01T10:00:00.000Z");
  });

  it("names a user without a name after the email", async () => {
    const pending = await signUpAndConfirm("grace@example.com");
    expect(await auth.getUser(pending.userSub)).toEqual({
      sub: pending.userSub,
      email: "grace@example.com",
      name: "grace",
    });
  });

  it("holds passwords to the deployed pool's policy", async () => {
    const pool = describeArchitecture("monolith").resources[USER_POOL_ID];
    const policies = pool?.Properties.Policies as { PasswordPolicy: { MinimumLength: number } };
    expect(PASSWORD_POLICY.minLength).toBe(policies.PasswordPolicy.MinimumLength);

    const short = "x".repeat(PASSWORD_POLICY.minLength - 1);
    expect(await refusalOf(auth.registerPending({ email: newEmail(), password: short }))).toBe(
      "INVALID_PASSWORD",
    );
    const long = "x".repeat(PASSWORD_POLICY.maxLength + 1);
    expect(await refusalOf(auth.registerPending({ email: newEmail(), password: long }))).toBe(
      "INVALID_PASSWORD",
    );
  });

  it("refuses a registered email with EMAIL_TAKEN", async () => {
    const { email } = await signUpAndConfirm();
    const error = await appErrorOf(
      auth.registerPending({ email: email.toUpperCase(), password: DEFAULT_PASSWORD }),
    );
    expect(error.code).toBe("EMAIL_TAKEN");
  });

  it("answers CODE_MISMATCH to a wrong code and CODE_EXPIRED once too many were tried", async () => {
    const email = newEmail();
    const { code } = await auth.registerPending({ email, password: DEFAULT_PASSWORD });
    const wrong = code === "000000" ? "000001" : "000000";

    for (let attempt = 1; attempt <= PENDING_SIGNUPS.maxCodeAttempts; attempt++) {
      expect(await refusalOf(auth.confirm({ email, code: wrong }))).toBe("CODE_MISMATCH");
    }
    // The right code no longer helps: a new sign-up sends a new one.
    expect(await refusalOf(auth.confirm({ email, code }))).toBe("CODE_EXPIRED");
    expect(await store.findUserByEmail(email)).toBeUndefined();
  });

  it("counts concurrent guesses against the limit", async () => {
    const email = newEmail();
    const { code } = await auth.registerPending({ email, password: DEFAULT_PASSWORD });
    const wrong = code === "000000" ? "000001" : "000000";
    const guesses = Array.from({ length: PENDING_SIGNUPS.maxCodeAttempts * 2 }, () =>
      refusalOf(auth.confirm({ email, code: wrong })),
    );
    const refusals = await Promise.all(guesses);
    expect(refusals.filter((r) => r === "CODE_MISMATCH")).toHaveLength(
      PENDING_SIGNUPS.maxCodeAttempts,
    );
    expect(refusals.filter((r) => r === "CODE_EXPIRED")).toHaveLength(
      PENDING_SIGNUPS.maxCodeAttempts,
    );
  });

  it("answers CODE_EXPIRED 24 hours after the sign-up", async () => {
    const email = newEmail();
    const { code } = await auth.registerPending({ email, password: DEFAULT_PASSWORD });
    clock.advanceSeconds(PENDING_SIGNUPS.codeTtlSeconds);
    expect(await refusalOf(auth.confirm({ email, code }))).toBe("CODE_EXPIRED");
  });

  it("replaces an unconfirmed sign-up of the same email, and its code", async () => {
    const email = newEmail();
    const first = await auth.registerPending({ email, password: DEFAULT_PASSWORD });
    let second = await auth.registerPending({ email, password: `${DEFAULT_PASSWORD}!` });
    while (second.code === first.code) {
      second = await auth.registerPending({ email, password: `${DEFAULT_PASSWORD}!` });
    }

    expect(await refusalOf(auth.confirm({ email, code: first.code }))).toBe("CODE_MISMATCH");
    await auth.confirm({ email, code: second.code });
    expect((await store.findUserByEmail(email))?.id).toBe(second.userSub);
  });

  it("says nothing about an email with no sign-up, and ALREADY_CONFIRMED for a registered one", async () => {
    expect(await refusalOf(auth.confirm({ email: newEmail(), code: "123456" }))).toBe(
      "CODE_MISMATCH",
    );
    const { email, code } = await signUpAndConfirm();
    expect(await refusalOf(auth.confirm({ email, code }))).toBe("ALREADY_CONFIRMED");
  });
});

describe("passwordSignIn", () => {
  it("answers an access token the API accepts, an ID token and a refresh token", async () => {
    const { email, userSub } = await signUpAndConfirm(newEmail(), "Ada");

    const session = await auth.passwordSignIn({ email, password: DEFAULT_PASSWORD });

    expect(session).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 });
    expect(await verifier.verify(session.accessToken)).toEqual({
      userId: userSub,
      username: "Ada",
      groups: [],
    });
    expect(decodeJwt(session.accessToken)).toMatchObject({
      token_use: "access",
      client_id: TEST_CLIENT_ID,
      username: "Ada",
      sub: userSub,
    });
    expect(decodeJwt(session.idToken)).toMatchObject({
      token_use: "id",
      aud: TEST_CLIENT_ID,
      iss: TEST_ISSUER,
      sub: userSub,
      email,
      name: "Ada",
    });
    expect(session.refreshToken).toEqual(expect.any(String));
  });

  it("refuses the ID and refresh tokens where an access token is expected", async () => {
    const { email } = await signUpAndConfirm();
    const session = await auth.passwordSignIn({ email, password: DEFAULT_PASSWORD });

    for (const token of [session.idToken, session.refreshToken ?? ""]) {
      expect((await appErrorOf(verifier.verify(token))).code).toBe("UNAUTHENTICATED");
    }
  });

  it("answers USER_NOT_CONFIRMED for the right password of an unconfirmed sign-up only", async () => {
    const email = newEmail();
    await auth.registerPending({ email, password: DEFAULT_PASSWORD });

    expect(await refusalOf(auth.passwordSignIn({ email, password: DEFAULT_PASSWORD }))).toBe(
      "USER_NOT_CONFIRMED",
    );
    const wrong = await appErrorOf(auth.passwordSignIn({ email, password: "not the password" }));
    expect(wrong.code).toBe("UNAUTHENTICATED");
  });

  it("answers the same UNAUTHENTICATED to an unknown email and to a wrong password", async () => {
    const { email } = await signUpAndConfirm();
    const errors: AppError[] = [
      await appErrorOf(auth.passwordSignIn({ email: newEmail(), password: DEFAULT_PASSWORD })),
      await appErrorOf(auth.passwordSignIn({ email, password: "not the password" })),
    ];
    for (const error of errors) {
      expect({ code: error.code, message: error.message }).toEqual({
        code: "UNAUTHENTICATED",
        message: "Incorrect username or password.",
      });
    }
  });

  it("shares the per-email login throttle with /auth/login", async () => {
    const { email } = await signUpAndConfirm();
    // The free failures and one more, through both doors: the next attempt must wait.
    for (let i = 0; i < LOGIN_THROTTLE.perEmail.freeFailures; i++) {
      await appErrorOf(auth.login({ email, password: "not the password" }));
    }
    await appErrorOf(auth.passwordSignIn({ email, password: "not the password" }));

    const throttled = await appErrorOf(auth.passwordSignIn({ email, password: DEFAULT_PASSWORD }));
    expect(throttled.code).toBe("TOO_MANY_REQUESTS");
    expect((await appErrorOf(auth.login({ email, password: DEFAULT_PASSWORD }))).code).toBe(
      "TOO_MANY_REQUESTS",
    );

    clock.advanceSeconds(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
    await expect(auth.passwordSignIn({ email, password: DEFAULT_PASSWORD })).resolves.toBeDefined();
  });
});

describe("refresh", () => {
  it("answers new access and ID tokens and no new refresh token", async () => {
    const { email, userSub } = await signUpAndConfirm();
    const { refreshToken } = await auth.passwordSignIn({ email, password: DEFAULT_PASSWORD });

    const session = await auth.refresh(refreshToken ?? "");

    expect(session.refreshToken).toBeUndefined();
    expect((await verifier.verify(session.accessToken)).userId).toBe(userSub);
    expect(decodeJwt(session.idToken)).toMatchObject({ token_use: "id", sub: userSub });
  });

  it("verifies a refresh token by its signature alone, as after a restart", async () => {
    const { userSub } = await signUpAndConfirm();
    const minted = await mintToken(await key, {
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      subject: userSub,
      tokenUse: "refresh",
    });
    expect((await verifier.verify((await auth.refresh(minted)).accessToken)).userId).toBe(userSub);
  });

  it("refuses access, ID, expired, foreign and other clients' tokens, and users who are gone", async () => {
    const { email, userSub } = await signUpAndConfirm();
    const session = await auth.passwordSignIn({ email, password: DEFAULT_PASSWORD });
    const claims = { issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, tokenUse: "refresh" };
    const refused = [
      session.accessToken,
      session.idToken,
      "not-a-token",
      await mintToken(await key, { ...claims, subject: userSub, expiresInSeconds: -10 }),
      await mintToken(await createSigningKey(), { ...claims, subject: userSub }),
      await mintToken(await key, { ...claims, subject: userSub, clientId: "another-client" }),
      await mintToken(await key, { ...claims, subject: userSub, issuer: "https://other.test" }),
      await mintToken(await key, { ...claims, subject: randomUUID() }),
    ];
    for (const token of refused) {
      const error = await appErrorOf(auth.refresh(token));
      expect({ code: error.code, message: error.message }).toEqual({
        code: "UNAUTHENTICATED",
        message: "Invalid Refresh Token",
      });
    }
  });
});

describe("getUser", () => {
  it("answers NOT_FOUND for a user who does not exist", async () => {
    expect((await appErrorOf(auth.getUser(randomUUID()))).code).toBe("NOT_FOUND");
  });
});
