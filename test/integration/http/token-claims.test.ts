// Tokens signed with the real key are still refused when they would never age out (no `exp`,
// no `iat`, or a life past a day), and a local token naming no user of the pool writes nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TOKEN_LIFETIME_SECONDS } from "../../../src/identity/token-verifier.js";
import {
  createTestApp,
  expectProblem,
  TEST_CLIENT_ID,
  TEST_ISSUER,
  type TestApp,
} from "../../helpers/app.js";
import { CHECKOUT_BODY } from "../../helpers/fixtures.js";
import { mintToken, type TokenClaims } from "../../helpers/tokens.js";

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(() => t.close());

/** A token of the app's own key for `subject`, registered or not, with `claims` over the usual. */
const signed = (subject: string, claims: Partial<TokenClaims> = {}) =>
  mintToken(t.signingKey, { issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, subject, ...claims });

const getCart = (token: string) => t.invoke({ method: "GET", resource: "/cart", token });

describe("a token's lifetime", () => {
  it("refuses a token without exp, however well signed", async () => {
    const { userId } = await t.signup();
    const res = await getCart(await signed(userId, { omit: ["exp"] }));
    expectProblem(res, 401, "UNAUTHENTICATED");
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
  });

  it("refuses a token without iat", async () => {
    const { userId } = await t.signup();
    expectProblem(await getCart(await signed(userId, { omit: ["iat"] })), 401, "UNAUTHENTICATED");
  });

  it("refuses a token whose exp is more than a day after its iat", async () => {
    const { userId } = await t.signup();
    const longLived = await signed(userId, {
      issuedInSeconds: -60,
      expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    });
    expectProblem(await getCart(longLived), 401, "UNAUTHENTICATED");
    const aDay = await signed(userId, {
      issuedInSeconds: 0,
      expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    });
    expect((await getCart(aDay)).statusCode).toBe(200);
  });
});

describe("a local token naming no user", () => {
  const ghost = () => signed(`ghost-${randomUUID()}`);

  it("reads nothing of anyone's: an empty cart", async () => {
    const res = await getCart(await ghost());
    expect(res.statusCode).toBe(200);
    expect(res.json.products).toEqual([]);
  });

  it("cannot save a cart, check out or comment (401)", async () => {
    const token = await ghost();
    const writes = [
      t.invoke({
        method: "POST",
        resource: "/cart",
        token,
        body: { products: [{ id: "lonely-bird", quantity: 1 }] },
      }),
      t.invoke({ method: "PUT", resource: "/checkout", token, body: CHECKOUT_BODY }),
      t.invoke({
        method: "POST",
        resource: "/products/{id}/comments",
        pathParameters: { id: "lonely-bird" },
        token,
        body: { rating: 5, text: "from nobody" },
      }),
    ];
    for (const res of await Promise.all(writes)) expectProblem(res, 401, "UNAUTHENTICATED");
    const product = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "lonely-bird" },
    });
    expect(JSON.stringify(product.json.comments)).not.toContain("from nobody");
  });

  it("cannot write through GraphQL either", async () => {
    const res = await t.invoke({
      method: "POST",
      resource: "/graphql",
      token: await ghost(),
      body: {
        query: 'mutation { saveCart(products: [{ code: "lonely-bird", quantity: 1 }]) { total } }',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(res.json.data ?? null).toBeNull();
  });

  it("a user who signed up writes with the same kind of token", async () => {
    const { userId } = await t.signup();
    const res = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: await signed(userId),
      body: { products: [{ id: "lonely-bird", quantity: 1 }] },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
});
