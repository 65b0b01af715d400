import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { listComments } from "../api/store-api.js";
import type { Product, ProductComment } from "../api/types.js";
import { formatDate } from "../format.js";
import { ProblemView } from "./problem-view.js";
import { Stars } from "./stars.js";

/**
 * A product's reviews: the latest few the product came with, then, a "More reviews" press at a
 * time, the pages of GET /products/{id}/comments (newest first). Its first page starts with
 * the reviews already shown, so a review is listed once by id. A polite status says how many
 * of the total are shown, for screen readers as the list grows.
 */
export function ReviewList({ product }: { product: Product }) {
  const [read, setRead] = useState<ProductComment[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const shown = new Map<string, ProductComment>();
  for (const comment of [...product.comments, ...read]) shown.set(comment.id, comment);
  const reviews = [...shown.values()];
  const total = Math.max(product.rating.count, reviews.length);
  // Before the first press: more exist when the count says so; after it: while a page follows.
  const more = cursor === undefined ? total > reviews.length : cursor !== null;

  const fetchMore = () => {
    setBusy(true);
    setError(null);
    listComments(product.id, cursor ?? null)
      .then(
        (page) => {
          setRead((done) => [...done, ...page.items]);
          setCursor(page.nextCursor);
        },
        (failure: unknown) => setError(asApiError(failure)),
      )
      .finally(() => setBusy(false));
  };

  if (reviews.length === 0) return <p class="muted">No reviews yet.</p>;
  return (
    <>
      <ul class="comments">
        {reviews.map((comment) => (
          <li key={comment.id} class="comment">
            <p class="comment-head">
              <strong>{comment.author}</strong>{" "}
              <Stars value={comment.rating} label={`${comment.rating} out of 5`} />{" "}
              <time class="muted" dateTime={comment.createdAt}>
                {formatDate(comment.createdAt)}
              </time>
            </p>
            <p>{comment.text}</p>
          </li>
        ))}
      </ul>
      <p class="muted" aria-live="polite">
        Showing {reviews.length} of {total} {total === 1 ? "review" : "reviews"}.
      </p>
      {error !== null ? (
        <ProblemView error={error} onRetry={fetchMore} />
      ) : more ? (
        <button
          type="button"
          class="button button-quiet"
          aria-busy={busy}
          disabled={busy}
          onClick={fetchMore}
        >
          {busy ? "Loading reviews…" : "More reviews"}
        </button>
      ) : null}
    </>
  );
}
