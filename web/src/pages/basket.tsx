import { useEffect, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import type { Cart, Line } from "../api/types.js";
import { cart, loadCart, removeLine, setPromotion, setQuantity } from "../cart/cart-store.js";
import { guestOrderHref } from "../cart/guest-order-link.js";
import { guestOrders } from "../cart/guest-orders.js";
import { CheckoutPanel } from "../checkout/checkout-panel.js";
import { OrderTotals } from "../checkout/order-totals.js";
import type { TotalsRow } from "../checkout/totals-rows.js";
import { ProblemView } from "../components/problem-view.js";
import { formatMoney } from "../format.js";
import { usePageTitle } from "../load.js";
import { useStore } from "../state.js";

const MAX_QUANTITY = 99;

function LineRow({ line, currency, act }: { line: Line; currency: string; act: Act }) {
  const money = (cents: number) => formatMoney(cents, currency);
  return (
    <li class="line">
      <div class="line-name">
        <a href={`/item/${encodeURIComponent(line.id)}`}>{line.name}</a>
        <span class="muted">{money(line.unitPriceCents)} each</span>
      </div>
      <fieldset class="stepper">
        <legend class="visually-hidden">Quantity of {line.name}</legend>
        <button
          type="button"
          aria-label={`One fewer ${line.name}`}
          disabled={line.quantity <= 1}
          onClick={() => act(() => setQuantity(line.id, line.quantity - 1))}
        >
          −
        </button>
        <span class="quantity">{line.quantity}</span>
        <button
          type="button"
          aria-label={`One more ${line.name}`}
          disabled={line.quantity >= MAX_QUANTITY}
          onClick={() => act(() => setQuantity(line.id, line.quantity + 1))}
        >
          +
        </button>
      </fieldset>
      <span class="line-total">{money(line.lineTotalCents)}</span>
      <button
        type="button"
        class="link-button"
        aria-label={`Remove ${line.name}`}
        onClick={() => act(() => removeLine(line.id))}
      >
        Remove
      </button>
    </li>
  );
}

type Act = (task: () => Promise<unknown>) => void;

function PromotionForm({ current, act, error }: { current: Cart; act: Act; error: string }) {
  const [code, setCode] = useState("");
  if (current.promotionCode !== null) {
    return (
      <p class="promo-applied">
        Code <strong>{current.promotionCode}</strong>: {current.discountPercentage}% off.{" "}
        <button type="button" class="link-button" onClick={() => act(() => setPromotion(null))}>
          Remove code
        </button>
      </p>
    );
  }
  return (
    <form
      class="promo"
      onSubmit={(event) => {
        event.preventDefault();
        act(() => setPromotion(code));
      }}
    >
      <label for="promotion-code">Promotion code</label>
      <div class="inline">
        <input
          id="promotion-code"
          name="promotionCode"
          autocomplete="off"
          value={code}
          required
          maxLength={32}
          onInput={(event) => setCode(event.currentTarget.value)}
          aria-invalid={error === "" ? undefined : true}
          aria-describedby={error === "" ? undefined : "promotion-error"}
        />
        <button type="submit" class="button button-quiet">
          Apply
        </button>
      </div>
      {error === "" ? null : (
        <p id="promotion-error" class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function Totals({ current }: { current: Cart }) {
  const rows: TotalsRow[] = [{ label: "Subtotal", cents: current.subtotalCents, kind: "amount" }];
  if (current.discountCents > 0) {
    const label = `Discount (${current.discountPercentage}%)`;
    rows.push({ label, cents: current.discountCents, kind: "discount" });
  }
  rows.push({ label: "Items total", cents: current.totalCents, kind: "total" });
  return (
    <>
      <OrderTotals rows={rows} currency={current.currency} />
      <p class="hint">Shipping and tax are worked out for your address at checkout.</p>
    </>
  );
}

/** The guest orders this browser holds the link of: the way back to each. */
function GuestOrderLinks() {
  const kept = useStore(guestOrders);
  if (kept.length === 0) return null;
  return (
    <nav class="panel guest-orders" aria-label="Your orders as a guest">
      <ul>
        {kept.map((link, index) => (
          <li key={link.id}>
            <a href={guestOrderHref(link)}>
              {index === 0 ? "Your order" : "An earlier order"}{" "}
              <span class="mono">{link.id.slice(0, 8)}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function BasketPage() {
  usePageTitle("Basket");
  const current = useStore(cart);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [promotionError, setPromotionError] = useState("");
  const [status, setStatus] = useState("");

  useEffect(() => {
    loadCart()
      .catch((error: unknown) => setFailure(asApiError(error)))
      .finally(() => setLoading(false));
  }, []);

  const act: Act = (task) => {
    setFailure(null);
    setPromotionError("");
    setStatus("Updating your basket…");
    task().then(
      () => setStatus("Basket updated."),
      (error: unknown) => {
        const problem = asApiError(error);
        const aboutCode = problem.fields.some((field) => field.field === "promotionCode");
        if (aboutCode || problem.code === "INVALID_PROMOTION") setPromotionError(problem.detail);
        else setFailure(problem);
        setStatus("");
      },
    );
  };

  const empty = current === null || current.products.length === 0;
  return (
    <section class="basket" aria-labelledby="basket-title">
      <h1 id="basket-title" tabIndex={-1}>
        Your basket
      </h1>
      <p class="visually-hidden" aria-live="polite">
        {status}
      </p>
      {failure === null ? null : <ProblemView error={failure} />}
      <GuestOrderLinks />
      {current !== null && current.notices.length > 0 ? (
        <ul class="notices" aria-label="About your basket">
          {current.notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      ) : null}
      {loading && current === null ? (
        <p aria-busy="true">Loading your basket…</p>
      ) : empty ? (
        <p>
          Your basket is empty. <a href="/">Find something you like</a>.
        </p>
      ) : (
        <>
          <div class="basket-layout">
            <ul class="lines" aria-label="Items">
              {current.products.map((line) => (
                <LineRow key={line.id} line={line} currency={current.currency} act={act} />
              ))}
            </ul>
            <div class="panel summary">
              <h2>Summary</h2>
              <PromotionForm current={current} act={act} error={promotionError} />
              <Totals current={current} />
            </div>
          </div>
          <CheckoutPanel current={current} />
        </>
      )}
    </section>
  );
}
