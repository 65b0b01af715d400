import { buildClientSchema, getIntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import { DEFAULT_LIMITS, queryLimitsRule } from "../../../src/graphql/limits.js";
import { schema } from "../../../src/graphql/schema.js";
import type { Store } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { interceptStore, startPerTest, type TestApp } from "../../helpers/app.js";
import { CHECKOUT_BODY, CHECKOUT_INPUT_GRAPHQL } from "../../helpers/fixtures.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const GRAPHQL_RESPONSE = "application/graphql-response+json";

/**
 * A GraphQL request through the Lambda handler, as API Gateway would deliver it, accepting
 * GraphQL over HTTP's own media type (under which a refused request is a 4xx) unless `accept`.
 */
function gql(
  query: string,
  options: {
    token?: string;
    variables?: object;
    resource?: "/query" | "/graphql";
    accept?: string;
  } = {},
) {
  return t.invoke({
    method: "POST",
    resource: options.resource ?? "/query",
    headers: { Accept: options.accept ?? GRAPHQL_RESPONSE },
    ...(options.token === undefined ? {} : { token: options.token }),
    body: { query, ...(options.variables === undefined ? {} : { variables: options.variables }) },
  });
}

const CHAPTER_QUERY = "{ cart { products { name quantity price } discountPercentage } }";
const CHECKOUT_MUTATION = `mutation { checkout(input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed } }`;

describe("GraphQL on the same services as REST", () => {
  it("answers the chapter's query as written", async () => {
    await start();
    const ada = await t.signup();
    await gql(
      'mutation { saveCart(products: [{ code: "lonely-bird", quantity: 2 }, { code: "solid-friendship", quantity: 1 }], promotionCode: "WELCOME10") { totalCents } }',
      { token: ada.token },
    );

    const res = await gql(CHAPTER_QUERY, { token: ada.token });

    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      data: {
        cart: {
          products: [
            { name: "Lonely Bird", quantity: 2, price: 2999 },
            { name: "Solid Friendship", quantity: 1, price: 1999 },
          ],
          discountPercentage: 10,
        },
      },
    });
  });

  it("serves every query and mutation at /query and /graphql", async () => {
    await start();
    const ada = await t.signup("ada@example.com", { name: "Ada" });
    for (const resource of ["/query", "/graphql"] as const) {
      const products = await gql(
        "{ products { items { id priceCents isSelected rating { count } } nextCursor } }",
        { resource },
      );
      expect(products.json.data.products.items).toHaveLength(10);
      expect(products.json.data.products.nextCursor).toBeNull();
      const bird = products.json.data.products.items.find(
        (p: { id: string }) => p.id === "lonely-bird",
      );
      expect(bird).toEqual({
        id: "lonely-bird",
        priceCents: 2999,
        isSelected: false,
        rating: { count: 2 },
      });
    }
    const one = await gql('{ product(id: "lonely-bird") { name latestComments { author text } } }');
    expect(one.json.data.product.latestComments.at(-1)).toEqual({
      author: "John Doe",
      text: "I'm using this to decorate my desk. I liked it.",
    });
    expect((await gql('{ product(id: "no-such") { name } }')).json.data.product).toBeNull();

    const comment = await gql(
      'mutation { addComment(productId: "copper-kettle", rating: 4, text: "Whistles nicely.") { author rating text } }',
      { token: ada.token },
    );
    expect(comment.json.data.addComment).toEqual({
      author: "Ada",
      rating: 4,
      text: "Whistles nicely.",
    });

    const saved = await gql(
      "mutation Save($lines: [CartLineInput!]!) { saveCart(products: $lines) { products { code quantity lineTotalCents } subtotalCents totalCents version } }",
      { token: ada.token, variables: { lines: [{ code: "copper-kettle", quantity: 2 }] } },
    );
    expect(saved.json.data.saveCart).toEqual({
      products: [{ code: "copper-kettle", quantity: 2, lineTotalCents: 17800 }],
      subtotalCents: 17800,
      totalCents: 17800,
      version: 1,
    });
    const selected = await gql('{ product(id: "copper-kettle") { isSelected } }', {
      token: ada.token,
    });
    expect(selected.json.data.product.isSelected).toBe(true);

    const checkout = await gql(
      `mutation { checkout(idempotencyKey: "gql-1", input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed order { id status totalCents } } }`,
      { token: ada.token },
    );
    expect(checkout.json.data.checkout.replayed).toBe(false);
    expect(checkout.json.data.checkout.order).toMatchObject({
      status: "PLACED",
      totalCents: 17800,
    });
    const replay = await gql(
      `mutation { checkout(idempotencyKey: "gql-1", input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed order { id } } }`,
      { token: ada.token },
    );
    expect(replay.json.data.checkout).toEqual({
      replayed: true,
      order: { id: checkout.json.data.checkout.order.id },
    });

    const orders = await gql("{ orders { items { id totalCents products { code price } } } }", {
      token: ada.token,
    });
    expect(orders.json.data.orders.items).toEqual([
      {
        id: checkout.json.data.checkout.order.id,
        totalCents: 17800,
        products: [{ code: "copper-kettle", price: 8900 }],
      },
    ]);
    const order = await gql(`{ order(id: "${checkout.json.data.checkout.order.id}") { id } }`, {
      token: ada.token,
    });
    expect(order.json.data.order.id).toBe(checkout.json.data.checkout.order.id);

    // Another user's order does not exist for Bob.
    const bob = await t.signup("bob@example.com");
    const bobs = await gql(`{ order(id: "${checkout.json.data.checkout.order.id}") { id } }`, {
      token: bob.token,
    });
    expect(bobs.json.data.order).toBeNull();
    expect(
      (await gql("{ orders { items { id } } }", { token: bob.token })).json.data.orders.items,
    ).toEqual([]);
  });

  it("shows an order's status as processing moves it, with failureReason once FAILED", async () => {
    await start();
    const ada = await t.signup();
    await gql(
      'mutation { saveCart(products: [{ code: "wool-throw", quantity: 1 }]) { version } }',
      {
        token: ada.token,
      },
    );
    const placed = await gql(
      `mutation { checkout(input: ${CHECKOUT_INPUT_GRAPHQL}) { order { id status failureReason } } }`,
      { token: ada.token },
    );
    const { id } = placed.json.data.checkout.order;
    expect(placed.json.data.checkout.order).toEqual({ id, status: "PLACED", failureReason: null });
    const ref = { userId: ada.userId, orderId: id };
    await t.app.store.changeOrderStatus({ ...ref, from: "PLACED", to: "PROCESSING" });
    await t.app.store.changeOrderStatus({
      ...ref,
      from: "PROCESSING",
      to: "FAILED",
      failureReason: "card declined",
    });

    const order = await gql(`{ order(id: "${id}") { status failureReason } }`, {
      token: ada.token,
    });

    expect(order.json.data.order).toEqual({ status: "FAILED", failureReason: "card declined" });
  });

  it("pays an order with payOrder as REST's POST /orders/{id}/payment, refusing a finished or another's order", async () => {
    await start();
    const ada = await t.signup();
    const bob = await t.signup();
    await t.saveCart(ada.token, [["wool-throw", 1]]);
    const { id } = (await t.checkout(ada.token)).json;
    const pay = `mutation { payOrder(id: "${id}") { provider publishableKey clientSecret } }`;

    const session = await gql(pay, { token: ada.token });
    expect(session.json).toEqual({
      data: { payOrder: { provider: "demo", publishableKey: null, clientSecret: null } },
    });
    const rest = await t.invoke({
      method: "POST",
      resource: "/orders/{id}/payment",
      pathParameters: { id },
      token: ada.token,
    });
    expect(rest.json).toEqual({ provider: "demo" });

    expect((await gql(pay, { token: bob.token })).json.errors[0].extensions.code).toBe("NOT_FOUND");
    await t.invoke({
      method: "POST",
      resource: "/orders/{id}/cancel",
      pathParameters: { id },
      token: ada.token,
    });
    const finished = (await gql(pay, { token: ada.token })).json.errors[0];
    expect(finished.extensions).toMatchObject({ code: "CONFLICT", reason: "ORDER_NOT_PAYABLE" });
    expect(finished.message).toMatch(/it is CANCELLED/);
  });

  it("returns the same prices, totals and stock as REST for the same store state", async () => {
    await start();
    const ada = await t.signup();
    await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: {
        products: [
          { id: "lonely-bird", quantity: 3 },
          { id: "night-sky-puzzle", quantity: 1 },
        ],
        promotionCode: "WELCOME10",
      },
    });
    const rest = (await t.invoke({ method: "GET", resource: "/cart", token: ada.token })).json;
    const graph = (
      await gql(
        "{ cart { products { code quantity price lineTotalCents } subtotalCents discountCents totalCents discountPercentage promotionCode } }",
        { token: ada.token },
      )
    ).json.data.cart;
    expect(graph).toEqual({
      products: rest.products.map((line: Record<string, unknown>) => ({
        code: line.id,
        quantity: line.quantity,
        price: line.unitPriceCents,
        lineTotalCents: line.lineTotalCents,
      })),
      subtotalCents: rest.subtotalCents,
      discountCents: rest.discountCents,
      totalCents: rest.totalCents,
      discountPercentage: rest.discountPercentage,
      promotionCode: rest.promotionCode,
    });
    expect(graph.totalCents).toBe(11296 - 1130);

    await t.invoke({ method: "PUT", resource: "/checkout", token: ada.token, body: CHECKOUT_BODY });
    const restStock = (await t.invoke({ method: "GET", resource: "/products" })).json.items.map(
      (p: { id: string; stock: number }) => [p.id, p.stock],
    );
    const graphStock = (
      await gql("{ products { items { id stock } } }")
    ).json.data.products.items.map((p: { id: string; stock: number }) => [p.id, p.stock]);
    expect(graphStock).toEqual(restStock);
    expect(Object.fromEntries(graphStock)["lonely-bird"]).toBe(22);
  });

  it("costs the same store calls for products with comments as GET /products", async () => {
    const calls: string[] = [];
    const store = interceptStore(new MemoryStore(), (method) => {
      calls.push(method);
    });
    await start({ store });
    await t.invoke({ method: "GET", resource: "/products" });
    const rest = calls.splice(0);
    await gql(
      "{ products { items { name latestComments { author text rating } rating { average } } } }",
    );
    expect(calls).toEqual(rest);
    expect(rest).toEqual(["listProductPage"]);
  });
});

