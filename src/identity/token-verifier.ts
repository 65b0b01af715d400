import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import { AppError } from "../domain/index.js";
import type { Caller, TokenVerifier, VerifiedIdentity } from "../services/index.js";

export interface LocalVerifierOptions {
  issuer: string;
  clientId: string;
  /** The local issuer's key set, read in process: verification never goes over the network. */
  jwks: () => Promise<{ keys: object[] }>;
  /**
   * Whether the local user pool has this user. Asked before a write only: a token signed with
   * the key but naming no user (or a deleted one) reads nothing of anyone's, and writes nothing.
   */
  userExists?: ((userId: string) => Promise<boolean>) | undefined;
}

/**
 * The longest an access token may live, `exp` − `iat`: Cognito's own maximum for access tokens
 * (one day). A token without `exp` or `iat`, or with a longer life, is refused whatever its
 * signature: a leaked one must age out.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export interface CognitoVerifierOptions {
  userPoolId: string;
  clientId: string;
}

const encoder = new TextEncoder();

/** Verifies tokens of the local issuer with the same library and claims checks as Cognito's. */
export function createLocalTokenVerifier(options: LocalVerifierOptions): TokenVerifier {
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async () => encoder.encode(JSON.stringify(await options.jwks())).buffer as ArrayBuffer,
    },
  });
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      jwksUri: `${options.issuer}/.well-known/jwks.json`,
      // Cognito access tokens carry client_id instead of aud; check it and token_use instead.
      audience: null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== "access") throw new Error("not an access token");
        if (payload.client_id !== options.clientId) throw new Error("wrong client_id");
      },
    },
    { jwksCache },
  );
  // Cognito's ID tokens carry the client as `aud`, as OIDC's do.
  const idVerifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      jwksUri: `${options.issuer}/.well-known/jwks.json`,
      audience: options.clientId,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== "id") throw new Error("not an ID token");
      },
    },
    { jwksCache },
  );
  const { userExists } = options;
  return {
    async verify(token, use) {
      const caller = await verifyWith(() => verifier.verify(token));
      if (use === "write" && userExists !== undefined && !(await userExists(caller.userId))) {
        throw new AppError("UNAUTHENTICATED", "the access token names no user of this pool");
      }
      return caller;
    },
    verifyIdToken: (token) => identityOf(() => idVerifier.verify(token)),
  };
}

/** Verifies Cognito user pool access tokens (JWKS fetched once from Cognito, then cached). */
export function createCognitoTokenVerifier(options: CognitoVerifierOptions): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    tokenUse: "access",
  });
  const idVerifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    tokenUse: "id",
  });
  return {
    verify: (token) => verifyWith(() => verifier.verify(token)),
    verifyIdToken: (token) => identityOf(() => idVerifier.verify(token)),
  };
}

/** The user an ID token names, with its e-mail address and whether the pool confirmed it. */
async function identityOf(verify: () => Promise<JwtPayload>): Promise<VerifiedIdentity> {
  let payload: JwtPayload;
  try {
    payload = await verify();
  } catch (error) {
    throw new AppError("UNAUTHENTICATED", "the ID token is invalid or expired", { cause: error });
  }
  const userId = payload.sub;
  if (typeof userId !== "string" || userId === "") {
    throw new AppError("UNAUTHENTICATED", "the ID token names no user");
  }
  const { email } = payload;
  return {
    userId,
    ...(typeof email === "string" && email !== "" ? { email: email.trim().toLowerCase() } : {}),
    // Cognito writes it as a boolean in ID tokens; "true" is accepted as other IdPs write it.
    emailVerified: payload.email_verified === true || payload.email_verified === "true",
  };
}

async function verifyWith(verify: () => Promise<JwtPayload>): Promise<Caller> {
  let payload: JwtPayload;
  try {
    payload = await verify();
  } catch (error) {
    // The library's message says which check failed; clients only learn the token was refused.
    throw new AppError("UNAUTHENTICATED", "the access token is invalid or expired", {
      cause: error,
    });
  }
  // The library checks `exp` only when it is there.
  const { exp, iat } = payload;
  if (typeof exp !== "number" || typeof iat !== "number") {
    throw new AppError(
      "UNAUTHENTICATED",
      "the access token must say when it was issued and expires",
    );
  }
  // Measured from now too: a token "issued" in the future would otherwise carry its day of
  // life to whenever its signer chose.
  const now = Date.now() / 1000;
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS || exp - now > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new AppError("UNAUTHENTICATED", "the access token lives longer than this API accepts");
  }
  const userId = payload.sub;
  if (typeof userId !== "string" || userId === "") {
    throw new AppError("UNAUTHENTICATED", "the access token names no user");
  }
  const username = typeof payload.username === "string" ? payload.username : userId;
  // Cognito puts the user's groups in its access tokens; the local issuer does the same.
  const claimed = payload["cognito:groups"];
  const groups = Array.isArray(claimed)
    ? claimed.filter((group): group is string => typeof group === "string")
    : [];
  return { userId, username, groups };
}
