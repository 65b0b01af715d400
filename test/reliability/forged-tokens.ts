import { randomUUID } from "node:crypto";
import { decodeJwt, exportJWK, SignJWT } from "jose";
import { TEST_CLIENT_ID, TEST_ISSUER, type TestApp } from "../helpers/app.js";
import { createSigningKey, mintToken } from "../helpers/tokens.js";

// Tokens an attacker can make, each for a real user of the app: none of them may be accepted.

const b64 = (value: object | string): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

const claimsFor = (userId: string, extra: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    iss: TEST_ISSUER,
    client_id: TEST_CLIENT_ID,
    token_use: "access",
    username: userId,
    scope: "store",
    "cognito:groups": ["admin"],
    iat: now - 10,
    exp: now + 300,
    jti: randomUUID(),
    ...extra,
  };
};

export interface ForgedToken {
  kind: string;
  token: string;
}

/** Refused tokens that name `userId` (a real user), with what each one gets wrong. */
export async function forgedTokens(
  t: TestApp,
  userId: string,
  realToken: string,
): Promise<ForgedToken[]> {
  const [header, payload, signature] = realToken.split(".") as [string, string, string];
  const realClaims = decodeJwt(realToken);
  const otherKey = await createSigningKey();
  const publicJwk = await exportJWK(t.signingKey.privateKey).then(
    ({ d, p, q, dp, dq, qi, ...pub }) => pub,
  );
  const sign = (claims: Record<string, unknown>, headerFields: Record<string, unknown> = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: t.signingKey.kid, typ: "JWT", ...headerFields })
      .sign(t.signingKey.privateKey);
  const hmacSecret = new TextEncoder().encode(JSON.stringify(publicJwk));

  return [
    { kind: "empty bearer", token: "" },
    { kind: "not a JWT", token: "not-a-jwt" },
    { kind: "three dots of nothing", token: ".." },
    { kind: "random base64 parts", token: `${b64("x")}.${b64("y")}.${b64("z")}` },
    { kind: "header of JSON junk", token: `${b64("{{{")}.${payload}.${signature}` },
    {
      kind: "payload changed, signature kept",
      token: `${header}.${b64({ ...realClaims, sub: randomUUID() })}.${signature}`,
    },
    {
      kind: "admin group added, signature kept",
      token: `${header}.${b64({ ...realClaims, "cognito:groups": ["admin"] })}.${signature}`,
    },
    { kind: "signature removed", token: `${header}.${payload}.` },
    { kind: "signature truncated", token: `${header}.${payload}.${signature.slice(0, 40)}` },
    {
      kind: "signature of another token",
      token: `${header}.${payload}.${(await t.mint({ subject: userId })).split(".")[2]}`,
    },
    { kind: 'alg "none"', token: `${b64({ alg: "none", typ: "JWT" })}.${b64(claimsFor(userId))}.` },
    {
      kind: 'alg "None"',
      token: `${b64({ alg: "None", kid: t.signingKey.kid })}.${b64(claimsFor(userId))}.`,
    },
    {
      kind: "HS256 keyed with the public key (algorithm confusion)",
      token: await new SignJWT(claimsFor(userId))
        .setProtectedHeader({ alg: "HS256", kid: t.signingKey.kid })
        .sign(hmacSecret),
    },
    {
      kind: "another key under the app's kid",
      token: await mintToken(otherKey, {
        issuer: TEST_ISSUER,
        clientId: TEST_CLIENT_ID,
        subject: userId,
        kid: t.signingKey.kid,
      }),
    },
    {
      kind: "another key under its own kid",
      token: await mintToken(otherKey, {
        issuer: TEST_ISSUER,
        clientId: TEST_CLIENT_ID,
        subject: userId,
      }),
    },
    {
      kind: "embedded jwk header (self-signed)",
      token: await new SignJWT(claimsFor(userId))
        .setProtectedHeader({
          alg: "RS256",
          jwk: await exportJWK(otherKey.privateKey).then(({ d, p, q, dp, dq, qi, ...pub }) => pub),
        })
        .sign(otherKey.privateKey),
    },
    {
      kind: "kid with a path",
      token: await sign(claimsFor(userId), { kid: "../../../../dev/null" }),
    },
    {
      kind: "expired a minute ago",
      token: await t.mint({ subject: userId, expiresInSeconds: -60 }),
    },
    {
      kind: "expired long ago",
      token: await t.mint({ subject: userId, expiresInSeconds: -86_400 * 365 }),
    },
    {
      kind: "other client_id (audience)",
      token: await t.mint({ subject: userId, clientId: "someone-else" }),
    },
    {
      kind: "other issuer",
      token: await t.mint({ subject: userId, issuer: "https://evil.example" }),
    },
    {
      kind: "issuer with a trailing slash",
      token: await t.mint({ subject: userId, issuer: `${TEST_ISSUER}/` }),
    },
    { kind: 'token_use "id"', token: await t.mint({ subject: userId, tokenUse: "id" }) },
    { kind: 'token_use "refresh"', token: await t.mint({ subject: userId, tokenUse: "refresh" }) },
    { kind: "no token_use", token: await sign({ ...claimsFor(userId), token_use: undefined }) },
    { kind: "no client_id", token: await sign({ ...claimsFor(userId), client_id: undefined }) },
    { kind: "no iss", token: await sign({ ...claimsFor(userId), iss: undefined }) },
    { kind: "empty sub", token: await sign(claimsFor("")) },
    {
      kind: "not yet valid (nbf in an hour)",
      token: await sign({ ...claimsFor(userId), nbf: Math.floor(Date.now() / 1000) + 3600 }),
    },
    { kind: "exp as a string", token: await sign({ ...claimsFor(userId), exp: "9999999999" }) },
    { kind: "two tokens in one header", token: `${realToken} ${realToken}` },
  ];
}

/** Text of a verification library that must not reach a client. */
export const VERIFIER_TEXT =
  /Jwt\w*Error|Jwk\w*Error|aws-jwt-verify|Token expired at|Invalid signature|Missing Token|kid not found|JWS|JOSE/i;
