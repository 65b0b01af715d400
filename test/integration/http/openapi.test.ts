import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../../src/http/index.js";
import { startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document with every route, preflight and error response", async () => {
    await start();
    const res = await t.invoke({ method: "GET", resource: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json;

    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");

    for (const route of ROUTES) {
      const operation = doc.paths[route.resource]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.resource}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["500", "503"]));
      expect(operation.security !== undefined).toBe(route.auth !== "none");
      expect(doc.paths[route.resource].options.responses["204"]).toBeDefined();
    }
    const responses = (method: string, resource: string) =>
      Object.keys(doc.paths[resource][method].responses);
    expect(responses("post", "/cart")).toEqual(
      expect.arrayContaining(["200", "400", "401", "413", "415", "422"]),
    );
    expect(responses("put", "/checkout")).toEqual(
      expect.arrayContaining(["200", "202", "409", "422"]),
    );
    expect(responses("post", "/auth/login")).toEqual(expect.arrayContaining(["200", "401", "429"]));
    expect(responses("post", "/auth/signup")).toEqual(expect.arrayContaining(["201", "409"]));
    expect(responses("get", "/orders/{id}")).toEqual(expect.arrayContaining(["404", "405"]));

    // The body schema is the router's own: the cart's limits show through.
    const cartBody =
      doc.paths["/cart"].post.requestBody.content["application/json"].schema.properties.products;
    expect(cartBody.items.properties.quantity).toMatchObject({ minimum: 1, maximum: 99 });
    // Guest carts: the header on the operations that read it, required only for the merge.
    const guestHeader = (method: string, resource: string) =>
      doc.paths[resource][method].parameters?.find(
        (p: { in: string; name: string }) => p.in === "header" && p.name === "Guest-Cart-Token",
      );
    for (const method of ["get", "post"]) {
      expect(guestHeader(method, "/cart")).toMatchObject({
        required: false,
        schema: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
      });
    }
    expect(guestHeader("post", "/cart/merge")).toMatchObject({ required: true });
    expect(doc.paths["/cart/merge"].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/cart"].get.security).toEqual([{}, { bearer: [] }]);
    expect(responses("post", "/cart/merge")).toEqual(
      expect.arrayContaining(["200", "400", "401", "409"]),
    );
    expect(responses("post", "/guest-carts")).toEqual(expect.arrayContaining(["201"]));
    expect(doc.paths["/guest-carts"].post.security).toBeUndefined();
    expect(guestHeader("get", "/orders")).toBeUndefined();

    expect(doc.paths["/products/{id}"].get.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ]);
  });
});
