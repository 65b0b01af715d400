import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CHECKOUT_BODY, CHECKOUT_INPUT_GRAPHQL, US_GROUND_CENTS } from "./fixtures.js";
import { createResponseChecker } from "./openapi-responses.js";

// The HTTP checks of the API, written once against a base URL and run against every runtime:
// the dev server (test/e2e/http-dev-server.test.ts) and serverless-offline serving the packaged
// functions of each architecture (test/e2e/serverless-offline.test.ts). Where a runtime answers
// differently, the difference is one of EMULATOR_DIFFERENCES below and is asserted as such.

export type Runtime = "dev-server" | "serverless-offline";

export interface HttpTarget {
  baseUrl: string;
  /**
   * An access token of a new user of the target's local pool (the functions refuse a token
   * that names no user when it writes).
   */
  newUser(): Promise<string>;
}

/** What a target serves: the REST routes, the GraphQL ones, or both (the dev server). */
export interface Serves {
  rest: boolean;
  graphql: boolean;
}

/**
 * What serverless-offline does that API Gateway and the dev server do not: the emulator's own
 * behaviour, not the functions'. Each is asserted where it shows, so a new serverless-offline
 * that changes one fails here instead of passing unnoticed.
 */
export const EMULATOR_DIFFERENCES = {
  cors: "it sets CORS headers of its own on every answer, echoing any origin (a disallowed one too), and answers every preflight with 200 whatever the function answers (the function's body, Allow and Vary pass through)",
  unroutable:
    "a method or path no function serves gets serverless-offline's own 404, not a problem document, and no Allow (API Gateway answers its gateway response; the dev server 405 with Allow, or a 404 problem)",
  devServerOnly:
    "/.well-known/jwks.json, /auth/*, /cognito and the storefront are the dev server's: not deployed, so 404 here",
  noStream:
    "no DynamoDB stream trigger runs, so a placed order stays PLACED (the dev server processes it in-process)",
} as const;

export type Difference = keyof typeof EMULATOR_DIFFERENCES;

const ALLOWED_ORIGIN = "http://localhost:5173";
const DISALLOWED_ORIGIN = "https://evil.example";
const PASSWORD = "correct horse battery";

// biome-ignore lint/suspicious/noExplicitAny: the checks read response documents freely
type Json = any;

interface Answer {
  status: number;
  headers: Headers;
  json: Json;
  text: string;
}

