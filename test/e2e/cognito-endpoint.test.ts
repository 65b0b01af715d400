import { randomUUID } from "node:crypto";
import {
  CodeMismatchException,
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ExpiredCodeException,
  GetUserCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  InvalidPasswordException,
  NotAuthorizedException,
  ResourceNotFoundException,
  SignUpCommand,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../src/local/dev-server.js";
import { LOGIN_THROTTLE, PENDING_SIGNUPS } from "../../src/services/index.js";
import {
  ALLOWED_ORIGIN,
  DEFAULT_PASSWORD,
  manualClock,
  TEST_CLIENT_ID,
  TEST_ISSUER,
  type TestApp,
} from "../helpers/app.js";
import { type LocalUserPool, startLocalUserPool } from "../helpers/local-user-pool.js";
import { mintToken } from "../helpers/tokens.js";

// The real Cognito client of the AWS SDK against the dev server: what the storefront does in a
// browser, over loopback.

const TARGET = "AWSCognitoIdentityProviderService";
const clock = manualClock("2026-03-01T10:00:00Z");
let t: TestApp;
let server: DevServer;
let cognito: CognitoIdentityProviderClient;
let pool: LocalUserPool;

beforeAll(async () => {
  pool = await startLocalUserPool({ clock });
  ({ t, server, cognito } = pool);
});

afterAll(async () => {
  await pool?.close();
});

const newEmail = () => `shopper-${randomUUID().slice(0, 8)}@example.com`;

function signUp(email: string, password = DEFAULT_PASSWORD, name = "Ada") {
  return cognito.send(
    new SignUpCommand({
      ClientId: TEST_CLIENT_ID,
      Username: email,
      Password: password,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "name", Value: name },
      ],
    }),
  );
}

function confirm(email: string, code: string) {
  return cognito.send(
    new ConfirmSignUpCommand({ ClientId: TEST_CLIENT_ID, Username: email, ConfirmationCode: code }),
  );
}

function signIn(email: string, password = DEFAULT_PASSWORD) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: TEST_CLIENT_ID,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
}

function refresh(refreshToken: string) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: TEST_CLIENT_ID,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
}

async function registered(email = newEmail()): Promise<string> {
  await signUp(email);
  await confirm(email, pool.codeFor(email));
  return email;
}

/** The error `promise` rejects with, which must be an instance of the SDK's `type`. */
async function sdkErrorOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(
    400,
  );
  return error as E;
}

function getCart(token: string) {
  return fetch(`${server.url}/cart`, { headers: { Authorization: `Bearer ${token}` } });
}

/** A raw call, to see the wire: the SDK hides headers and never sends a wrong target. */
function rawCall(path: string, init: { target?: string; body?: string; origin?: string } = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/x-amz-json-1.1" };
  if (init.target !== undefined) headers["X-Amz-Target"] = `${TARGET}.${init.target}`;
  if (init.origin !== undefined) headers.Origin = init.origin;
  return fetch(`${server.url}${path}`, { method: "POST", headers, body: init.body ?? "{}" });
}

