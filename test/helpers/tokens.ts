import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from "jose";

const ALG = "RS256";

/** An RSA signing key made by the test, with the private JWK the local issuer can load. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  privateJwk: JWK;
}

export interface TokenClaims {
  issuer: string;
  clientId: string;
  /** The `sub` claim: the user id the token names. */
  subject: string;
  username?: string;
  /** Cognito's `token_use`; the API accepts only `access`. */
  tokenUse?: string;
  /** Seconds from now to `exp`; a negative number mints a token that has already expired. */
  expiresInSeconds?: number;
  /** The `kid` header; defaults to the key's own. */
  kid?: string;
  /** Cognito's `cognito:groups` claim; `["admin"]` makes an operator. Absent: no claim. */
  groups?: string[];
  /** Leaves the `exp` or the `iat` claim out (a token that would never expire, say). */
  omit?: ("exp" | "iat")[];
  /** Seconds from now to `iat`, when not the default (a minute before now, or the past `exp`). */
  issuedInSeconds?: number;
}

/** A fresh 2048-bit RSA key with a thumbprint `kid`, as the local issuer makes its own. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  privateJwk.kid = kid;
  return { kid, privateKey, privateJwk };
}

/** Signs a Cognito-shaped access token (or a deliberately wrong one) with `key`. */
export async function mintToken(key: SigningKey, claims: TokenClaims): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const expiresInSeconds = claims.expiresInSeconds ?? 300;
  const omit = new Set(claims.omit ?? []);
  const jwt = new SignJWT({
    token_use: claims.tokenUse ?? "access",
    client_id: claims.clientId,
    username: claims.username ?? claims.subject,
    scope: "store",
    ...(claims.groups === undefined ? {} : { "cognito:groups": claims.groups }),
  })
    .setProtectedHeader({ alg: ALG, kid: claims.kid ?? key.kid, typ: "JWT" })
    .setIssuer(claims.issuer)
    .setSubject(claims.subject)
    .setJti(randomUUID());
  if (!omit.has("iat")) {
    jwt.setIssuedAt(
      claims.issuedInSeconds === undefined
        ? Math.min(nowSeconds, nowSeconds + expiresInSeconds - 60)
        : nowSeconds + claims.issuedInSeconds,
    );
  }
  if (!omit.has("exp")) jwt.setExpirationTime(nowSeconds + expiresInSeconds);
  return jwt.sign(key.privateKey);
}

/**
 * Runs `use` with `key` saved where the local issuer loads its key from (`auth.keyFile`), so an
 * app composed inside signs and verifies with a key the test holds. The file is gone afterwards.
 */
export async function withKeyFile<T>(
  key: SigningKey,
  use: (keyFile: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "serverless-store-key-"));
  try {
    const keyFile = join(dir, "local-issuer-key.json");
    await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
    return await use(keyFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
