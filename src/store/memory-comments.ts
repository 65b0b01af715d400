import {
  COMMENT_LIMITS,
  type Comment,
  type CommentKey,
  commentWindows,
  newestFirst,
  tooManyComments,
} from "../domain/index.js";
import type { AddCommentCommand, Page, PageRequest } from "../services/index.js";

/** What the catalogue shows of a product's comments. */
export interface CommentSummary {
  comments: Comment[];
  commentCount: number;
  ratingTotal: number;
}

interface ProductComments {
  /** Newest first, as every page reads them. */
  list: Comment[];
  ratingTotal: number;
}

/** What a user wrote, for the rate limits: the product and the time of each comment. */
interface Written {
  productId: string;
  createdAt: string;
}

/**
 * The memory store's comments: each product's list (newest first) with its running rating
 * total, and each user's writing times. Synchronous, so each call is atomic on Node's thread.
 */
export class MemoryComments {
  private readonly byProduct = new Map<string, ProductComments>();
  private readonly byUser = new Map<string, Written[]>();

  /** Loads a seeded comment; no limit applies. */
  seed(comment: Comment): void {
    this.insert({ ...comment });
  }

  /** Refuses past COMMENT_LIMITS, else stores the comment. The caller checked the product. */
  add({ comment, userId }: AddCommentCommand): Comment {
    const { minute, day } = commentWindows(comment.createdAt);
    const written = this.byUser.get(userId) ?? [];
    const within = (window: { start: string; end: string }, entry: Written) =>
      entry.createdAt >= window.start && entry.createdAt < window.end;
    if (written.filter((entry) => within(minute, entry)).length >= COMMENT_LIMITS.perMinute) {
      throw tooManyComments("minute", minute.retryAfterSeconds);
    }
    const onProduct = written.filter(
      (entry) => entry.productId === comment.productId && within(day, entry),
    );
    if (onProduct.length >= COMMENT_LIMITS.perProductPerDay) {
      throw tooManyComments("product", day.retryAfterSeconds);
    }
    // Only the current windows matter: older entries are dropped as the new one is kept.
    this.byUser.set(userId, [
      ...written.filter((entry) => entry.createdAt >= day.start),
      { productId: comment.productId, createdAt: comment.createdAt },
    ]);
    this.insert({ ...comment });
    return { ...comment };
  }

  summary(productId: string): CommentSummary {
    const product = this.byProduct.get(productId);
    return {
      comments: (product?.list ?? [])
        .slice(0, COMMENT_LIMITS.latestShown)
        .map((comment) => ({ ...comment })),
      commentCount: product?.list.length ?? 0,
      ratingTotal: product?.ratingTotal ?? 0,
    };
  }

  page(productId: string, page: PageRequest<CommentKey>): Page<Comment, CommentKey> {
    const list = this.byProduct.get(productId)?.list ?? [];
    const after = page.after;
    const rest = after === undefined ? list : list.filter((c) => newestFirst(after, c) < 0);
    const items = rest.slice(0, page.limit).map((comment) => ({ ...comment }));
    const last = items.at(-1);
    return {
      items,
      next:
        rest.length > page.limit && last !== undefined
          ? { createdAt: last.createdAt, id: last.id }
          : undefined,
    };
  }

  private insert(comment: Comment): void {
    const product = this.byProduct.get(comment.productId) ?? { list: [], ratingTotal: 0 };
    product.list.push(comment);
    product.list.sort(newestFirst);
    product.ratingTotal += comment.rating;
    this.byProduct.set(comment.productId, product);
  }
}