describe("a shopper signs up and in with the AWS SDK's Cognito client", () => {
  it("signs up, confirms with the printed code, signs in, uses the API, refreshes, reads the profile", async () => {
    const email = newEmail();

    const signedUp = await signUp(email);
    expect(signedUp).toMatchObject({
      UserConfirmed: false,
      UserSub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      CodeDeliveryDetails: {
        Destination: "s***@e***",
        DeliveryMedium: "EMAIL",
        AttributeName: "email",
      },
    });
    const code = pool.codeFor(email);
    expect(code).toMatch(/^\d{6}$/);
    // The SDK posts to the endpoint's path with a trailing slash.
    expect(pool.logLines.some((line) => /^POST \/cognito\/ 200 /.test(line))).toBe(true);

    await confirm(email, code);
    const { AuthenticationResult: session, ChallengeParameters } = await signIn(email);
    expect(ChallengeParameters).toEqual({});
    expect(session).toMatchObject({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
      ExpiresIn: 3600,
      TokenType: "Bearer",
    });
    expect(decodeJwt(session?.AccessToken ?? "")).toMatchObject({
      token_use: "access",
      client_id: TEST_CLIENT_ID,
      sub: signedUp.UserSub,
    });
    expect(decodeJwt(session?.IdToken ?? "")).toMatchObject({
      token_use: "id",
      aud: TEST_CLIENT_ID,
      sub: signedUp.UserSub,
      email,
      name: "Ada",
    });

    const cart = await getCart(session?.AccessToken ?? "");
    expect(cart.status).toBe(200);
    expect(await cart.json()).toMatchObject({ products: [] });

    const refreshed = await refresh(session?.RefreshToken ?? "");
    expect(refreshed.AuthenticationResult).toMatchObject({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      ExpiresIn: 3600,
      TokenType: "Bearer",
    });
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    expect((await getCart(refreshed.AuthenticationResult?.AccessToken ?? "")).status).toBe(200);

    const profile = await cognito.send(
      new GetUserCommand({ AccessToken: refreshed.AuthenticationResult?.AccessToken }),
    );
    expect(profile.Username).toBe(signedUp.UserSub);
    expect(profile.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: "sub", Value: signedUp.UserSub },
        { Name: "email", Value: email },
        { Name: "name", Value: "Ada" },
      ]),
    );
  });

  it("refuses the ID and refresh tokens on the API, where only access tokens go", async () => {
    const email = await registered();
    const session = (await signIn(email)).AuthenticationResult;
    for (const token of [session?.IdToken, session?.RefreshToken]) {
      expect((await getCart(token ?? "")).status).toBe(401);
    }
  });

  it("keeps /auth/login for curl users: a user of the pool logs in there too", async () => {
    const email = await registered();
    const login = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: DEFAULT_PASSWORD }),
    });
    expect(login.status).toBe(200);
  });
});

describe("each refusal reaches the SDK as its own exception class", () => {
  it("UsernameExistsException for an email registered here or through /auth/signup", async () => {
    const email = await registered();
    const error = await sdkErrorOf(signUp(email), UsernameExistsException);
    expect(error.message).toBe("User already exists");
    const { email: curlUser } = await t.signup();
    await sdkErrorOf(signUp(curlUser), UsernameExistsException);
  });

  it("InvalidPasswordException below the deployed pool's 12 characters", async () => {
    const error = await sdkErrorOf(signUp(newEmail(), "short pass"), InvalidPasswordException);
    expect(error.message).toBe("Password did not conform with policy: Password not long enough");
  });

  it("CodeMismatchException for a wrong code, ExpiredCodeException once too many were tried", async () => {
    const email = newEmail();
    await signUp(email);
    const code = pool.codeFor(email);
    const wrong = code === "000000" ? "000001" : "000000";
    for (let attempt = 1; attempt <= PENDING_SIGNUPS.maxCodeAttempts; attempt++) {
      await sdkErrorOf(confirm(email, wrong), CodeMismatchException);
    }
    await sdkErrorOf(confirm(email, code), ExpiredCodeException);
  });

  it("UserNotConfirmedException for a sign-in before the code", async () => {
    const email = newEmail();
    await signUp(email);
    const error = await sdkErrorOf(signIn(email), UserNotConfirmedException);
    expect(error.message).toBe("User is not confirmed.");
  });

  it("NotAuthorizedException for a wrong password, an unknown email and a bad refresh token", async () => {
    const email = await registered();
    for (const attempt of [
      () => signIn(email, "not the password at all"),
      () => signIn(newEmail()),
    ]) {
      const error = await sdkErrorOf(attempt(), NotAuthorizedException);
      expect(error.message).toBe("Incorrect username or password.");
    }
    const session = (await signIn(email)).AuthenticationResult;
    await sdkErrorOf(refresh(session?.AccessToken ?? ""), NotAuthorizedException);
    await sdkErrorOf(refresh("not-a-token"), NotAuthorizedException);
    await sdkErrorOf(
      cognito.send(new GetUserCommand({ AccessToken: session?.RefreshToken })),
      NotAuthorizedException,
    );
  });

  it("TooManyRequestsException once the login throttle holds the email", async () => {
    const email = await registered();
    for (let i = 0; i <= LOGIN_THROTTLE.perEmail.freeFailures; i++) {
      await sdkErrorOf(signIn(email, "not the password at all"), NotAuthorizedException);
    }
    await sdkErrorOf(signIn(email), TooManyRequestsException);
  });

  it("UserNotFoundException from GetUser for a valid token whose user is gone", async () => {
    // Signed with the pool's key for a user it does not have (t.mint would register one).
    const token = await mintToken(t.signingKey, {
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      subject: randomUUID(),
    });
    await sdkErrorOf(
      cognito.send(new GetUserCommand({ AccessToken: token })),
      UserNotFoundException,
    );
  });

  it("ResourceNotFoundException for another ClientId", async () => {
    const error = await sdkErrorOf(
      cognito.send(
        new SignUpCommand({
          ClientId: "another-client",
          Username: newEmail(),
          Password: DEFAULT_PASSWORD,
        }),
      ),
      ResourceNotFoundException,
    );
    expect(error.message).toBe("User pool client another-client does not exist.");
  });

  it("InvalidParameterException for a username that is no email and for a flow not served", async () => {
    const error = await sdkErrorOf(signUp("not-an-email"), InvalidParameterException);
    expect(error.message).toBe("Username should be an email.");
    await sdkErrorOf(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_SRP_AUTH",
          ClientId: TEST_CLIENT_ID,
          AuthParameters: { USERNAME: newEmail(), SRP_A: "00" },
        }),
      ),
      InvalidParameterException,
    );
    await sdkErrorOf(
      cognito.send(
        new InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: TEST_CLIENT_ID }),
      ),
      InvalidParameterException,
    );
  });

  it("ExpiredCodeException 24 hours after the sign-up", async () => {
    const email = newEmail();
    await signUp(email);
    clock.advanceSeconds(PENDING_SIGNUPS.codeTtlSeconds);
    await sdkErrorOf(confirm(email, pool.codeFor(email)), ExpiredCodeException);
  });
});

