import type { Comment, CommentKey } from "../domain/index.js";
import type { Page, PageRequest } from "./page-ports.js";

// The comments' part of the Store port, apart from ports.ts (which is full): what every store
// adapter implements so that comments stay bounded in size, in rate and in what a read carries.

/** A new comment and who writes it: the user its rate limits count against. */
export interface AddCommentCommand {
  comment: Comment;
  userId: string;
}

export interface CommentStore {
  /**
   * In ONE atomic write: refuse the comment with TOO_MANY_REQUESTS (`tooManyComments`) when the
   * user already wrote COMMENT_LIMITS.perMinute comments in the minute of `comment.createdAt`,
   * or perProductPerDay on this product that day; else store it and count it into the
   * product's comment count, rating total and latest comments. NOT_FOUND for an unknown product.
   */
  addComment(command: AddCommentCommand): Promise<Comment>;
  /**
   * One page of a product's comments, newest first (ties by id, descending), reading no more
   * than the page (and one item to know whether more follow). Undefined when the product does
   * not exist or left the catalogue.
   */
  listCommentPage(
    productId: string,
    page: PageRequest<CommentKey>,
  ): Promise<Page<Comment, CommentKey> | undefined>;
}
