import { describe, expect, it } from "vitest";
import { manualClock, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

/** A GraphQL request through the Lambda handler, with a Guest-Cart-Token header when given. */
function gql(
  query: string,
  options: { token?: string; guestToken?: string; resource?: "/query" | "/graphql" } = {},
) {
  return t.invoke({
    method: "POST",
    resource: options.resource ?? "/graphql",
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.guestToken === undefined
      ? {}
      : { headers: { "Guest-Cart-Token": options.guestToken } }),
    body: { query },
  });
}

const CREATE = "mutation { createGuestCart { token expiresAt } }";
const CART = "{ cart { products { code quantity price } totalCents version notices } }";
const save = (code: string, quantity: number) =>
  `mutation { saveCart(products: [{ code: "${code}", quantity: ${quantity} }]) { products { code quantity } totalCents version } }`;
const MERGE = "mutation { mergeGuestCart { products { code quantity } version notices } }";

const errorOf = (res: { json: { errors?: { message: string; extensions: object }[] } }) =>
  res.json.errors?.[0];

async function createGuestCart(): Promise<string> {
  const res = await gql(CREATE);
  return res.json.data.createGuestCart.token;
}

describe("GraphQL guest carts", () => {
  it("createGuestCart answers a token and its expiry; cart and saveCart use the header", async () => {
    const clock = manualClock("2026-06-01T10:00:00.000Z");
    await start({ clock });

    const created = await gql(CREATE, { resource: "/query" });
    expect(created.json.data.createGuestCart).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: "2026-06-08T10:00:00.000Z",
    });
    const guestToken: string = created.json.data.createGuestCart.token;

    const saved = await gql(save("lonely-bird", 2), { guestToken });
    expect(saved.json.data.saveCart).toEqual({
      products: [{ code: "lonely-bird", quantity: 2 }],
      totalCents: 5998,
      version: 2,
    });
    const read = await gql(CART, { guestToken });
    expect(read.json.data.cart).toEqual({
      products: [{ code: "lonely-bird", quantity: 2, price: 2999 }],
      totalCents: 5998,
      version: 2,
      notices: [],
    });
  });

  it("refuses an anonymous cart without the header, a malformed one, and an unknown one", async () => {
    await start();

    expect(errorOf(await gql(CART))?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(errorOf(await gql(save("lonely-bird", 1)))?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
    });
    const malformed = errorOf(await gql(CART, { guestToken: "nope" }));
    expect(malformed?.message).toContain("Guest-Cart-Token header");
    expect(malformed?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "VALIDATION_FAILED",
      fields: [{ field: "Guest-Cart-Token header", message: expect.any(String) }],
    });
    const unknown = errorOf(await gql(CART, { guestToken: "A".repeat(43) }));
    expect(unknown).toMatchObject({
      message: "guest cart not found or expired",
      extensions: { code: "NOT_FOUND" },
    });
  });

  it("a signed-in caller's cart ignores the header", async () => {
    await start();
    const ada = await t.signup();
    const guestToken = await createGuestCart();
    await gql(save("wool-throw", 1), { guestToken });

    await gql(save("copper-kettle", 1), { token: ada.token, guestToken });
    const mine = await gql(CART, { token: ada.token, guestToken: "not a token" });

    expect(mine.json.data.cart.products).toEqual([
      { code: "copper-kettle", quantity: 1, price: 8900 },
    ]);
    expect((await gql(CART, { guestToken })).json.data.cart.products).toEqual([
      { code: "wool-throw", quantity: 1, price: 6900 },
    ]);
  });

  it("mergeGuestCart adds the guest cart to the caller's once and deletes it", async () => {
    await start();
    const ada = await t.signup();
    await gql(save("lonely-bird", 1), { token: ada.token });
    const guestToken = await createGuestCart();
    await gql(save("lonely-bird", 2), { guestToken });

    const merged = await gql(MERGE, { token: ada.token, guestToken });
    const again = await gql(MERGE, { token: ada.token, guestToken });

    expect(merged.json.data.mergeGuestCart).toEqual({
      products: [{ code: "lonely-bird", quantity: 3 }],
      version: 2,
      notices: [],
    });
    expect(again.json.data.mergeGuestCart).toEqual(merged.json.data.mergeGuestCart);
    expect(errorOf(await gql(CART, { guestToken }))?.extensions).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("mergeGuestCart needs a signed-in caller and the header", async () => {
    await start();
    const ada = await t.signup();
    const guestToken = await createGuestCart();

    expect(errorOf(await gql(MERGE, { guestToken }))?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
    });
    const missing = errorOf(await gql(MERGE, { token: ada.token }));
    expect(missing?.message).toContain("Guest-Cart-Token header");
    expect(missing?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
  });
});