describe("the wire", () => {
  it("answers errors as Cognito does: 400, __type and message, and x-amzn-ErrorType", async () => {
    const res = await rawCall("/cognito", {
      target: "SignUp",
      body: JSON.stringify({ ClientId: "nope", Username: newEmail(), Password: DEFAULT_PASSWORD }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({
      __type: "ResourceNotFoundException",
      message: "User pool client nope does not exist.",
    });
  });

  it("answers an operation it does not serve with InvalidAction", async () => {
    for (const target of ["ForgotPassword", "toString", undefined]) {
      const res = await rawCall("/cognito/", { ...(target === undefined ? {} : { target }) });
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amzn-errortype")).toBe("InvalidAction");
      expect(await res.json()).toMatchObject({ __type: "InvalidAction" });
    }
  });

  it("refuses malformed JSON and members of the wrong type, naming nothing internal", async () => {
    const malformed = await rawCall("/cognito", { target: "SignUp", body: "{" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: "SerializationException" });

    const wrongType = await rawCall("/cognito", {
      target: "ConfirmSignUp",
      body: JSON.stringify({ ClientId: TEST_CLIENT_ID, Username: newEmail(), ConfirmationCode: 7 }),
    });
    expect(wrongType.status).toBe(400);
    const body = (await wrongType.json()) as { __type: string; message: string };
    expect(body.__type).toBe("InvalidParameterException");
    expect(body.message).toContain("ConfirmationCode");
    expect(body.message).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it("never answers the confirmation code, which goes to the log only", async () => {
    const email = newEmail();
    const res = await rawCall("/cognito", {
      target: "SignUp",
      body: JSON.stringify({
        ClientId: TEST_CLIENT_ID,
        Username: email,
        Password: DEFAULT_PASSWORD,
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain(pool.codeFor(email));
  });
});

describe("CORS: the API's allowed origins", () => {
  it("answers an allowed origin's preflight with the headers the SDK sends", async () => {
    const res = await fetch(`${server.url}/cognito/`, {
      method: "OPTIONS",
      headers: {
        Origin: ALLOWED_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers":
          "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get("vary")).toBe("Origin");
    expect(res.headers.get("access-control-allow-methods")).toBe("OPTIONS, POST");
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const name of [
      "content-type",
      "x-amz-target",
      "x-amz-user-agent",
      "amz-sdk-invocation-id",
      "amz-sdk-request",
    ]) {
      expect(allowed.split(", ")).toContain(name);
    }
  });

  it("echoes an allowed origin on answers, errors included, and exposes the error type", async () => {
    const res = await rawCall("/cognito", { target: "GetUser", origin: ALLOWED_ORIGIN });
    expect(res.status).toBe(400);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-amzn-ErrorType");
    expect(res.headers.get("vary")).toBe("Origin");
  });

  it("gives another origin nothing to read, and refuses its preflight", async () => {
    const other = "https://evil.example";
    const res = await rawCall("/cognito", { target: "GetUser", origin: other });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("vary")).toBe("Origin");

    const preflight = await fetch(`${server.url}/cognito`, {
      method: "OPTIONS",
      headers: { Origin: other, "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
