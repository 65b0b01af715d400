import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../../src/http/index.js";
import { ID_LIMITS } from "../../../src/services/index.js";
import { startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const document = async () => {
  await start();
  const res = await t.invoke({ method: "GET", resource: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  return res.json;
};

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document with every route, its security, and its preflight", async () => {
    const doc = await document();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: ".", description: "The API that serves this document" }]);

    for (const route of ROUTES) {
      const operation = doc.paths[route.resource]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.resource}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["413", "500"]));
      const security = {
        none: [],
        optional: [{}, { bearer: [] }],
        required: [{ bearer: [] }],
        admin: [{ bearer: [] }],
      };
      expect(operation.security).toEqual(security[route.auth]);
      expect(doc.paths[route.resource].options.responses["204"]).toBeDefined();
    }
  });

  it("lists exactly the statuses each operation can answer", async () => {
    const doc = await document();
    const statuses = (method: string, resource: string) =>
      Object.keys(doc.paths[resource][method].responses);
    expect(statuses("get", "/products")).toEqual(["200", "400", "401", "413", "500", "503"]);
    expect(statuses("get", "/cart")).toEqual(["200", "400", "401", "404", "413", "500", "503"]);
    expect(statuses("post", "/cart")).toEqual([
      "200",
      "400",
      "401",
      "404",
      "413",
      "415",
      "422",
      "500",
      "503",
    ]);
    // A guest's checkout may find its cart expired (404) or be rate limited (429); the body is
    // JSON now (415 otherwise).
    expect(statuses("put", "/checkout")).toEqual([
      "200",
      "202",
      "400",
      "401",
      "404",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
    ]);
    expect(statuses("post", "/auth/login")).toEqual([
      "200",
      "400",
      "401",
      "413",
      "415",
      "429",
      "500",
      "503",
    ]);
    expect(statuses("get", "/openapi.json")).toEqual(["200", "413", "500"]);
    expect(statuses("get", "/graphql")).toEqual(["200", "400", "401", "405", "413", "500"]);
  });

  it("documents the request and response headers, and the body and answer schemas", async () => {
    const doc = await document();
    const checkout = doc.paths["/checkout"].put;
    expect(checkout.parameters).toEqual([
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false }),
      expect.objectContaining({ name: "Guest-Cart-Token", in: "header", required: false }),
    ]);
    expect(Object.keys(checkout.responses["200"].headers)).toEqual([
      "Location",
      "Idempotent-Replayed",
    ]);
    expect(Object.keys(checkout.responses["202"].headers)).toEqual(["Location"]);
    expect(checkout.responses["401"].headers["WWW-Authenticate"]).toBeDefined();
    expect(checkout.responses["503"].headers["Retry-After"]).toBeDefined();
    expect(doc.paths["/auth/login"].post.responses["429"].headers["Retry-After"]).toBeDefined();

    const schemas = doc.components.schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(["Product", "ProductPage", "Cart", "Order", "Problem"]),
    );
    expect(doc.paths["/products"].get.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ProductPage",
    });
    // The body schema is the router's own: the cart's limits show through.
    expect(doc.paths["/cart"].post.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/SaveCartRequest",
    });
    const line = schemas.SaveCartRequest.properties.products.items.properties;
    expect(line.quantity).toMatchObject({ minimum: 1, maximum: 99 });
    expect(schemas.CartLine.required).toContain("available");

    const parameter = (method: string, resource: string, name: string) =>
      doc.paths[resource][method].parameters?.find((p: { name: string }) => p.name === name);
    for (const method of ["get", "post"]) {
      expect(parameter(method, "/cart", "Guest-Cart-Token")).toMatchObject({
        in: "header",
        required: false,
        schema: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
      });
    }
    expect(parameter("post", "/cart/merge", "Guest-Cart-Token")).toMatchObject({ required: true });
    for (const resource of ["/products", "/orders"]) {
      expect(parameter("get", resource, "limit").schema).toEqual({
        type: "integer",
        minimum: 1,
        maximum: 100,
        default: 20,
      });
      expect(parameter("get", resource, "cursor")).toBeDefined();
    }
    // Path parameters sit on the path, so the preflight declares them too.
    expect(doc.paths["/products/{id}"].parameters).toEqual([
      {
        name: "id",
        in: "path",
        required: true,
        schema: { type: "string", minLength: 1, maxLength: ID_LIMITS.maxLength },
      },
    ]);
  });

  it("lints clean with Redocly's recommended rules: 0 errors, 0 warnings", async () => {
    const doc = await document();
    const dir = await mkdtemp(join(tmpdir(), "openapi-lint-"));
    try {
      const file = join(dir, "openapi.json");
      await writeFile(file, JSON.stringify(doc));
      const { stdout } = await promisify(execFile)(
        "npx",
        ["--no-install", "redocly", "lint", file, "--format=json"],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        },
      );
      const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
      expect(report.problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