describe("GraphQL comments of a product", () => {
  it("pages a product's comments newest first with first and after, as REST's limit and cursor", async () => {
    await start();
    const query =
      'query Page($after: String) { product(id: "lonely-bird") { rating { count } ' +
      "comments(first: 1, after: $after) { items { author } nextCursor } } }";
    const authors: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const res = await gql(query, { variables: { after } });
      const page = res.json.data.product.comments;
      authors.push(...page.items.map((c: { author: string }) => c.author));
      after = page.nextCursor;
      if (after === null) break;
    }
    expect(authors).toEqual(["Mei Lin", "John Doe"]);
    expect(after).toBeNull();

    const edited = await gql(query, { variables: { after: "not-a-cursor" } });
    expect(edited.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(edited.json.errors[0].extensions.fields).toEqual([
      { field: "after", message: expect.any(String) },
    ]);
  });
});

describe("GraphQL errors", () => {
  it("puts each failure in errors with a stable extensions.code and no internals", async () => {
    let failing = false;
    const store: Store = interceptStore(new MemoryStore(), () => {
      if (failing) {
        throw new AppError("STORE_UNAVAILABLE", "the store is unavailable, retry shortly", {
          retryAfterSeconds: 1,
        });
      }
    });
    await start({ store });
    const ada = await t.signup();
    const cases: [string, string | undefined, string][] = [
      [CHAPTER_QUERY, undefined, "UNAUTHENTICATED"],
      [
        'mutation { saveCart(products: [{ code: "nope", quantity: 1 }]) { totalCents } }',
        ada.token,
        "BAD_USER_INPUT",
      ],
      [
        'mutation { saveCart(products: [{ code: "lonely-bird", quantity: 100 }]) { totalCents } }',
        ada.token,
        "BAD_USER_INPUT",
      ],
      [
        'mutation { addComment(productId: "nope", rating: 5, text: "x") { id } }',
        ada.token,
        "NOT_FOUND",
      ],
      [CHECKOUT_MUTATION, ada.token, "BAD_USER_INPUT"],
    ];
    for (const [query, token, code] of cases) {
      const res = await gql(query, token === undefined ? {} : { token });
      expect({
        query,
        status: res.statusCode,
        code: res.json.errors?.[0]?.extensions?.code,
      }).toEqual({
        query,
        status: 200,
        code,
      });
    }
    const bad = await gql(
      'mutation { saveCart(products: [{ code: "lonely-bird", quantity: 100 }]) { totalCents } }',
      { token: ada.token },
    );
    expect(bad.json.errors[0].extensions.fields).toEqual([
      { field: "products[0].quantity", message: "Too big: expected number to be <=99" },
    ]);

    // Out of stock is a CONFLICT naming the cart line.
    await gql(
      'mutation { saveCart(products: [{ code: "brass-desk-lamp", quantity: 6 }]) { version } }',
      {
        token: ada.token,
      },
    );
    const conflict = await gql(CHECKOUT_MUTATION, { token: ada.token });
    expect(conflict.json.errors[0].extensions).toMatchObject({
      code: "CONFLICT",
      reason: "OUT_OF_STOCK",
      fields: [{ field: "products[0].id", message: "5 left" }],
    });

    failing = true;
    const down = await gql("{ products { items { id } } }");
    expect(down.json.errors[0].extensions).toEqual({
      code: "STORE_UNAVAILABLE",
      reason: "STORE_UNAVAILABLE",
      retryAfterSeconds: 1,
    });
    failing = false;
  });

  it("masks an unexpected error and logs it", async () => {
    const store = interceptStore(new MemoryStore(), (method) => {
      if (method === "listProductPage") throw new Error("SELECT * FROM secrets exploded");
    });
    await start({ store });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await gql("{ products { items { id } } }");
      expect(res.statusCode).toBe(200);
      expect(res.json.errors[0].extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
      expect(res.body).not.toContain("SELECT");
      expect(res.body).not.toContain("secrets");
      expect(logged).toHaveBeenCalledTimes(1);
      const entry = JSON.parse(String(logged.mock.calls[0]?.[0]));
      expect(entry).toMatchObject({
        level: "error",
        requestId: res.requestId,
        message: "SELECT * FROM secrets exploded",
      });
    } finally {
      logged.mockRestore();
    }
  });
});

