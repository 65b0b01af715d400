import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { importJWK, JWK, SignJWT } from "jose";
import type { IssuedToken, TokenIssuer } from "../services/index.js";

export interface LocalIssuerOptions {
  /** The `iss` claim; the verifier accepts only this issuer. */
  issuer: string;
  /** The `client_id` claim, as Cognito puts in access tokens. */
  clientId: string;
  ttlSeconds: number;
  /** Where the signing key is kept across restarts; absent keeps it in memory only. */
  keyFile?: string | undefined;
}

const ALG = "RS256";

interface Signer {
  SignJWT: typeof SignJWT;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
}

/**
 * Signs Cognito-shaped access tokens (`sub`, `token_use`, `client_id`, `username`, `exp`) with
 * an RSA key of its own, so local tokens go through the same verification as Cognito's. The key
 * is read (or made) at once; jose loads on the first token it signs, so a function that only
 * verifies or serves anonymous requests does not pay for it at cold start.
 */
export async function createLocalTokenIssuer(options: LocalIssuerOptions): Promise<TokenIssuer> {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const jwks = { keys: [{ ...publicJwk, use: "sig", alg: ALG }] };
  const kid = privateJwk.kid ?? "";
  let signer: Promise<Signer> | undefined;
  const loadSigner = async (): Promise<Signer> => {
    const jose = await import("jose");
    return { SignJWT: jose.SignJWT, privateKey: await jose.importJWK(privateJwk, ALG) };
  };

  return {
    async issue(user): Promise<IssuedToken> {
      signer ??= loadSigner();
      const { SignJWT, privateKey } = await signer;
      const accessToken = await new SignJWT({
        token_use: "access",
        client_id: options.clientId,
        username: user.name,
        scope: "store",
      })
        .setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
        .setIssuer(options.issuer)
        .setSubject(user.id)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(privateKey);
      return { accessToken, tokenType: "Bearer", expiresIn: options.ttlSeconds };
    },
    jwks: async () => jwks,
  };
}

async function loadOrCreateKey(keyFile: string | undefined): Promise<JWK> {
  if (keyFile !== undefined) {
    const saved = await readFile(keyFile, "utf8").catch(() => undefined);
    if (saved !== undefined) return JSON.parse(saved) as JWK;
  }
  const { calculateJwkThumbprint, exportJWK, generateKeyPair } = await import("jose");
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  if (keyFile !== undefined) {
    await mkdir(dirname(keyFile), { recursive: true });
    await writeFile(keyFile, JSON.stringify(jwk), { mode: 0o600 });
    await chmod(keyFile, 0o600);
  }
  return jwk;
}
