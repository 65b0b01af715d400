import { describe, expect, it } from "vitest";
import { ADDRESS_BOOK_LIMITS } from "../../../src/domain/index.js";
import { startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

function gql(query: string, variables: object = {}, token?: string) {
  return t.invoke({
    method: "POST",
    resource: "/graphql",
    ...(token === undefined ? {} : { token }),
    body: { query, variables },
  });
}

const FIELDS = "id name line1 line2 city region postalCode country phone isDefault createdAt";
const BOOK = `{ myAddresses { items { ${FIELDS} } maxAddresses } }`;
const ADD = `mutation ($input: AddressInput!) { addAddress(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = "mutation ($id: ID!) { deleteAddress(id: $id) }";

const PORTLAND = {
  name: "Jo Doe",
  line1: "1 Main St",
  city: "Portland",
  region: "or",
  postalCode: "972011234",
  country: "US",
  phone: null,
};

const errorOf = (res: { json: { errors?: { message: string; extensions: object }[] } }) =>
  res.json.errors?.[0];

describe("GraphQL address book", () => {
  it("adds, lists, updates and deletes the caller's addresses, as REST does", async () => {
    await start();
    const ada = await t.signup();
    const added = await gql(ADD, { input: { ...PORTLAND, isDefault: true } }, ada.token);
    const address = added.json.data.addAddress;
    expect(address).toMatchObject({
      region: "OR",
      postalCode: "97201-1234",
      line2: null,
      phone: null,
      isDefault: true,
    });
    expect((await gql(BOOK, {}, ada.token)).json.data.myAddresses).toEqual({
      items: [address],
      maxAddresses: ADDRESS_BOOK_LIMITS.maxAddresses,
    });
    const updated = await gql(
      UPDATE,
      { id: address.id, input: { ...PORTLAND, line2: "Suite 5" } },
      ada.token,
    );
    expect(updated.json.data.updateAddress).toEqual({ ...address, line2: "Suite 5" });
    expect((await gql(DELETE, { id: address.id }, ada.token)).json.data.deleteAddress).toBe(true);
    expect((await gql(BOOK, {}, ada.token)).json.data.myAddresses.items).toEqual([]);
  });

  it("names each invalid field with BAD_USER_INPUT", async () => {
    await start();
    const ada = await t.signup();
    const res = await gql(ADD, { input: { ...PORTLAND, region: "XX", city: "" } }, ada.token);
    expect(errorOf(res)?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: expect.arrayContaining([
        expect.objectContaining({ field: "city" }),
        expect.objectContaining({ field: "region" }),
      ]),
    });
  });

  it("answers NOT_FOUND for another customer's address, changing nothing", async () => {
    await start();
    const ada = await t.signup();
    const eve = await t.signup();
    const address = (await gql(ADD, { input: PORTLAND }, ada.token)).json.data.addAddress;
    const update = await gql(UPDATE, { id: address.id, input: PORTLAND }, eve.token);
    expect(errorOf(update)?.extensions).toMatchObject({ code: "NOT_FOUND" });
    const remove = await gql(DELETE, { id: address.id }, eve.token);
    expect(errorOf(remove)?.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect((await gql(BOOK, {}, eve.token)).json.data.myAddresses.items).toEqual([]);
    expect((await gql(BOOK, {}, ada.token)).json.data.myAddresses.items).toEqual([address]);
  });

  it(`answers ADDRESS_BOOK_FULL past ${ADDRESS_BOOK_LIMITS.maxAddresses}, and UNAUTHENTICATED without a token`, async () => {
    await start();
    const ada = await t.signup();
    for (let i = 0; i < ADDRESS_BOOK_LIMITS.maxAddresses; i++) {
      expect(errorOf(await gql(ADD, { input: PORTLAND }, ada.token))).toBeUndefined();
    }
    const full = await gql(ADD, { input: PORTLAND }, ada.token);
    expect(errorOf(full)?.extensions).toMatchObject({
      code: "CONFLICT",
      reason: "ADDRESS_BOOK_FULL",
    });
    for (const res of [await gql(BOOK), await gql(ADD, { input: PORTLAND })]) {
      expect(errorOf(res)?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });
});
