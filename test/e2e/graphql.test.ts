import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { CHECKOUT_INPUT_GRAPHQL, US_GROUND_CENTS } from "../helpers/fixtures.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read GraphQL response documents freely
type Json = any;

describe("GraphQL over HTTP on the dev server", () => {
  let app: App;
  let server: DevServer;

  beforeAll(async () => {
    ({ app, server } = await startLoopbackServer({ STORE: "memory" }));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  const post = async (path: string, query: string, token?: string) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it("signs up over REST, then saves a cart and reads it with the chapter's query", async () => {
    const credentials = JSON.stringify({
      email: "graph@example.com",
      password: "correct horse battery",
    });
    const json = { "Content-Type": "application/json" };
    const signup = await fetch(`${server.url}/auth/signup`, {
      method: "POST",
      headers: json,
      body: credentials,
    });
    expect(signup.status).toBe(202);
    const login = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: json,
      body: credentials,
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const saved = await post(
      "/graphql",
      'mutation { saveCart(products: [{ code: "linen-notebook", quantity: 3 }]) { totalCents } }',
      accessToken,
    );
    expect(saved).toEqual({ status: 200, body: { data: { saveCart: { totalCents: 4350 } } } });
    const chapter = await post(
      "/query",
      "{ cart { products { name quantity price } discountPercentage } }",
      accessToken,
    );
    expect(chapter.body.data.cart).toEqual({
      products: [{ name: "Linen Notebook", quantity: 3, price: 1450 }],
      discountPercentage: 0,
    });
    const comment = await post(
      "/graphql",
      'mutation { addComment(productId: "linen-notebook", rating: 5, text: "Great paper.") { author } }',
      accessToken,
    );
    expect(comment.body.data.addComment.author).toBe("graph");
    const product = await post("/query", '{ product(id: "linen-notebook") { rating { count } } }');
    expect(product.body.data.product.rating.count).toBe(2);
    const checkout = await post(
      "/query",
      `mutation { checkout(idempotencyKey: "http-1", input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed order { id totalCents } } }`,
      accessToken,
    );
    expect(checkout.body.data.checkout).toMatchObject({
      replayed: false,
      // Goods under 50.00 pay for Ground to Oregon (no sales tax).
      order: { totalCents: 4350 + US_GROUND_CENTS },
    });
    const orderId = checkout.body.data.checkout.order.id;
    const orders = await post("/query", "{ orders { items { id status } } }", accessToken);
    expect(orders.body.data.orders.items).toEqual([{ id: orderId, status: "PLACED" }]);
    const order = await post("/graphql", `{ order(id: "${orderId}") { totalCents } }`, accessToken);
    expect(order.body.data.order.totalCents).toBe(4350 + US_GROUND_CENTS);
    const anonymous = await post("/query", "{ cart { totalCents } }");
    expect(anonymous.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("answers GET queries from the query string and refuses an abusive query", async () => {
    const get = await fetch(
      `${server.url}/graphql?query=${encodeURIComponent("{ products { items { id } } }")}`,
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as Json).data.products.items).toHaveLength(10);
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(" ");
    // application/json, the legacy type: a refused request is a 200 with its errors.
    const abusive = await post("/query", `{ ${aliases} }`);
    expect(abusive.status).toBe(200);
    expect(abusive.body.errors[0].message).toContain("the limit is 15");
  });
});
