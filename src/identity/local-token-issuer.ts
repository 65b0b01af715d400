import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { importJWK, JWK, JWTPayload, jwtVerify, SignJWT } from "jose";
import { ADMIN_GROUP, type User } from "../domain/index.js";
import type { IssuedToken, SessionTokens, TokenIssuer } from "../services/index.js";

export interface LocalIssuerOptions {
  /** The `iss` claim; the verifier accepts only this issuer. */
  issuer: string;
  /** The `client_id` claim, as Cognito puts in access tokens. */
  clientId: string;
  ttlSeconds: number;
  /** Where the signing key is kept across restarts; absent keeps it in memory only. */
  keyFile?: string | undefined;
  /** How long a refresh token is good for; Cognito's default, 30 days, when absent. */
  refreshTtlSeconds?: number | undefined;
  /**
   * Lower-case emails whose access tokens carry `cognito:groups: ["admin"]`, as Cognito's carry
   * the groups a user is in: the local stand-in for adding a user to the pool's admin group.
   */
  adminEmails?: readonly string[] | undefined;
}

const ALG = "RS256";
const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;

interface Signer {
  SignJWT: typeof SignJWT;
  jwtVerify: typeof jwtVerify;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  publicKey: Awaited<ReturnType<typeof importJWK>>;
}

/**
 * Signs Cognito-shaped access tokens (`sub`, `token_use`, `client_id`, `username`, `exp`) with
 * an RSA key of its own, so local tokens go through the same verification as Cognito's; for the
 * local user pool also ID tokens and refresh tokens. The key is read (or made) at once; jose
 * loads on the first token it signs, so a function that only verifies or serves anonymous
 * requests does not pay for it at cold start.
 *
 * A refresh token is a JWT of the same key with `token_use: "refresh"`: it survives a restart
 * without being stored, and every verifier of access tokens refuses it for its `token_use`.
 * Clients treat it as opaque, as Cognito's. It cannot be revoked before it expires; the user
 * pool refuses it once its user is gone.
 */
export async function createLocalTokenIssuer(options: LocalIssuerOptions): Promise<TokenIssuer> {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const jwks = { keys: [{ ...publicJwk, use: "sig", alg: ALG }] };
  const kid = privateJwk.kid ?? "";
  const refreshTtlSeconds = options.refreshTtlSeconds ?? REFRESH_TTL_SECONDS;
  let signer: Promise<Signer> | undefined;
  const loadSigner = async (): Promise<Signer> => {
    const jose = await import("jose");
    return {
      SignJWT: jose.SignJWT,
      jwtVerify: jose.jwtVerify,
      privateKey: await jose.importJWK(privateJwk, ALG),
      publicKey: await jose.importJWK(publicJwk, ALG),
    };
  };
  const sign = async (claims: JWTPayload, subject: string, ttlSeconds: number) => {
    signer ??= loadSigner();
    const { SignJWT, privateKey } = await signer;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
      .setIssuer(options.issuer)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(privateKey);
  };

  const admins = new Set(options.adminEmails ?? []);
  const issue = async (user: User): Promise<IssuedToken> => {
    const groups = admins.has(user.email.toLowerCase()) ? { "cognito:groups": [ADMIN_GROUP] } : {};
    const accessToken = await sign(
      {
        token_use: "access",
        client_id: options.clientId,
        username: user.name,
        scope: "store",
        ...groups,
      },
      user.id,
      options.ttlSeconds,
    );
    return { accessToken, tokenType: "Bearer", expiresIn: options.ttlSeconds };
  };

  return {
    issue,
    async issueSession(user, { withRefreshToken }): Promise<SessionTokens> {
      const [access, idToken, refreshToken] = await Promise.all([
        issue(user),
        // Cognito's ID token: who the user is, for the client (`aud`) that signed them in.
        sign(
          {
            token_use: "id",
            aud: options.clientId,
            email: user.email,
            email_verified: true,
            name: user.name,
            "cognito:username": user.id,
            auth_time: Math.floor(Date.now() / 1000),
          },
          user.id,
          options.ttlSeconds,
        ),
        withRefreshToken
          ? sign({ token_use: "refresh", client_id: options.clientId }, user.id, refreshTtlSeconds)
          : undefined,
      ]);
      return { ...access, idToken, ...(refreshToken === undefined ? {} : { refreshToken }) };
    },
    async verifyRefreshToken(token) {
      signer ??= loadSigner();
      const { jwtVerify, publicKey } = await signer;
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: options.issuer,
          algorithms: [ALG],
          // jose checks `exp` only when it is there: a refresh token must expire too.
          requiredClaims: ["exp", "iat"],
        });
        const valid =
          payload.token_use === "refresh" &&
          payload.client_id === options.clientId &&
          typeof payload.sub === "string" &&
          payload.sub !== "";
        return valid ? payload.sub : undefined;
      } catch {
        // Malformed, expired, or signed by another key: not a refresh token of this issuer.
        return undefined;
      }
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
