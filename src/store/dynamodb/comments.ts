import {
  COMMENT_LIMITS,
  type Comment,
  type CommentKey,
  commentWindows,
  epochSeconds,
  newestFirst,
  productNotFound,
  storeUnavailable,
  tooManyComments,
} from "../../domain/index.js";
import type { AddCommentCommand, Page, PageRequest } from "../../services/index.js";
import {
  catalogueProductFrom,
  commentFrom,
  commentItem,
  commentSummaryItem,
  isArchived,
  withCommentSummary,
} from "./items.js";
import { getItem, type Table, updateCataloguePages } from "./reads.js";
import { failed, transact } from "./retries.js";
import { keys, TIME_TO_LIVE_ATTRIBUTE } from "./table.js";

/** Tries of a comment whose product another comment changed between the read and the write. */
const COMMENT_MAX_ATTEMPTS = 5;

/** A counter of the user's comments in a window: one more, refused at `max`; gone after it. */
const countedIn = (
  table: Table,
  key: Record<string, string>,
  window: { end: string },
  max: number,
) => ({
  Update: {
    TableName: table.name,
    Key: key,
    UpdateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
    ConditionExpression: "attribute_not_exists(#count) OR #count < :max",
    ExpressionAttributeNames: { "#count": "count", "#expiresAt": TIME_TO_LIVE_ATTRIBUTE },
    ExpressionAttributeValues: {
      ":one": 1,
      ":max": max,
      ":expiresAt": epochSeconds(new Date(window.end)),
    },
  },
});

/**
 * Adds a comment in ONE TransactWriteItems after one read of its product and of its comment
 * summary: the comment, the summary item's count, rating total and latest comments (conditional
 * on the count read, so two comments at once cannot drop one from the latest), and the user's
 * two counters of COMMENT_LIMITS, conditional on being under the limit. The product's own item
 * is not written: it is in the catalogue index's one partition, which every comment of the shop
 * would otherwise write (a product from before summary items starts its summary from its own). The counters are items, not process
 * memory, so the limits hold across every Lambda instance; their TTL clears them.
 */
export async function addComment(
  table: Table,
  { comment, userId }: AddCommentCommand,
): Promise<Comment> {
  const { minute, day } = commentWindows(comment.createdAt);
  for (let attempt = 0; attempt < COMMENT_MAX_ATTEMPTS; attempt++) {
    const [item, summary] = await Promise.all([
      getItem(table, keys.product(comment.productId)),
      getItem(table, keys.commentSummary(comment.productId)),
    ]);
    if (item === undefined) throw productNotFound(comment.productId);
    const product = catalogueProductFrom(withCommentSummary(item, summary));
    const latest = [comment, ...product.comments]
      .sort(newestFirst)
      .slice(0, COMMENT_LIMITS.latestShown);
    const summaryAfter = commentSummaryItem(comment.productId, {
      commentCount: product.commentCount + 1,
      ratingTotal: product.ratingTotal + comment.rating,
      comments: latest,
    });
    const outcome = await transact(table.documents, [
      {
        Put: {
          TableName: table.name,
          Item: summaryAfter,
          ConditionExpression:
            summary === undefined ? "attribute_not_exists(PK)" : "commentCount = :seen",
          ...(summary === undefined
            ? {}
            : { ExpressionAttributeValues: { ":seen": Number(summary.commentCount) } }),
        },
      },
      {
        Put: {
          TableName: table.name,
          Item: commentItem(comment, userId),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      countedIn(table, keys.commentRate(userId, minute.start), minute, COMMENT_LIMITS.perMinute),
      countedIn(
        table,
        keys.productCommentRate(userId, comment.productId, day.start),
        day,
        COMMENT_LIMITS.perProductPerDay,
      ),
    ]);
    if (outcome.written) {
      updateCataloguePages(table, comment.productId, (kept) =>
        withCommentSummary(kept, summaryAfter),
      );
      return { ...comment };
    }
    if (outcome.contended) throw storeUnavailable(outcome.error);
    const [productChanged, , perMinute, perProduct] = outcome.reasons;
    if (failed(perMinute)) throw tooManyComments("minute", minute.retryAfterSeconds);
    if (failed(perProduct)) throw tooManyComments("product", day.retryAfterSeconds);
    // Another comment on the product was counted since the read: read it again.
    if (!failed(productChanged)) throw outcome.error;
  }
  throw storeUnavailable(new Error("a product's comments kept changing during every attempt"));
}

/**
 * One page of a product's comments, newest first: ONE Query of its partition read backwards.
 * The first page starts at the top, where `META` sorts above every `COMMENT#` key, so the same
 * read says whether the product exists; a later page starts below the last comment it showed.
 */
export async function commentPage(
  table: Table,
  productId: string,
  page: PageRequest<CommentKey>,
): Promise<Page<Comment, CommentKey> | undefined> {
  const after = page.after;
  const first = after === undefined;
  const { Items = [], LastEvaluatedKey } = await table.documents.query({
    TableName: table.name,
    KeyConditionExpression: first ? "PK = :pk" : "PK = :pk AND SK < :after",
    ExpressionAttributeValues: {
      ":pk": keys.productPartition(productId),
      ...(first ? {} : { ":after": keys.comment({ productId, ...after }).SK }),
    },
    ScanIndexForward: false,
    ConsistentRead: true,
    // The product's own item, the page, and one more to know whether more follow.
    Limit: page.limit + (first ? 2 : 1),
  });
  if (first) {
    const meta = Items[0];
    if (meta?.type !== "PRODUCT" || isArchived(meta)) return undefined;
  }
  const comments = Items.filter((item) => item.type === "COMMENT").map(commentFrom);
  const items = comments.slice(0, page.limit);
  const last = items.at(-1);
  // 1 MB can end a read before the limit: then the next page goes on from the last one read.
  const more = comments.length > page.limit || LastEvaluatedKey !== undefined;
  return {
    items,
    next: more && last !== undefined ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}
