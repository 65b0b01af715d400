import { describe, expect, it } from "vitest";
import { COMMENT_LIMITS, type Comment } from "../../../src/domain/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { expectProblem, manualClock, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const NOW = "2026-05-01T12:00:10.000Z";
const LONG_TEXT = "x".repeat(COMMENT_LIMITS.maxTextLength);

const post = (token: string, productId: string, body: object) =>
  t.invoke({
    method: "POST",
    resource: "/products/{id}/comments",
    pathParameters: { id: productId },
    body,
    token,
  });

const commentsPage = (productId: string, query: Record<string, string> = {}) =>
  t.invoke({
    method: "GET",
    resource: "/products/{id}/comments",
    pathParameters: { id: productId },
    query,
  });

/** `count` comments of the longest text on `productId`, each by a user of its own. */
async function flood(store: MemoryStore, productId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(Date.parse(NOW) + i * 1000).toISOString();
    const comment: Comment = {
      id: `c-flood-${String(i).padStart(4, "0")}`,
      productId,
      author: `User ${i}`,
      rating: (i % 5) + 1,
      text: LONG_TEXT,
      createdAt,
    };
    await store.addComment({ comment, userId: `user-flood-${i}` });
  }
}

describe("POST /products/{id}/comments limits", () => {
  it(`takes a text of ${COMMENT_LIMITS.maxTextLength} characters and refuses one more, naming text`, async () => {
    await start();
    const ada = await t.signup();

    expect((await post(ada.token, "lonely-bird", { rating: 4, text: LONG_TEXT })).statusCode).toBe(
      201,
    );
    const res = await post(ada.token, "morning-fog", { rating: 4, text: `${LONG_TEXT}y` });

    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors?.map((e) => e.field)).toEqual(["text"]);
  });

  it(`answers 429 with Retry-After past ${COMMENT_LIMITS.perMinute} comments a minute, and takes them again the next minute`, async () => {
    const clock = manualClock(NOW);
    await start({ clock });
    const ada = await t.signup();
    const products = [
      "lonely-bird",
      "solid-friendship",
      "morning-fog",
      "copper-kettle",
      "wool-throw",
    ];
    for (const id of products) {
      expect((await post(ada.token, id, { rating: 5, text: "Nice." })).statusCode).toBe(201);
    }

    const refused = await post(ada.token, "linen-notebook", { rating: 5, text: "One more." });

    expectProblem(refused, 429, "TOO_MANY_REQUESTS");
    expect(refused.headers["retry-after"]).toBe("50");
    clock.advanceSeconds(50);
    expect(
      (await post(ada.token, "linen-notebook", { rating: 5, text: "Later." })).statusCode,
    ).toBe(201);
  });

  it(`answers 429 past ${COMMENT_LIMITS.perProductPerDay} comments on one product in a day`, async () => {
    const clock = manualClock(NOW);
    await start({ clock });
    const ada = await t.signup();
    for (let i = 0; i < COMMENT_LIMITS.perProductPerDay; i++) {
      expect(
        (await post(ada.token, "lonely-bird", { rating: 3, text: `Take ${i}.` })).statusCode,
      ).toBe(201);
    }

    const refused = await post(ada.token, "lonely-bird", { rating: 3, text: "Again." });

    expectProblem(refused, 429, "TOO_MANY_REQUESTS");
    expect(Number(refused.headers["retry-after"])).toBe(12 * 3600 - 10);
  });
});

describe("the catalogue after many comments", () => {
  it("keeps GET /products, GET /products/{id} and GraphQL products the same size, with the count and average", async () => {
    const store = new MemoryStore();
    await start({ store });
    const sizes = async () => ({
      list: (await t.invoke({ method: "GET", resource: "/products" })).body.length,
      one: (
        await t.invoke({
          method: "GET",
          resource: "/products/{id}",
          pathParameters: { id: "lonely-bird" },
        })
      ).body.length,
      graph: (
        await t.invoke({
          method: "POST",
          resource: "/graphql",
          body: { query: "{ products { items { id latestComments { text } rating { count } } } }" },
        })
      ).body.length,
    });
    await flood(store, "lonely-bird", COMMENT_LIMITS.latestShown);
    const few = await sizes();

    await flood(store, "morning-fog", 200);
    await flood(store, "lonely-bird", 200);
    const many = await sizes();

    // The latest few were already full-length: only the counts' digits may differ.
    expect(many.one - few.one).toBeLessThan(50);
    const morningFogShown = COMMENT_LIMITS.latestShown * (LONG_TEXT.length + 200);
    expect(many.list - few.list).toBeLessThan(morningFogShown);
    expect(many.graph - few.graph).toBeLessThan(morningFogShown);
    const product = await t.invoke({
      method: "GET",
      resource: "/products/{id}",
      pathParameters: { id: "lonely-bird" },
    });
    expect(product.json.rating.count).toBe(2 + COMMENT_LIMITS.latestShown + 200);
    expect(product.json.comments).toHaveLength(COMMENT_LIMITS.latestShown);
    expect(product.json.comments[0].id).toBe("c-flood-0199");
  });
});

describe("GET /products/{id}/comments", () => {
  it("pages through every comment newest first, each once, with no gap", async () => {
    const store = new MemoryStore();
    await start({ store });
    await flood(store, "copper-kettle", 23);
    const all = (await store.listCommentPage("copper-kettle", { limit: 100 }))?.items ?? [];
    expect(all.length).toBeGreaterThan(23);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await commentsPage("copper-kettle", {
        limit: "7",
        ...(cursor === null ? {} : { cursor }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(7);
      seen.push(...res.json.items.map((c: { id: string }) => c.id));
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);

    expect(seen).toEqual(all.map((c) => c.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("answers 404 for an unknown product and 400 naming limit or cursor", async () => {
    await start();

    expectProblem(await commentsPage("unicorn-lamp"), 404, "NOT_FOUND");
    const limit = expectProblem(
      await commentsPage("lonely-bird", { limit: "0" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(limit.errors?.map((e) => e.field)).toEqual(["limit"]);
    const cursor = expectProblem(
      await commentsPage("lonely-bird", { cursor: "edited" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(cursor.errors?.map((e) => e.field)).toEqual(["cursor"]);
  });
});
