// The shop's shipping and tax settings over HTTP: operators read and replace them from the version
// they read (409 when stale, 400 naming the field when wrong), and anyone reads the shipping
// methods to a country (422 NOT_SHIPPABLE naming `country` where the shop does not ship).
import { describe, expect, it } from "vitest";
import { SAMPLE_SHIPPING, SAMPLE_TAX } from "../../helpers/admin-samples.js";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const methodsTo = (query: Record<string, string>) =>
  t.invoke({ method: "GET", resource: "/shipping-methods", query });

describe("shipping and tax settings", () => {
  it("answers the seeded methods to a country, cheapest first, free above their threshold", async () => {
    await start();
    const small = await methodsTo({ country: "DE", goodsCents: "2500" });
    expect(small.statusCode).toBe(200);
    expect(small.json).toMatchObject({ country: "DE", goodsCents: 2500 });
    expect(small.json.methods.map((m: { methodId: string }) => m.methodId)).toEqual([
      "eu-standard",
      "eu-express",
    ]);
    expect(small.json.methods[0]).toMatchObject({ priceCents: 690, regularPriceCents: 690 });
    const large = await methodsTo({ country: "de", goodsCents: "6000" });
    expect(large.json.methods[0]).toMatchObject({ methodId: "eu-standard", priceCents: 0 });
  });

  it("refuses a country no zone covers (422 naming country) and a malformed query (400)", async () => {
    await start();
    const brazil = await methodsTo({ country: "BR" });
    expectProblem(brazil, 422, "NOT_SHIPPABLE");
    expect(brazil.json.errors).toEqual([{ field: "country", message: "not shipped to BR" }]);
    const malformed = await methodsTo({ country: "Germany", goodsCents: "-1" });
    expectProblem(malformed, 400, "VALIDATION_FAILED");
    expect(malformed.json.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "country",
      "goodsCents",
    ]);
  });

  it("lets an operator replace the shipping settings from the version read, and shoppers see them at once", async () => {
    await start();
    const operator = await t.mintAdmin();
    const read = await t.invoke({ method: "GET", resource: "/admin/shipping", token: operator });
    expect(read.json.version).toBe(1);
    const body = { ...SAMPLE_SHIPPING, version: read.json.version };
    const saved = await t.invoke({
      method: "PUT",
      resource: "/admin/shipping",
      token: operator,
      body,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json).toMatchObject({ version: 2, zones: SAMPLE_SHIPPING.zones });
    expect(saved.json.updatedAt).toEqual(expect.any(String));

    const stale = await t.invoke({
      method: "PUT",
      resource: "/admin/shipping",
      token: operator,
      body,
    });
    expectProblem(stale, 409, "SETTINGS_CHANGED");
    expect(stale.json.errors).toEqual([{ field: "version", message: "no longer 1" }]);

    expectProblem(await methodsTo({ country: "FR" }), 422, "NOT_SHIPPABLE");
    const home = await methodsTo({ country: "DE" });
    expect(home.json.methods).toEqual([
      {
        methodId: "dhl",
        zoneId: "home",
        name: "DHL",
        priceCents: 499,
        regularPriceCents: 499,
        freeAboveCents: 5000,
      },
    ]);
  });

  it("refuses invalid settings with 400 naming the field, saving nothing", async () => {
    await start();
    const operator = await t.mintAdmin();
    const zones = [
      { id: "home", name: "Germany", countries: ["DE"] },
      { id: "near", name: "Neighbours", countries: ["de"] },
    ];
    const res = await t.invoke({
      method: "PUT",
      resource: "/admin/shipping",
      token: operator,
      body: { zones, methods: [], version: 1 },
    });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.json.errors.map((e: { field: string }) => e.field)).toEqual([
      "zones[1].countries[0]",
    ]);
    const tax = await t.invoke({
      method: "PUT",
      resource: "/admin/tax",
      token: operator,
      body: {
        ...SAMPLE_TAX,
        rates: [{ country: "US", region: "ZZ", label: "x", ratePpm: 1 }],
        version: 1,
      },
    });
    expectProblem(tax, 400, "VALIDATION_FAILED");
    expect(tax.json.errors.map((e: { field: string }) => e.field)).toEqual(["rates[0].region"]);
    const after = await t.invoke({ method: "GET", resource: "/admin/shipping", token: operator });
    expect(after.json.version).toBe(1);
  });

  it("replaces the tax settings and answers them over GraphQL too", async () => {
    await start();
    const operator = await t.mintAdmin();
    const saved = await t.invoke({
      method: "PUT",
      resource: "/admin/tax",
      token: operator,
      body: { ...SAMPLE_TAX, version: 1 },
    });
    expect(saved.json).toMatchObject({ mode: "inclusive", taxShipping: true, version: 2 });
    const graphql = await t.invoke({
      method: "POST",
      resource: "/graphql",
      token: operator,
      body: {
        query:
          '{ taxSettings { mode version rates { country ratePpm } } shippingMethods(country: "US", goodsCents: 6000) { methods { methodId priceCents } } }',
      },
    });
    expect(graphql.json.errors).toBeUndefined();
    expect(graphql.json.data.taxSettings).toEqual({
      mode: "inclusive",
      version: 2,
      rates: [{ country: "DE", ratePpm: 190000 }],
    });
    expect(graphql.json.data.shippingMethods.methods[0]).toEqual({
      methodId: "us-ground",
      priceCents: 0,
    });
    const nowhere = await t.invoke({
      method: "POST",
      resource: "/graphql",
      body: { query: '{ shippingMethods(country: "BR") { methods { methodId } } }' },
    });
    expect(nowhere.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});
