import { randomUUID } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import { afterEach, expect, vi } from "vitest";
import { type App, type ComposeOverrides, compose, loadConfig } from "../../src/compose/index.js";
import type { ApiHandler, Problem } from "../../src/http/index.js";
import {
  GUEST_CART_TOKEN_HEADER,
  type ImageUploads,
  type Store,
} from "../../src/services/index.js";
import { type ApiEventOptions, apiEvent } from "./api-event.js";
import { type CartLineFixture, CHECKOUT_BODY } from "./fixtures.js";
import {
  createSigningKey,
  mintToken,
  type SigningKey,
  type TokenClaims,
  withKeyFile,
} from "./tokens.js";

export const TEST_ISSUER = "https://auth.store.test";
export const TEST_CLIENT_ID = "serverless-store-tests";
export const ALLOWED_ORIGIN = "https://shop.example.com";
export const OTHER_ALLOWED_ORIGIN = "http://localhost:5173";
export const DEFAULT_PASSWORD = "correct horse battery";

export interface TestAppOptions extends ComposeOverrides {
  /** Environment variables over the test defaults (memory store, test issuer, two origins). */
  env?: Record<string, string>;
  /** The key the app's local issuer signs with; one key per test process by default. */
  signingKey?: SigningKey;
}

export interface TestResponse {
  statusCode: number;
  /** Response headers by lower-case name. */
  headers: Record<string, string>;
  body: string;
  /** The parsed body; undefined when the body is empty. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response documents freely
  json: any;
  /** The `requestContext.requestId` of the event sent. */
  requestId: string;
  /** The `path` of the event sent. */
  path: string;
}

export interface SignedUp {
  token: string;
  userId: string;
  email: string;
}

export interface TestApp {
  app: App;
  handler: ApiHandler;
  signingKey: SigningKey;
  /** Calls the Lambda handler with `apiEvent(options)`, as API Gateway would. */
  invoke(options: ApiEventOptions): Promise<TestResponse>;
  /** Registers a user through `POST /auth/signup`, signs in at `/auth/login`: its token and id. */
  signup(email?: string, details?: { name?: string; password?: string }): Promise<SignedUp>;
  /**
   * A token signed with the app's own key: valid unless `claims` say otherwise. Its subject is a
   * user of the local pool (registered in the store unless it is already), as the API requires
   * of a token that writes.
   */
  mint(claims?: Partial<TokenClaims>): Promise<string>;
  /**
   * An ID token as the local pool (or Cognito) signs it, for the app's client: it says the
   * user's e-mail address and whether the pool confirmed it.
   */
  mintIdToken(claims: { sub: string; email: string; emailVerified: boolean }): Promise<string>;
  /** A valid token of a user in the `admin` group, registered as `mint` does. */
  mintAdmin(claims?: Partial<TokenClaims>): Promise<string>;
  /** Replaces the caller's cart through `POST /cart`; fails the test unless it answers 200. */
  saveCart(
    token: string,
    lines: readonly CartLineFixture[],
    promotionCode?: string,
  ): Promise<TestResponse>;
  /** `PUT /checkout`, with an `Idempotency-Key` header when `idempotencyKey` is given. */
  checkout(token: string, idempotencyKey?: string): Promise<TestResponse>;
  /**
   * A guest's order: a guest cart of `lines`, checked out with CHECKOUT_BODY and `email`; fails
   * the test unless it answers 202. Its id, and the token that alone opens it.
   */
  guestCheckout(
    lines: readonly CartLineFixture[],
    email?: string,
  ): Promise<{ orderId: string; orderAccessToken: string }>;
  close(): Promise<void>;
}

/** Signs nothing: answers a fixed upload, for tests of the route rather than of an endpoint. */
export const STUB_UPLOADS: ImageUploads = {
  createUpload: async ({ contentType }) => ({
    uploadUrl: "/uploads/stub.png?signature=stub",
    method: "PUT",
    headers: { "Content-Type": contentType },
    imageUrl: "/uploads/stub.png",
    expiresAt: "2030-01-01T00:00:00.000Z",
  }),
};

let sharedKey: Promise<SigningKey> | undefined;
let signups = 0;

