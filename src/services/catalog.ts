import { type Comment, productNotFound } from "../domain/index.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type { Caller, Clock, IdGenerator, Store } from "./ports.js";
import { type CommentView, commentView, type ProductView, productView } from "./views.js";

export interface NewComment {
  rating: number;
  text: string;
}

export interface CatalogService {
  /**
   * A page of the catalogue in id order; `isSelected` marks the caller's cart. One store call
   * (two for a signed-in caller) whatever the catalogue's size.
   */
  listProducts(caller: Caller | undefined, page?: PageInput): Promise<PageOf<ProductView>>;
  /** NOT_FOUND for an unknown id (GraphQL answers it as null). */
  getProduct(id: string, caller: Caller | undefined): Promise<ProductView>;
  /**
   * Refused with TOO_MANY_REQUESTS past the caller's COMMENT_LIMITS, and NOT_FOUND for an
   * unknown product.
   */
  addComment(caller: Caller, productId: string, comment: NewComment): Promise<CommentView>;
  /** A page of a product's comments, newest first; NOT_FOUND for an unknown product. */
  listComments(productId: string, page?: PageInput): Promise<PageOf<CommentView>>;
}

export function createCatalogService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
}): CatalogService {
  const { store, clock, ids } = deps;

  const selectedIds = async (caller: Caller | undefined): Promise<Set<string>> => {
    if (caller === undefined) return new Set();
    const cart = await store.getCart(caller.userId);
    return new Set(cart?.lines.map((line) => line.productId));
  };

  return {
    async listProducts(caller, page = {}) {
      const [products, selected] = await Promise.all([
        store.listProductPage(pageRequest("products", page)),
        selectedIds(caller),
      ]);
      return {
        items: products.items.map((product) => productView(product, selected.has(product.id))),
        nextCursor: nextCursorOf("products", products.next),
      };
    },

    async getProduct(id, caller) {
      const [product, selected] = await Promise.all([store.getProduct(id), selectedIds(caller)]);
      if (product === undefined) throw productNotFound(id);
      return productView(product, selected.has(product.id));
    },

    async addComment(caller, productId, input) {
      const comment: Comment = {
        id: ids.newId(),
        productId,
        author: caller.username,
        rating: input.rating,
        text: input.text,
        createdAt: clock.now().toISOString(),
      };
      return commentView(await store.addComment({ comment, userId: caller.userId }));
    },

    async listComments(productId, page = {}) {
      const comments = await store.listCommentPage(productId, pageRequest("comments", page));
      if (comments === undefined) throw productNotFound(productId);
      return {
        items: comments.items.map(commentView),
        nextCursor: nextCursorOf("comments", comments.next),
      };
    },
  };
}
