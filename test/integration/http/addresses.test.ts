// The address book over REST: a signed-in customer's own addresses, at most
// ADDRESS_BOOK_LIMITS.maxAddresses, one default. Every answer is checked against the OpenAPI
// document, so each status a route gives is one it documents, with its schema.
import { afterEach, describe, expect, it } from "vitest";
import { ADDRESS_BOOK_LIMITS } from "../../../src/domain/index.js";
import { expectProblem, startPerTest, type TestApp, type TestResponse } from "../../helpers/app.js";
import { createResponseChecker } from "../../helpers/openapi-responses.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});
const checker = createResponseChecker();
const seen: Checked[] = [];

afterEach(() => {
  const problems = seen.splice(0).flatMap((res) =>
    checker.check({
      method: res.requestMethod,
      path: res.path,
      status: res.statusCode,
      contentType: res.headers["content-type"] ?? null,
      body: res.json,
    }),
  );
  expect(problems).toEqual([]);
});

const LONDON = {
  name: "  Ada   Lovelace ",
  line1: "10 Downing Street",
  city: "London",
  postalCode: "sw1a2aa",
  country: "gb",
};
const BERLIN = {
  name: "Erika Mustermann",
  line1: "Heidestraße 17",
  city: "Berlin",
  postalCode: "10557",
  country: "DE",
};

type Checked = TestResponse & { requestMethod: string };

async function call(
  method: "GET" | "POST" | "PUT" | "DELETE",
  token: string | undefined,
  options: { id?: string; body?: object } = {},
): Promise<Checked> {
  const res = await t.invoke({
    method,
    resource: options.id === undefined ? "/addresses" : "/addresses/{id}",
    ...(options.id === undefined ? {} : { pathParameters: { id: options.id } }),
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(token === undefined ? {} : { token }),
  });
  const checked = { ...res, requestMethod: method };
  seen.push(checked);
  return checked;
}

const add = (token: string, body: object) => call("POST", token, { body });
const list = (token: string) => call("GET", token);

describe("the address book over REST", () => {
  it("adds an address in its canonical form: 201 with a Location naming it", async () => {
    await start();
    const ada = await t.signup();
    const res = await add(ada.token, { ...LONDON, userId: "someone-else" });
    expect(res.statusCode).toBe(201);
    expect(res.json).toMatchObject({
      name: "Ada Lovelace",
      postalCode: "SW1A 2AA",
      country: "GB",
      line2: null,
      region: null,
      phone: null,
      isDefault: false,
    });
    expect(res.headers.location).toBe(`addresses/${res.json.id}`);
    expect((await list(ada.token)).json).toEqual({
      items: [res.json],
      maxAddresses: ADDRESS_BOOK_LIMITS.maxAddresses,
    });
  });

  it("answers 400 naming every invalid field, and stores nothing", async () => {
    await start();
    const ada = await t.signup();
    const res = await add(ada.token, { ...BERLIN, name: " ", postalCode: "1234", phone: "x" });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors?.map((error) => error.field).sort()).toEqual([
      "name",
      "phone",
      "postalCode",
    ]);
    expectProblem(await add(ada.token, { ...BERLIN, isDefault: "yes" }), 400, "VALIDATION_FAILED");
    expect((await list(ada.token)).json.items).toEqual([]);
  });

  it("keeps one default, listed first; PUT replaces, DELETE answers 204", async () => {
    await start();
    const ada = await t.signup();
    const first = (await add(ada.token, { ...BERLIN, isDefault: true })).json;
    const second = (await add(ada.token, { ...LONDON, isDefault: true })).json;
    expect((await list(ada.token)).json.items.map((a: { id: string }) => a.id)).toEqual([
      second.id,
      first.id,
    ]);
    const replaced = await call("PUT", ada.token, {
      id: first.id,
      body: { ...BERLIN, line2: "Hinterhaus", isDefault: true },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json).toEqual({ ...first, line2: "Hinterhaus", isDefault: true });
    const book = (await list(ada.token)).json.items;
    expect(book.filter((a: { isDefault: boolean }) => a.isDefault)).toEqual([replaced.json]);

    const deleted = await call("DELETE", ada.token, { id: first.id });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe("");
    expect((await list(ada.token)).json.items).toEqual([{ ...second, isDefault: false }]);
    expectProblem(await call("DELETE", ada.token, { id: first.id }), 404, "NOT_FOUND");
  });

  it(`answers 409 ADDRESS_BOOK_FULL for address ${ADDRESS_BOOK_LIMITS.maxAddresses + 1}`, async () => {
    await start();
    const ada = await t.signup();
    for (let i = 0; i < ADDRESS_BOOK_LIMITS.maxAddresses; i++) {
      expect((await add(ada.token, BERLIN)).statusCode).toBe(201);
    }
    const res = await add(ada.token, LONDON);
    expectProblem(res, 409, "ADDRESS_BOOK_FULL");
    expect((await list(ada.token)).json.items).toHaveLength(ADDRESS_BOOK_LIMITS.maxAddresses);
  });

  it("answers 404, never 403, for another customer's address, and changes nothing", async () => {
    await start();
    const ada = await t.signup();
    const eve = await t.signup();
    const adas = (await add(ada.token, { ...BERLIN, isDefault: true })).json;
    const put = await call("PUT", eve.token, { id: adas.id, body: LONDON });
    const putUnknown = await call("PUT", eve.token, { id: "no-such-address", body: LONDON });
    expect(expectProblem(put, 404, "NOT_FOUND").detail).toBe(
      expectProblem(putUnknown, 404, "NOT_FOUND").detail.replace("no-such-address", adas.id),
    );
    expectProblem(await call("DELETE", eve.token, { id: adas.id }), 404, "NOT_FOUND");
    expect((await list(eve.token)).json.items).toEqual([]);
    expect((await list(ada.token)).json.items).toEqual([adas]);
  });

  it("answers 401 to an anonymous caller on every route", async () => {
    await start();
    const ada = await t.signup();
    const adas = (await add(ada.token, BERLIN)).json;
    for (const res of [
      await call("GET", undefined),
      await call("POST", undefined, { body: BERLIN }),
      await call("PUT", undefined, { id: adas.id, body: LONDON }),
      await call("DELETE", undefined, { id: adas.id }),
    ]) {
      expectProblem(res, 401, "UNAUTHENTICATED");
    }
    expect((await list(ada.token)).json.items).toEqual([adas]);
  });
});
