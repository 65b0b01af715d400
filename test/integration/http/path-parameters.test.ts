// Path parameters and GraphQL id arguments are held to the store's id limits at the edge: an id
// longer than any key can hold is a 400 naming the parameter, never a store error (500).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, routeKey } from "../../../src/http/index.js";
import { ID_LIMITS } from "../../../src/services/index.js";
import { createTestApp, expectProblem, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let userToken: string;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp();
  userToken = (await t.signup()).token;
  adminToken = await t.mintAdmin();
});

afterAll(() => t.close());

const withParameters = ROUTES.filter((route) => route.resource.includes("{"));
const namesOf = (resource: string) =>
  Array.from(resource.matchAll(/\{([^}+]+)\}/g), (match) => match[1] ?? "");

describe("path parameters", () => {
  it("the route table has routes with parameters, admin ones among them", () => {
    expect(withParameters.length).toBeGreaterThan(5);
    expect(withParameters.some((route) => route.auth === "admin")).toBe(true);
  });

  it.each(withParameters.map((route) => [routeKey(route), route] as const))(
    "%s: an id of 1,100 characters is a 400 naming the parameter",
    async (_key, route) => {
      const names = namesOf(route.resource);
      const [tooLong, ...rest] = names;
      if (tooLong === undefined) throw new Error(`no parameter in ${route.resource}`);
      const pathParameters: Record<string, string> = { [tooLong]: "a".repeat(1_100) };
      for (const name of rest) pathParameters[name] = "fine";
      const token =
        route.auth === "admin" ? adminToken : route.auth === "none" ? undefined : userToken;
      const res = await t.invoke({
        method: route.method,
        resource: route.resource,
        pathParameters,
        ...(token === undefined ? {} : { token }),
      });
      const problem = expectProblem(res, 400, "VALIDATION_FAILED");
      expect(problem.errors?.map((error) => error.field)).toEqual([tooLong]);
    },
  );

  it("an id at the limit is looked up as usual (404 for an unknown one)", async () => {
    const res = await t.invoke({
      method: "GET",
      resource: "/orders/{id}",
      pathParameters: { id: "a".repeat(ID_LIMITS.maxLength) },
      token: userToken,
    });
    expectProblem(res, 404, "NOT_FOUND");
  });

  it("a control character in an id is refused", async () => {
    const res = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "lonely\u0000bird" },
    });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors?.[0]?.field).toBe("id");
  });
});

describe("GraphQL id arguments", () => {
  const long = "b".repeat(1_100);
  const cases: [string, string, "user" | "admin"][] = [
    ["order", `{ order(id: "${long}") { id } }`, "user"],
    ["product", `{ product(id: "${long}") { id } }`, "user"],
    [
      "addComment",
      `mutation { addComment(productId: "${long}", rating: 5, text: "hi") { id } }`,
      "user",
    ],
    ["cancelMyOrder", `mutation { cancelMyOrder(id: "${long}") { id } }`, "user"],
    ["adminOrder", `{ adminOrder(id: "${long}") { id } }`, "admin"],
    ["archiveProduct", `mutation { archiveProduct(id: "${long}") { id } }`, "admin"],
    ["deactivatePromotion", `mutation { deactivatePromotion(code: "${long}") { code } }`, "admin"],
    ["cancelOrder", `mutation { cancelOrder(id: "${long}") { refundedCents } }`, "admin"],
    ["stockAdjustments", `{ stockAdjustments(productId: "${long}") { nextCursor } }`, "admin"],
  ];

  it.each(cases)("%s: an over-long id is BAD_USER_INPUT", async (_name, query, who) => {
    const res = await t.invoke({
      method: "POST",
      resource: "/graphql",
      token: who === "admin" ? adminToken : userToken,
      body: { query },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.body).not.toMatch(/\n\s+at /);
  });
});
