/** A product of the catalogue. Prices are integer cents, always. */
export interface Product {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  stock: number;
}

export interface Comment {
  id: string;
  productId: string;
  /** Display name of the author, taken from the signed-in user, never from the request. */
  author: string;
  /** 1 to 5. */
  rating: number;
  text: string;
  createdAt: string;
}

export interface ProductWithComments extends Product {
  /** Oldest first. */
  comments: Comment[];
}

export interface RatingSummary {
  /** Mean of the ratings rounded to one decimal, or null when nobody rated the product. */
  average: number | null;
  count: number;
}

export const MIN_RATING = 1;
export const MAX_RATING = 5;

export function summarizeRatings(comments: readonly Pick<Comment, "rating">[]): RatingSummary {
  if (comments.length === 0) return { average: null, count: 0 };
  let sum = 0;
  for (const comment of comments) sum += comment.rating;
  return { average: Math.round((sum * 10) / comments.length) / 10, count: comments.length };
}
