import type Database from "better-sqlite3";
import {
  COMMENT_LIMITS,
  type Comment,
  type CommentKey,
  commentWindows,
  type Product,
  type ProductWithComments,
  productNotFound,
  tooManyComments,
} from "../../domain/index.js";
import type { AddCommentCommand, Page, PageRequest } from "../../services/index.js";
import { COMMENT_COLUMNS, PRODUCT_COLUMNS } from "./rows.js";

/** A product row with its running comment count and rating total. */
export type CatalogueRow = Product & { commentCount: number; ratingTotal: number };

export const CATALOGUE_COLUMNS = `${PRODUCT_COLUMNS}, comment_count AS commentCount, rating_total AS ratingTotal`;

/**
 * The comments' statements: the catalogue's summaries (a running count and rating total on the
 * product row, the latest few through the newest-first index), the keyset pages of one
 * product's comments, and the rate-limited insert. Every read stops at what it returns.
 */
export function prepareComments(db: Database.Database) {
  const latest = db.prepare<{ productId: string; limit: number }, Comment>(
    `SELECT ${COMMENT_COLUMNS} FROM comments WHERE product_id = @productId ` +
      "ORDER BY created_at DESC, id DESC LIMIT @limit",
  );
  const after = db.prepare<CommentKey & { productId: string; limit: number }, Comment>(
    `SELECT ${COMMENT_COLUMNS} FROM comments WHERE product_id = @productId ` +
      "AND (created_at, id) < (@createdAt, @id) ORDER BY created_at DESC, id DESC LIMIT @limit",
  );
  const liveProduct = db
    .prepare<[string], number>("SELECT 1 FROM products WHERE id = ? AND archived = 0")
    .pluck();
  // The user's comments in a window, through the (user_id, created_at) index: the limits keep
  // the count small, so the read is too.
  const writtenBetween = db
    .prepare<{ userId: string; start: string; end: string }, number>(
      "SELECT COUNT(*) FROM comments WHERE user_id = @userId " +
        "AND created_at >= @start AND created_at < @end",
    )
    .pluck();
  const writtenOnBetween = db
    .prepare<{ userId: string; productId: string; start: string; end: string }, number>(
      "SELECT COUNT(*) FROM comments WHERE user_id = @userId AND product_id = @productId " +
        "AND created_at >= @start AND created_at < @end",
    )
    .pluck();
  const countIn = db.prepare<{ productId: string; rating: number }>(
    "UPDATE products SET comment_count = comment_count + 1, " +
      "rating_total = rating_total + @rating WHERE id = @productId",
  );
  const insert = db.prepare<Comment & { userId: string }>(
    "INSERT INTO comments (id, product_id, user_id, author, rating, text, created_at) " +
      "VALUES (@id, @productId, @userId, @author, @rating, @text, @createdAt)",
  );

  const add = db.transaction(({ comment, userId }: AddCommentCommand): Comment => {
    const { minute, day } = commentWindows(comment.createdAt);
    if ((writtenBetween.get({ userId, ...minute }) ?? 0) >= COMMENT_LIMITS.perMinute) {
      throw tooManyComments("minute", minute.retryAfterSeconds);
    }
    const onProduct = writtenOnBetween.get({ userId, productId: comment.productId, ...day }) ?? 0;
    if (onProduct >= COMMENT_LIMITS.perProductPerDay) {
      throw tooManyComments("product", day.retryAfterSeconds);
    }
    if (countIn.run({ productId: comment.productId, rating: comment.rating }).changes === 0) {
      throw productNotFound(comment.productId);
    }
    insert.run({ ...comment, userId });
    return { ...comment };
  });

  return {
    /** Each product with its latest few comments: one indexed read of at most that many each. */
    summarized(rows: readonly CatalogueRow[]): ProductWithComments[] {
      return rows.map((row) => ({
        ...row,
        comments: latest.all({ productId: row.id, limit: COMMENT_LIMITS.latestShown }),
      }));
    },

    /** IMMEDIATE: the count and the insert hold the write lock, across processes too. */
    add(command: AddCommentCommand): Comment {
      return add.immediate(command);
    },

    page(productId: string, page: PageRequest<CommentKey>): Page<Comment, CommentKey> | undefined {
      if (liveProduct.get(productId) === undefined) return undefined;
      const limit = page.limit + 1;
      const rows =
        page.after === undefined
          ? latest.all({ productId, limit })
          : after.all({ productId, limit, ...page.after });
      const items = rows.slice(0, page.limit);
      const last = items.at(-1);
      const more = rows.length > page.limit && last !== undefined;
      return { items, next: more ? { createdAt: last.createdAt, id: last.id } : undefined };
    },
  };
}

/** Sets every product's comment count and rating total from its comments: seed and migration. */
export function recountComments(db: Database.Database): void {
  db.exec(
    "UPDATE products SET " +
      "comment_count = (SELECT COUNT(*) FROM comments WHERE product_id = products.id), " +
      "rating_total = (SELECT COALESCE(SUM(rating), 0) FROM comments " +
      "WHERE product_id = products.id)",
  );
}
