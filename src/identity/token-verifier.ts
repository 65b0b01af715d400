import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import { AppError } from "../domain/index.js";
import type { Caller, TokenVerifier } from "../services/index.js";

export interface LocalVerifierOptions {
  issuer: string;
  clientId: string;
  /** The local issuer's key set, read in process: verification never goes over the network. */
  jwks: () => Promise<{ keys: object[] }>;
}

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
  return { verify: (token) => verifyWith(() => verifier.verify(token)) };
}

/** Verifies Cognito user pool access tokens (JWKS fetched once from Cognito, then cached). */
export function createCognitoTokenVerifier(options: CognitoVerifierOptions): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    tokenUse: "access",
  });
  return { verify: (token) => verifyWith(() => verifier.verify(token)) };
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
