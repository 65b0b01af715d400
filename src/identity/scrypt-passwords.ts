import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import type { PasswordHasher } from "../services/index.js";

// node:crypto's scrypt is the well-kept primitive here; a library would only wrap it.
const PARAMS = { N: 16_384, r: 8, p: 1, keyLength: 32, saltLength: 16 };

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}

/** Password hashes as `scrypt$N$r$p$salt$key` (base64url), so the cost can grow later. */
export const scryptPasswords: PasswordHasher = {
  async hash(password) {
    const salt = randomBytes(PARAMS.saltLength);
    const key = await derive(password, salt, PARAMS, PARAMS.keyLength);
    const { N, r, p } = PARAMS;
    return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
  },

  async verify(password, stored) {
    const [scheme, n, r, p, salt, key] = stored.split("$");
    if (scheme !== "scrypt" || salt === undefined || key === undefined) return false;
    const expected = Buffer.from(key, "base64url");
    const actual = await derive(
      password,
      Buffer.from(salt, "base64url"),
      { N: Number(n), r: Number(r), p: Number(p) },
      expected.length,
    );
    return timingSafeEqual(actual, expected);
  },
};
