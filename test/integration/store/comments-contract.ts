import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMENT_LIMITS,
  type Comment,
  type CommentKey,
  newestFirst,
} from "../../../src/domain/index.js";
import type { Store } from "../../../src/services/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS } from "../../../src/store/index.js";
import { appErrorOf } from "../../helpers/errors.js";

const ALICE = "user-alice";
const BOB = "user-bob";
const PRODUCT_IDS = SEED_PRODUCTS.map((product) => product.id);
const BUSY = "lonely-bird";

let sequence = 0;
/** A comment on `productId` at `createdAt`, with a fresh id. */
const commentAt = (productId: string, createdAt: string, rating = 4): Comment => ({
  id: `c-contract-${String(++sequence).padStart(4, "0")}`,
  productId,
  author: "Tester",
  rating,
  text: `comment ${sequence}`,
  createdAt,
});

/** The `n`th second of 2026-05-01T12:00, as ISO 8601. */
const second = (n: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, n)).toISOString();

/**
 * The comments' part of the Store contract: the rate limits of COMMENT_LIMITS counted in the
 * store (so they hold across instances), the catalogue's bounded summary, and the newest-first
 * pages of one product's comments. `makeStore` returns a fresh seeded store.
 */
export function describeCommentsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, comments`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const countOf = async (productId: string) => (await store.getProduct(productId))?.commentCount;

    it(`refuses a user's comment past ${COMMENT_LIMITS.perMinute} in a minute, with the seconds left in it, storing nothing`, async () => {
      for (let i = 0; i < COMMENT_LIMITS.perMinute; i++) {
        await store.addComment({
          comment: commentAt(PRODUCT_IDS[i] ?? "", second(i)),
          userId: ALICE,
        });
      }
      const before = await countOf("copper-kettle");

      const error = await appErrorOf(
        store.addComment({ comment: commentAt("copper-kettle", second(45)), userId: ALICE }),
      );

      expect(error.code).toBe("TOO_MANY_REQUESTS");
      expect(error.retryAfterSeconds).toBe(15);
      expect(await countOf("copper-kettle")).toBe(before);
      // Another user is not limited by Alice, and Alice may go on the next minute.
      await store.addComment({ comment: commentAt("copper-kettle", second(46)), userId: BOB });
      await store.addComment({ comment: commentAt("copper-kettle", second(60)), userId: ALICE });
      expect(await countOf("copper-kettle")).toBe((before ?? 0) + 2);
    });

    it(`refuses a user's comment past ${COMMENT_LIMITS.perProductPerDay} on one product in a day, until the next day`, async () => {
      const minute = (n: number) => new Date(Date.UTC(2026, 4, 1, 12, n)).toISOString();
      for (let i = 0; i < COMMENT_LIMITS.perProductPerDay; i++) {
        await store.addComment({ comment: commentAt(BUSY, minute(i)), userId: ALICE });
      }

      const error = await appErrorOf(
        store.addComment({ comment: commentAt(BUSY, minute(30)), userId: ALICE }),
      );

      expect(error.code).toBe("TOO_MANY_REQUESTS");
      // 12:30 to the end of the day (UTC).
      expect(error.retryAfterSeconds).toBe(11.5 * 3600);
      await store.addComment({ comment: commentAt("morning-fog", minute(31)), userId: ALICE });
      await store.addComment({
        comment: commentAt(BUSY, "2026-05-02T00:00:00.000Z"),
        userId: ALICE,
      });
    });

    it("lets exactly the limit through when one user's comments race", async () => {
      const attempts = PRODUCT_IDS.map((productId, i) =>
        store.addComment({ comment: commentAt(productId, second(i)), userId: ALICE }),
      );
      const outcomes = await Promise.allSettled(attempts);

      const written = outcomes.filter((outcome) => outcome.status === "fulfilled");
      expect(written).toHaveLength(COMMENT_LIMITS.perMinute);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") {
          expect((outcome.reason as { code: string }).code).toBe("TOO_MANY_REQUESTS");
        }
      }
    });

    it("keeps the catalogue's answer bounded: a count, the rating total and the latest few", async () => {
      const added: Comment[] = [];
      for (let i = 0; i < 40; i++) {
        const comment = commentAt(BUSY, second(i), (i % 5) + 1);
        await store.addComment({ comment, userId: `user-${i}` });
        added.push(comment);
      }
      const seeded = SEED_COMMENTS.filter((comment) => comment.productId === BUSY);
      const all = [...seeded, ...added].sort(newestFirst);

      const product = await store.getProduct(BUSY);
      expect(product?.commentCount).toBe(all.length);
      expect(product?.ratingTotal).toBe(all.reduce((total, c) => total + c.rating, 0));
      expect(product?.comments).toStrictEqual(all.slice(0, COMMENT_LIMITS.latestShown));
      const page = await store.listProductPage({ limit: 100 });
      expect(page.items.find((p) => p.id === BUSY)).toStrictEqual(product);
      for (const listed of page.items) {
        expect(listed.comments.length).toBeLessThanOrEqual(COMMENT_LIMITS.latestShown);
      }
    });

    it.each([1, 4, 100])(
      "pages a product's comments %i at a time, newest first, each once, while more are added",
      async (limit) => {
        const added: Comment[] = [];
        for (let i = 0; i < 11; i++) {
          // Pairs share an instant: ties go by id, descending.
          const comment = commentAt(BUSY, second(Math.floor(i / 2)));
          await store.addComment({ comment, userId: `user-${i}` });
          added.push(comment);
        }
        const expected = [
          ...added,
          ...SEED_COMMENTS.filter((comment) => comment.productId === BUSY),
        ].sort(newestFirst);

        const seen: Comment[] = [];
        let after: CommentKey | undefined;
        let pages = 0;
        do {
          const page = await store.listCommentPage(BUSY, { limit, after });
          if (page === undefined) throw new Error("the product vanished");
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items);
          after = page.next;
          // A newer comment while the client pages sorts before every page it has yet to read.
          await store.addComment({
            comment: commentAt(BUSY, second(50 + pages)),
            userId: `late-${pages}`,
          });
          pages++;
        } while (after !== undefined && pages < 100);

        expect(seen).toStrictEqual(expected);
      },
    );

    it("answers undefined for the comments of an unknown or archived product", async () => {
      expect(await store.listCommentPage("no-such-product", { limit: 5 })).toBeUndefined();
      await store.archiveProduct(BUSY);
      expect(await store.listCommentPage(BUSY, { limit: 5 })).toBeUndefined();
      expect(await store.listCommentPage("morning-fog", { limit: 5 })).toStrictEqual({
        items: SEED_COMMENTS.filter((c) => c.productId === "morning-fog").sort(newestFirst),
        next: undefined,
      });
    });
  });
}