describe("GraphQL abuse limits and transport rules", () => {
  const refusedWith = async (query: string, code: string, message: RegExp) => {
    const res = await gql(query);
    expect(res.statusCode).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe(code);
    expect(res.json.errors[0].message).toMatch(message);
  };

  it("refuses a query nested deeper than the limit, not counting introspection", async () => {
    await start();
    expect((await gql("{ products { items { latestComments { author } } } }")).statusCode).toBe(
      200,
    );
    // The standard introspection query nests past any limit: it reads the static schema only.
    const introspection = await gql(getIntrospectionQuery());
    expect(introspection.statusCode).toBe(200);
    expect(buildClientSchema(introspection.json.data).getQueryType()?.name).toBe("Query");
    // The schema has no cycles, so only a lower limit shows the rule refusing a data query.
    const shallow = queryLimitsRule({ ...DEFAULT_LIMITS, maxDepth: 3 });
    const errors = validate(
      schema,
      parse("query Deep { products { items { latestComments { id } } } }"),
      [shallow],
    );
    expect(errors.map((error) => error.extensions.code)).toEqual(["QUERY_TOO_DEEP"]);
    expect(errors[0]?.message).toMatch(/nested 4 levels deep; the limit is 3/);
  });

  it("refuses a query that costs more than the limit", async () => {
    await start();
    const aliases = Array.from(
      { length: 12 },
      (_, i) => `p${i}: products { items { latestComments { id text } } }`,
    );
    await refusedWith(
      `query Costly { ${aliases.join(" ")} }`,
      "QUERY_TOO_COMPLEX",
      /costs 5064; the limit is 1000/,
    );
  });

  it("counts a page's items as many times as the page size asked for", async () => {
    await start();
    // Under a fixed factor of 10 these cost 976 and made 808 store queries.
    const aliases = Array.from(
      { length: 8 },
      (_, i) => `a${i}: products(first: 100) { items { comments(first: 100) { items { text } } } }`,
    );
    await refusedWith(
      `query Comments { ${aliases.join(" ")} }`,
      "QUERY_TOO_COMPLEX",
      /^Comments costs 81616; the limit is 1000/,
    );
    for (const query of [
      "{ products(first: 100) { items { id } } }",
      "{ products(first: 5) { items { comments(first: 5) { items { text } } } } }",
    ]) {
      const res = await gql(query);
      expect(res.statusCode, query).toBe(200);
      expect(res.json.errors, query).toBeUndefined();
      expect(res.json.data.products.items.length).toBeGreaterThan(0);
    }
  });

  it("answers a refused query with 200 and its errors under application/json, the legacy type", async () => {
    await start();
    const aliases = Array.from({ length: 16 }, (_, i) => `n${i}: __typename`).join(" ");
    for (const accept of ["application/json", "*/*"]) {
      const legacy = await gql(`{ ${aliases} }`, { accept });
      expect(legacy.statusCode).toBe(200);
      expect(legacy.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(legacy.json.errors[0].extensions.code).toBe("TOO_MANY_ALIASES");
    }
    const modern = await gql(`{ ${aliases} }`);
    expect(modern.statusCode).toBe(400);
    expect(modern.headers["content-type"]).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
  });

  it("answers an invalid token in GraphQL's shape: errors[0].extensions.code UNAUTHENTICATED", async () => {
    await start();
    for (const [accept, status] of [
      [GRAPHQL_RESPONSE, 401],
      ["application/json", 200],
    ] as const) {
      const res = await gql("{ products { items { id } } }", { token: "not.a.token", accept });
      expect(res.statusCode).toBe(status);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="serverless-store"');
      expect(res.json.data).toBeUndefined();
      expect(res.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
  });

  it("answers null for an unknown product or order, as REST answers 404", async () => {
    await start();
    const ada = await t.signup();
    const res = await gql('{ product(id: "unicorn-lamp") { id } order(id: "nope") { id } }', {
      token: ada.token,
    });
    expect(res.json).toEqual({ data: { product: null, order: null } });
  });

  it("refuses too many aliases", async () => {
    await start();
    const aliases = Array.from({ length: 16 }, (_, i) => `n${i}: __typename`);
    await refusedWith(
      `query Aliased { ${aliases.join(" ")} }`,
      "TOO_MANY_ALIASES",
      /16 aliases; the limit is 15/,
    );
  });

  it("refuses a query text over the size limit before parsing it", async () => {
    await start();
    const padding = " ".repeat(DEFAULT_LIMITS.maxQueryBytes);
    await refusedWith(
      `{ products { items { id } } ${padding}}`,
      "QUERY_TOO_LARGE",
      /larger than 8192 bytes/,
    );
  });

  it("refuses a mutation sent with GET, and answers a query sent with GET", async () => {
    await start();
    const ada = await t.signup();
    const mutation = await t.invoke({
      method: "GET",
      resource: "/graphql",
      token: ada.token,
      query: { query: CHECKOUT_MUTATION },
    });
    expect(mutation.statusCode).toBe(405);
    expect(mutation.headers.allow).toBe("GET, HEAD, POST, OPTIONS");
    expect(mutation.json.errors[0].message).toBe(
      "only queries may be sent with GET; send mutations with POST",
    );
    const query = await t.invoke({
      method: "GET",
      resource: "/graphql",
      query: {
        query: "query One($id: ID!) { product(id: $id) { name } }",
        variables: '{"id":"lonely-bird"}',
      },
    });
    expect(query.json).toEqual({ data: { product: { name: "Lonely Bird" } } });
  });

  it("turns introspection off in production or by config", async () => {
    const introspect = "{ __schema { queryType { name } } }";
    await start();
    expect((await gql(introspect)).json.data.__schema.queryType.name).toBe("Query");
    await t.close();
    await start({ env: { NODE_ENV: "production" } });
    const refused = await gql(introspect);
    expect(refused.statusCode).toBe(400);
    expect(refused.json.errors[0].message).toMatch(/introspection/i);
    await t.close();
    await start({ env: { NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" } });
    expect((await gql(introspect)).statusCode).toBe(200);
    await t.close();
    await start({ env: { GRAPHQL_INTROSPECTION: "false" } });
    expect((await gql(introspect)).statusCode).toBe(400);
  });

  it("answers CORS preflights like REST", async () => {
    await start();
    const res = await t.invoke({
      method: "OPTIONS",
      resource: "/query",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-methods"]).toBe("POST, GET, HEAD, OPTIONS");
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
  });
});
