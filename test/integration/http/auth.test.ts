import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { delaySecondsAfter, LOGIN_THROTTLE } from "../../../src/services/index.js";
import {
  createTestApp,
  DEFAULT_PASSWORD,
  expectProblem,
  manualClock,
  TEST_CLIENT_ID,
  TEST_ISSUER,
  type TestApp,
  type TestResponse,
} from "../../helpers/app.js";
import { createSigningKey, mintToken } from "../../helpers/tokens.js";

const WWW_AUTHENTICATE = 'Bearer realm="serverless-store"';

let t: TestApp;

afterEach(async () => {
  await t.close();
});

function expectUnauthenticated(res: TestResponse): void {
  expectProblem(res, 401, "UNAUTHENTICATED");
  expect(res.headers["www-authenticate"]).toBe(WWW_AUTHENTICATE);
}

describe("POST /auth/signup", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  it("registers a user, who then signs in for a Cognito-shaped access token the JWKS verifies", async () => {
    const res = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: { email: "Ada@Example.com", password: DEFAULT_PASSWORD, name: "Ada Lovelace" },
    });

    expect(res.statusCode).toBe(202);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json).toEqual({ email: "ada@example.com", message: expect.any(String) });
    const login = await t.invoke({
      method: "POST",
      resource: "/auth/login",
      body: { email: "ada@example.com", password: DEFAULT_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const jwks = await t.invoke({ method: "GET", resource: "/.well-known/jwks.json" });
    const { payload, protectedHeader } = await jwtVerify(
      login.json.accessToken,
      createLocalJWKSet(jwks.json),
      { issuer: TEST_ISSUER },
    );
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      token_use: "access",
      client_id: TEST_CLIENT_ID,
      username: "Ada Lovelace",
    });
    expect(payload.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it("answers a registered email exactly as a new one, and leaves its account as it was", async () => {
    await t.signup("grace@example.com");

    const taken = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: { email: "  GRACE@example.COM ", password: "another password", name: "Impostor" },
    });
    const fresh = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: { email: "  NEW@example.COM ", password: "another password", name: "Impostor" },
    });

    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(Object.keys(taken.headers).sort()).toEqual(Object.keys(fresh.headers).sort());
    expect(taken.body.replace("grace", "new")).toBe(fresh.body);
    // The owner's password still signs in; the impostor's does not.
    const login = (password: string) =>
      t.invoke({
        method: "POST",
        resource: "/auth/login",
        body: { email: "grace@example.com", password },
      });
    expect((await login(DEFAULT_PASSWORD)).statusCode).toBe(200);
    expect((await login("another password")).statusCode).toBe(401);
  });

  it("answers 400 naming each invalid or missing field", async () => {
    const res = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: { email: "not-an-email", password: "short" },
    });

    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["email", "password"]);
    expect(problem.errors?.find((e) => e.field === "password")?.message).toBe(
      "must be at least 8 characters",
    );

    const missing = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: { email: "lin@example.com" },
    });
    expect(expectProblem(missing, 400, "VALIDATION_FAILED").errors).toEqual([
      { field: "password", message: expect.any(String) },
    ]);
  });

  it("ignores an Authorization header, even an invalid one, on a route without auth", async () => {
    const res = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      token: "not-a-jwt",
      body: { email: "noauth@example.com", password: DEFAULT_PASSWORD },
    });

    expect(res.statusCode).toBe(202);
  });
});

describe("POST /auth/login", () => {
  const clock = manualClock("2026-05-01T12:00:00.000Z");

  beforeEach(async () => {
    t = await createTestApp({ clock });
  });

  const login = (email: string, password: string) =>
    t.invoke({ method: "POST", resource: "/auth/login", body: { email, password } });

  it("answers a token for the user who signed up, case-insensitively on the email", async () => {
    const user = await t.signup("hopper@example.com", { name: "Grace Hopper" });

    const res = await login("Hopper@Example.com", DEFAULT_PASSWORD);

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 3600,
    });
    expect(decodeJwt(res.json.accessToken)).toMatchObject({
      sub: user.userId,
      username: "Grace Hopper",
    });
    const cart = await t.invoke({ method: "GET", resource: "/cart", token: res.json.accessToken });
    expect(cart.statusCode).toBe(200);
  });

  it("answers the same 401 for a wrong password and an unknown email", async () => {
    await t.signup("known@example.com");

    const wrong = await login("known@example.com", "wrong password");
    const unknown = await login("nobody@example.com", DEFAULT_PASSWORD);

    const a = expectProblem(wrong, 401, "UNAUTHENTICATED");
    const b = expectProblem(unknown, 401, "UNAUTHENTICATED");
    expect(a.detail).toBe("the email or the password is wrong");
    expect(b.detail).toBe(a.detail);
  });

  it("answers 429 with a Retry-After of seconds after 5 failures, then lets the right password in", async () => {
    await t.signup("target@example.com");
    await t.signup("bystander@example.com");

    for (let attempt = 1; attempt <= 5; attempt++) {
      // The throttle counts the normalized email, so the spelling does not reset it.
      const email = attempt % 2 === 0 ? "TARGET@example.com" : "target@example.com";
      // Spaced out: the 4th and 5th wait for the delay the failures before them set.
      clock.advanceSeconds(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
      expectProblem(await login(email, `guess ${attempt}`), 401, "UNAUTHENTICATED");
    }
    const sixth = await login("target@example.com", DEFAULT_PASSWORD);

    expectProblem(sixth, 429, "TOO_MANY_REQUESTS");
    const retryAfter = delaySecondsAfter(5, LOGIN_THROTTLE.perEmail);
    expect(sixth.headers["retry-after"]).toBe(String(retryAfter));
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_THROTTLE.perEmail.maxDelaySeconds);
    expect(sixth.headers["www-authenticate"]).toBeUndefined();
    expect((await login("bystander@example.com", DEFAULT_PASSWORD)).statusCode).toBe(200);

    clock.advanceSeconds(retryAfter);
    expect((await login("target@example.com", DEFAULT_PASSWORD)).statusCode).toBe(200);
  });

  it("answers 400 for a body without a password", async () => {
    const res = await t.invoke({
      method: "POST",
      resource: "/auth/login",
      body: { email: "a@example.com" },
    });

    expect(expectProblem(res, 400, "VALIDATION_FAILED").errors?.[0]?.field).toBe("password");
  });
});