/**
 * The application as the monolith Lambda builds it, on the memory store, with the local issuer
 * signing with a key the test holds (so tokens with chosen claims can be minted).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { env, signingKey: givenKey, ...overrides } = options;
  const config = loadConfig({
    STORE: "memory",
    CORS_ORIGINS: `${ALLOWED_ORIGIN},${OTHER_ALLOWED_ORIGIN}`,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_CLIENT_ID: TEST_CLIENT_ID,
    LOG_REQUESTS: "false",
    ...env,
  });
  const auth = config.auth;
  if (auth.mode !== "local") throw new Error("createTestApp needs AUTH_MODE=local");
  sharedKey ??= createSigningKey();
  const signingKey = givenKey ?? (await sharedKey);
  const app = await withKeyFile(signingKey, (keyFile) =>
    compose({ ...config, auth: { ...auth, keyFile } }, { uploads: STUB_UPLOADS, ...overrides }),
  );

  const invoke = async (eventOptions: ApiEventOptions): Promise<TestResponse> => {
    const event = apiEvent(eventOptions);
    const result = await app.handler(event, { awsRequestId: randomUUID() });
    const headers: Record<string, string> = {};
    const all = { ...result.headers, ...result.multiValueHeaders };
    for (const [name, value] of Object.entries(all)) {
      const lower = name.toLowerCase();
      // Two spellings of one header would reach the client as two headers: a bug to surface.
      if (lower in headers) throw new Error(`response sets header ${name} twice`);
      headers[lower] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return {
      statusCode: result.statusCode,
      headers,
      body: result.body,
      json: result.body === "" ? undefined : JSON.parse(result.body),
      requestId: event.requestContext.requestId,
      path: event.path,
    };
  };

  const mintRegistered = async (claims: Partial<TokenClaims>): Promise<string> => {
    const subject = claims.subject ?? randomUUID();
    if ((await app.store.getUser(subject)) === undefined) {
      await app.store.createUser({
        id: subject,
        email: `${subject.toLowerCase()}@tokens.example.com`,
        name: claims.username ?? "Token Holder",
        passwordHash: "not-a-password-hash",
        createdAt: new Date().toISOString(),
      });
    }
    return mintToken(signingKey, {
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      ...claims,
      subject,
    });
  };

  return {
    app,
    handler: app.handler,
    signingKey,
    invoke,
    async signup(email, details = {}) {
      signups += 1;
      const address = email ?? `shopper-${signups}-${randomUUID().slice(0, 8)}@example.com`;
      const res = await invoke({
        method: "POST",
        resource: "/auth/signup",
        body: {
          email: address,
          password: details.password ?? DEFAULT_PASSWORD,
          ...(details.name === undefined ? {} : { name: details.name }),
        },
      });
      if (res.statusCode !== 202) {
        throw new Error(`signup of ${address} answered ${res.statusCode}: ${res.body}`);
      }
      const login = await invoke({
        method: "POST",
        resource: "/auth/login",
        body: { email: address, password: details.password ?? DEFAULT_PASSWORD },
      });
      if (login.statusCode !== 200) {
        throw new Error(`login of ${address} answered ${login.statusCode}: ${login.body}`);
      }
      const token: string = login.json.accessToken;
      const userId = decodeJwt(token).sub;
      if (userId === undefined) throw new Error("the signup token names no user");
      return { token, userId, email: address };
    },
    mint: (claims = {}) => mintRegistered({ ...claims }),
    mintIdToken: ({ sub, email, emailVerified }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        token_use: "id",
        email,
        email_verified: emailVerified,
        "cognito:username": sub,
      })
        .setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: "JWT" })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_CLIENT_ID)
        .setSubject(sub)
        .setIssuedAt(now - 60)
        .setExpirationTime(now + 300)
        .sign(signingKey.privateKey);
    },
    mintAdmin: (claims = {}) =>
      mintRegistered({ username: "Operator", groups: ["admin"], ...claims }),
    async saveCart(token, lines, promotionCode) {
      const res = await invoke({
        method: "POST",
        resource: "/cart",
        token,
        body: {
          products: lines.map(([id, quantity]) => ({ id, quantity })),
          ...(promotionCode === undefined ? {} : { promotionCode }),
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res;
    },
    checkout: (token, idempotencyKey) =>
      invoke({
        method: "PUT",
        resource: "/checkout",
        token,
        body: CHECKOUT_BODY,
        ...(idempotencyKey === undefined ? {} : { headers: { "Idempotency-Key": idempotencyKey } }),
      }),
    async guestCheckout(lines, email = "guest@example.com") {
      const created = await invoke({ method: "POST", resource: "/guest-carts" });
      expect(created.statusCode, created.body).toBe(201);
      const headers = { [GUEST_CART_TOKEN_HEADER]: created.json.token as string };
      const saved = await invoke({
        method: "POST",
        resource: "/cart",
        headers,
        body: { products: lines.map(([id, quantity]) => ({ id, quantity })) },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      const placed = await invoke({
        method: "PUT",
        resource: "/checkout",
        headers,
        body: { ...CHECKOUT_BODY, email },
      });
      expect(placed.statusCode, placed.body).toBe(202);
      return { orderId: placed.json.id, orderAccessToken: placed.json.orderAccessToken };
    },
    close: () => app.close(),
  };
}

/**
 * Asserts `res` is an RFC 9457 problem of `status` and `code` for the request sent, with every
 * field this API promises and nothing of the server's internals; answers the document.
 */
