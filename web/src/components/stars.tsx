import type { Rating } from "../api/types.js";

/** A rating as five stars, with the figure in words for screen readers. */
export function Stars({ value, label }: { value: number; label: string }) {
  const filled = Math.round(value);
  return (
    <span class="stars" role="img" aria-label={label}>
      <span aria-hidden="true">
        {"★".repeat(filled)}
        <span class="stars-empty">{"★".repeat(5 - filled)}</span>
      </span>
    </span>
  );
}

export function RatingSummary({ rating }: { rating: Rating }) {
  if (rating.average === null || rating.count === 0)
    return <span class="muted">No reviews yet</span>;
  const reviews = rating.count === 1 ? "1 review" : `${rating.count} reviews`;
  return (
    <span class="rating">
      <Stars value={rating.average} label={`Rated ${rating.average} out of 5`} />{" "}
      <span class="muted">
        {rating.average.toFixed(1)} · {reviews}
      </span>
    </span>
  );
}