describe("GET /.well-known/jwks.json", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  it("publishes the issuer's public key only, cacheable", async () => {
    const res = await t.invoke({ method: "GET", resource: "/.well-known/jwks.json" });

    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=300");
    expect(res.json.keys).toHaveLength(1);
    const [key] = res.json.keys;
    expect(key).toMatchObject({ kty: "RSA", kid: t.signingKey.kid, alg: "RS256", use: "sig" });
    expect(key.n).toBe(t.signingKey.privateJwk.n);
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) expect(key).not.toHaveProperty(secret);
  });
});

describe("access tokens", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  const getCart = (token: string) => t.invoke({ method: "GET", resource: "/cart", token });

  it("accepts a token with the issuer's key and the expected claims (the control)", async () => {
    const res = await getCart(await t.mint({ subject: "user-control" }));

    expect(res.statusCode).toBe(200);
    expect(res.json.version).toBe(0);
  });

  it("refuses a token signed by a key the app does not know, even under the app's kid", async () => {
    const stranger = await createSigningKey();
    const claims = { issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, subject: "user-1" };

    expectUnauthenticated(await getCart(await mintToken(stranger, claims)));
    expectUnauthenticated(
      await getCart(await mintToken(stranger, { ...claims, kid: t.signingKey.kid })),
    );
  });

  it("refuses an expired token", async () => {
    expectUnauthenticated(await getCart(await t.mint({ expiresInSeconds: -5 })));
  });

  it("refuses a token for another client_id", async () => {
    expectUnauthenticated(await getCart(await t.mint({ clientId: "another-app" })));
  });

  it('refuses an id token (token_use "id")', async () => {
    expectUnauthenticated(await getCart(await t.mint({ tokenUse: "id" })));
  });

  it("refuses a token from another issuer", async () => {
    expectUnauthenticated(await getCart(await t.mint({ issuer: "https://evil.example" })));
  });

  it("refuses a token that names no user", async () => {
    expectUnauthenticated(await getCart(await t.mint({ subject: "" })));
  });

  it("refuses a missing or malformed Authorization header", async () => {
    const token = await t.mint();
    const malformed = [
      `Basic ${Buffer.from("ada:secret").toString("base64")}`,
      "Bearer",
      "Bearer ",
      `Bearer ${token} extra`,
      `Token ${token}`,
      token,
      "",
      "Bearer not-a-jwt",
    ];
    for (const authorization of malformed) {
      const res = await t.invoke({
        method: "GET",
        resource: "/cart",
        headers: { Authorization: authorization },
      });
      expectUnauthenticated(res);
    }
    const missing = await t.invoke({ method: "GET", resource: "/cart" });
    expectUnauthenticated(missing);
    expect(missing.json.detail).toBe(
      "send an access token: Authorization: Bearer <token>, or a guest cart's Guest-Cart-Token header",
    );
  });

  it("refuses a bad token on a route where signing in is optional instead of going anonymous", async () => {
    const res = await t.invoke({
      method: "GET",
      resource: "/products",
      token: await t.mint({ expiresInSeconds: -5 }),
    });

    expectUnauthenticated(res);
  });

  it("reads the Authorization header and the scheme in any case", async () => {
    const token = await t.mint();

    const res = await t.invoke({
      method: "GET",
      resource: "/cart",
      headers: { AUTHORIZATION: `bearer ${token}` },
    });

    expect(res.statusCode).toBe(200);
  });
});