export function expectProblem(res: TestResponse, status: number, code: string): Problem {
  expect({ status: res.statusCode, body: res.json }).toMatchObject({
    status,
    body: { status, code },
  });
  expect(res.headers["content-type"]).toBe("application/problem+json");
  const problem = res.json as Problem;
  expect(Object.keys(problem).sort()).toEqual(
    [
      "code",
      "detail",
      "instance",
      "requestId",
      "status",
      "title",
      "type",
      ...(problem.errors === undefined ? [] : ["errors"]),
    ].sort(),
  );
  expect(problem.type).toBe(
    `urn:serverless-store:problem:${code.toLowerCase().replaceAll("_", "-")}`,
  );
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.title).not.toBe("");
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.detail).not.toBe("");
  expect(problem.instance).toBe(res.path);
  expect(problem.requestId).toBe(res.requestId);
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return problem;
}

/**
 * A store whose every call first runs `before(method)`, which may throw (an outage) or act
 * (a concurrent write) before the real call goes ahead.
 */
export function interceptStore(
  inner: Store,
  before: (method: keyof Store) => void | Promise<void>,
): Store {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await before(property as keyof Store);
        return value.apply(target, args);
      };
    },
  });
}

/** A clock the test moves by hand. */
export function manualClock(start: string): { now(): Date; advanceSeconds(seconds: number): void } {
  let nowMs = Date.parse(start);
  return {
    now: () => new Date(nowMs),
    advanceSeconds: (seconds) => {
      nowMs += seconds * 1000;
    },
  };
}

/**
 * `start` for a test file whose tests each compose their own app: the app a test started is
 * closed after it, and `onStart` hands it to the file (usually to assign its `t`).
 */
export function startPerTest(
  onStart: (app: TestApp) => void,
): (options?: TestAppOptions) => Promise<TestApp> {
  let current: TestApp | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await createTestApp(options);
    onStart(current);
    return current;
  };
}

/**
 * The environment of a deployed function (Cognito tokens), on a memory store instead of the
 * table, for the Lambda entry factories that compose from `process.env`. Undo with
 * `vi.unstubAllEnvs()`.
 */
export function stubLambdaEnvironment(): void {
  vi.stubEnv("STORE", "memory");
  vi.stubEnv("AUTH_MODE", "cognito");
  vi.stubEnv("COGNITO_USER_POOL_ID", "eu-west-1_abcdefghi");
  vi.stubEnv("COGNITO_CLIENT_ID", "client");
}

/**
 * One of `productId`, checked out by `customer` over the app's handler and, unless `paid` is
 * false, processed with its demo payment (start the app with PAYMENT_DELAY_MS 0 to wait for
 * none): a paid (COMPLETED) order, as the operators' fulfilment steps need. Answers its id.
 */
export async function checkedOutOrder(
  t: TestApp,
  customer: { token: string; userId: string },
  productId: string,
  options: { paid?: boolean } = {},
): Promise<string> {
  await t.saveCart(customer.token, [[productId, 1]]);
  const placed = await t.checkout(customer.token);
  expect(placed.statusCode).toBe(202);
  const orderId: string = placed.json.id;
  if (options.paid !== false) {
    const ref = { userId: customer.userId, orderId };
    expect(await t.app.services.processing.processOrder(ref)).toBe("COMPLETED");
  }
  return orderId;
}
