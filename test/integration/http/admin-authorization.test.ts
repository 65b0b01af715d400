// The authorization matrix: every admin route, and every operators' GraphQL field, asked by an
// anonymous caller, a signed-in customer and an operator. Non-operators succeed 0 times and
// change nothing; the route table marks the routes, so a new admin route without a sample here
// fails the test.
import { describe, expect, it } from "vitest";
import { ADMIN_SDL } from "../../../src/graphql/admin-schema.js";
import { ADMIN_ROUTES, ROUTES } from "../../../src/http/index.js";
import { adminSamples } from "../../helpers/admin-samples.js";
import { expectProblem, startPerTest, type TestApp, type TestResponse } from "../../helpers/app.js";
import { createResponseChecker } from "../../helpers/openapi-responses.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

/** One valid document per operators' field and mutation of ADMIN_SDL. */
const GRAPHQL_SAMPLES: Record<string, { query: string; variables?: object }> = {
  adminProducts: { query: "{ adminProducts { id stock archived } }" },
  stockAdjustments: {
    query:
      '{ stockAdjustments(productId: "lonely-bird", first: 5) { items { delta } nextCursor } }',
  },
  adminPromotions: { query: "{ adminPromotions { code uses active } }" },
  adminOrders: { query: '{ adminOrders(status: "PLACED", first: 5) { items { id userId } } }' },
  adminOrder: { query: "query ($id: ID!) { adminOrder(id: $id) { id status } }" },
  operatorFigures: { query: "{ operatorFigures { products { id unitsInCarts } } }" },
  createProduct: {
    query:
      'mutation { createProduct(input: { name: "Green Jug", priceCents: 1500, imageUrl: "/images/jug.png", stock: 2 }) { id } }',
  },
  updateProduct: {
    query:
      'mutation { updateProduct(id: "lonely-bird", input: { priceCents: 3100 }) { priceCents } }',
  },
  adjustStock: {
    query:
      'mutation { adjustStock(productId: "lonely-bird", delta: 2, reason: "restock") { stockAfter } }',
  },
  createImageUpload: {
    query:
      'mutation { createImageUpload(contentType: "image/png", bytes: 100) { uploadUrl imageUrl } }',
  },
  createPromotion: {
    query: 'mutation { createPromotion(input: { code: "JUNE5", percentOff: 5 }) { code } }',
  },
  updatePromotion: {
    query:
      'mutation { updatePromotion(code: "WELCOME10", input: { percentOff: 12 }) { percentOff } }',
  },
  deactivatePromotion: { query: 'mutation { deactivatePromotion(code: "WELCOME10") { active } }' },
  cancelOrder: {
    query: "mutation ($id: ID!) { cancelOrder(id: $id) { order { status } refundedCents } }",
  },
  shippingQueue: { query: "{ shippingQueue(first: 5) { items { id createdAt } nextCursor } }" },
  shipOrder: {
    query:
      'mutation ($paidId: ID!) { shipOrder(id: $paidId, input: { carrier: "DHL", trackingNumber: "JJD 0001" }) { status shipment { trackingNumber } } }',
  },
  // After shipOrder: only a SHIPPED order is delivered.
  markOrderDelivered: {
    query: "mutation ($paidId: ID!) { markOrderDelivered(id: $paidId) { status deliveredAt } }",
  },
  shippingSettings: { query: "{ shippingSettings { version zones { id countries } } }" },
  taxSettings: { query: "{ taxSettings { version mode taxShipping rates { country ratePpm } } }" },
  saveShippingSettings: {
    query:
      'mutation { saveShippingSettings(input: { version: 1, zones: [{ id: "home", name: "Germany", countries: ["DE"] }], methods: [{ id: "dhl", zoneId: "home", name: "DHL", priceCents: 499 }] }) { version } }',
  },
  saveTaxSettings: {
    query:
      'mutation { saveTaxSettings(input: { version: 1, mode: "inclusive", taxShipping: true, rates: [{ country: "DE", label: "VAT", ratePpm: 190000 }] }) { version } }',
  },
  // Last: it takes a product out of the catalogue.
  archiveProduct: { query: 'mutation { archiveProduct(id: "morning-fog") { archived } }' },
};

/** What an operator's request changes: none of it may move for anyone else's. */
async function snapshot() {
  const [products, promotions, orders, settings] = await Promise.all([
    t.app.store.listAllProducts(),
    t.app.store.listPromotions(),
    t.app.store.listAllOrders({ limit: 100 }),
    t.app.store.getShopConfig(),
  ]);
  return { products, promotions, orders, settings };
}

async function placedOrderId(token: string, productId: string): Promise<string> {
  await t.saveCart(token, [[productId, 1]]);
  const res = await t.checkout(token);
  expect(res.statusCode).toBe(202);
  return res.json.id;
}

/** An order of `productId`, paid: what the operators' ship and deliver samples act on. */
async function paidOrderId(customer: { token: string; userId: string }, productId: string) {
  const orderId = await placedOrderId(customer.token, productId);
  const status = await t.app.services.processing.processOrder({
    userId: customer.userId,
    orderId,
  });
  expect(status).toBe("COMPLETED");
  return orderId;
}

/** The demo payment answers at once: the samples' paid order is paid without waiting. */
const PAY_AT_ONCE = { env: { PAYMENT_DELAY_MS: "0" } };

