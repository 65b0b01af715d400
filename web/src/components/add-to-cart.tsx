import { useState } from "preact/hooks";
import { asApiError } from "../api/problem.js";
import type { Product } from "../api/types.js";
import { addToCart } from "../cart/cart-store.js";

/** "Add to basket", with what happened said in a live region next to it. */
export function AddToCart({ product, inCart }: { product: Product; inCart: number }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const soldOut = product.stock <= 0;
  const text = soldOut ? "Sold out" : busy ? "Adding…" : "Add to basket";

  const add = async () => {
    setBusy(true);
    setMessage("");
    try {
      await addToCart(product.id);
      setMessage(`Added ${product.name} to your basket.`);
    } catch (error) {
      setMessage(asApiError(error).detail);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="add-to-cart">
      <button
        type="button"
        class="button"
        disabled={soldOut || busy}
        // The visible words first (speech users say what they see), then which product.
        aria-label={`${text}: ${product.name}`}
        onClick={add}
      >
        {text}
      </button>
      {inCart > 0 ? (
        <span class="in-cart">
          <span aria-hidden="true">✓ </span>
          {inCart} in your basket
        </span>
      ) : null}
      <span class="visually-hidden" aria-live="polite">
        {message}
      </span>
    </div>
  );
}
