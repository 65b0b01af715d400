import { useState } from "preact/hooks";
import { asApiError } from "../api/problem.js";
import { addComment, getProduct } from "../api/store-api.js";
import type { Product } from "../api/types.js";
import { session } from "../auth/session.js";
import { cart, quantities } from "../cart/cart-store.js";
import { AddToCart } from "../components/add-to-cart.js";
import { ProblemView } from "../components/problem-view.js";
import { ReviewList } from "../components/review-list.js";
import { RatingSummary } from "../components/stars.js";
import { StockState } from "../components/stock.js";
import { formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { useStore } from "../state.js";
import { NotFoundPage } from "./not-found.js";

/** The longest review the API takes (its COMMENT_LIMITS.maxTextLength). */
const MAX_REVIEW_LENGTH = 2000;

function CommentForm({ productId, onAdded }: { productId: string; onAdded: () => void }) {
  const [rating, setRating] = useState("5");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    setStatus("");
    try {
      await addComment(productId, { rating: Number(rating), text });
      setText("");
      setStatus("Thank you: your review was added.");
      onAdded();
    } catch (failure) {
      setError(asApiError(failure).detail);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel form" onSubmit={submit}>
      <h3>Write a review</h3>
      <label for="review-rating">Rating</label>
      <select
        id="review-rating"
        value={rating}
        onChange={(event) => setRating(event.currentTarget.value)}
      >
        {[5, 4, 3, 2, 1].map((value) => (
          <option key={value} value={String(value)}>
            {value} {value === 1 ? "star" : "stars"}
          </option>
        ))}
      </select>
      <label for="review-text">Your review</label>
      <textarea
        id="review-text"
        required
        maxLength={MAX_REVIEW_LENGTH}
        rows={4}
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        aria-describedby={error === "" ? undefined : "review-error"}
      />
      {error === "" ? null : (
        <p id="review-error" class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="button" disabled={busy}>
        {busy ? "Posting…" : "Post review"}
      </button>
      <p class="status" aria-live="polite">
        {status}
      </p>
    </form>
  );
}

function ProductView({ product, reload }: { product: Product; reload: () => void }) {
  usePageTitle(product.name);
  const user = useStore(session);
  const inCart = quantities(useStore(cart)).get(product.id) ?? 0;
  return (
    <article class="product">
      <p class="crumbs">
        <a href="/">
          <span aria-hidden="true">← </span>All products
        </a>
      </p>
      <div class="product-main">
        <img
          class="product-image"
          src={product.imageUrl}
          alt={`Illustration of ${product.name}`}
          width="480"
          height="360"
        />
        <div class="product-info">
          <h1 tabIndex={-1}>{product.name}</h1>
          <p class="price price-large">{formatMoney(product.priceCents, product.currency)}</p>
          <RatingSummary rating={product.rating} />
          <p>{product.description}</p>
          <StockState stock={product.stock} />
          <AddToCart product={product} inCart={inCart} />
        </div>
      </div>
      <section class="reviews" aria-labelledby="reviews-title">
        <h2 id="reviews-title">Reviews</h2>
        <ReviewList key={`${product.id}:${product.rating.count}`} product={product} />
        {user === null ? (
          <p>
            <a href={`/sign-in?next=${encodeURIComponent(`/item/${product.id}`)}`}>Sign in</a> to
            write a review.
          </p>
        ) : (
          <CommentForm productId={product.id} onAdded={reload} />
        )}
      </section>
    </article>
  );
}

export function ProductPage({ id }: { id: string }) {
  const [product, reload] = useLoad(() => getProduct(id), id);
  if (product.state === "loading") return <p aria-busy="true">Loading…</p>;
  if (product.state === "error") {
    if (product.error.status === 404) return <NotFoundPage what="product" />;
    return <ProblemView error={product.error} onRetry={reload} />;
  }
  return <ProductView product={product.value} reload={reload} />;
}
