import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { scryptPasswords } from "../../../src/identity/scrypt-passwords.js";
import { createAuthService } from "../../../src/services/auth.js";
import type { PasswordHasher, TokenIssuer } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { manualClock } from "../../helpers/app.js";

// Every function composes the auth service, and in AWS none of them signs anyone in (Cognito
// does): building it must cost no password hash, an scrypt that would run at every cold start.

const unusedTokens: TokenIssuer = {
  issue: () => Promise.reject(new Error("not issued here")),
  issueSession: () => Promise.reject(new Error("not issued here")),
  verifyRefreshToken: () => Promise.reject(new Error("not verified here")),
  jwks: () => Promise.reject(new Error("no keys here")),
};

/** scrypt itself, with a count of the hashes made. */
function countingPasswords(): PasswordHasher & { hashes: () => number } {
  let hashes = 0;
  return {
    hash: (password) => {
      hashes += 1;
      return scryptPasswords.hash(password);
    },
    verify: (password, hash) => scryptPasswords.verify(password, hash),
    hashes: () => hashes,
  };
}

it("hashes no password until someone signs in, then compares an unknown email with a real hash", async () => {
  const passwords = countingPasswords();
  const auth = createAuthService({
    store: new MemoryStore(),
    clock: manualClock("2026-03-01T10:00:00Z"),
    ids: { newId: () => randomUUID() },
    passwords,
    tokens: unusedTokens,
  });
  expect(passwords.hashes()).toBe(0);

  await expect(auth.login({ email: "nobody@example.com", password: "a password" })).rejects.toThrow(
    "the email or the password is wrong",
  );
  await expect(auth.login({ email: "nobody@example.com", password: "a password" })).rejects.toThrow(
    "the email or the password is wrong",
  );
  // One hash for the unknown email's comparison, made once and kept.
  expect(passwords.hashes()).toBe(1);
});