/** Registers the checks for `runtime`, serving `serves`, at the target `target()` gives. */
export function httpSuite(runtime: Runtime, serves: Serves, target: () => HttpTarget): void {
  const emulated = (_difference: Difference) => runtime === "serverless-offline";
  const checker = createResponseChecker();
  const misfits: string[] = [];

  /**
   * One request; its answer is checked against the OpenAPI document (see the last test) unless
   * `unchecked`: the emulator's own answers, which no function gave.
   */
  async function call(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      unchecked?: boolean;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(`${target().baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: Json;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (options.unchecked !== true) {
      misfits.push(
        ...checker.check({
          method,
          path,
          status: response.status,
          contentType: response.headers.get("content-type"),
          body: json,
        }),
      );
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  const newUser = () => target().newUser();
  const expectProblem = (answer: Answer, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(answer.json.code).toBe(code);
    expect(answer.text).not.toMatch(/\bat .*\.(m?js|ts):\d+/);
  };

  if (serves.rest) {
    describe("REST", () => {
      it("lists the seed catalogue in cents with its comments, and one product", async () => {
        const { status, headers, json } = await call("GET", "/products");
        expect(status).toBe(200);
        expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
        expect(json.items).toHaveLength(10);
        expect(json.nextCursor).toBeNull();
        const bird = json.items.find((product: { id: string }) => product.id === "lonely-bird");
        expect(bird).toMatchObject({ name: "Lonely Bird", priceCents: 2999, isSelected: false });
        expect(bird.comments.some((c: { author: string }) => c.author === "John Doe")).toBe(true);
        const one = await call("GET", "/products/solid-friendship");
        expect(one.status).toBe(200);
        expect(one.json).toMatchObject({ name: "Solid Friendship", priceCents: 1999 });
        expectProblem(await call("GET", "/products/unicorn-lamp"), 404, "NOT_FOUND");
      });

      it("serves the OpenAPI document of the route table", async () => {
        const { status, json } = await call("GET", "/openapi.json");
        expect(status).toBe(200);
        expect(json.openapi).toMatch(/^3\.1\./);
        expect(Object.keys(json.paths)).toContain("/checkout");
      });

      it("refuses the cart without a token, and with a token of an unknown key, with a Bearer challenge", async () => {
        for (const [method, path] of [
          ["GET", "/cart"],
          ["GET", "/orders"],
          ["PUT", "/checkout"],
        ] as const) {
          const answer = await call(method, path);
          expectProblem(answer, 401, "UNAUTHENTICATED");
          expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="serverless-store"');
        }
        expectProblem(await call("GET", "/cart", { token: "not.a.token" }), 401, "UNAUTHENTICATED");
      });

      it("answers bad input with the 4xx that names it, never a 5xx", async () => {
        const token = await newUser();
        const zero = await call("POST", "/cart", {
          token,
          body: { products: [{ id: "lonely-bird", quantity: 0 }] },
        });
        expectProblem(zero, 400, "VALIDATION_FAILED");
        expect(zero.json.errors[0].field).toBe("products[0].quantity");
        expectProblem(
          await call("POST", "/cart", { token, body: '{"products": [' }),
          400,
          "VALIDATION_FAILED",
        );
        expectProblem(
          await call("POST", "/cart", {
            token,
            body: '{"products":[]}',
            headers: { "Content-Type": "text/plain" },
          }),
          415,
          "UNSUPPORTED_MEDIA_TYPE",
        );
        const unknown = await call("POST", "/cart", {
          token,
          body: { products: [{ id: "unicorn-lamp", quantity: 1 }] },
        });
        expectProblem(unknown, 422, "UNKNOWN_PRODUCT");
      });

      it("answers ids longer than any store key holds with a 400 naming them, never a 5xx", async () => {
        const token = await newUser();
        const order = await call("GET", `/orders/${"o".repeat(1_100)}`, { token });
        expectProblem(order, 400, "VALIDATION_FAILED");
        expect(order.json.errors[0].field).toBe("id");
        const comment = await call("POST", `/products/${"p".repeat(1_000)}/comments`, {
          token,
          body: { rating: 5, text: "long id" },
        });
        expectProblem(comment, 400, "VALIDATION_FAILED");
        expect(comment.json.errors[0].field).toBe("id");
      });

      it("saves a cart, checks it out once, and keeps the order from another user", async () => {
        const [alice, bob] = [await newUser(), await newUser()];
        const saved = await call("POST", "/cart", {
          token: alice,
          body: { products: [{ id: "solid-friendship", quantity: 2 }], promotionCode: "welcome10" },
        });
        expect(saved.status).toBe(200);
        expect(saved.json).toMatchObject({ subtotalCents: 3998, discountCents: 400 });
        expect(saved.json.totalCents).toBe(3598);
        const products = await call("GET", "/products", { token: alice });
        const friendship = products.json.items.find(
          (p: { id: string }) => p.id === "solid-friendship",
        );
        expect(friendship.isSelected).toBe(true);

        const headers = { "Idempotency-Key": randomUUID() };
        const first = await call("PUT", "/checkout", {
          token: alice,
          headers,
          body: CHECKOUT_BODY,
        });
        expect(first.status).toBe(202);
        expect(first.json.status).toBe("PLACED");
        // Location is relative to the request, as a client resolves it (keeping a stage prefix).
        const location = new URL(first.headers.get("location") ?? "", `${target().baseUrl}/`);
        expect(location.href).toBe(`${target().baseUrl}/orders/${first.json.id}`);
        const again = await call("PUT", "/checkout", {
          token: alice,
          headers,
          body: CHECKOUT_BODY,
        });
        expect(again.status).toBe(200);
        expect(again.json.id).toBe(first.json.id);
        expect(again.headers.get("idempotent-replayed")).toBe("true");

        const orders = await call("GET", "/orders", { token: alice });
        expect(orders.json.items.map((order: { id: string }) => order.id)).toEqual([first.json.id]);
        expect((await call("GET", `/orders/${first.json.id}`, { token: alice })).status).toBe(200);
        expectProblem(
          await call("GET", `/orders/${first.json.id}`, { token: bob }),
          404,
          "NOT_FOUND",
        );
        const stock = await call("GET", "/products/solid-friendship");
        expect(stock.json.stock).toBe(friendship.stock - 2);
      });

      it(`processes a placed order, or not: ${EMULATOR_DIFFERENCES.noStream}`, async () => {
        const token = await newUser();
        await call("POST", "/cart", {
          token,
          body: { products: [{ id: "wool-throw", quantity: 1 }] },
        });
        const placed = await call("PUT", "/checkout", { token, body: CHECKOUT_BODY });
        expect(placed.status).toBe(202);
        const statusNow = async () =>
          (await call("GET", `/orders/${placed.json.id}`, { token })).json.status;
        if (emulated("noStream")) {
          await sleep(500);
          expect(await statusNow()).toBe("PLACED");
          return;
        }
        const deadline = Date.now() + 10_000;
        while ((await statusNow()) !== "COMPLETED" && Date.now() < deadline) await sleep(100);
        expect(await statusNow()).toBe("COMPLETED");
      });

      it("comments on a product with a rating", async () => {
        const token = await newUser();
        const comment = await call("POST", "/products/linen-notebook/comments", {
          token,
          body: { rating: 4, text: "Good paper." },
        });
        expect(comment.status).toBe(201);
        expect(comment.json).toMatchObject({ rating: 4, text: "Good paper." });
        const product = await call("GET", "/products/linen-notebook");
        expect(product.json.comments.map((c: { text: string }) => c.text)).toContain("Good paper.");
        const newest = await call("GET", "/products/linen-notebook/comments?limit=1");
        expect(newest.status).toBe(200);
        expect(newest.json.items).toEqual([comment.json]);
        expect(newest.json.nextCursor).toEqual(expect.any(String));
        const older = await call(
          "GET",
          `/products/linen-notebook/comments?limit=100&cursor=${encodeURIComponent(newest.json.nextCursor)}`,
        );
        expect(older.json.items.map((c: { id: string }) => c.id)).not.toContain(comment.json.id);
        expect(older.json.nextCursor).toBeNull();
      });

      it("fills a guest cart, then merges it into a user's cart", async () => {
        const started = await call("POST", "/guest-carts");
        expect(started.status).toBe(201);
        const guest = { "Guest-Cart-Token": started.json.token };
        const saved = await call("POST", "/cart", {
          headers: guest,
          body: { products: [{ id: "lonely-bird", quantity: 1 }] },
        });
        expect(saved.status).toBe(200);
        expect((await call("GET", "/cart", { headers: guest })).json.totalCents).toBe(2999);
        const token = await newUser();
        const merged = await call("POST", "/cart/merge", { token, headers: guest });
        expect(merged.status).toBe(200);
        expect(merged.json.products.map((p: { id: string }) => p.id)).toEqual(["lonely-bird"]);
        expectProblem(await call("GET", "/cart", { headers: guest }), 404, "NOT_FOUND");
      });

      it("pages the catalogue and a user's orders with limit and cursor; a tampered cursor is a 400", async () => {
        const seen: string[] = [];
        let path = "/products?limit=3";
        for (let page = 0; page < 10; page++) {
          const answer = await call("GET", path);
          expect(answer.status).toBe(200);
          expect(answer.json.items.length).toBeLessThanOrEqual(3);
          seen.push(...answer.json.items.map((product: { id: string }) => product.id));
          if (answer.json.nextCursor === null) break;
          path = `/products?limit=3&cursor=${encodeURIComponent(answer.json.nextCursor)}`;
        }
        expect(seen).toHaveLength(10);
        expect([...seen].sort()).toEqual(seen);
        const first = await call("GET", "/products?limit=2");
        const cursor: string = first.json.nextCursor;
        const tampered = `${cursor.slice(0, 5)}${cursor[5] === "A" ? "B" : "A"}${cursor.slice(6)}`;
        for (const bad of [tampered, "not-a-cursor", `${cursor}x`]) {
          const refused = await call("GET", `/products?cursor=${encodeURIComponent(bad)}`);
          expectProblem(refused, 400, "VALIDATION_FAILED");
          expect(refused.json.errors[0].field).toBe("cursor");
        }
        const tooMany = await call("GET", "/products?limit=101");
        expectProblem(tooMany, 400, "VALIDATION_FAILED");
        expect(tooMany.json.errors[0].field).toBe("limit");
        const token = await newUser();
        const empty = await call("GET", "/orders?limit=1", { token });
        expect(empty.json).toEqual({ items: [], nextCursor: null });
        const ordersCursor = await call("GET", `/orders?cursor=${encodeURIComponent(cursor)}`, {
          token,
        });
        expect(ordersCursor.json.errors[0].field).toBe("cursor");
      });

      it("keeps a cart line asking for more than is in stock, with a notice and what is available", async () => {
        const token = await newUser();
        const stock = (await call("GET", "/products/brass-desk-lamp")).json.stock;
        const saved = await call("POST", "/cart", {
          token,
          body: { products: [{ id: "brass-desk-lamp", quantity: stock + 1 }] },
        });
        expect(saved.status).toBe(200);
        expect(saved.json.products[0]).toMatchObject({ quantity: stock + 1, available: stock });
        expect(saved.json.notices).toEqual([
          `only ${stock} of Brass Desk Lamp left: checkout takes at most ${stock}`,
        ]);
      });

      it(`echoes an allowed origin on a simple request${emulated("cors") ? ` (${EMULATOR_DIFFERENCES.cors})` : " and never a disallowed one"}`, async () => {
        const allowed = await call("GET", "/products", { headers: { Origin: ALLOWED_ORIGIN } });
        expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
        expect(allowed.headers.get("vary")).toMatch(/Origin/);
        const evil = await call("GET", "/products", { headers: { Origin: DISALLOWED_ORIGIN } });
        expect(evil.status).toBe(200);
        expect(evil.headers.get("access-control-allow-origin")).toBe(
          emulated("cors") ? DISALLOWED_ORIGIN : null,
        );
      });

      it(`answers preflights with the path's own methods (${emulated("cors") ? EMULATOR_DIFFERENCES.cors : "a disallowed origin gets 403"})`, async () => {
        // In nano and micro, GET /cart and POST /cart may be two functions; the preflight goes
        // to the first, whose router knows every method of the path.
        const allowed = await call("OPTIONS", "/cart", {
          headers: { Origin: ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST" },
          unchecked: emulated("cors"),
        });
        expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
        expect(allowed.headers.get("vary")).toMatch(/Origin/);
        const refused = await call("OPTIONS", "/cart", {
          headers: { Origin: DISALLOWED_ORIGIN, "Access-Control-Request-Method": "POST" },
          unchecked: emulated("cors"),
        });
        expect(refused.json.code).toBe("FORBIDDEN");
        if (emulated("cors")) {
          expect(allowed.headers.get("allow")?.split(/,\s*/)).toEqual([
            "GET",
            "HEAD",
            "POST",
            "OPTIONS",
          ]);
          expect(allowed.status).toBe(200);
          expect(refused.status).toBe(200);
          expect(refused.headers.get("access-control-allow-origin")).toBe(DISALLOWED_ORIGIN);
          return;
        }
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get("access-control-allow-methods")).toBe(
          "GET, HEAD, POST, OPTIONS",
        );
        expectProblem(refused, 403, "FORBIDDEN");
        expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      });

      it(`answers a method or path it does not serve (${emulated("unroutable") ? EMULATOR_DIFFERENCES.unroutable : "405 with Allow, or a 404 problem"})`, async () => {
        const wrongMethod = await call("DELETE", "/cart");
        const unknownPath = await call("GET", "/nowhere");
        if (emulated("unroutable")) {
          for (const answer of [wrongMethod, unknownPath]) {
            expect(answer.status).toBe(404);
            expect(answer.headers.get("allow")).toBeNull();
            expect(answer.headers.get("content-type")).not.toMatch(/problem\+json/);
          }
          return;
        }
        expectProblem(wrongMethod, 405, "METHOD_NOT_ALLOWED");
        expect(wrongMethod.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
        expectProblem(unknownPath, 404, "NOT_FOUND");
      });

      it(`serves the dev server's own routes only there (${EMULATOR_DIFFERENCES.devServerOnly})`, async () => {
        const notDeployed = emulated("devServerOnly");
        const jwks = await call("GET", "/.well-known/jwks.json", { unchecked: notDeployed });
        const signup = await call("POST", "/auth/signup", {
          body: { email: `${randomUUID()}@example.com`, password: PASSWORD },
          unchecked: notDeployed,
        });
        const cognito = await call("POST", "/cognito", {
          body: "{}",
          headers: {
            "Content-Type": "application/json",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
          },
        });
        const page = await call("GET", "/");
        if (emulated("devServerOnly")) {
          const answers = { jwks, signup, cognito, page };
          for (const [name, answer] of Object.entries(answers)) {
            expect(answer.status, name).toBe(404);
          }
          return;
        }
        expect(jwks.status).toBe(200);
        expect(jwks.json.keys.length).toBeGreaterThan(0);
        expect(signup.status).toBe(202);
        expect(cognito.status).toBe(400);
        expect(cognito.headers.get("x-amzn-errortype")).toBeTruthy();
        expect(page.status).toBe(200);
        expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      });
    });
  }

  if (serves.graphql) {
    describe("GraphQL", () => {
      const post = (path: string, query: string, token?: string) =>
        call("POST", path, { body: { query }, ...(token === undefined ? {} : { token }) });

      it("saves a cart, reads it with the chapter's query and checks it out", async () => {
        const token = await newUser();
        const saved = await post(
          "/graphql",
          'mutation { saveCart(products: [{ code: "linen-notebook", quantity: 3 }]) { totalCents } }',
          token,
        );
        expect(saved.status).toBe(200);
        expect(saved.json).toEqual({ data: { saveCart: { totalCents: 4350 } } });
        const chapter = await post(
          "/query",
          "{ cart { products { name quantity price } discountPercentage } }",
          token,
        );
        expect(chapter.json.data.cart).toEqual({
          products: [{ name: "Linen Notebook", quantity: 3, price: 1450 }],
          discountPercentage: 0,
        });
        const checkout = await post(
          "/query",
          `mutation { checkout(idempotencyKey: "${randomUUID()}", input: ${CHECKOUT_INPUT_GRAPHQL}) { replayed order { id totalCents status } } }`,
          token,
        );
        expect(checkout.json.data.checkout).toMatchObject({
          replayed: false,
          // Goods under 50.00 pay for Ground to Oregon (no sales tax).
          order: { totalCents: 4350 + US_GROUND_CENTS, status: "PLACED" },
        });
        const orders = await post("/graphql", "{ orders { items { id } } }", token);
        expect(orders.json.data.orders.items).toEqual([
          { id: checkout.json.data.checkout.order.id },
        ]);
      });

      it("answers GET queries, refuses an anonymous cart and an abusive query", async () => {
        const get = await call(
          "GET",
          `/graphql?query=${encodeURIComponent("{ products { items { id priceCents } } }")}`,
        );
        expect(get.status).toBe(200);
        expect(get.json.data.products.items).toHaveLength(10);
        const anonymous = await post("/query", "{ cart { totalCents } }");
        expect(anonymous.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
        const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(" ");
        // Under application/json (fetch's */*), a refused request is a 200 with its errors.
        const abusive = await post("/query", `{ ${aliases} }`);
        expect(abusive.status).toBe(200);
        expect(abusive.json.errors[0].message).toContain("the limit is 15");
        const token = await newUser();
        const longId = await post(
          "/graphql",
          `{ order(id: "${"o".repeat(1_100)}") { id } }`,
          token,
        );
        expect(longId.status).toBe(200);
        expect(longId.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
      });
    });
  }

  it("gave only answers that fit the OpenAPI document (statuses, media types, bodies)", () => {
    expect(misfits).toEqual([]);
    expect(checker.checkedCount()).toBeGreaterThan(serves.rest ? 40 : 2);
  });
}