describe("the operators' routes and fields", () => {
  it("marks every /admin route admin in the admin group, and nothing else", () => {
    const marked = ROUTES.filter((route) => route.auth === "admin");
    expect(marked).toEqual(ADMIN_ROUTES);
    for (const route of ROUTES) {
      expect(route.auth === "admin", `${route.method} ${route.resource}`).toBe(
        route.resource.startsWith("/admin/"),
      );
      expect(route.group === "admin").toBe(route.auth === "admin");
    }
  });

  it("REST: anonymous 401, customer 403, operator succeeds; 0 successes for non-operators", async () => {
    await start(PAY_AT_ONCE);
    const customer = await t.signup();
    const strangers = {
      anonymous: undefined,
      customer: customer.token,
      "another group": await t.mint({ groups: ["customers", "Admin", "admins"] }),
    };
    const operator = await t.mintAdmin();
    const samples = adminSamples({
      productId: "lonely-bird",
      orderId: await placedOrderId(customer.token, "copper-kettle"),
      paidOrderId: await paidOrderId(customer, "wool-throw"),
      promotionCode: "WELCOME10",
    });
    expect(Object.keys(samples).sort()).toEqual(
      ADMIN_ROUTES.map((route) => `${route.method} ${route.resource}`).sort(),
    );

    // Every answer, refusals and successes alike, must be one the OpenAPI document describes.
    const checker = createResponseChecker();
    const misfits: string[] = [];
    const check = (method: string, res: TestResponse) =>
      misfits.push(
        ...checker.check({
          method,
          path: res.path,
          status: res.statusCode,
          contentType: res.headers["content-type"] ?? null,
          body: res.json,
        }),
      );

    let nonOperatorSuccesses = 0;
    for (const [key, [options, status]] of Object.entries(samples)) {
      const before = await snapshot();
      for (const [who, token] of Object.entries(strangers)) {
        const res = await t.invoke({ ...options, ...(token === undefined ? {} : { token }) });
        check(options.method, res);
        if (res.statusCode < 400) nonOperatorSuccesses += 1;
        const expected = token === undefined ? [401, "UNAUTHENTICATED"] : [403, "FORBIDDEN"];
        expect({ key, who, status: res.statusCode }).toEqual({ key, who, status: expected[0] });
        expectProblem(res, expected[0] as number, expected[1] as string);
      }
      expect(await snapshot(), `${key} changed nothing for non-operators`).toEqual(before);
      const res = await t.invoke({ ...options, token: operator });
      check(options.method, res);
      expect({ key, status: res.statusCode, body: res.json }).toMatchObject({ key, status });
    }
    expect(nonOperatorSuccesses).toBe(0);
    expect(misfits).toEqual([]);
    expect(checker.checkedCount()).toBe(Object.keys(samples).length * 4);
  });

  it("ADMIN_EMAILS makes a local sign-up an operator: its token carries cognito:groups admin", async () => {
    await start({ env: { ADMIN_EMAILS: "Olive@Example.com, ops@example.com" } });
    const olive = await t.signup("olive@example.com");
    const sam = await t.signup("sam@example.com");
    const payload = JSON.parse(
      Buffer.from(olive.token.split(".")[1] ?? "", "base64url").toString(),
    );
    expect(payload["cognito:groups"]).toEqual(["admin"]);
    const asOlive = await t.invoke({
      method: "GET",
      resource: "/admin/products",
      token: olive.token,
    });
    expect(asOlive.statusCode).toBe(200);
    const asSam = await t.invoke({ method: "GET", resource: "/admin/products", token: sam.token });
    expectProblem(asSam, 403, "FORBIDDEN");
  });

  it("refuses a non-operator before reading the body: a 403 even for an invalid one", async () => {
    await start();
    const customer = await t.signup();
    const res = await t.invoke({
      method: "POST",
      resource: "/admin/products",
      token: customer.token,
      body: "{ not json",
    });
    expectProblem(res, 403, "FORBIDDEN");
  });

  it("GraphQL: anonymous UNAUTHENTICATED, customer FORBIDDEN, operator answered; 0 successes for non-operators", async () => {
    await start(PAY_AT_ONCE);
    const customer = await t.signup();
    const operator = await t.mintAdmin();
    const orderId = await placedOrderId(customer.token, "copper-kettle");
    const paidId = await paidOrderId(customer, "wool-throw");
    // The fields of the two `extend type` blocks: what comes before the first new type.
    const roots = ADMIN_SDL.slice(0, ADMIN_SDL.indexOf("type ManagedProduct"));
    const fields = [...roots.matchAll(/^ {4}(\w+)(?:\(|:)/gm)].map((match) => match[1]);
    expect(Object.keys(GRAPHQL_SAMPLES).sort()).toEqual(
      fields.filter((field) => field !== "cancelMyOrder").sort(),
    );

    let nonOperatorSuccesses = 0;
    for (const [field, sample] of Object.entries(GRAPHQL_SAMPLES)) {
      const body = { query: sample.query, variables: { id: orderId, paidId } };
      const before = await snapshot();
      for (const [token, code] of [
        [undefined, "UNAUTHENTICATED"],
        [customer.token, "FORBIDDEN"],
      ] as const) {
        const res = await t.invoke({
          method: "POST",
          resource: "/graphql",
          body,
          ...(token === undefined ? {} : { token }),
        });
        const data = res.json.data as Record<string, unknown> | null | undefined;
        if (data?.[field] !== undefined && data?.[field] !== null) nonOperatorSuccesses += 1;
        expect({ field, code: res.json.errors?.[0]?.extensions?.code }).toEqual({ field, code });
      }
      expect(await snapshot(), `${field} changed nothing for non-operators`).toEqual(before);
      const res = await t.invoke({ method: "POST", resource: "/graphql", body, token: operator });
      expect({ field, errors: res.json.errors }).toEqual({ field, errors: undefined });
      expect(res.json.data[field]).not.toBeNull();
    }
    expect(nonOperatorSuccesses).toBe(0);
  });
});
