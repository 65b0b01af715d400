import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SEED_PRODUCTS } from "../../../src/store/index.js";
import { createTestApp, expectProblem, type TestApp } from "../../helpers/app.js";

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

const listProducts = (token?: string) =>
  t.invoke({ method: "GET", resource: "/products", ...(token === undefined ? {} : { token }) });

const selectedIds = (page: { items: { id: string; isSelected: boolean }[] }) =>
  page.items.filter((p) => p.isSelected).map((p) => p.id);

describe("GET /products", () => {
  it("lists the seeded catalogue with comments and ratings, nothing selected when anonymous", async () => {
    const res = await listProducts();

    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.json.items.map((p: { id: string }) => p.id)).toEqual(
      SEED_PRODUCTS.map((p) => p.id).sort(),
    );
    expect(res.json.nextCursor).toBeNull();
    expect(res.json.items.every((p: { isSelected: unknown }) => p.isSelected === false)).toBe(true);
    const bird = res.json.items.find((p: { id: string }) => p.id === "lonely-bird");
    expect(bird).toMatchObject({
      name: "Lonely Bird",
      priceCents: 2999,
      currency: "USD",
      stock: 25,
      rating: { average: 4.5, count: 2 },
      isSelected: false,
    });
    // The latest comments, newest first: John Doe's came before Mei Lin's.
    expect(bird.comments.map((c: { author: string }) => c.author)).toEqual(["Mei Lin", "John Doe"]);
  });

  it("marks isSelected exactly for the products in the caller's cart", async () => {
    const ada = await t.signup();
    const bob = await t.signup();
    await t.saveCart(ada.token, [
      ["morning-fog", 1],
      ["lonely-bird", 1],
    ]);

    const mine = await listProducts(ada.token);
    expect(mine.statusCode).toBe(200);
    expect(selectedIds(mine.json).sort()).toEqual(["lonely-bird", "morning-fog"]);

    expect(selectedIds((await listProducts(bob.token)).json)).toEqual([]);
    expect(selectedIds((await listProducts()).json)).toEqual([]);

    await t.saveCart(ada.token, [["wool-throw", 1]]);
    expect(selectedIds((await listProducts(ada.token)).json)).toEqual(["wool-throw"]);
  });
});

describe("GET /products/{id}", () => {
  it("answers one product, isSelected for the caller's cart", async () => {
    const ada = await t.signup();
    await t.saveCart(ada.token, [["solid-friendship", 1]]);

    const anonymous = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "solid-friendship" },
    });
    const signedIn = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "solid-friendship" },
      token: ada.token,
    });

    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json).toMatchObject({
      id: "solid-friendship",
      name: "Solid Friendship",
      priceCents: 1999,
      isSelected: false,
    });
    expect(anonymous.json.comments).toHaveLength(1);
    expect(signedIn.json.isSelected).toBe(true);
  });

  it("answers 404 naming an unknown product", async () => {
    const res = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "unicorn-lamp" },
    });

    expect(expectProblem(res, 404, "NOT_FOUND").detail).toBe("product unicorn-lamp does not exist");
  });
});

describe("POST /products/{id}/comments", () => {
  const comment = (token: string | undefined, id: string, body: object) =>
    t.invoke({
      method: "POST",
      resource: "/products/{id}/comments",
      pathParameters: { id },
      body,
      ...(token === undefined ? {} : { token }),
    });

  it("adds a comment authored by the signed-up name, whatever the body claims", async () => {
    const ada = await t.signup("ada@example.com", { name: "Ada Lovelace" });

    const res = await comment(ada.token, "lonely-bird", {
      rating: 4,
      text: "  Lovely on my desk.  ",
      author: "Mallory",
      userId: "someone-else",
    });

    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      author: "Ada Lovelace",
      rating: 4,
      text: "Lovely on my desk.",
      createdAt: expect.any(String),
    });
    const product = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "lonely-bird" },
    });
    expect(product.json.comments[0]).toEqual(res.json);
    // (5 + 4 + 4) / 3 rounded to one decimal.
    expect(product.json.rating).toEqual({ average: 4.3, count: 3 });
  });

  it("names a user who gave no name after their email", async () => {
    const grace = await t.signup("grace.hopper@example.com");

    const res = await comment(grace.token, "copper-kettle", { rating: 5, text: "Sings." });

    expect(res.statusCode).toBe(201);
    expect(res.json.author).toBe("grace.hopper");
  });

  it("answers 400 naming a rating out of range and an empty text", async () => {
    const ada = await t.signup();

    const res = await comment(ada.token, "lonely-bird", { rating: 6, text: "   " });

    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["rating", "text"]);
    const fractional = await comment(ada.token, "lonely-bird", { rating: 4.5, text: "ok" });
    expect(expectProblem(fractional, 400, "VALIDATION_FAILED").errors?.[0]?.field).toBe("rating");
  });

  it("answers 404 for a comment on an unknown product", async () => {
    const ada = await t.signup();

    const res = await comment(ada.token, "unicorn-lamp", { rating: 5, text: "Where is it?" });

    expect(expectProblem(res, 404, "NOT_FOUND").detail).toContain("unicorn-lamp");
  });

  it("answers 401 without a token, before looking at the body", async () => {
    const res = await comment(undefined, "lonely-bird", { rating: 99 });

    expectProblem(res, 401, "UNAUTHENTICATED");
  });
});
